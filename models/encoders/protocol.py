"""What a summariser asks of a sentence encoder, so the torch and ONNX engines are interchangeable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Embeddings = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Padding:
    """The tokens of one ``encode`` call: the real ones, and what its forward passes computed."""

    real: int
    padded: int

    @property
    def ratio(self) -> float:
        """Share of the computed tokens that was padding."""
        return 1.0 - self.real / self.padded if self.padded else 0.0


class SentenceEncoder(Protocol):
    name: str
    max_tokens: int
    # What runs it, in words a user knows: "PyTorch (CPU, fp32)".
    runtime: str
    # The latest ``encode`` call's padding. Only the encoder knows how it cut its inputs into forward
    # passes, so the service's padding metric reads it here rather than re-planning the batch itself.
    last_padding: Padding

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens each text needs, special tokens included, before any truncation."""
        ...

    def encode(self, texts: Sequence[str]) -> Embeddings:
        """L2-normalised embeddings, one row per text, in the order given."""
        ...
