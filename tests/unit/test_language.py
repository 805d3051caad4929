"""The text's language: detected offline, and no answer rather than a wrong one."""

from __future__ import annotations

from load._stories import BRIDGE
from models import detect_language
from tests.support.foreign import FRENCH, GERMAN


def test_language_is_detected_only_when_there_is_language_to_detect() -> None:
    assert detect_language(BRIDGE) == "en"
    assert detect_language("Berlin.") is None  # too short to tell
    assert detect_language("\n".join(["word"] * 500)) is None  # no language in particular


def test_german_and_french_news_are_told_apart_from_english() -> None:
    assert detect_language(GERMAN) == "de"
    assert detect_language(FRENCH) == "fr"
