"""A web page's article: its main text and title, with every character's place in the page.

trafilatura chooses what is the article (it scored best of the extractors compared in
``python -m load.html_extractors``; see docs/input.md); :mod:`models.text.markup` then anchors its lines
in the page, so the text the summariser reads is the page's own characters and a bullet's offsets map
back into the HTML exactly as sent. A fragment too small for the extractor to judge (a few paragraphs of
HTML) is taken whole: everything it shows is the article.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.text.markup import Anchored, anchor, render


@dataclass(frozen=True, slots=True)
class Article:
    """``text`` is what the summariser reads; ``mapping`` ties each character of it to the page."""

    text: str
    title: str | None
    mapping: Anchored

    @property
    def missed_lines(self) -> int:
        return self.mapping.missed_lines

    def html_span(self, start: int, end: int) -> tuple[int, int]:
        return self.mapping.html_span(start, end)


def extract_article(html: str) -> Article | None:
    """The page's article, or None when the page shows no text at all."""
    import trafilatura  # imported on first use: a plain-text service never pays for loading it

    rendering = render(html)
    if not rendering.text.strip():
        return None
    found = trafilatura.bare_extraction(
        html, include_comments=False, with_metadata=True, deduplicate=False, fast=True
    )
    text, title = "", None
    if isinstance(found, trafilatura.settings.Document):
        text, title = found.text or "", found.title or None
    mapping = anchor(rendering, text) if text.strip() else None
    if mapping is None or not mapping.text.strip():
        # Too little for the extractor to call an article (or nothing of it could be anchored): the
        # whole visible text is the article.
        mapping = anchor(rendering, rendering.text)
    if not mapping.text.strip():
        return None
    return Article(text=mapping.text, title=title.strip() if title else None, mapping=mapping)
