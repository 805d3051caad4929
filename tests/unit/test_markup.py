"""A page's visible text keeps a path back to the HTML: entities, inline tags and <br> included."""

from __future__ import annotations

import pytest

from load._pages import build_page
from load._stories import BRIDGE, BRIDGE_TITLE, LONG_STORY, STORM
from models import extract_article, looks_like_html
from models.text.markup import anchor, render


def test_rendering_decodes_entities_and_maps_each_character_to_its_source() -> None:
    html = "<p>Fish &amp; chips cost &pound;5&nbsp;today.</p>"
    rendering = render(html)
    assert rendering.text.strip() == "Fish & chips cost £5 today."
    amp = rendering.text.index("&")
    assert html[rendering.starts[amp] : rendering.ends[amp]] == "&amp;"
    pound = rendering.text.index("£")
    assert html[rendering.starts[pound] : rendering.ends[pound]] == "&pound;"


def test_inline_tags_and_br_do_not_break_a_sentence_apart() -> None:
    html = '<div><p>The <a href="/x">council</a> <em>voted</em> 7-2.<br>Work starts in March.</p></div>'
    rendering = render(html)
    assert rendering.text.strip() == "The council voted 7-2.\nWork starts in March."
    article = anchor(rendering, "The council voted 7-2.\nWork starts in March.")
    first = article.text.index("The council voted 7-2.")
    start, end = article.html_span(first, first + len("The council voted 7-2."))
    assert html[start:end] == 'The <a href="/x">council</a> <em>voted</em> 7-2.'


def test_scripts_styles_comments_and_the_head_title_are_not_text() -> None:
    html = (
        "<html><head><title>Headline</title><style>p{color:red}</style></head><body>"
        "<script>var a = '<p>not text</p>';</script><!-- a comment --><p>Visible.</p></body></html>"
    )
    assert render(html).text.strip() == "Visible."


def test_an_extractor_line_rewritten_beyond_recognition_is_counted_not_invented() -> None:
    article = anchor(render("<p>Real text here.</p>"), "Real text here.\nA line the page never had.")
    assert article.text == "Real text here."
    assert article.missed_lines == 1


@pytest.mark.parametrize("story", [BRIDGE, STORM, LONG_STORY])
def test_plain_stories_are_not_taken_for_markup(story: str) -> None:
    assert not looks_like_html(story)
    assert not looks_like_html("Prices rose 3% as 2 < 3 and 5 > 4, analysts said.")


@pytest.mark.parametrize(
    "html",
    [
        "<!DOCTYPE html>\n<html lang='en'><body><p>Text.</p></body></html>",
        "  <div class='story'><p>Text.</p></div>",
        "Breaking news<br>\nFirst line.</p><p>Second line.</p><p>Third.</p>",
    ],
)
def test_pages_and_fragments_sent_as_text_are_recognised(html: str) -> None:
    assert looks_like_html(html)


def test_a_news_page_yields_the_story_and_its_headline_without_the_furniture() -> None:
    page = build_page(BRIDGE_TITLE, BRIDGE, STORM, seed=3)
    article = extract_article(page.html)
    assert article is not None
    assert article.title == BRIDGE_TITLE
    assert "cookies" not in article.text
    assert "All rights reserved" not in article.text
    assert "Privacy policy" not in article.text
    assert "Winds of up to 90 miles" not in article.text  # the comment thread is another story
    assert "$48 million project" in article.text
    assert article.missed_lines == 0


def test_a_page_with_no_visible_text_has_no_article() -> None:
    assert extract_article("<html><head><script>x()</script></head><body> &nbsp; </body></html>") is None


def test_lists_and_tables_the_extractor_reformats_are_still_anchored_in_the_page() -> None:
    story = "".join(f"<p>{line}</p>" for line in BRIDGE.splitlines())
    html = (
        f"<html><body><article><h1>{BRIDGE_TITLE}</h1>{story}"
        "<ul><li>The bridge will be 300 metres long and carry four lanes.</li>"
        "<li>It opens in 2028 if work starts on time.</li></ul>"
        "<table><tr><td>Cost</td><td>$48 million</td></tr><tr><td>Votes</td><td>7-2</td></tr></table>"
        "</article></body></html>"
    )
    article = extract_article(html)
    assert article is not None
    assert article.missed_lines == 0
    item = "It opens in 2028 if work starts on time."
    start = article.text.index(item)
    html_start, html_end = article.html_span(start, start + len(item))
    assert html[html_start:html_end] == item
    assert "$48 million" in article.text.splitlines()
