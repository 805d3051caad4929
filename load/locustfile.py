"""Locust users for leadlist: the traffic mix a newsroom integration sends, checked answer by answer.

Most calls are single JSON articles; some are ``text/plain`` uploads, some are batch calls, and a few are
bad requests that must get their documented 4xx (counted as a success when they do, as a failure when
they get anything else). ``max_bullets`` varies, and so does the length of the articles: they come from
both dev sets in ../shared/data when present (long CNN stories, short BBC ones), else from the generator
in ``load/_articles.py``. Every 200 is checked: each bullet must be the exact slice of the text it came
from.

Run it through ``load/run`` (which starts the service, scrapes its metrics and summarises), or directly
from the repository root (``-m`` puts the root on the path, so ``load`` imports as a package):
    .venv/bin/python -m locust -f load/locustfile.py --headless -u 16 -r 4 -t 60s --host http://127.0.0.1:8000
Only ever point it at a service on this machine's loopback.
"""

from __future__ import annotations

import json
import random
import sys
from typing import Any

from locust import FastHttpUser, between, events, task

from load._articles import news_mix

ARTICLES, SOURCE = news_mix(400)
# The documented limits at their defaults (LEADLIST_MAX_BATCH_DOCUMENTS, LEADLIST_MAX_CHARACTERS).
MAX_BATCH_DOCUMENTS = 32
MAX_CHARACTERS = 100_000


@events.init.add_listener
def _announce(**_: Any) -> None:
    print(f"locustfile: {len(ARTICLES)} articles from {SOURCE}", file=sys.stderr)


def bullet_options(rng: random.Random) -> dict[str, int]:
    """Half the callers let the model choose how many bullets; the rest ask for 1-10."""
    return {} if rng.random() < 0.5 else {"max_bullets": rng.randint(1, 10)}


def faithful(body: dict[str, Any], text: str) -> bool:
    bullets = body.get("bullets")
    return isinstance(bullets, list) and all(text[b["start"] : b["end"]] == b["text"] for b in bullets)


# (name, expected status, request keyword arguments): each must be refused the documented way.
BAD_REQUESTS: list[tuple[str, int, dict[str, Any]]] = [
    ("blank text", 422, {"json": {"text": "   "}}),
    (
        "max_bullets out of range",
        422,
        {"json": {"text": "A short story. It has two sentences.", "max_bullets": 0}},
    ),
    (
        "min_bullets above max",
        422,
        {"json": {"text": "One. Two. Three.", "min_bullets": 5, "max_bullets": 2}},
    ),
    ("unknown field", 422, {"json": {"text": "Some text here.", "summary_length": "short"}}),
    ("not UTF-8", 400, {"data": b"\xff\xfe\xfa not utf-8", "headers": {"content-type": "text/plain"}}),
    ("unsupported media type", 415, {"data": b"<p>xml</p>", "headers": {"content-type": "application/xml"}}),
    ("document too long", 413, {"json": {"text": "word " * (MAX_CHARACTERS // 5 + 1)}}),
]


class NewsroomUser(FastHttpUser):
    """One integration: posts stories one after another with a short think time between them."""

    wait_time = between(0.05, 0.5)

    def on_start(self) -> None:
        self.rng = random.Random()

    def article(self) -> str:
        return self.rng.choice(ARTICLES)

    @task(60)
    def summarize_json(self) -> None:
        text = self.article()
        payload = {"text": text, **bullet_options(self.rng)}
        with self.client.post("/v1/summarize", json=payload, catch_response=True) as response:
            self._expect_bullets(response, text)

    @task(20)
    def summarize_text_plain(self) -> None:
        text = self.article()
        with self.client.post(
            "/v1/summarize",
            data=text.encode(),
            headers={"content-type": "text/plain; charset=utf-8"},
            name="/v1/summarize [text/plain]",
            catch_response=True,
        ) as response:
            self._expect_bullets(response, text)

    @task(12)
    def summarize_batch(self) -> None:
        texts = [self.article() for _ in range(self.rng.randint(2, 8))]
        documents = [{"text": text, **bullet_options(self.rng)} for text in texts]
        with self.client.post(
            "/v1/summarize/batch", json={"documents": documents}, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}: {response.text[:200]}")
                return
            results = response.json().get("results", [])
            if len(results) != len(texts) or not all(
                faithful(r, t) for r, t in zip(results, texts, strict=False)
            ):
                response.failure("batch results do not match the documents sent, in order")

    @task(8)
    def bad_request(self) -> None:
        name, expected, request = self.rng.choice(BAD_REQUESTS)
        with self.client.post(
            "/v1/summarize", name=f"bad: {name} ({expected})", catch_response=True, **request
        ) as response:
            self._expect_problem(response, expected)

    @task(2)
    def oversized_batch(self) -> None:
        documents = [{"text": "A tiny story. It ends here."}] * (MAX_BATCH_DOCUMENTS + 1)
        with self.client.post(
            "/v1/summarize/batch",
            json={"documents": documents},
            name="bad: too many documents (413)",
            catch_response=True,
        ) as response:
            self._expect_problem(response, 413)

    @staticmethod
    def _expect_bullets(response: Any, text: str) -> None:
        if response.status_code != 200:
            response.failure(f"status {response.status_code}: {response.text[:200]}")
        elif not faithful(response.json(), text):
            response.failure("a bullet is not the slice of the article it points to")

    @staticmethod
    def _expect_problem(response: Any, expected: int) -> None:
        content_type = response.headers.get("content-type", "")
        if response.status_code != expected:
            response.failure(f"expected {expected}, got {response.status_code}: {response.text[:200]}")
        elif not content_type.startswith("application/problem+json"):
            response.failure(f"{expected} without problem+json: {content_type}")
        else:
            try:
                status = json.loads(response.text).get("status")
            except ValueError:
                status = None
            if status != expected:
                response.failure(f"problem body says status {status}, expected {expected}")
            else:
                response.success()
