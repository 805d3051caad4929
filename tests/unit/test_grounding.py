"""The grounding guard on crafted bullets: faithful paraphrases pass, invented facts are caught."""

from __future__ import annotations

import pytest

from load._stories import BRIDGE
from models import Summariser
from models.abstractive.grounding import Grounding, SourceIndex, facts, ground
from models.extractive.summariser import ExtractiveSummariser
from models.text.segmentation import segment

THRESHOLD = 0.5

FAITHFUL = {
    "Riverton's council voted 7-2 to build a new bridge over the Mill River.": "voted 7-2",
    "Mayor Ellen Park said a state grant and a bond will pay for the $48 million project.": "$48 million",
    "Critics said the new bridge would send more trucks through residential streets.": "more trucks",
    "Work on the bridge should start in March and last roughly two years.": "begin in March",
}
INVENTED = {
    "The bridge will cost $84 million, paid for by a state grant and a local bond.": ("84",),
    "Mayor John Carter said the project would be paid for with a state grant and a bond.": ("John", "Carter"),
    "The council voted on Friday to build a new bridge across the Mill River.": ("Friday",),
    "The old Mill Street bridge, built in 1913, will stay open to pedestrians and cyclists.": ("1913",),
}


def check(summariser: Summariser, bullets: list[str], article: str = BRIDGE) -> list[Grounding]:
    assert isinstance(summariser, ExtractiveSummariser)
    encoder = summariser.encoder
    sentences = segment(article).sentences
    return ground(
        bullets,
        encoder.encode(bullets),
        sentences,
        encoder.encode([s.text for s in sentences]),
        SourceIndex(article),
    )


def test_faithful_paraphrases_pass_and_point_at_their_source(summariser: Summariser) -> None:
    for (bullet, source_phrase), grounding in zip(
        FAITHFUL.items(), check(summariser, list(FAITHFUL)), strict=True
    ):
        assert grounding.supported(THRESHOLD), (bullet, grounding)
        assert grounding.missing == ()
        assert 0.5 <= grounding.support <= 1.0
        best = grounding.sources[0]
        assert BRIDGE[best.start : best.end] == best.text
        assert source_phrase in best.text, (bullet, best.text)


@pytest.mark.parametrize(("bullet", "absent"), INVENTED.items())
def test_an_invented_number_name_or_date_is_caught(
    summariser: Summariser, bullet: str, absent: tuple[str, ...]
) -> None:
    [grounding] = check(summariser, [bullet])
    assert grounding.missing == absent
    assert not grounding.supported(THRESHOLD)
    assert grounding.support < THRESHOLD
    # The sentence it garbles is still found, so a reviewer can see what the article really says.
    assert grounding.similarity > 0.6


def test_a_bullet_about_something_else_has_low_support(summariser: Summariser) -> None:
    [off_topic, vague] = check(
        summariser,
        ["the recipe calls for two cups of flour and a pinch of salt.", "The town is debating its problems."],
    )
    assert off_topic.missing == ()
    assert off_topic.support < 0.3
    assert not vague.supported(THRESHOLD)


def test_support_falls_with_each_missing_fact(summariser: Summariser) -> None:
    one, two = check(
        summariser,
        [
            "Mayor Ellen Park said the $48 million bridge will open in 2031.",
            "Mayor Ellen Park said the $57 million bridge will open in 2031.",
        ],
    )
    assert one.missing == ("2031",)
    assert set(two.missing) == {"57", "2031"}
    assert two.support < one.support < one.similarity


def test_facts_are_numbers_dates_and_names_not_sentence_openers() -> None:
    assert facts("Dr. Alan Shaw of the U.S. weather service said 7,000 homes lost power on Sunday.") == [
        "7,000",
        "Alan",
        "Shaw",
        "U.S",
        "Sunday",
    ]
    assert facts("The storm was the strongest in years. It hit the coast.") == []
    assert facts("NATO said it would meet.") == ["NATO"]


def test_names_and_acronyms_are_found_in_the_source() -> None:
    source = SourceIndex("Officials in the U.S. said Park's plan, backed by NATO, was fine.")
    assert all(source.contains(fact) for fact in ("U.S", "Park", "NATO", "nato"))
    assert not source.contains("Parker")


def test_numbers_match_across_formats() -> None:
    source = SourceIndex("About 7,000 people came; seven buses and 3.50 dollars.")
    assert all(source.contains(number) for number in ("7000", "7,000", "7", "3.5"))
    assert not source.contains("35")
