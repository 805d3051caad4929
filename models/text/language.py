"""Which language an article is written in, detected offline.

py3langid (a maintained fork of langid.py, 97 languages) ships its model inside the package, loads in
about half a second once and classifies a sample in well under a millisecond. Only the start of the text
is read: a language does not change halfway through a news story, and the cost stays flat for long ones.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

SAMPLE_CHARS = 2000
# Fewer letters than this ("Berlin.", a list of names) cannot be told apart reliably: no answer.
MIN_LETTERS = 40
# Below this probability the text is no language in particular (a column of one repeated word, codes):
# no answer, rather than a false language_unsupported.
MIN_CONFIDENCE = 0.5
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the text's language, or None when there is too little text to tell."""
    sample = text[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return None
    language, confidence = _identifier().classify(sample)
    return str(language) if confidence >= MIN_CONFIDENCE else None


def load_language_model() -> None:
    """Load the detector now (at start-up) rather than on the first request."""
    _identifier().classify("warm up the language model")
