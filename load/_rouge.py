"""ROUGE for the load tools, and the reference stories it is scored against.

Scoring is the evaluation module's, so every tool scores the way ``leadlist eval`` does: rouge-score's
ROUGE-1/2/Lsum F1 with the Porter stemmer, bullets joined by newlines, references' detached " ." rejoined.
This is the only place the load tools import it from.
"""

from __future__ import annotations

from load._data import CNN_DEV
from models.quality.evaluation import ROUGE_TYPES, Example, RougeMeter, load_examples

__all__ = ["ROUGE_TYPES", "Example", "RougeMeter", "dev_examples", "load_examples"]


def dev_examples(limit: int, offset: int = 0) -> list[Example] | None:
    """Stories ``offset`` to ``offset + limit`` of ``../shared/data/cnn_dev.jsonl``; None when it is absent."""
    if not CNN_DEV.exists():
        return None
    return load_examples(CNN_DEV, offset + limit)[offset:]
