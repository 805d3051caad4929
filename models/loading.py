"""Building a summariser by name, so the service and the CLI choose models through one setting."""

from __future__ import annotations

from pathlib import Path

from models.generation import GenerationConfig
from models.summariser import Summariser

MODEL_NAMES = ("extractive", "seq2seq", "causal")


def load_summariser(
    name: str,
    model_path: Path | None = None,
    threads: int | None = None,
    generation: GenerationConfig | None = None,
) -> Summariser:
    """Load the named summariser; fails loudly (ValueError, FileNotFoundError, ModelLoadError) on a bad
    name or path.

    ``extractive`` reads ``model_path`` as a sentence-encoder directory (unset: the embedded MiniLM);
    ``seq2seq`` and ``causal`` read it as the generator's weights and always use the embedded MiniLM for
    the grounding guard and the reducer.
    """
    from models.encoder import TransformerSentenceEncoder
    from models.ranker import RankerParams, SentenceRanker

    if name == "extractive":
        from models.extractive import ExtractiveSummariser

        encoder = TransformerSentenceEncoder(model_path, threads=threads)
        return ExtractiveSummariser(encoder, SentenceRanker(RankerParams.load()))
    if name in ("seq2seq", "causal"):
        from models.abstractive import AbstractiveSummariser
        from models.generator import load_generator

        generator = load_generator(name, model_path, threads)
        encoder = TransformerSentenceEncoder(threads=threads)
        return AbstractiveSummariser(
            generator, encoder, SentenceRanker(RankerParams.load()), generation or GenerationConfig()
        )
    raise ValueError(f"unknown model {name!r}; expected one of {', '.join(MODEL_NAMES)}")
