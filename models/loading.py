"""Building a summariser by name, so the service and the CLI choose models through one setting."""

from __future__ import annotations

from pathlib import Path

from models.summariser import Summariser

MODEL_NAMES = ("extractive",)


def load_summariser(name: str, model_path: Path | None = None, threads: int | None = None) -> Summariser:
    """Load the named summariser; fails loudly (ValueError, FileNotFoundError) on a bad name or path."""
    if name == "extractive":
        from models.encoder import TransformerSentenceEncoder
        from models.extractive import ExtractiveSummariser
        from models.ranker import RankerParams, SentenceRanker

        encoder = TransformerSentenceEncoder(model_path, threads=threads)
        return ExtractiveSummariser(encoder, SentenceRanker(RankerParams.load()))
    raise ValueError(f"unknown model {name!r}; expected one of {', '.join(MODEL_NAMES)}")
