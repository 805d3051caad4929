"""HTML as text a reader sees, with every visible character tied back to where it is in the page.

An article extractor returns plain text and forgets where it came from. To point a bullet back into the
page a caller sent, this module renders the page itself the way a browser shows it (tags gone, entities
decoded, whitespace collapsed, a line break for every block and ``<br>``) and records, for each rendered
character, the ``[start, end)`` of the source it came from: one character of text, a whole ``&amp;``, or
the tag that made a line break. :func:`anchor` then finds an extractor's lines in that rendering, so the
article text handed to the summariser is made of the page's own characters and maps back exactly.

Pure string work with the standard library; no parser is needed because only text positions matter, not
the document tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

# Elements whose content is never shown as text. ``title`` is shown in the tab, not the page: leaving it
# out keeps a headline repeated in the body from being matched in the head instead.
_HIDDEN = "script|style|noscript|template|svg|math|title|textarea|iframe|object"
_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(?P<hidden>" + _HIDDEN + r")\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>.*?(?:</(?P=hidden)\s*>|\Z)"
    r"|<![^>]*>|<\?[^>]*>"
    r"|<(?P<close>/?)(?P<name>[a-zA-Z][^\s/>]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
    re.DOTALL | re.IGNORECASE,
)
# Tags that start a new line where a browser would (blocks, list items, cells, <br>).
_BREAKING = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th "
    "thead tr ul body html head caption option".split()
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[a-zA-Z][a-zA-Z0-9]{1,31};?)")
_WORDS_OR_SPACE = re.compile(r"\S+|\s+")
_ADDED_MARKER = re.compile(r"^[-*•]\s+")
# Cheap first look for markup in a body sent as plain text: it opens with a tag, a doctype or a comment.
_OPENS_WITH_MARKUP = re.compile(
    r"\s*<(?:!doctype|!--|html|head|body|div|p|article|section|main|span|meta)\b", re.IGNORECASE
)
_CLOSING_TAG = re.compile(r"</(?:p|div|span|a|li|td|article|section|body|html)>", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """True when a body sent as text is really a web page or an HTML fragment.

    Costs a regex match at the start of the text and two substring counts for a plain article: a page
    opens with a tag, and a fragment that opens with words still has several closing tags or ``<br>``.
    """
    if _OPENS_WITH_MARKUP.match(text):
        return True
    if "</" not in text and "<br" not in text:
        return False
    return len(_CLOSING_TAG.findall(text, 0, 20_000)) + text.count("<br", 0, 20_000) >= 3


@dataclass(frozen=True, slots=True)
class Rendering:
    """Visible text of a page; ``text[i]`` came from ``html[starts[i]:ends[i]]``."""

    text: str
    starts: list[int]
    ends: list[int]


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.last = "\n"  # the page starts as if after a line break: no leading space

    def words(self, text: str, offset: int) -> None:
        self.parts.append(text)
        self.starts.extend(range(offset, offset + len(text)))
        self.ends.extend(range(offset + 1, offset + len(text) + 1))
        self.last = text[-1]

    def char(self, char: str, start: int, end: int) -> None:
        self.parts.append(char)
        self.starts.append(start)
        self.ends.append(end)
        self.last = char

    def space(self, start: int, end: int) -> None:
        if not self.last.isspace():
            self.char(" ", start, end)

    def line_break(self, start: int, end: int) -> None:
        if self.last == " ":
            # A space just before a break is dropped, as a browser drops it.
            self.parts.pop()
            self.starts.pop()
            self.ends.pop()
            self.last = self.parts[-1][-1] if self.parts else "\n"
        if self.last != "\n":
            self.char("\n", start, end)


def render(html: str) -> Rendering:
    """The page's visible text, with source spans; see the module docstring for what is kept."""
    out = _Builder()
    position = 0
    for match in _TOKEN.finditer(html):
        _text(out, html, position, match.start())
        name = match.group("name")
        if name is not None and name.lower() in _BREAKING:
            out.line_break(match.start(), match.end())
        position = match.end()
    _text(out, html, position, len(html))
    return Rendering("".join(out.parts), out.starts, out.ends)


def _text(out: _Builder, html: str, start: int, end: int) -> None:
    """Text between two tags: entities decoded one by one, whitespace runs collapsed to a space."""
    if start >= end:
        return
    position = start
    for entity in _ENTITY.finditer(html, start, end):
        _plain(out, html, position, entity.start())
        decoded = unescape(entity.group())
        if decoded == entity.group():
            _plain(out, html, entity.start(), entity.end())  # not an entity after all ("&c")
        elif decoded.isspace():
            out.space(entity.start(), entity.end())
        else:
            for char in decoded:
                out.char(char, entity.start(), entity.end())
        position = entity.end()
    _plain(out, html, position, end)


def _plain(out: _Builder, html: str, start: int, end: int) -> None:
    for run in _WORDS_OR_SPACE.finditer(html, start, end):
        if run.group().isspace():
            out.space(run.start(), run.end())
        else:
            out.words(run.group(), run.start())


@dataclass(frozen=True, slots=True)
class Anchored:
    """Article text built from a page's own characters; ``text[i]`` is ``html[starts[i]:ends[i]]``
    (a line break between two paragraphs points at the end of the paragraph before it)."""

    text: str
    starts: list[int]
    ends: list[int]
    # Extractor lines that could not be found in the page (an extractor that rewrote its text).
    missed_lines: int

    def html_span(self, start: int, end: int) -> tuple[int, int]:
        """The page span of ``text[start:end]``, tags inside it included."""
        return self.starts[start], self.ends[end - 1]


def anchor(rendering: Rendering, extracted: str) -> Anchored:
    """Find each line of an extractor's output in the rendering, in order, and build the article from the
    rendering's characters. Lines are compared without whitespace, since extractors re-space text."""
    squeezed, where = _squeeze(rendering.text)
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    cursor = missed = 0
    for line in extracted.splitlines():
        key = "".join(line.split())
        if not key:
            continue
        found = _find(squeezed, key, cursor)
        pieces = [(found, key)] if found >= 0 else [(_find(squeezed, p, cursor), p) for p in _pieces(line)]
        for found, piece in pieces:
            if found < 0:
                missed += 1
                continue
            first, last = where[found], where[found + len(piece) - 1] + 1
            if parts:
                parts.append("\n")
                starts.append(ends[-1])
                ends.append(ends[-1])
            parts.append(rendering.text[first:last])
            starts.extend(rendering.starts[first:last])
            ends.extend(rendering.ends[first:last])
            cursor = found + len(piece)
    return Anchored("".join(parts), starts, ends, missed)


def _find(squeezed: str, key: str, cursor: int) -> int:
    """Where ``key`` is, after ``cursor`` first (extractors keep the page's order), else anywhere."""
    found = squeezed.find(key, cursor)
    return found if found >= 0 else squeezed.find(key)


def _pieces(line: str) -> list[str]:
    """An extractor's line in the page's own pieces: a list item without the "- " the extractor
    added, a table row as its cells (extractors write rows as "| a | b |")."""
    line = line.strip()
    table_row = line.startswith("|")
    cells = line.strip("|").split("|") if table_row else [_ADDED_MARKER.sub("", line, count=1)]
    return [key for key in ("".join(cell.split()) for cell in cells) if key]


def _squeeze(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, and the index in ``text`` of each kept character."""
    kept: list[str] = []
    where: list[int] = []
    for run in re.finditer(r"\S+", text):
        kept.append(run.group())
        where.extend(range(run.start(), run.end()))
    return "".join(kept), where
