"""Which article extractor to serve HTML with: accuracy and speed on news pages with known bodies.

    python -m load.html_extractors [--stories 100] [--data ../shared/data/cnn_dev.jsonl]

Each story of the data set is wrapped in a realistic page (``load/_pages.py``: navigation, cookie banner,
ads, scripts, related links, comments, footer, inline tags, entities, ``<br>``). Every installed
candidate extracts the body and the title; the table gives token precision, recall and F1 of the body
against the true story (bag of lower-cased words), how often the title was found exactly, and the median
milliseconds per page. The ``served`` row is the service's own path (the chosen extractor, then its lines
anchored back into the page), with how many extracted lines could not be anchored.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from load._data import CNN_DEV, shown
from load._pages import Page, build_page, headline
from models.text.markup import render

Extractor = Callable[[str], tuple[str, str | None]]
_WORD = re.compile(r"\w+")


def _trafilatura(html: str) -> tuple[str, str | None]:
    import trafilatura

    document = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
    return (document.text or "", document.title) if document is not None else ("", None)


def _readability(html: str) -> tuple[str, str | None]:
    from readability import Document

    document = Document(html)
    return render(document.summary()).text, document.short_title()


def _resiliparse(html: str) -> tuple[str, str | None]:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(html)
    return extract_plain_text(tree, main_content=True), tree.title


def _served(html: str) -> tuple[str, str | None]:
    from models.text.html_article import extract_article

    article = extract_article(html)
    return (article.text, article.title) if article is not None else ("", None)


CANDIDATES: dict[str, Extractor] = {
    "trafilatura": _trafilatura,
    "readability-lxml": _readability,
    "resiliparse": _resiliparse,
    "served": _served,
}


def _installed(name: str) -> bool:
    module = {"trafilatura": "trafilatura", "readability-lxml": "readability", "resiliparse": "resiliparse"}
    try:
        __import__(module.get(name, "trafilatura"))
    except ImportError:
        return False
    return True


def token_scores(extracted: str, truth: str) -> tuple[float, float, float]:
    got = Counter(w.lower() for w in _WORD.findall(extracted))
    want = Counter(w.lower() for w in _WORD.findall(truth))
    overlap = sum((got & want).values())
    precision = overlap / max(1, sum(got.values()))
    recall = overlap / max(1, sum(want.values()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def pages(path: Path, count: int) -> list[Page]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[: count + 1]]
    return [
        build_page(headline(rows[i]["highlights"]), rows[i]["article"], rows[i + 1]["article"], seed=i)
        for i in range(min(count, len(rows) - 1))
    ]


def evaluate(name: str, extractor: Extractor, corpus: list[Page]) -> dict[str, float]:
    extractor(corpus[0].html)  # warm-up: first calls load lookup tables
    precision, recall, f1, titles, millis = [], [], [], 0, []
    for page in corpus:
        started = time.perf_counter()
        text, title = extractor(page.html)
        millis.append((time.perf_counter() - started) * 1000)
        p, r, f = token_scores(text, page.body)
        precision.append(p)
        recall.append(r)
        f1.append(f)
        titles += (title or "").strip() == page.title
    return {
        "precision": statistics.fmean(precision),
        "recall": statistics.fmean(recall),
        "f1": statistics.fmean(f1),
        "title": titles / len(corpus),
        "ms": statistics.median(millis),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100)
    parser.add_argument("--data", type=Path, default=CNN_DEV)
    args = parser.parse_args()
    if not args.data.exists():
        raise SystemExit(f"no data set at {shown(args.data)}; pass --data")
    corpus = pages(args.data, args.stories)
    print(f"{len(corpus)} pages built from {shown(args.data)}")
    print(f"{'extractor':<18} {'precision':>9} {'recall':>7} {'F1':>6} {'title':>6} {'ms/page':>8}")
    for name, extractor in CANDIDATES.items():
        if not _installed(name):
            print(f"{name:<18} not installed")
            continue
        row = evaluate(name, extractor, corpus)
        print(
            f"{name:<18} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>6.3f} "
            f"{row['title']:>6.0%} {row['ms']:>8.1f}"
        )
    missed = _missed_lines(corpus)
    print(f"served: {missed} extracted lines of {len(corpus)} pages could not be anchored in the page")


def _missed_lines(corpus: list[Page]) -> int:
    from models.text.html_article import extract_article

    return sum(a.missed_lines for a in map(extract_article, (p.html for p in corpus)) if a is not None)


if __name__ == "__main__":
    main()
