"""How much each sentence belongs in the lead list: a small transformer over the story's sentences.

Each sentence enters as its MiniLM embedding, the story's mean embedding, the hand features of
:mod:`models.extractive.features` and its position; one self-attention layer lets every sentence see the
others, so "the second sentence restating the first" or "the one quote that carries the news" can be
told apart, which independent per-sentence scores cannot. The weights (about 1 MB per member) are fitted
by ``leadlist train-ranker`` with torch and stored as safetensors; serving runs this numpy forward pass,
so the int8 encoder path needs no torch and the whole ranker costs a few percent of the encoder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from models.encoders.protocol import Embeddings

FloatArray = npt.NDArray[np.float64]
# Sentences every sentence may attend to: the story's first ones. Training stories are all shorter, so the
# network sees exactly what it was fitted on; a 10,000-line paste costs 10,000 x 256 scores, not 10,000².
ATTENDED_SENTENCES = 256
Weights = Mapping[str, npt.NDArray[np.float32]]


@dataclass(frozen=True, slots=True)
class SalienceShape:
    """The architecture the weights were trained with (mirrors the torch module in training)."""

    features: int
    width: int = 128
    layers: int = 1
    heads: int = 4
    max_position: int = 40
    # Networks trained alike from different seeds, their logits averaged: steadier than any one of them.
    members: int = 1


class SalienceModel:
    """The numpy forward pass of the trained salience network."""

    def __init__(self, weights: Weights, shape: SalienceShape) -> None:
        self.shape = shape
        # Matrices are stored transposed once here: x @ W.T on a transposed view costs ~1.6x more.
        self._w = {
            name: np.ascontiguousarray(value.T if _is_matrix(name, value) else value, dtype=np.float32)
            for name, value in weights.items()
        }
        expected = self._w["feature_mean"].shape[0]
        if expected != shape.features:
            raise ValueError(f"salience weights expect {expected} features, the shape says {shape.features}")

    def fingerprint(self) -> str:
        """A hash of the weights: two networks with the same fingerprint score alike."""
        digest = hashlib.sha256()
        for name in sorted(self._w):
            digest.update(name.encode())
            digest.update(self._w[name].tobytes())
        return digest.hexdigest()

    @classmethod
    def load(cls, path: Path, shape: SalienceShape) -> SalienceModel:
        from safetensors.numpy import load_file

        return cls(load_file(str(path)), shape)

    def logits(self, embeddings: Embeddings, features: FloatArray) -> FloatArray:
        """One salience logit per sentence (the members' mean); higher is more likely a key point."""
        n = len(embeddings)
        if n == 0:
            return np.zeros(0, dtype=np.float64)
        w = self._w
        vectors = embeddings.astype(np.float32)
        scaled = ((features - w["feature_mean"]) / w["feature_std"]).astype(np.float32)
        total = np.zeros(n, dtype=np.float64)
        for member in range(self.shape.members):
            total += self._member(member_prefix(member), vectors, scaled)
        return total / self.shape.members

    def _member(
        self, prefix: str, vectors: npt.NDArray[np.float32], scaled: npt.NDArray[np.float32]
    ) -> FloatArray:
        w, n = self._w, len(vectors)
        positions = np.minimum(np.arange(n), self.shape.max_position - 1)
        x = (
            _linear(vectors, w, prefix + "emb")
            + _linear(vectors.mean(axis=0, keepdims=True), w, prefix + "ctx")
            + _linear(scaled, w, prefix + "feat")
            + w[prefix + "pos.weight"][positions]
        )
        x = _layer_norm(x, w, prefix + "norm")
        for layer in range(self.shape.layers):
            x = self._block(x, f"{prefix}layers.{layer}.")
        x = _layer_norm(x, w, prefix + "out.0")
        return np.asarray(
            x @ w[prefix + "out.1.weight"][:, 0] + w[prefix + "out.1.bias"][0], dtype=np.float64
        )

    def _block(self, x: npt.NDArray[np.float32], prefix: str) -> npt.NDArray[np.float32]:
        """A pre-norm transformer encoder layer (torch's ``norm_first=True``, ReLU, no dropout)."""
        w, n, width = self._w, x.shape[0], x.shape[1]
        heads = self.shape.heads
        size = width // heads
        h = _layer_norm(x, w, prefix + "norm1")
        qkv = h @ w[prefix + "self_attn.in_proj_weight"] + w[prefix + "self_attn.in_proj_bias"]
        q, k, v = (
            qkv[:, i * width : (i + 1) * width].reshape(n, heads, size).transpose(1, 0, 2) for i in range(3)
        )
        k, v = k[:, :ATTENDED_SENTENCES], v[:, :ATTENDED_SENTENCES]
        attention = q @ k.transpose(0, 2, 1) / np.float32(np.sqrt(size))
        attention = np.exp(attention - attention.max(axis=-1, keepdims=True))
        attention /= attention.sum(axis=-1, keepdims=True)
        mixed = (attention @ v).transpose(1, 0, 2).reshape(n, width)
        x = x + _linear(mixed, w, prefix + "self_attn.out_proj")
        h = _layer_norm(x, w, prefix + "norm2")
        return x + _linear(np.maximum(_linear(h, w, prefix + "linear1"), 0), w, prefix + "linear2")


def member_prefix(member: int) -> str:
    """Where one member's weights sit in the weights file: ``member0.emb.weight``, ..."""
    return f"member{member}."


def _is_matrix(name: str, value: npt.NDArray[np.float32]) -> bool:
    """A linear layer's weight (applied as ``x @ W.T``), not an embedding table or a norm's scale."""
    return value.ndim == 2 and name.endswith("weight") and not name.split(".", 1)[-1].startswith("pos.")


def _linear(x: npt.NDArray[np.float32], w: Weights, name: str) -> npt.NDArray[np.float32]:
    return np.asarray(x @ w[name + ".weight"] + w[name + ".bias"], dtype=np.float32)


def _layer_norm(
    x: npt.NDArray[np.float32], w: Weights, name: str, eps: float = 1e-5
) -> npt.NDArray[np.float32]:
    mean = x.mean(axis=-1, keepdims=True)
    variance = x.var(axis=-1, keepdims=True)
    return np.asarray(
        (x - mean) / np.sqrt(variance + eps) * w[name + ".weight"] + w[name + ".bias"], dtype=np.float32
    )
