"""What counts as a word, once for each of the three meanings the models need.

The three patterns are not interchangeable: each feeds a number that was tuned or fitted with it (the
bullet-count thresholds, the ranker's weights, the guard's fact lookup), so changing one changes answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A run between spaces: how long a story reads. "U.S." is one word and a dash is one too; the automatic
# bullet count's word thresholds are set in these.
SPACED_WORD = re.compile(r"\S+")
# Letters, digits and underscores only, punctuation dropped: the tokens the ranker's length features,
# word overlap and trigram blocking compare, and the words the LexRank/TextRank baselines see.
WORD = re.compile(r"\w+")
# A word that can be looked up as a fact: starts with a letter and keeps its apostrophes and hyphens,
# so "O'Neill" and "Park's" stay whole for the grounding guard.
LOOKUP_WORD = re.compile(r"[A-Za-z][\w'’-]*")


def lower_words(text: str) -> list[str]:
    """A text's :data:`WORD` tokens, lowercased: how two sentences are compared for repeating each other."""
    return [word.lower() for word in WORD.findall(text)]


def story_words(texts: Iterable[str]) -> int:
    """The length of a story in spaced words: what the generated-bullet count reads."""
    return sum(len(SPACED_WORD.findall(text)) for text in texts)
