"""The extractive ranker: features, salience and selection, loaded from the files it was fitted into.

``ranker_params.json`` next to this module says what the salience network looks like, how selection is
set, and how both were fitted; ``ranker_salience.safetensors`` holds the network's weights. Both are
written by ``leadlist train-ranker``, so a refit replaces two small files and no code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from models.encoders.protocol import Embeddings
from models.extractive.features import FEATURES, FloatArray, sentence_features, word_counts
from models.extractive.salience import SalienceModel, SalienceShape
from models.extractive.selection import BoolArray, SelectionParams, eligible, select

DEFAULT_PARAMS_PATH = Path(__file__).with_name("ranker_params.json")


@dataclass(frozen=True, slots=True)
class RankerParams:
    """Everything the ranker needs at serving time besides the salience weights themselves."""

    salience: SalienceShape
    selection: SelectionParams
    # Logits added per unit of a sentence's cosine to the title, centred on the story's mean so a title
    # reorders sentences without changing how many the automatic count picks. Fitted on BBC stories.
    title_weight: float = 0.0
    # With one bullet asked for, that bullet should say what the whole story is about rather than how it
    # opens: it is chosen by the standardised salience plus this times the standardised cosine to the
    # story's centroid. Fitted on BBC stories with their opening sentence held out as the one-line
    # summary, the way XSum was built.
    one_bullet_centrality: float = 0.0
    # And this times the standardised log of its words: XSum-like one-line summaries are a long sentence
    # that says much, and ROUGE against them pays for the words a short sentence leaves out. Fitted
    # together with the centrality weight.
    one_bullet_length: float = 0.0
    # The weights file, relative to the parameters file.
    weights: str = "ranker_salience.safetensors"
    features: tuple[str, ...] = FEATURES
    version: str = "untrained"
    # How the parameters were fitted (data, sizes, seeds, validation scores); informational only.
    training: dict[str, object] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = DEFAULT_PARAMS_PATH) -> RankerParams:
        raw = json.loads(path.read_text())
        params = cls(
            salience=SalienceShape(**raw["salience"]),
            selection=SelectionParams(**raw["selection"]),
            title_weight=float(raw.get("title_weight", 0.0)),
            one_bullet_centrality=float(raw.get("one_bullet_centrality", 0.0)),
            one_bullet_length=float(raw.get("one_bullet_length", 0.0)),
            weights=raw["weights"],
            features=tuple(raw["features"]),
            version=raw["version"],
            training=raw.get("training", {}),
        )
        if params.features != FEATURES:
            raise ValueError(f"{path}: fitted on features {params.features}, this code computes {FEATURES}")
        return params

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")


def title_closeness(embeddings: Embeddings, title: Embeddings) -> FloatArray:
    """Each sentence's cosine to the title, centred on the story's mean: what the title weight multiplies,
    so a title reorders sentences without moving them across the automatic count's threshold as a whole."""
    similarity = np.asarray(embeddings.astype(np.float64) @ title.astype(np.float64), dtype=np.float64)
    centred: FloatArray = similarity - similarity.mean()
    return centred


def one_bullet_scores(
    logits: FloatArray,
    embeddings: Embeddings,
    texts: Sequence[str],
    *,
    centrality_weight: float,
    length_weight: float,
) -> FloatArray:
    """Scores for choosing a single bullet: salience, closeness to the story's centroid and the log of
    each sentence's words, each standardised within the story so the weights mean the same for short and
    long stories."""
    vectors = embeddings.astype(np.float64)
    centroid = vectors.mean(axis=0)
    norm = float(np.linalg.norm(centroid))
    closeness = vectors @ (centroid / norm) if norm > 0 else np.zeros(len(vectors))
    blended: FloatArray = _standardised(logits) + centrality_weight * _standardised(closeness)
    if length_weight:
        blended = blended + length_weight * _standardised(np.log(word_counts(texts)))
    return blended


def _standardised(values: FloatArray) -> FloatArray:
    spread = float(values.std())
    centred: FloatArray = values - values.mean()
    return centred / spread if spread > 0 else centred


@dataclass(frozen=True, slots=True)
class Ranking:
    """The chosen sentences (article order) and every sentence's salience logit."""

    chosen: list[int]
    scores: FloatArray


class SentenceRanker:
    def __init__(self, params: RankerParams, salience: SalienceModel) -> None:
        self.params = params
        self.salience = salience
        # What a result cache keys on: the serving parameters and the weights, not how they were fitted.
        serving = {k: v for k, v in asdict(params).items() if k != "training"}
        digest = hashlib.sha256(json.dumps(serving, sort_keys=True).encode())
        digest.update(salience.fingerprint().encode())
        self.fingerprint = digest.hexdigest()

    @classmethod
    def load(cls, path: Path = DEFAULT_PARAMS_PATH) -> SentenceRanker:
        params = RankerParams.load(path)
        return cls(params, SalienceModel.load(path.parent / params.weights, params.salience))

    def scores(self, texts: Sequence[str], embeddings: Embeddings, title: Embeddings | None) -> FloatArray:
        """Every sentence's salience logit; a title, when there is one, lifts the sentences close to it."""
        logits = self.salience.logits(embeddings, sentence_features(texts, embeddings))
        if title is not None and self.params.title_weight:
            logits = logits + self.params.title_weight * title_closeness(embeddings, title)
        return logits

    def choose(
        self,
        texts: Sequence[str],
        embeddings: Embeddings,
        scores: FloatArray,
        minimum: int | None = None,
        maximum: int | None = None,
        *,
        paragraph_starts: Sequence[bool] | None = None,
        candidates: BoolArray | None = None,
        selection: SelectionParams | None = None,
    ) -> list[int]:
        """The bullets among scored sentences, in article order; ``minimum``/``maximum`` are the caller's.

        ``candidates`` defaults to the article sentences that may be bullets at all (see
        :func:`models.extractive.selection.eligible`); generated bullets pass their own. ``selection``
        defaults to the fitted settings.
        """
        if candidates is None:
            candidates = eligible(texts, paragraph_starts)
        return select(
            texts,
            embeddings,
            scores,
            candidates,
            selection or self.params.selection,
            minimum=minimum,
            maximum=maximum,
        )

    def rank(
        self,
        texts: Sequence[str],
        embeddings: Embeddings,
        title: Embeddings | None,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        paragraph_starts: Sequence[bool] | None = None,
    ) -> Ranking:
        """Score every sentence and choose the bullets; a single bullet is scored for what the whole story
        is about (see :func:`one_bullet_scores`)."""
        if not texts:
            return Ranking([], np.zeros(0, dtype=np.float64))
        scores = self.scores(texts, embeddings, title)
        selection = None
        if maximum == 1 and (self.params.one_bullet_centrality or self.params.one_bullet_length):
            scores = one_bullet_scores(
                scores,
                embeddings,
                texts,
                centrality_weight=self.params.one_bullet_centrality,
                length_weight=self.params.one_bullet_length,
            )
            # The single bullet is the best of these scores, as its weight was fitted: the per-word cost
            # was chosen for lists of bullets on raw logits, and on standardised scores it means another
            # thing altogether.
            selection = replace(self.params.selection, length_penalty=0.0)
        chosen = self.choose(
            texts,
            embeddings,
            scores,
            minimum,
            maximum,
            paragraph_starts=paragraph_starts,
            selection=selection,
        )
        return Ranking(chosen, scores)
