"""The default summariser: pick the article's key sentences by their embeddings.

Every bullet is a sentence of the article, so it is faithful by construction and carries the offsets of
its source. The model work (embedding sentences and the title) is the shared ``compute`` step; ranking
and selection run per document in ``finish`` and cost a small fraction of the encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.document import Bullet, Document, Job, ModelInfo, Summary, Usage
from models.encoders.protocol import Embeddings, Padding, SentenceEncoder
from models.extractive.ranker import SentenceRanker
from models.text.segmentation import Sentence, segment


@dataclass(frozen=True, slots=True)
class _Prepared:
    sentences: list[Sentence]
    has_title: bool
    truncated: bool


class ExtractiveSummariser:
    def __init__(self, encoder: SentenceEncoder, ranker: SentenceRanker, version: str = "1") -> None:
        self.encoder = encoder
        self.ranker = ranker
        self.info = ModelInfo(
            name=f"extractive-{encoder.name}",
            version=f"{version}+ranker.{ranker.params.version}",
            backend=type(encoder).__name__,
            max_tokens=encoder.max_tokens,
            backend_label=encoder.runtime,
            fingerprint=ranker.fingerprint,
        )

    def prepare(self, document: Document) -> Job:
        segmentation = segment(document.text)
        title = (document.title or "").strip() or segmentation.leading_heading
        inputs = [s.text for s in segmentation.sentences] + ([title] if title else [])
        tokens = self.encoder.count_tokens(inputs)
        truncated = any(t > self.encoder.max_tokens for t in tokens)
        state = _Prepared(segmentation.sentences, bool(title), truncated)
        return Job(document=document, inputs=inputs, input_tokens=tokens, state=state)

    def compute(self, inputs: Sequence[str]) -> list[Any]:
        return list(self.encoder.encode(inputs))

    def finish(self, job: Job) -> Summary:
        return finish_with(self.ranker, job)

    def last_padding(self) -> Padding:
        """The padding of the latest ``compute``: the encoder's forward passes are the whole model call."""
        return self.encoder.last_padding


def job_embeddings(job: Job) -> tuple[list[Sentence], Embeddings, Embeddings | None]:
    """A computed job's sentences, their embeddings and the title's (None without a title)."""
    prepared: _Prepared = job.state
    sentences = prepared.sentences
    if not sentences:
        return sentences, np.zeros((0, 0), dtype=np.float32), None
    vectors = np.stack(job.outputs).astype(np.float32)
    title_embedding = vectors[len(sentences)] if prepared.has_title else None
    return sentences, vectors[: len(sentences)], title_embedding


def finish_with(ranker: SentenceRanker, job: Job) -> Summary:
    """Rank and select one computed job's sentences; training and evaluation call this too, so their
    scores are what the service would return."""
    prepared: _Prepared = job.state
    sentences, embeddings, title_embedding = job_embeddings(job)
    usage = Usage(
        characters=len(job.document.text),
        sentences=len(sentences),
        tokens=sum(job.input_tokens),
        truncated=prepared.truncated,
    )
    if not sentences:
        return Summary(bullets=[], usage=usage)
    text = job.document.text
    paragraph_starts = [
        i == 0 or "\n" in text[sentences[i - 1].end : sentence.start] for i, sentence in enumerate(sentences)
    ]
    ranking = ranker.rank(
        [s.text for s in sentences],
        embeddings,
        title_embedding,
        minimum=job.document.min_bullets,
        maximum=job.document.max_bullets,
        paragraph_starts=paragraph_starts,
    )
    bullets = [
        Bullet(
            text=sentences[i].text,
            start=sentences[i].start,
            end=sentences[i].end,
            score=float(ranking.scores[i]),
        )
        for i in ranking.chosen
    ]
    return Summary(bullets=bullets, usage=usage)
