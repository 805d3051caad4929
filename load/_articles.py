"""Articles for load tests and benchmarks: the dev set when it is beside the repo, else generated ones.

The generated stories only imitate news shape (a dateline, 10-45 sentences of 8-35 words, quotes,
numbers) so benchmarks still run on a fresh clone; their numbers are comparable with each other, not
with runs on real articles.
"""

from __future__ import annotations

import json
import random

from load._data import CNN_DEV, XSUM_DEV, shown

GENERATED = "generated articles (../shared/data absent)"

_WORDS = tuple(
    "officials said the council would review plans for a new bridge after residents raised concerns "
    "about traffic safety funding schools hospital police report storm power river city state federal "
    "court ruling election vote minister government company shares market prices economy growth "
    "workers union strike agreement talks leaders summit week month year million people percent".split(" ")
)
_CITIES = ("Riverton", "Lakeside", "Port Ellis", "Northfield", "Cedar Falls")


def generated_article(rng: random.Random) -> str:
    """One made-up story of news shape; the same ``rng`` state gives the same story."""
    sentences = []
    for index in range(rng.randint(10, 45)):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 35))]
        if rng.random() < 0.3:
            words.insert(rng.randint(0, len(words)), str(rng.randint(2, 5000)))
        sentence = " ".join(words).capitalize() + "."
        if rng.random() < 0.15:
            sentence = f'"{sentence[:-1]}," a spokesperson said.'
        if index == 0:
            sentence = f"{rng.choice(_CITIES)} (CNN) -- {sentence}"
        sentences.append(sentence)
    return " ".join(sentences)


def load_articles(limit: int, seed: int = 7) -> tuple[list[str], str]:
    """``limit`` article bodies and where they came from."""
    if CNN_DEV.exists():
        with CNN_DEV.open() as rows:
            articles = [json.loads(line)["article"] for _, line in zip(range(limit), rows, strict=False)]
        return articles, shown(CNN_DEV)
    return _generated(limit, seed), GENERATED


def news_mix(limit: int, seed: int = 7) -> tuple[list[str], str]:
    """Up to ``limit`` articles drawn from both dev sets (CNN's long stories, BBC's short ones), so
    lengths vary the way a newsroom's do; generated articles when the data is absent."""
    present = [path for path in (CNN_DEV, XSUM_DEV) if path.exists()]
    if not present:
        return _generated(limit, seed), GENERATED
    articles: list[str] = []
    for path in present:
        with path.open() as rows:
            articles += [json.loads(line)["article"] for line in rows]
    random.Random(seed).shuffle(articles)
    return articles[:limit], " + ".join(shown(path) for path in present)


def _generated(limit: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [generated_article(rng) for _ in range(limit)]
