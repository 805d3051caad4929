"""Cleaning and splitting: furniture out, headings apart, abbreviations intact, offsets exact."""

from __future__ import annotations

import pytest

from load._stories import BRIDGE, STORM
from models.text.segmentation import MAX_SENTENCE_CHARS, segment, title_line


def texts(article: str) -> list[str]:
    return [s.text for s in segment(article).sentences]


def test_every_sentence_is_an_exact_span_of_the_article() -> None:
    for article in (BRIDGE, STORM):
        for sentence in segment(article).sentences:
            assert article[sentence.start : sentence.end] == sentence.text


@pytest.mark.parametrize(
    ("article", "first"),
    [
        ("Hong Kong (CNN) -- Police arrested two men. They were released.", "Police arrested two men."),
        ("(CNN)The court ruled on Friday. It was final.", "The court ruled on Friday."),
        ("WASHINGTON — The Senate passed the bill. It goes to the House.", "The Senate passed the bill."),
        ("London (Reuters) - Shares rose sharply. Oil fell.", "Shares rose sharply."),
    ],
)
def test_datelines_are_left_out_of_the_first_sentence(article: str, first: str) -> None:
    assert texts(article)[0] == first


def test_bylines_credits_and_video_furniture_are_dropped() -> None:
    article = (
        "By Jane Smith, CNN\nThe vote passed easily. Lawmakers cheered.\n"
        "CNN's Bob Jones contributed to this report.\nWatch this clip as\nthe mayor speaks.\n"
        "This video is from the\nNews channel on example.com.\nSources include:\nExample.com\nWire.org"
    )
    assert texts(article) == ["The vote passed easily.", "Lawmakers cheered."]


def test_heading_is_never_glued_to_the_next_sentence() -> None:
    sentences = texts(BRIDGE)
    assert "Funding and timeline" not in " ".join(sentences)
    assert any(s.startswith("The state grant covers") for s in sentences)


def test_storm_story_keeps_its_story_and_loses_its_furniture() -> None:
    sentences = texts(STORM)
    assert len(sentences) == 8
    assert not any("clip" in s or "channel" in s or "example.com" in s.lower() for s in sentences)


def test_abbreviations_and_quotes_do_not_break_sentences() -> None:
    article = (
        "Dr. Alan Shaw of the U.S. weather service spoke at 3 p.m. on Monday. Sen. Warren agreed. "
        '"We are ready," she said. Gov. Marsh left for Washington, D.C. on Friday.'
    )
    assert texts(article) == [
        "Dr. Alan Shaw of the U.S. weather service spoke at 3 p.m. on Monday.",
        "Sen. Warren agreed.",
        '"We are ready," she said.',
        "Gov. Marsh left for Washington, D.C. on Friday.",
    ]


def test_list_markers_are_not_part_of_a_sentence() -> None:
    article = "- First point stands here.\n* Second point stands here.\n1. Third point stands here."
    assert texts(article) == [
        "First point stands here.",
        "Second point stands here.",
        "Third point stands here.",
    ]


def test_text_without_any_punctuation_uses_lines_as_sentences() -> None:
    assert texts("alpha beta\ngamma delta\nepsilon") == ["alpha beta", "gamma delta", "epsilon"]


def test_an_endless_sentence_is_cut_at_whitespace_into_bounded_pieces() -> None:
    article = " ".join(["word"] * 12_000)
    pieces = segment(article).sentences
    assert len(pieces) > 1
    assert all(len(p.text) <= MAX_SENTENCE_CHARS for p in pieces)
    assert all(article[p.start : p.end] == p.text and not p.text.startswith(" ") for p in pieces)
    assert sum(len(p.text.split()) for p in pieces) == 12_000


def test_only_furniture_yields_no_sentences() -> None:
    assert texts("Sources include:\nExample.com\nWire.org") == []


def test_leading_heading_is_offered_as_a_title() -> None:
    assert (
        segment("Storm hits coast\nWinds rose overnight. Power failed.").leading_heading == "Storm hits coast"
    )


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Storm hits coast\nWinds rose overnight.", "Storm hits coast"),
        ("Winds rose overnight.\nPower failed.", None),
        ("Only one line without a break", None),
        ("Sources include:\nExample.com", None),
    ],
)
def test_title_line(text: str, title: str | None) -> None:
    assert title_line(text) == title
