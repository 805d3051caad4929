"""News pages built around a known story, so an extractor's output can be scored against the true body.

Each page wraps one story's paragraphs (inline links and emphasis, entities, a ``<br>`` inside a
paragraph) in what a real news site adds: navigation, a cookie banner, ads, scripts and styles, a
related-stories list, a comment thread and a footer. The comments are prose from another story, so an
extractor cannot tell them apart by their shape alone. The story itself is read from the data set at run
time; nothing of it is stored here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from html import escape

import nupunkt


@dataclass(frozen=True, slots=True)
class Page:
    html: str
    title: str
    # The story as a reader sees it, paragraph per line.
    body: str


def sentences(article: str) -> list[str]:
    return [article[s:e].strip() for s, e in nupunkt.sent_spans(article) if article[s:e].strip()]


def paragraphs(article: str, per_paragraph: int = 3) -> list[list[str]]:
    found = sentences(article.replace("(CNN)", "", 1))
    return [found[i : i + per_paragraph] for i in range(0, len(found), per_paragraph)]


def _inline(sentence: str, rng: random.Random) -> str:
    """The sentence as HTML: escaped, with one or two words wrapped in a link or emphasis."""
    words = sentence.split(" ")
    out = [escape(word) for word in words]
    for _ in range(rng.randint(0, 2)):
        i = rng.randrange(len(out))
        tag = rng.choice(["a", "em", "strong", "span"])
        opening = f'<a href="/topic/{i}" class="link">' if tag == "a" else f"<{tag}>"
        out[i] = f"{opening}{out[i]}</{tag}>"
    return " ".join(out)


def build_page(title: str, article: str, comments_from: str, seed: int) -> Page:
    rng = random.Random(seed)
    story = paragraphs(article)
    body_html: list[str] = []
    for number, paragraph in enumerate(story):
        parts = [_inline(s, rng) for s in paragraph]
        # One paragraph has a hard line break between its sentences, as pasted copy often does.
        joiner = "<br>\n" if number == 1 else "\n  "
        body_html.append(f"<p>{joiner.join(parts)}</p>")
        if number == 2:
            body_html.append(
                '<div class="ad-slot" data-ad="mid"><span>Advertisement</span>'
                '<a href="https://ads.example.com/c?id=7&amp;s=1">Save 50% on your first month &ndash; subscribe now</a></div>'
            )
    comment_sentences = sentences(comments_from)[:6]
    comments = "\n".join(
        f'<li class="comment"><b>reader{i}</b> <time>2 hours ago</time><p>{escape(s)}</p></li>'
        for i, s in enumerate(comment_sentences)
    )
    related = "\n".join(
        f'<li><a href="/story/{i}">{escape(s[:70])}</a></li>' for i, s in enumerate(comment_sentences[:4])
    )
    html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)} | Example News</title>
<meta property="og:title" content="{escape(title)}">
<style>body {{ font-family: sans-serif; }} .ad-slot {{ display: block; }}</style>
<script>window.dataLayer = window.dataLayer || []; function track(e) {{ dataLayer.push(e); }}</script>
</head>
<body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience and to show you personalised ads. By continuing to browse you agree to our use of cookies. <button>Accept all</button> <button>Manage settings</button></div>
<header class="site-header"><a href="/" class="logo">Example News</a>
<nav><ul><li><a href="/world">World</a></li><li><a href="/politics">Politics</a></li><li><a href="/business">Business</a></li><li><a href="/health">Health</a></li><li><a href="/sport">Sport</a></li></ul></nav>
</header>
<main>
<article>
<h1 class="headline">{escape(title)}</h1>
<div class="byline">By <a href="/staff/jane">Jane Doe</a>, Example News &middot; Updated 10:42 AM EDT</div>
{chr(10).join(body_html)}
</article>
<aside class="related"><h2>Related stories</h2><ul>{related}</ul></aside>
<section class="comments"><h2>Comments (6)</h2><ol>{comments}</ol></section>
</main>
<div class="ad-slot"><script>track({{"ad": "footer"}});</script><a href="https://ads.example.com/">Sponsored: the one trick banks hate</a></div>
<footer><p>&copy; 2026 Example News. All rights reserved.</p><ul><li><a href="/terms">Terms of use</a></li><li><a href="/privacy">Privacy policy</a></li><li><a href="/contact">Contact us</a></li></ul></footer>
<script src="/static/app.js"></script>
</body>
</html>
"""
    body = "\n".join(" ".join(paragraph) for paragraph in story)
    return Page(html=html, title=title, body=body)


def headline(highlights: list[str]) -> str:
    """A story's headline: its first highlight, without the data set's spaced full stop."""
    return highlights[0].strip().removesuffix(".").strip()
