"""The values that flow through every summariser: what comes in, what goes out.

Kept free of HTTP and of any model library so the service, the CLI, the evaluator and the batcher all
speak the same types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Document:
    """One article to summarise; bullet bounds are optional, the model chooses when they are absent."""

    text: str
    title: str | None = None
    max_bullets: int | None = None
    min_bullets: int | None = None
    # Generator models only (the extractive model ignores them): per-request limits, already checked
    # against the configured bounds, and whether bullets the guard rejects are kept and flagged.
    max_new_tokens: int | None = None
    num_beams: int | None = None
    keep_unsupported: bool | None = None


@dataclass(frozen=True, slots=True)
class Bullet:
    """A key point; ``text == document.text[start:end]`` for extractive bullets.

    A generated bullet has no span of its own: ``start``/``end`` are those of its best supporting
    sentence, ``sources`` the spans of all its supporting sentences, best first.
    """

    text: str
    start: int
    end: int
    score: float
    # Abstractive bullets carry how well the article supports them; extractive bullets are their own source.
    support: float | None = None
    supported: bool | None = None
    sources: tuple[tuple[int, int], ...] = ()
    # Numbers, dates and names in the bullet that the article never mentions.
    unsupported_facts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Usage:
    """What the model read, so callers can see cost and whether anything was cut."""

    characters: int
    sentences: int
    tokens: int
    truncated: bool
    chunks: int = 1
    output_tokens: int = 0
    # Generator models: bullets written over all chunks, those the grounding guard found unsupported,
    # and those it dropped (all the unsupported ones unless the caller asked to keep them flagged).
    generated_bullets: int = 0
    unsupported_bullets: int = 0
    dropped_bullets: int = 0


@dataclass(frozen=True, slots=True)
class Summary:
    bullets: list[Bullet]
    usage: Usage


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    version: str
    # The engine's class: a stable identifier. ``backend_label`` says the same in words a user knows.
    backend: str
    max_tokens: int
    # True for models that write their bullets (and so report support, chunks and output tokens).
    generative: bool = False
    backend_label: str = ""
    # A hash of what decides the answers beyond name and version (e.g. the ranker's parameters and
    # weights); empty when name and version say it all. Result caches key on it.
    fingerprint: str = ""


@dataclass(slots=True)
class Job:
    """A document between the two halves of a summariser.

    ``inputs`` are the texts whose model work can be shared with other documents (sentences to embed,
    chunks to generate from); ``input_tokens`` sizes them for the batcher's token budget; ``state`` is
    whatever the summariser needs to finish the document once the outputs are back.
    """

    document: Document
    inputs: list[str]
    input_tokens: list[int]
    state: Any = None
    outputs: list[Any] = field(default_factory=list)
