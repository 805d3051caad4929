"""Offsets in the unit a caller's language counts strings in.

Python counts code points; JavaScript, Java, C# and .NET count UTF-16 code units (an emoji is two); Go,
Rust and byte-oriented tools count UTF-8 bytes. The summariser works in code points, and a response's
offsets are converted once, at the end, into the unit the caller asked for.
"""

from __future__ import annotations

from typing import Literal, get_args

OffsetUnit = Literal["codepoint", "utf16", "utf8"]
OFFSET_UNITS: tuple[str, ...] = get_args(OffsetUnit)


class OffsetConverter:
    """Converts code point offsets into one text to ``unit``.

    ASCII text and the ``codepoint`` unit convert to themselves without touching the text, so the
    default path pays nothing. Otherwise each offset encodes the prefix before it: C-speed work, and a
    response has only a few dozen offsets. ``surrogatepass`` keeps a lone surrogate (legal in a JSON
    string) countable instead of an error.
    """

    def __init__(self, text: str, unit: OffsetUnit) -> None:
        self.text = text
        self.unit = unit
        self._identity = unit == "codepoint" or text.isascii()

    def __call__(self, offset: int) -> int:
        if self._identity:
            return offset
        prefix = self.text[:offset]
        if self.unit == "utf16":
            return len(prefix.encode("utf-16-le", "surrogatepass")) // 2
        return len(prefix.encode("utf-8", "surrogatepass"))

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self(start), self(end)


def encode_for(text: str, unit: OffsetUnit) -> bytes | str:
    """``text`` as a sequence in ``unit``, for checking that offsets slice it (tests, clients in docs)."""
    if unit == "utf16":
        return text.encode("utf-16-le", "surrogatepass")
    if unit == "utf8":
        return text.encode("utf-8", "surrogatepass")
    return text
