"""Turning a submitted article into the story sentences a summariser may pick, with their offsets.

The text is never rewritten: every sentence is a ``(start, end)`` span of the string the caller sent, so a
bullet can always point back to its source. Cleaning therefore means choosing spans, not editing strings:
page furniture (datelines, bylines, video captions, source lists, share prompts) is left out, headings are
kept apart from the sentence after them, and the splitter (nupunkt, chosen because it kept "U.S.",
"Sen.", "Dr." and quoted speech intact on our test articles where pysbd and blingfire broke them) runs
on each story line separately.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import nupunkt

# Long enough for any real news sentence; a longer run (a table, an unpunctuated dump) is cut at
# whitespace so no bullet becomes a wall of text and every piece fits the encoder's window.
MAX_SENTENCE_CHARS = 600

_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
# A sentence end anywhere in a text: one search, which on real prose stops within the first sentence.
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*(?:\s|$)")
# These two are used with ``pattern.match(text, pos)``, which anchors at ``pos`` by itself: a leading
# ``^`` would only ever match at the very start of the article.
_LIST_MARKER = re.compile(r"(?:[-*•–—▪►]|\d{1,2}[.)])\s+")
_AGENCIES = (
    r"CNN|CNN Money|CNNMoney|CNN Student News|AP|Reuters|AFP|EW\.com|The Hollywood Reporter|Mashable|BBC"
)
_DATELINE = re.compile(
    r"(?:[A-Z][\w.'’ -]{0,40}?,?\s*(?:[A-Z][\w.' -]{0,30})?\s*)?\((?:" + _AGENCIES + r")[^)]{0,30}\)\s*"
    r"(?:--|—|–|-|:)?\s*"
    r"|[A-Z][A-Z.'’ -]{2,40}(?:,\s*[A-Z][\w.' -]{0,30})?\s+(?:--|—|–)\s+"
)
# A line of furniture that, when it has no final punctuation, also swallows the line after it
# ("Watch this clip as" / "Trump talks about ...").
_FURNITURE_LINE = re.compile(
    r"^(?:watch (?:this|the|our) (?:clip|video)|this video is from|click here|tap here|"
    r"(?:subscribe|sign up)\b|share (?:this|on)\b|follow (?:us|@)|read more\b|related\s*:|"
    r"advertisement$|scroll down for|image (?:copyright|caption)|media playback is|copyright\b|"
    r"all rights reserved|join the conversation|e-?mail to a friend|listen to this|more from\b)",
    re.IGNORECASE,
)
_BOILERPLATE_HEADING = re.compile(
    # "About" then a name ("About Acme Robotics", "About Us"), never "About 500 jobs cut".
    r"^(?:About (?:us|Us|the compan(?:y|ies)|[A-Z][\w&.,'’-]*(?: (?:[A-Z][\w&.,'’-]*|&|of|and|the))*)|"
    r"(?i:forward[- ]looking statements?|safe harbou?r\b.*|"
    r"(?:media|press|investor)\s+(?:contacts?|enquiries|inquiries|relations)\b.*|"
    r"contacts?\s*:?|disclaimer\s*:?|notes? to editors\s*:?))$"
)
_SOURCES_HEADER = re.compile(r"^(?:sources?(?: include)?|references|further reading)\s*:", re.IGNORECASE)
_FURNITURE_SENTENCE = re.compile(
    r"contributed to this (?:report|story)|contributed reporting|"
    r"^(?:By|Written by|Reporting by)\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*(?:,.*|and .*)?$|"
    r"^(?:Follow|Like)\b.{0,60}\bon (?:Twitter|Facebook|Instagram|X)\b|"
    r"^(?:Click|Tap) here\b|^Read (?:more|the full)\b|^(?:Watch|See) (?:the )?(?:video|clip)\b|"
    r"^Share this\b|^Subscribe\b|^Sign up\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A story sentence: ``text == article[start:end]``; ``index`` counts story sentences from 0."""

    text: str
    start: int
    end: int
    index: int


@dataclass(frozen=True, slots=True)
class Segmentation:
    sentences: list[Sentence]
    # A heading line the article opens with, usable as a title when the caller sent none.
    leading_heading: str | None


def segment(text: str, max_sentence_chars: int = MAX_SENTENCE_CHARS) -> Segmentation:
    """Split an article into story sentences, leaving page furniture and headings out."""
    marked = list(_lines(text))
    lines = [(start, end) for start, end, _ in marked]
    any_punctuated = any(_TERMINAL.search(text[s:e]) for s, e in lines)
    furniture = _furniture_lines(text, lines)

    sentences: list[Sentence] = []
    leading_heading: str | None = None
    for number, (start, end, list_item) in enumerate(marked):
        if number in furniture:
            continue
        line = text[start:end]
        # A list item without a full stop is a point of its own (a press release's "• Revenue up 12%"
        # highlights), not a heading.
        if any_punctuated and not _TERMINAL.search(line) and not list_item:
            # A subheading: never glued to the sentence that follows, never a bullet itself.
            if not sentences and leading_heading is None:
                leading_heading = line
            continue
        for position, (found_start, s_end) in enumerate(_sentence_spans(text, start, end)):
            s_start = _skip_dateline(text, found_start, s_end) if position == 0 else found_start
            if s_start >= s_end or _FURNITURE_SENTENCE.search(text[s_start:s_end]):
                continue
            for piece_start, piece_end in cut_long(text, s_start, s_end, max_sentence_chars):
                sentences.append(
                    Sentence(text[piece_start:piece_end], piece_start, piece_end, len(sentences))
                )
    return Segmentation(sentences, leading_heading)


def _lines(text: str) -> Iterator[tuple[int, int, bool]]:
    """Non-blank lines as stripped spans, with any list marker ("- ", "• ", "1. ") left out, and whether
    the line had one."""
    for match in re.finditer(r"[^\n\r]+", text):
        start, end = _strip(text, match.start(), match.end())
        if start >= end:
            continue
        marker = _LIST_MARKER.match(text, start, end)
        if marker and marker.end() < end:
            yield marker.end(), end, True
        else:
            yield start, end, False


def _furniture_lines(text: str, lines: list[tuple[int, int]]) -> set[int]:
    furniture: set[int] = set()
    in_source_list = in_boilerplate = False
    for number, (start, end) in enumerate(lines):
        line = text[start:end]
        heading = not _TERMINAL.search(line) and len(line.split()) <= 8
        if heading and _BOILERPLATE_HEADING.match(line):
            # "About Acme", "Forward-looking statements", "Media contact": the rest of the section is
            # the publisher's standing text, not the story.
            in_boilerplate = True
            furniture.add(number)
            continue
        if in_boilerplate and not heading:
            furniture.add(number)
            continue
        in_boilerplate = False
        if _SOURCES_HEADER.match(line):
            in_source_list = True
            furniture.add(number)
            continue
        if in_source_list:
            # The list after "Sources include:" is short unpunctuated lines or bare site names.
            if (len(line.split()) <= 6 and not _TERMINAL.search(line)) or re.fullmatch(r"\S+\.\w{2,6}", line):
                furniture.add(number)
                continue
            in_source_list = False
        if _FURNITURE_LINE.match(line):
            furniture.add(number)
            if not _TERMINAL.search(line) and number + 1 < len(lines):
                furniture.add(number + 1)
    return furniture


def _sentence_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for relative_start, relative_end in nupunkt.sent_spans(text[start:end]):
        s, e = _strip(text, start + relative_start, start + relative_end)
        if s < e:
            yield s, e


def _skip_dateline(text: str, start: int, end: int) -> int:
    match = _DATELINE.match(text, start, end)
    return _strip(text, match.end(), end)[0] if match else start


def cut_long(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """Cut an over-long span at whitespace into nearly equal pieces of at most ``limit`` characters."""
    while end - start > limit:
        pieces = -(-(end - start) // limit)
        target = start + (end - start) // pieces
        cut = text.rfind(" ", start + limit // 2, min(target + limit // 4, start + limit))
        if cut <= start:
            cut = start + limit
        piece_start, piece_end = _strip(text, start, cut)
        if piece_start < piece_end:
            yield piece_start, piece_end
        start = _strip(text, cut, end)[0]
    if start < end:
        yield start, end


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def has_sentence_punctuation(text: str) -> bool:
    """True when any sentence in the text ends with punctuation; without one, splitting is guesswork."""
    return _SENTENCE_END.search(text) is not None


def title_line(text: str, max_words: int = 25) -> str | None:
    """The first line of a plain-text article when it reads as a headline, else None.

    A headline is a short first line without sentence punctuation followed by more text; a first line
    that is a sentence stays part of the story.
    """
    first, _, rest = text.lstrip().partition("\n")
    first = first.strip()
    if not first or not rest.strip() or _TERMINAL.search(first) or first.endswith(":"):
        return None
    return first if len(first.split()) <= max_words and len(first) <= 300 else None
