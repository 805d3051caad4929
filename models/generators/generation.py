"""How much and how a generator may write: the decoding settings, their bounds and per-request limits.

Lengths are only ever expressed as *new* tokens. ``max_length`` counts the prompt for decoder-only models,
which is how a long article makes ``min_length > max_length`` blow up mid-request in other stacks; here a
request can only lower ``max_new_tokens`` and the minimum is clamped under it, so that class of error
cannot be built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_BEAMS = 8
MAX_NEW_TOKENS = 1024


@dataclass(frozen=True, slots=True)
class GenerationConfig:
    """Decoding settings shared by every request, plus the grounding guard's threshold."""

    num_beams: int = 4
    length_penalty: float = 1.0
    no_repeat_ngram_size: int = 3
    min_new_tokens: int = 10
    max_new_tokens: int = 128
    # Tokens of article per chunk; 0 uses the model's own window (less the prompt).
    chunk_tokens: int = 0
    # Sentences each chunk repeats from the end of the one before, so a fact cut by a chunk border is
    # still seen whole once.
    chunk_overlap_sentences: int = 1
    grounding_threshold: float = 0.5
    keep_unsupported: bool = False

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.num_beams <= MAX_BEAMS:
            problems.append(f"num_beams must be within 1..{MAX_BEAMS}, not {self.num_beams}")
        if not 1 <= self.max_new_tokens <= MAX_NEW_TOKENS:
            problems.append(f"max_new_tokens must be within 1..{MAX_NEW_TOKENS}, not {self.max_new_tokens}")
        if not 0 <= self.min_new_tokens <= self.max_new_tokens:
            problems.append(
                f"min_new_tokens ({self.min_new_tokens}) must be within 0..max_new_tokens "
                f"({self.max_new_tokens})"
            )
        if self.no_repeat_ngram_size < 0:
            problems.append("no_repeat_ngram_size must be >= 0 (0 turns it off)")
        if not 0.0 < self.length_penalty <= 5.0:
            problems.append(f"length_penalty must be within (0, 5], not {self.length_penalty}")
        if self.chunk_tokens < 0 or self.chunk_overlap_sentences < 0:
            problems.append("chunk_tokens and chunk_overlap_sentences must be >= 0")
        if not 0.0 <= self.grounding_threshold <= 1.0:
            problems.append(f"grounding_threshold must be within 0..1, not {self.grounding_threshold}")
        if problems:
            raise ValueError("; ".join(problems))

    def for_request(self, max_new_tokens: int | None = None, num_beams: int | None = None) -> DecodeParams:
        """The decoding parameters for one request: overrides may only lower the configured costs."""
        new_tokens = self.max_new_tokens if max_new_tokens is None else max_new_tokens
        beams = self.num_beams if num_beams is None else num_beams
        if not 1 <= new_tokens <= self.max_new_tokens:
            raise ValueError(f"max_new_tokens must be within 1..{self.max_new_tokens}")
        if not 1 <= beams <= self.num_beams:
            raise ValueError(f"num_beams must be within 1..{self.num_beams}")
        return DecodeParams(
            num_beams=beams,
            max_new_tokens=new_tokens,
            min_new_tokens=min(self.min_new_tokens, new_tokens),
            length_penalty=self.length_penalty,
            no_repeat_ngram_size=self.no_repeat_ngram_size,
        )


@dataclass(frozen=True, slots=True)
class DecodeParams:
    """What ``generate`` receives for one chunk; hashable so a batch can be grouped by it."""

    num_beams: int
    max_new_tokens: int
    min_new_tokens: int
    length_penalty: float
    no_repeat_ngram_size: int

    def budget_tokens(self) -> int:
        """The generation cost the batcher's token budget should see: every beam writes every token."""
        return self.num_beams * self.max_new_tokens

    def generate_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "num_beams": self.num_beams,
            "max_new_tokens": self.max_new_tokens,
            "min_new_tokens": self.min_new_tokens,
            "no_repeat_ngram_size": self.no_repeat_ngram_size,
            "do_sample": False,
        }
        if self.num_beams > 1:
            kwargs["length_penalty"] = self.length_penalty
            kwargs["early_stopping"] = True
        return kwargs

    def encode(self) -> str:
        """A compact key, so the parameters travel with a chunk through the string-only batcher."""
        return (
            f"{self.num_beams},{self.max_new_tokens},{self.min_new_tokens},"
            f"{self.length_penalty!r},{self.no_repeat_ngram_size}"
        )

    @classmethod
    def decode(cls, key: str) -> DecodeParams:
        beams, new, minimum, penalty, ngram = key.split(",")
        return cls(int(beams), int(new), int(minimum), float(penalty), int(ngram))
