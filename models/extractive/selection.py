"""Which sentences may become bullets, how many, and which of them: the step after scoring.

A bullet must stand on its own in a lead list, so some sentences are never candidates whatever their
score: fragments and page furniture, and half a quotation (a bullet must not open a quote it does not
close, or continue one whose speaker it lacks). Among the candidates, selection is greedy by salience
with a per-word cost, a redundancy penalty on the encoder's cosine (MMR), and trigram blocking, so no two
bullets say the same thing; exact duplicates are never both chosen, even when a caller asks for more
bullets than the story has distinct sentences.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.encoders.protocol import Embeddings
from models.extractive.features import FloatArray, word_counts
from models.text.words import WORD, lower_words

BoolArray = npt.NDArray[np.bool_]

# Fewer words than this is a fragment ("No.", "SPOILER ALERT!", "Paris, le 4 mars."), never a key point.
MIN_BULLET_WORDS = 5

_BOILERPLATE = re.compile(
    r"©|\bcopyright\b|all rights reserved|\babout us\b|forward-looking statements?|safe harbou?r|"
    r"\bwebcast\b|conference call|dial-in|\bdial in\b|replay (?:of the call )?will be available|"
    r"\bmedia (?:contact|enquiries|inquiries)\b|\bpress contact\b|\binvestor relations\b|"
    r"\bunsubscribe\b|\bprivacy policy\b|\bterms of (?:use|service)\b|"
    r"\bcookies?\b.{0,40}\b(?:accept|consent)",
    re.IGNORECASE,
)
# A literal every match of _BOILERPLATE contains, checked first on the case-folded sentence: the regex
# alone tries each of its alternatives at every position, which was most of ranking a long document.
_BOILERPLATE_WORDS = (
    "©", "copyright", "all rights reserved", "about us", "forward-looking", "safe harbo", "webcast",
    "conference call", "dial", "replay", "media ", "press contact", "investor relations", "unsubscribe",
    "privacy policy", "terms of ", "cookie",
)  # fmt: skip
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_STRANDED_QUOTE = re.compile(r'[.!?,;:]\s+"$')
_URL_ONLY = re.compile(
    r"^\W*(?:https?://|www\.)\S+\W*$|^\W*\S+\.(?:com|org|net|co\.uk|io|ai)(?:/\S*)?\W*$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class SelectionParams:
    """Fitted on validation stories by ``leadlist train-ranker``."""

    # MMR: salience minus this times the largest cosine to a bullet already chosen.
    redundancy: float = 0.0
    # Above this cosine to a chosen bullet a sentence is a paraphrase of it and is never chosen.
    duplicate_cosine: float = 0.9
    # Salience (in logits) a bullet must pay per word: ROUGE F1 and readers both pay for empty words.
    length_penalty: float = 0.0
    # The automatic count: keep adding bullets while the next one's salience probability is at least
    # this, between min_auto_bullets and max_auto_bullets.
    count_threshold: float = 0.5
    min_auto_bullets: int = 2
    max_auto_bullets: int = 5


def eligible(texts: Sequence[str], paragraph_starts: Sequence[bool] | None = None) -> BoolArray:
    """Which sentences may be bullets; ``paragraph_starts`` marks sentences that begin a new line, where
    an unclosed quotation of the line before no longer counts."""
    allowed = np.array(
        [_words(t) >= MIN_BULLET_WORDS and not _is_boilerplate(t) and not _URL_ONLY.match(t) for t in texts],
        dtype=bool,
    )
    return allowed & ~half_quotations(texts, paragraph_starts)


def _is_boilerplate(text: str) -> bool:
    folded = text.casefold().replace("\u0131", "i")  # the regex's IGNORECASE also lets dotless i match i
    return any(word in folded for word in _BOILERPLATE_WORDS) and bool(_BOILERPLATE.search(text))


def _words(text: str) -> int:
    """Words, counting each character of scripts written without spaces (Chinese, Japanese, Thai) as one,
    so a sentence in them is not mistaken for a fragment."""
    return sum(len(w) if _UNSPACED.match(w) else 1 for w in WORD.findall(text))


def half_quotations(texts: Sequence[str], paragraph_starts: Sequence[bool] | None = None) -> BoolArray:
    """Sentences that begin or end inside a quotation: their quote is cut by the sentence split.

    Straight double quotes toggle; typographic ones open and close. Single quotes are left alone: they
    are apostrophes far more often than quotation marks. A straight quote alone at the end of a sentence
    (``... he said. "``) outside a quotation is the next sentence's opening quote, left behind by the
    splitter.
    """
    inside = carried = False
    half = np.zeros(len(texts), dtype=bool)
    for number, text in enumerate(texts):
        if paragraph_starts is not None and paragraph_starts[number]:
            inside = carried = False
        starts_inside = inside
        if carried:
            inside, carried = not inside, False
        stranded = bool(_STRANDED_QUOTE.search(text))
        for char in text[:-1] if stranded else text:
            if char == '"':
                inside = not inside
            elif char in "“«„":
                inside = True
            elif char in "”»":
                inside = False
        if stranded:
            # Inside a quotation it closes this one; outside, it opens the next sentence's.
            inside, carried = False, not inside
        half[number] = starts_inside or inside
    return half


def select(
    texts: Sequence[str],
    embeddings: Embeddings,
    logits: FloatArray,
    candidates: BoolArray,
    params: SelectionParams,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> list[int]:
    """Chosen sentence indices in article order.

    Between ``minimum`` and ``maximum`` (the caller's bounds, else the fitted automatic ones) bullets are
    added while the next one is salient enough; fewer come back only when the story has no more
    distinct candidates.
    """
    n = len(texts)
    value = logits - params.length_penalty * word_counts(texts)
    upper = params.max_auto_bullets if maximum is None else maximum
    if minimum is not None:
        upper = max(upper, minimum)
    lower = min(upper, params.min_auto_bullets if minimum is None else minimum)
    chosen: list[int] = []
    chosen_texts: set[str] = set()
    chosen_trigrams: set[tuple[str, ...]] = set()
    similarity = np.full(n, -1.0)
    vectors = embeddings.astype(np.float64)
    open_ = candidates.copy()
    threshold = _logit(params.count_threshold)
    while len(chosen) < upper and open_.any():
        adjusted = np.where(open_, value - params.redundancy * np.maximum(similarity, 0.0), -math.inf)
        best = int(np.argmax(adjusted))
        open_[best] = False
        if len(chosen) >= lower and logits[best] < threshold:
            break
        words = lower_words(texts[best])
        normalised = " ".join(words)
        trigrams = {tuple(words[i : i + 3]) for i in range(len(words) - 2)}
        repeats = normalised in chosen_texts or (
            chosen
            and (
                similarity[best] > params.duplicate_cosine
                or bool(trigrams and len(trigrams & chosen_trigrams) > 0.5 * len(trigrams))
            )
        )
        if repeats:
            continue
        chosen.append(best)
        chosen_texts.add(normalised)
        chosen_trigrams |= trigrams
        similarity = np.maximum(similarity, vectors @ vectors[best])
    return sorted(chosen)


def _logit(probability: float) -> float:
    probability = min(max(probability, 1e-6), 1 - 1e-6)
    return math.log(probability / (1 - probability))
