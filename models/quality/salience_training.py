"""Fitting the salience network: oracle labels, the torch twin of the serving network, and its export.

Labels come from a greedy ROUGE oracle (add the sentence that most raises ROUGE-1 + ROUGE-2 F1 of the
selection, stop when none does). The torch module here has the same parameter names and arithmetic as
:class:`models.extractive.salience.SalienceModel`, which serves the exported weights with numpy; a test
checks that both give the same logits. Training is seeded and single-threaded, so one command reproduces
the shipped weights.
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from models.extractive.salience import SalienceShape, member_prefix
from models.quality.evaluation import normalise_reference

ORACLE_MAX_SENTENCES = 5
BATCH_STORIES = 32


class Oracle:
    """Greedy extractive oracle on rouge-score's own tokenizer and n-gram scoring."""

    def __init__(self) -> None:
        from rouge_score import rouge_scorer

        self._module = rouge_scorer
        self._tokenize = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)._tokenizer.tokenize

    def _ngrams(self, text: str) -> tuple[Counter[Any], Counter[Any]]:
        tokens = self._tokenize(text)
        return self._module._create_ngrams(tokens, 1), self._module._create_ngrams(tokens, 2)

    def labels(
        self, sentences: Sequence[str], highlights: Sequence[str], limit: int = ORACLE_MAX_SENTENCES
    ) -> list[int]:
        ref1, ref2 = self._ngrams("\n".join(normalise_reference(h) for h in highlights))
        grams = [self._ngrams(s) for s in sentences]
        chosen: list[int] = []
        have1: Counter[Any] = Counter()
        have2: Counter[Any] = Counter()
        best_score = 0.0
        while len(chosen) < min(limit, len(sentences)):
            best = -1
            for i, (one, two) in enumerate(grams):
                if i in chosen:
                    continue
                score = (
                    self._module._score_ngrams(ref1, have1 + one).fmeasure
                    + self._module._score_ngrams(ref2, have2 + two).fmeasure
                )
                if score > best_score:
                    best, best_score = i, score
            if best < 0:
                break
            chosen.append(best)
            have1 += grams[best][0]
            have2 += grams[best][1]
        return sorted(chosen)


@dataclass(frozen=True, slots=True)
class Example:
    """One story ready for the network: embeddings, raw features and 0/1 labels per sentence."""

    embeddings: npt.NDArray[np.float32]
    features: npt.NDArray[np.float64]
    labels: npt.NDArray[np.float32]


def standardisation(examples: Sequence[Example]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    features = np.vstack([e.features for e in examples])
    std = features.std(axis=0)
    std[std == 0] = 1.0
    return features.mean(axis=0), std


def build_network(shape: SalienceShape, dropout: float = 0.1) -> Any:
    """The torch module whose state dict the serving network reads (same names, same arithmetic)."""
    import torch

    class SalienceNetwork(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            width = shape.width
            self.emb = torch.nn.Linear(384, width)
            self.ctx = torch.nn.Linear(384, width)
            self.feat = torch.nn.Linear(shape.features, width)
            self.pos = torch.nn.Embedding(shape.max_position, width)
            self.norm = torch.nn.LayerNorm(width)
            self.layers = torch.nn.ModuleList(
                torch.nn.TransformerEncoderLayer(
                    width, shape.heads, 2 * width, dropout, batch_first=True, norm_first=True
                )
                for _ in range(shape.layers)
            )
            self.out = torch.nn.Sequential(torch.nn.LayerNorm(width), torch.nn.Linear(width, 1))

        def forward(self, vectors: Any, features: Any, positions: Any, mask: Any) -> Any:
            centroid = (vectors * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
            x = self.emb(vectors) + self.ctx(centroid)[:, None] + self.feat(features) + self.pos(positions)
            x = self.norm(x)
            for layer in self.layers:
                x = layer(x, src_key_padding_mask=~mask.bool())
            return self.out(x).squeeze(-1)

    return SalienceNetwork()


def _batches(
    examples: Sequence[Example],
    mean: npt.NDArray[np.float64],
    std: npt.NDArray[np.float64],
    shape: SalienceShape,
    order: Sequence[int],
) -> Iterator[tuple[Any, Any, Any, Any, Any]]:
    import torch

    for start in range(0, len(order), BATCH_STORIES):
        batch = [examples[i] for i in order[start : start + BATCH_STORIES]]
        width = max(len(e.labels) for e in batch)
        vectors = np.zeros((len(batch), width, batch[0].embeddings.shape[1]), np.float32)
        features = np.zeros((len(batch), width, shape.features), np.float32)
        labels = np.zeros((len(batch), width), np.float32)
        mask = np.zeros((len(batch), width), np.float32)
        for row, e in enumerate(batch):
            n = len(e.labels)
            vectors[row, :n] = e.embeddings
            features[row, :n] = (e.features - mean) / std
            labels[row, :n] = e.labels
            mask[row, :n] = 1
        positions = np.minimum(np.arange(width), shape.max_position - 1)[None].repeat(len(batch), 0)
        yield tuple(torch.from_numpy(a) for a in (vectors, features, positions, mask, labels))  # type: ignore[misc]


def train_network(
    examples: Sequence[Example], shape: SalienceShape, epochs: int, seed: int, learning_rate: float = 1e-3
) -> dict[str, npt.NDArray[np.float32]]:
    """Fit ``shape.members`` networks (seeds ``seed``, ``seed + 1``, ...) with binary cross-entropy on
    the oracle labels; returns the serving weights, one ``member<i>.`` prefix each."""
    mean, std = standardisation(examples)
    weights: dict[str, npt.NDArray[np.float32]] = {
        "feature_mean": mean.astype(np.float32),
        "feature_std": std.astype(np.float32),
    }
    for member in range(shape.members):
        print(f"  member {member + 1}/{shape.members} (seed {seed + member})", file=sys.stderr)
        fitted = _train_one(
            examples,
            shape,
            epochs=epochs,
            seed=seed + member,
            learning_rate=learning_rate,
            mean=mean,
            std=std,
        )
        weights.update({member_prefix(member) + name: value for name, value in fitted.items()})
    return weights


def _train_one(
    examples: Sequence[Example],
    shape: SalienceShape,
    *,
    epochs: int,
    seed: int,
    learning_rate: float,
    mean: npt.NDArray[np.float64],
    std: npt.NDArray[np.float64],
) -> dict[str, npt.NDArray[np.float32]]:
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)  # bit-for-bit the same weights on every run and machine of one kind
    network = build_network(shape)
    optimiser = torch.optim.AdamW(network.parameters(), lr=learning_rate, weight_decay=0.01)
    steps = epochs * math.ceil(len(examples) / BATCH_STORIES)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, learning_rate, total_steps=steps, pct_start=0.1)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        started, total, network = time.monotonic(), 0.0, network.train()
        order = [int(i) for i in rng.permutation(len(examples))]
        for vectors, features, positions, mask, labels in _batches(examples, mean, std, shape, order):
            logits = network(vectors, features, positions, mask)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction="none")
            loss = (loss * mask).sum() / mask.sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(labels)
        print(
            f"  epoch {epoch + 1}/{epochs}: loss {total / len(examples):.4f} "
            f"({time.monotonic() - started:.0f} s)",
            file=sys.stderr,
        )
    state = network.state_dict()
    return {name: value.detach().numpy().astype(np.float32) for name, value in state.items()}
