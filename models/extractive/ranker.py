"""Which sentences are key points: features, a linear scorer, and redundancy-aware selection.

The scorer's parameters live in a small JSON file next to this module (``ranker_params.json``) so a
fitted ranker ships with the code and can be replaced without touching it. Selection is greedy MMR on
the encoder's cosine similarities plus trigram blocking, so no two bullets say the same thing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from models.encoders.protocol import Embeddings
from models.text.segmentation import Sentence
from models.text.words import WORD

DEFAULT_PARAMS_PATH = Path(__file__).with_name("ranker_params.json")

FEATURES: tuple[str, ...] = (
    "position_inverse",  # 1 / (index + 1): news puts its key facts first
    "position_fraction",  # index / sentences
    "is_first",
    "is_second",
    "is_third",
    "centrality",  # cosine to the mean of all sentences
    "word_centrality",  # how many other sentences share its content words (TextRank's signal, linear cost)
    "title_similarity",  # cosine to the title (0 without one)
    "lead_similarity",  # cosine to the mean of the first three sentences
    "length_log",  # log of words
    "is_short",  # fewer than 8 words: captions, fragments, "he said."
    "is_long",  # more than 35 words: ROUGE F1 and readers both pay for every extra word
    "has_quote",
    "opens_with_quote",  # a quotation is colour more often than a key point
    "has_number",
    "is_question",
    "says_attribution",  # ends in "..., he said." / "told CNN": reported speech, usually detail
)

_NUMBER = re.compile(r"\d")
_QUOTE = re.compile(r"[\"“”]")
_OPENING_QUOTE = re.compile(r"^[\"“‘']")
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|added|according to|explained|wrote|noted)\b[^.!?]{0,40}[.!?][\"”’']?$",
    re.IGNORECASE,
)

FloatArray = npt.NDArray[np.float64]


@dataclass
class RankerParams:
    """Everything the ranker needs at serving time; fitted by ``leadlist train-ranker``."""

    weights: dict[str, float]
    bias: float = 0.0
    # MMR: score - redundancy * max cosine to a bullet already chosen.
    redundancy: float = 0.5
    # Above this cosine to a chosen bullet a sentence is a paraphrase of it and is never chosen.
    duplicate_cosine: float = 0.9
    # Selection prefers shorter sentences by this much per word (in units of the score), because ROUGE
    # F1 and readers both pay for words that carry no key point.
    length_penalty: float = 0.0
    # Automatic bullet count: the smallest count whose word threshold the article is under.
    bullet_word_thresholds: list[tuple[int, int]] = field(default_factory=lambda: [(300, 3), (550, 4)])
    max_auto_bullets: int = 5
    version: str = "heuristic-1"
    # How the parameters were fitted (data, folds, cross-validated scores); informational only.
    training: dict[str, object] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = DEFAULT_PARAMS_PATH) -> RankerParams:
        raw = json.loads(path.read_text())
        raw["bullet_word_thresholds"] = [tuple(pair) for pair in raw.get("bullet_word_thresholds", [])]
        params = cls(**raw)
        unknown = set(params.weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"{path}: weights for unknown features {sorted(unknown)}")
        return params

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")


def sentence_features(
    sentences: Sequence[Sentence], embeddings: Embeddings, title_embedding: Embeddings | None
) -> FloatArray:
    """One row of :data:`FEATURES` per sentence; linear in the number of sentences (no n×n matrix)."""
    n = len(sentences)
    features = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return features
    index = np.arange(n, dtype=np.float64)
    centroid = _unit(embeddings.mean(axis=0))
    lead = _unit(embeddings[: min(3, n)].mean(axis=0))
    words = sentence_words(sentences)
    columns: dict[str, Any] = {
        "position_inverse": 1.0 / (index + 1.0),
        "position_fraction": index / n,
        "is_first": index == 0,
        "is_second": index == 1,
        "is_third": index == 2,
        "centrality": embeddings @ centroid,
        "word_centrality": _word_centrality(sentences),
        "title_similarity": embeddings @ title_embedding if title_embedding is not None else 0.0,
        "lead_similarity": embeddings @ lead,
        "length_log": np.log(words),
        "is_short": words < 8,
        "is_long": words > 35,
        "has_quote": [bool(_QUOTE.search(s.text)) for s in sentences],
        "opens_with_quote": [bool(_OPENING_QUOTE.match(s.text)) for s in sentences],
        "has_number": [bool(_NUMBER.search(s.text)) for s in sentences],
        "is_question": [s.text.rstrip("\"”’' ").endswith("?") for s in sentences],
        "says_attribution": [bool(_ATTRIBUTION.search(s.text)) for s in sentences],
    }
    for column, name in enumerate(FEATURES):
        features[:, column] = columns[name]
    return features


def sentence_words(sentences: Sequence[Sentence]) -> FloatArray:
    return np.array([max(1, len(WORD.findall(s.text))) for s in sentences], dtype=np.float64)


class SentenceRanker:
    def __init__(self, params: RankerParams) -> None:
        self.params = params
        self._weights = np.array([params.weights.get(name, 0.0) for name in FEATURES], dtype=np.float64)

    def score(self, features: FloatArray) -> FloatArray:
        return np.asarray(features @ self._weights + self.params.bias, dtype=np.float64)

    def bullet_count(self, words: int, available: int, minimum: int | None, maximum: int | None) -> int:
        """How many bullets: the caller's bounds win, otherwise the article's length decides."""
        count = self.params.max_auto_bullets
        for threshold, bullets in self.params.bullet_word_thresholds:
            if words < threshold:
                count = bullets
                break
        if maximum is not None:
            count = min(count, maximum)
        if minimum is not None:
            count = max(count, minimum)
        return max(0, min(count, available))

    def select(
        self, sentences: Sequence[Sentence], embeddings: Embeddings, scores: FloatArray, count: int
    ) -> list[int]:
        """Greedy MMR with a per-word cost; returns chosen sentence indices in article order."""
        scores = scores - self.params.length_penalty * sentence_words(sentences)
        chosen: list[int] = []
        chosen_trigrams: set[tuple[str, ...]] = set()
        max_similarity = np.full(len(sentences), -1.0)
        available = np.ones(len(sentences), dtype=bool)
        while len(chosen) < count and available.any():
            penalty = np.where(max_similarity > 0, max_similarity, 0.0) * self.params.redundancy
            adjusted = np.where(available, scores - penalty, -math.inf)
            best = int(np.argmax(adjusted))
            available[best] = False
            trigrams = _trigrams(sentences[best].text)
            too_close = chosen and (
                max_similarity[best] > self.params.duplicate_cosine
                or (trigrams and len(trigrams & chosen_trigrams) > 0.5 * len(trigrams))
            )
            if too_close:
                continue
            chosen.append(best)
            chosen_trigrams |= trigrams
            max_similarity = np.maximum(max_similarity, embeddings @ embeddings[best])
        if len(chosen) < count:
            # Only near-duplicates are left; a caller who asked for a minimum still gets it.
            rest = [i for i in np.argsort(-scores) if i not in chosen]
            chosen.extend(int(i) for i in rest[: count - len(chosen)])
        return sorted(chosen)


def _word_centrality(sentences: Sequence[Sentence]) -> FloatArray:
    """Mean share of the other sentences that contain each of a sentence's content words."""
    bags = [{w.lower() for w in WORD.findall(s.text) if len(w) > 3 and not w.isdigit()} for s in sentences]
    frequency: dict[str, int] = {}
    for bag in bags:
        for word in bag:
            frequency[word] = frequency.get(word, 0) + 1
    others = max(1, len(sentences) - 1)
    return np.array(
        [sum(frequency[w] - 1 for w in bag) / others / math.sqrt(len(bag)) if bag else 0.0 for bag in bags],
        dtype=np.float64,
    )


def _unit(vector: Embeddings) -> Embeddings:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _trigrams(text: str) -> set[tuple[str, ...]]:
    tokens = [t.lower() for t in WORD.findall(text)]
    return {tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2)}
