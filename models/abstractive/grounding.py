"""The hallucination guard: is a generated bullet backed by the article it claims to summarise?

Two checks, because each misses what the other catches. Sentence similarity (MiniLM cosine to every
story sentence) finds the sentences that support a bullet, but a bullet that swaps "$48 million" for
"$84 million" or "Tuesday" for "Friday" is still very similar to its source. So every number, date and
capitalised name in the bullet is also looked up in the article; each one that is absent lowers the
support and is reported.

``support`` = best cosine (clamped to 0..1) × (facts found / facts checked)²; the square makes one
invented fact out of three cost more than half of the support. A bullet is supported when its support
reaches the threshold and none of its facts is missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models.encoders.protocol import Embeddings
from models.text.segmentation import Sentence
from models.text.words import LOOKUP_WORD

# Supporting sentences: the best one, plus others nearly as close (a bullet may fuse two sentences).
MAX_SOURCES = 3
SOURCE_MARGIN = 0.1

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# "U.S." is one name; its dots are kept inside, the final one dropped.
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*(?:\.[A-Z][\w’'-]*)*")
_SENTENCE_START = re.compile(r"(?:^|(?P<before>\S*)[.!?:;]\s+|[\"“]\s*|\n)\s*$")
# A full stop after these does not end a sentence, so the name after them is checked.
_TITLES = frozenset(
    [
        "Dr",
        "Mr",
        "Mrs",
        "Ms",
        "Prof",
        "Gov",
        "Sen",
        "Rep",
        "Gen",
        "Lt",
        "Col",
        "Sgt",
        "Capt",
        "St",
        "Jr",
        "Sr",
    ]
)
_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "twenty": "20",
    "hundred": "100",
    "thousand": "1000",
    "million": "1000000",
    "billion": "1000000000",
}
# Capitalised only because they open a sentence or are function words: never names.
_NOT_NAMES = frozenset(
    """a an the this that these those it its he she they we i you his her their our my your there here
    in on at of for from by with to as and or but if when while after before since during about over
    under into than then also however meanwhile according more most some many several all both each
    other another one no not new mr mrs ms dr said says say""".split()
)


@dataclass(frozen=True, slots=True)
class Grounding:
    """How well the article backs one bullet."""

    support: float
    similarity: float
    # Supporting story sentences, best first.
    sources: tuple[Sentence, ...]
    missing: tuple[str, ...]

    def supported(self, threshold: float) -> bool:
        return self.support >= threshold and not self.missing


def facts(bullet: str) -> list[str]:
    """The checkable facts of a bullet: numbers (dates and years included) and capitalised names."""
    found = [m.group() for m in _NUMBER.finditer(bullet)]
    for match in _CAPITALISED.finditer(bullet):
        word = _name_key(match.group())
        if not word or word.lower() in _NOT_NAMES or word.lower() in _NUMBER_WORDS:
            continue
        opener = _SENTENCE_START.search(bullet[: match.start()])
        before = opener.group("before") if opener else None
        at_start = bool(opener) and not (before and (before in _TITLES or len(before) == 1))
        # A sentence's first word is capitalised anyway; only an all-caps acronym is a name there.
        if at_start and not (word.isupper() and len(word) > 1):
            continue
        found.append(word)
    return list(dict.fromkeys(found))


class SourceIndex:
    """An article's words and numbers, normalised once so many bullets can be checked cheaply."""

    def __init__(self, article: str) -> None:
        names = LOOKUP_WORD.findall(article) + _CAPITALISED.findall(article)
        self.words = {_name_key(word).lower() for word in names}
        self.numbers = {_plain_number(n) for n in _NUMBER.findall(article)}
        self.numbers |= {digits for word, digits in _NUMBER_WORDS.items() if word in self.words}

    def contains(self, fact: str) -> bool:
        if fact[0].isdigit():
            return _plain_number(fact) in self.numbers
        return fact.lower() in self.words


def ground(
    bullets: Sequence[str],
    bullet_embeddings: Embeddings,
    sentences: Sequence[Sentence],
    sentence_embeddings: Embeddings,
    source: SourceIndex,
) -> list[Grounding]:
    """Check each bullet against the article's story sentences."""
    if not sentences:
        return [Grounding(0.0, 0.0, (), tuple(facts(b))) for b in bullets]
    similarity = bullet_embeddings @ sentence_embeddings.T
    results = []
    for row, bullet in enumerate(bullets):
        order = np.argsort(-similarity[row])
        best = float(similarity[row, order[0]])
        sources = tuple(
            sentences[int(i)] for i in order[:MAX_SOURCES] if similarity[row, i] >= best - SOURCE_MARGIN
        )
        checked = facts(bullet)
        missing = tuple(fact for fact in checked if not source.contains(fact))
        coverage = 1.0 - len(missing) / len(checked) if checked else 1.0
        clamped = min(1.0, max(0.0, best))
        results.append(Grounding(clamped * coverage**2, clamped, sources, missing))
    return results


def _name_key(word: str) -> str:
    """'Park's' is Park."""
    return word.rstrip("'’-").removesuffix("'s").removesuffix("’s")


def _plain_number(text: str) -> str:
    """'7,000' and '7000' are one number; '3.5' keeps its point; a trailing '.0' does not matter."""
    plain = text.replace(",", "")
    if "." in plain:
        plain = plain.rstrip("0").rstrip(".")
    return plain.lstrip("0") or "0"
