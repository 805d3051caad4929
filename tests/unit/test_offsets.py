"""Offsets converted into UTF-16 or UTF-8 units slice the text encoded that way to the same string."""

from __future__ import annotations

import pytest

from models import OFFSET_UNITS, OffsetConverter, OffsetUnit, encode_for

SAMPLES = {
    "emoji": "Fans cheered 🎉🎉 in the main square as the home team won the cup final on Sunday.\n"
    "The coach said the victory was deserved after a long and difficult season for the club.",
    "zwj": "The family 👨‍👩‍👧‍👦 arrived at the shelter on Monday after their home was flooded.\n"
    "Volunteers raised the 🏳️‍🌈 flag outside the town hall to welcome visitors to the festival.",
    "flags": "Trade talks between 🇺🇸 and 🇫🇷 officials resumed in Geneva on Tuesday after a pause.\n"
    "Both delegations said they expected an agreement on tariffs before the end of the year.",
    "combining": "Cafe\u0301 owners in Mu\u0308nchen protested on Friday against the new rent rules.\n"
    "The city council said it would review the rules after hearing from local businesses.",
    "crlf": "The council voted on Tuesday to build a new bridge across the river in the town centre.\r\n"
    "Construction is expected to begin in March and take about two years to complete.",
    "rtl": "Officials said the new bridge, named \u202bجسر النهر\u202c by residents, opens in March.\n"
    "قال الوزير إن الاتفاق مهم للمنطقة وإن المحادثات ستستمر الأسبوع المقبل في العاصمة.",
}


@pytest.mark.parametrize("unit", OFFSET_UNITS)
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_converted_offsets_slice_the_encoded_text_to_the_same_sentence(name: str, unit: OffsetUnit) -> None:
    text = SAMPLES[name]
    convert = OffsetConverter(text, unit)
    encoded = encode_for(text, unit)
    for start in range(len(text)):
        for end in (start + 1, len(text)):
            s, e = convert.span(start, end)
            piece = encoded[s * 2 : e * 2] if unit == "utf16" else encoded[s:e]
            assert encode_for(text[start:end], unit) == piece


def test_an_emoji_counts_two_in_utf16_and_four_in_utf8() -> None:
    text = "🎉 party"
    assert OffsetConverter(text, "utf16")(1) == 2
    assert OffsetConverter(text, "utf8")(1) == 4
    assert OffsetConverter(text, "codepoint")(1) == 1
