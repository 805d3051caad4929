"""Content codings: gzip request bodies are read (the body limit counting what they expand to), any
other coding is refused 415, and large answers are gzipped for clients that accept it."""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from load._stories import BRIDGE, BRIDGE_TITLE, LONG_STORY, STORM
from models import Summariser
from service.app import GZIP_MINIMUM_BYTES, create_app
from service.settings import Settings
from tests.support.app import assert_problem, wait_ready

JSON = {"content-type": "application/json"}
GZIP_JSON = {**JSON, "content-encoding": "gzip"}
LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def small_limit(summariser: Summariser) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(max_body_bytes=LIMIT), summariser=summariser)) as client:
        wait_ready(client)
        yield client


def gzip_stream(chunks: Iterator[bytes]) -> bytes:
    """A gzip body built piece by piece, so the test itself never holds the expanded body."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join(packer.compress(chunk) for chunk in chunks) + packer.flush()


def test_a_gzip_body_gets_the_same_answer_as_a_plain_one(client: TestClient) -> None:
    body = json.dumps({"text": BRIDGE, "title": BRIDGE_TITLE}).encode()
    plain = client.post("/v1/summarize", content=body, headers=JSON)
    packed = client.post("/v1/summarize", content=gzip.compress(body), headers=GZIP_JSON)
    assert packed.status_code == 200, packed.text
    packed_bullets, plain_bullets = packed.json()["bullets"], plain.json()["bullets"]
    # Same sentences at the same offsets; a score may differ in its last rounded digit, since two
    # model calls need not sum their floats in the same order.
    assert [{k: v for k, v in b.items() if k != "score"} for b in packed_bullets] == [
        {k: v for k, v in b.items() if k != "score"} for b in plain_bullets
    ]
    plain_scores = [b["score"] for b in plain_bullets]
    assert [b["score"] for b in packed_bullets] == pytest.approx(plain_scores, abs=1e-4)
    assert packed.json()["usage"]["characters"] == len(BRIDGE)


def test_gzip_works_for_text_plain_and_batches(client: TestClient) -> None:
    text = f"{BRIDGE_TITLE}\n{BRIDGE}".encode()
    headers = {"content-type": "text/plain; charset=utf-8", "content-encoding": "gzip"}
    response = client.post("/v1/summarize", content=gzip.compress(text), headers=headers)
    assert response.status_code == 200, response.text
    batch = json.dumps({"documents": [{"text": STORM, "id": "s"}, {"text": LONG_STORY}]}).encode()
    # Two gzip members back to back are one valid gzip body (RFC 1952).
    split = len(batch) // 2
    members = gzip.compress(batch[:split]) + gzip.compress(batch[split:])
    response = client.post("/v1/summarize/batch", content=members, headers=GZIP_JSON)
    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == [200, 200]


@pytest.mark.parametrize("coding", ["identity", "IDENTITY", ""])
def test_identity_is_no_coding(client: TestClient, coding: str) -> None:
    body = json.dumps({"text": STORM}).encode()
    response = client.post("/v1/summarize", content=body, headers={**JSON, "content-encoding": coding})
    assert response.status_code == 200, response.text


def test_the_limit_applies_to_the_decompressed_body(small_limit: TestClient) -> None:
    fits = json.dumps({"text": "A storm hit the coast. " * ((LIMIT - 100) // 23)}).encode()
    assert len(fits) <= LIMIT
    response = small_limit.post("/v1/summarize", content=gzip.compress(fits), headers=GZIP_JSON)
    assert response.status_code == 200, response.text
    over = json.dumps({"text": "A storm hit the coast. " * (LIMIT // 23 + 10)}).encode()
    packed = gzip.compress(over)
    assert len(packed) < LIMIT < len(over)  # small on the wire, over the limit once expanded
    body = assert_problem(small_limit.post("/v1/summarize", content=packed, headers=GZIP_JSON), 413)
    assert body["limit"] == LIMIT


def test_a_zip_bomb_is_refused_without_being_expanded_in_memory(small_limit: TestClient) -> None:
    expanded = 256 * 1024 * 1024
    bomb = gzip_stream(b"\0" * (1024 * 1024) for _ in range(expanded // (1024 * 1024)))
    assert len(bomb) < expanded // 500
    tracemalloc.start()
    try:
        response = small_limit.post("/v1/summarize", content=bomb, headers=GZIP_JSON)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_problem(response, 413)
    # The compressed body (held by the test client too), the limit's worth of output, and overhead:
    # nowhere near the 256 MiB the body expands to.
    assert peak < 4 * len(bomb) + 8 * LIMIT + 4 * 1024 * 1024, peak


def test_compressed_bytes_that_expand_to_nothing_still_count(small_limit: TestClient) -> None:
    """A deflate stream can be padded with empty blocks: the compressed size is bounded as well."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    start = packer.compress(json.dumps({"text": STORM}).encode()) + packer.flush(zlib.Z_SYNC_FLUSH)
    # After a sync flush the stream is byte-aligned: each of these is an empty stored block.
    empty_blocks = b"\x00\x00\x00\xff\xff" * (LIMIT // 5 + 1)
    body = start + empty_blocks + packer.flush()
    assert len(body) > LIMIT
    assert len(gzip.decompress(body)) < LIMIT
    assert_problem(small_limit.post("/v1/summarize", content=body, headers=GZIP_JSON), 413)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not gzip at all", "incorrect header check"),
        (gzip.compress(json.dumps({"text": STORM}).encode())[:-20], "ends before"),
        (gzip.compress(json.dumps({"text": STORM}).encode()) + b"trailing junk", "incorrect header"),
        (b"", "ends before"),
    ],
    ids=["not gzip", "truncated", "trailing junk", "empty"],
)
def test_corrupt_gzip_is_a_400_problem(client: TestClient, body: bytes, reason: str) -> None:
    problem = assert_problem(client.post("/v1/summarize", content=body, headers=GZIP_JSON), 400)
    assert problem["type"] == "urn:leadlist:problem:invalid-gzip"
    assert reason in problem["detail"]


@pytest.mark.parametrize("coding", ["deflate", "br", "zstd", "compress", "x-snappy", "gzip, br", "br, gzip"])
def test_other_codings_are_refused_415_naming_gzip(client: TestClient, coding: str) -> None:
    # A body that is valid JSON, so only the coding can be what is refused.
    body = json.dumps({"text": STORM}).encode()
    for path in ("/v1/summarize", "/v1/summarize/batch"):
        response = client.post(path, content=body, headers={**JSON, "content-encoding": coding})
        problem = assert_problem(response, 415)
        assert problem["type"] == "urn:leadlist:problem:unsupported-content-encoding"
        assert "gzip" in problem["detail"]
        assert "UTF-8" not in problem["detail"]
        assert response.headers["accept-encoding"] == "gzip"


def test_large_answers_are_gzipped_for_clients_that_accept_it(client: TestClient) -> None:
    documents = [{"text": text} for text in (BRIDGE, STORM, LONG_STORY)] * 4
    raw = client.post(
        "/v1/summarize/batch", json={"documents": documents}, headers={"accept-encoding": "identity"}
    )
    assert "content-encoding" not in raw.headers
    assert len(raw.content) > GZIP_MINIMUM_BYTES
    packed = client.post(
        "/v1/summarize/batch", json={"documents": documents}, headers={"accept-encoding": "gzip"}
    )
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(raw.content) / 2
    # The client decodes it. Scores may differ in the last digits: the two calls' sentences share model
    # calls with different neighbours, and padding moves float sums.
    assert _without_scores(packed.json()) == _without_scores(raw.json())
    assert _scores(packed.json()) == pytest.approx(_scores(raw.json()), abs=1e-4)
    assert packed.headers["x-request-id"]


def test_small_answers_are_sent_as_they_are(client: TestClient) -> None:
    response = client.get("/livez", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in response.headers
    problem = client.post("/v1/summarize", json={"text": ""}, headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in problem.headers
    assert_problem(problem, 422)


def test_a_large_problem_is_still_problem_json_when_gzipped(client: TestClient) -> None:
    body = {"text": STORM, **{f"unknown_option_{i}": i for i in range(60)}}
    response = client.post("/v1/summarize", json=body, headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    problem = assert_problem(response, 422)
    assert len(problem["errors"]) == 60


def test_metrics_scrape_with_gzip(client: TestClient) -> None:
    """Prometheus asks for gzip; the exposition text must still parse once decoded."""
    response = client.get("/metrics", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"].startswith("text/plain")
    assert "leadlist_requests_total" in response.text


def test_a_browser_may_send_a_gzip_body_across_origins(summariser: Summariser) -> None:
    settings = Settings(cors_origins="https://news.example")
    with TestClient(create_app(settings, summariser=summariser)) as browser:
        preflight = browser.options(
            "/v1/summarize",
            headers={
                "origin": "https://news.example",
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type, content-encoding",
            },
        )
        assert preflight.status_code == 200
        assert "content-encoding" in preflight.headers["access-control-allow-headers"].lower()


def _scores(batch: dict[str, Any]) -> list[float]:
    return [bullet["score"] for result in batch["results"] for bullet in result["bullets"]]


def _without_scores(batch: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**result, "bullets": [{k: v for k, v in b.items() if k != "score"} for b in result["bullets"]]}
        for result in batch["results"]
    ]
