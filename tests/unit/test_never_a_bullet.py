"""What must never be a bullet, and what must be allowed to be one, on real-shaped input.

Each row is an article of the kind callers send, with the unwanted line where the model likes bullets
most (the top), run through the real summariser.
"""

from __future__ import annotations

import re

import pytest

from models import Document, Summariser, summarise
from models.extractive.selection import _BOILERPLATE, _BOILERPLATE_WORDS, eligible, half_quotations

FLOOD_STORY = (
    "Floodwater swept through the lower town of Alder on Friday night after the river burst its banks, "
    "forcing 2,000 people from their homes.\n"
    "Emergency crews rescued 140 residents by boat, and two people are still missing, the county sheriff "
    "said on Saturday.\n"
    "The river rose four metres in six hours after a week of storms, the highest level since records began "
    "in 1911.\n"
    "Schools will stay closed until Wednesday while engineers inspect the two bridges into the town.\n"
    "The state governor declared an emergency and asked for federal help with the clean-up.\n"
)

FRAGMENT_ROWS = {
    "spoiler alert": "SPOILER ALERT!\n" + FLOOD_STORY,
    "a lone answer": "No.\n" + FLOOD_STORY,
    "a list marker": "1.\n" + FLOOD_STORY,
    "a dateline": "Berlin.\n" + FLOOD_STORY,
    "a french dateline": "Paris, le 4 mars.\n" + FLOOD_STORY,
    "a url alone": "https://www.alder-county.gov/news/2026/flood-update.\n" + FLOOD_STORY,
    "copyright": "© 2026 Alder Gazette Ltd. All rights reserved. Reproduction without permission is "
    "prohibited.\n" + FLOOD_STORY,
    "a webcast notice": "The sheriff will hold a news conference at 3 p.m., streamed live as a webcast on "
    "the county website.\n" + FLOOD_STORY,
}

PRESS_RELEASE = """Acme Robotics reports record third-quarter revenue
• Revenue rose 18% to $412 million on warehouse demand
• Operating margin widened to 14.2% from 11.9% a year earlier
• Full-year revenue guidance raised to $1.6 billion
SAN JOSE, Calif., Nov. 4, 2026 -- Acme Robotics Inc. today reported results for its third quarter.
Chief executive Dana Ortiz said orders from grocery chains had doubled since the spring.
Acme will host a conference call and live webcast at 5:00 p.m. Eastern time today to discuss the results.
About Acme Robotics
Acme Robotics designs and builds warehouse automation systems used by more than 300 retailers worldwide.
The company is headquartered in San Jose, California, and employs 4,100 people.
Forward-Looking Statements
This press release contains forward-looking statements that involve risks and uncertainties.
"""

QUOTE_STORY = (
    '"We have lost everything. The water came in the night and took the houses, the cars and the '
    'animals. There is nothing left for us here," said Maria Lopez, standing outside her home.\n'
    + FLOOD_STORY
)


@pytest.mark.parametrize("row", sorted(FRAGMENT_ROWS))
def test_fragments_and_furniture_are_never_bullets(summariser: Summariser, row: str) -> None:
    article = FRAGMENT_ROWS[row]
    unwanted = article.split("\n", 1)[0]
    [summary] = summarise(summariser, [Document(article, max_bullets=5)])
    assert summary.bullets, "the story itself still gets bullets"
    assert all(bullet.text not in unwanted for bullet in summary.bullets), row


def test_a_press_release_keeps_its_highlights_and_drops_its_boilerplate(summariser: Summariser) -> None:
    [summary] = summarise(summariser, [Document(PRESS_RELEASE, max_bullets=5)])
    texts = [b.text for b in summary.bullets]
    # The "•" lines have no full stop, yet they are the release's key points.
    assert any(t.startswith(("Revenue rose", "Operating margin", "Full-year revenue")) for t in texts), texts
    for text in texts:
        assert not re.search(
            r"webcast|conference call|designs and builds|headquartered|forward-looking", text
        )
        assert PRESS_RELEASE[summary.bullets[texts.index(text)].start :].startswith(text)


def test_half_a_quotation_is_never_a_bullet(summariser: Summariser) -> None:
    [summary] = summarise(summariser, [Document(QUOTE_STORY, max_bullets=5)])
    assert summary.bullets
    for bullet in summary.bullets:
        # Kept whole (its quotes balanced and its speaker with it) or not at all.
        assert bullet.text.count('"') % 2 == 0, bullet.text
        if '"' in bullet.text:
            assert "said Maria Lopez" in bullet.text


def test_a_thousand_identical_lines_give_one_bullet(summariser: Summariser) -> None:
    line = "The mayor of Alder resigned on Monday after losing a vote of confidence.\n"
    default, asked_for_three = summarise(
        summariser, [Document(line * 1000), Document(line * 1000, min_bullets=3)]
    )
    assert [b.text for b in default.bullets] == [line.strip()]
    assert [b.text for b in asked_for_three.bullets] == [line.strip()]


@pytest.mark.parametrize(
    ("sentences", "half"),
    [
        (['He said: "This is bad for us all.', 'We will fight them on the beaches."'], [True, True]),
        (['"It works," she told reporters on Monday.', "The plant reopens in May."], [False, False]),
        (["“It works,” she said.", "“We are", "not done.”", "Next."], [False, True, True, False]),
        # The splitter of lowercased, tokenised text leaves an opening quote at the end of a sentence.
        (['no comment on his plans. "', 'i will have a party, " he said. "', 'it was fun. "'], [False] * 3),
    ],
)
def test_half_quotations_are_found_whatever_the_quote_style(sentences: list[str], half: list[bool]) -> None:
    assert list(half_quotations(sentences)) == half


def test_a_new_paragraph_closes_an_unfinished_quotation() -> None:
    sentences = ['He said: "We will win.', "The vote is on Friday and both parties expect a close result."]
    assert list(half_quotations(sentences)) == [True, True]
    assert list(half_quotations(sentences, [True, True])) == [True, False]


def test_eligibility_needs_five_words_and_no_boilerplate() -> None:
    texts = [
        "Paris, le 4 mars.",
        "The council approved the new budget on Tuesday night.",
        "Replay of the call will be available on our investor relations site.",
        "www.example.com/press/2026/results",
    ]
    assert list(eligible(texts)) == [False, True, False, False]


def _top_level_alternatives(pattern: str) -> list[str]:
    """The alternatives of a regular expression's outermost ``|``, leaving those inside groups alone."""
    alternatives, depth, start, escaped = [], 0, 0, False
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            alternatives.append(pattern[start:index])
            start = index + 1
    return [*alternatives, pattern[start:]]


def test_every_boilerplate_rule_has_a_literal_the_quick_check_looks_for() -> None:
    # The boilerplate check runs its regular expression only on sentences holding one of these literals;
    # a rule added without one would silently never fire.
    alternatives = _top_level_alternatives(_BOILERPLATE.pattern)
    assert len(alternatives) > 10
    for alternative in alternatives:
        literal_text = alternative.replace(r"\b", "").lower()
        assert any(word in literal_text for word in _BOILERPLATE_WORDS), alternative
