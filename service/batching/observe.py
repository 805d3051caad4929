"""What the batcher reports to Prometheus about each model call and each finished document."""

from __future__ import annotations

from collections.abc import Sequence

from models import Padding, Summary
from service import metrics


def observe_model_call(requests: int, tokens: int, seconds: float, padding: Padding | None) -> None:
    """One model call; ``padding`` only when the model reports it (the encoder's passes), never guessed."""
    metrics.INFERENCE_DURATION.observe(seconds)
    metrics.BATCH_SIZE_REQUESTS.observe(requests)
    metrics.BATCH_SIZE_TOKENS.observe(tokens)
    if padding is not None:
        metrics.BATCH_PADDING_RATIO.observe(padding.ratio)


def observe_documents(summaries: Sequence[Summary], generative: bool) -> None:
    for summary in summaries:
        metrics.DOCUMENTS.inc()
        metrics.INPUT_CHARACTERS.observe(summary.usage.characters)
        metrics.INPUT_TOKENS.observe(summary.usage.tokens)
        metrics.BULLETS.observe(len(summary.bullets))
        if summary.usage.truncated:
            metrics.TRUNCATED.inc()
        if generative:
            metrics.OUTPUT_TOKENS.observe(summary.usage.output_tokens)
            metrics.CHUNKS.observe(summary.usage.chunks)
            metrics.UNSUPPORTED_BULLETS.inc(summary.usage.dropped_bullets)


def observe_queue(active_requests: int, queued_tokens: int) -> None:
    metrics.QUEUE_SIZE.set(active_requests)
    metrics.QUEUE_TOKENS.set(queued_tokens)
