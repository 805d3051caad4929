"""What the salience model knows about each sentence besides its embedding.

Every feature is computed the same way on the lowercased, PTB-tokenised training stories and on the
cased text callers send: nothing here reads capitalisation, and the quote pattern accepts both the
straight quotes of the training data and typographic ones. The cost is linear in the number of sentences
except for the neighbour similarities, which read only adjacent pairs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from models.encoders.protocol import Embeddings
from models.text.words import WORD

FloatArray = npt.NDArray[np.float64]

FEATURES: tuple[str, ...] = (
    "position_inverse",  # 1 / (index + 1): news puts its key facts first
    "position_fraction",  # index / sentences
    "is_first",
    "is_second",
    "is_third",
    "log_sentences",  # how long the story is: a long story spreads its key points further
    "centrality",  # cosine to the mean of all sentences
    "word_centrality",  # how many other sentences share its content words (TextRank's signal, linear cost)
    "lead_similarity",  # cosine to the mean of the first three sentences
    "first_similarity",  # cosine to the opening sentence: a restatement of the lead adds little
    "previous_similarity",  # cosine to the sentence before (0 for the first)
    "next_similarity",  # cosine to the sentence after (0 for the last)
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


def sentence_features(texts: Sequence[str], embeddings: Embeddings) -> FloatArray:
    """One row of :data:`FEATURES` per sentence, in article order.

    The title is not among them: the training stories have none, so its weight is fitted apart, on
    stories that have titles (see :class:`models.extractive.ranker.SentenceRanker`).
    """
    n = len(texts)
    features = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return features
    index = np.arange(n, dtype=np.float64)
    vectors = embeddings.astype(np.float64)
    centroid = _unit(vectors.mean(axis=0))
    lead = _unit(vectors[: min(3, n)].mean(axis=0))
    neighbours = (vectors[1:] * vectors[:-1]).sum(axis=1)
    words = word_counts(texts)
    columns: dict[str, Any] = {
        "position_inverse": 1.0 / (index + 1.0),
        "position_fraction": index / n,
        "is_first": index == 0,
        "is_second": index == 1,
        "is_third": index == 2,
        "log_sentences": math.log(n),
        "centrality": vectors @ centroid,
        "word_centrality": _word_centrality(texts),
        "lead_similarity": vectors @ lead,
        "first_similarity": vectors @ vectors[0],
        "previous_similarity": np.concatenate([[0.0], neighbours]),
        "next_similarity": np.concatenate([neighbours, [0.0]]),
        "length_log": np.log(words),
        "is_short": words < 8,
        "is_long": words > 35,
        "has_quote": [bool(_QUOTE.search(t)) for t in texts],
        "opens_with_quote": [bool(_OPENING_QUOTE.match(t)) for t in texts],
        "has_number": [bool(_NUMBER.search(t)) for t in texts],
        "is_question": [t.rstrip("\"”’' ").endswith("?") for t in texts],
        "says_attribution": [bool(_ATTRIBUTION.search(t)) for t in texts],
    }
    for column, name in enumerate(FEATURES):
        features[:, column] = columns[name]
    return features


def word_counts(texts: Sequence[str]) -> FloatArray:
    """Words per sentence (at least 1), as the length features and the length penalty count them."""
    return np.array([max(1, len(WORD.findall(t))) for t in texts], dtype=np.float64)


def _word_centrality(texts: Sequence[str]) -> FloatArray:
    """Mean share of the other sentences that contain each of a sentence's content words."""
    bags = [{w.lower() for w in WORD.findall(t) if len(w) > 3 and not w.isdigit()} for t in texts]
    frequency: dict[str, int] = {}
    for bag in bags:
        for word in bag:
            frequency[word] = frequency.get(word, 0) + 1
    others = max(1, len(texts) - 1)
    return np.array(
        [sum(frequency[w] - 1 for w in bag) / others / math.sqrt(len(bag)) if bag else 0.0 for bag in bags],
        dtype=np.float64,
    )


def _unit(vector: FloatArray) -> FloatArray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector
