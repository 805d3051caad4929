"""Keys, limits and safe defaults; and the table of hostile inputs, none of which may cause a 5xx."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from pydantic import SecretStr

from load._stories import BRIDGE, LONG_STORY, STORM
from models import Summariser
from service.app import create_app
from service.auth import key_id, load_keys
from service.logs import JsonFormatter
from service.settings import Settings
from tests.support.app import wait_ready
from tests.support.live import live_server

KEY = "s3cret-key-for-tests"


@pytest.fixture
def keyed(summariser: Summariser) -> Iterator[TestClient]:
    settings = Settings(api_keys=SecretStr(f"other-key,{KEY}"))
    with TestClient(create_app(settings, summariser=summariser)) as client:
        wait_ready(client)
        yield client


def test_keys_are_required_on_api_routes(keyed: TestClient) -> None:
    missing = keyed.post("/v1/summarize", json={"text": STORM})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert missing.headers["content-type"].startswith("application/problem+json")
    wrong = keyed.post("/v1/summarize", json={"text": STORM}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert "invalid_token" in wrong.headers["www-authenticate"]
    right = keyed.post("/v1/summarize", json={"text": STORM}, headers={"Authorization": f"Bearer {KEY}"})
    assert right.status_code == 200
    assert keyed.get("/openapi.json").status_code == 401
    assert keyed.get("/v1/models", headers={"Authorization": f"bearer {KEY}"}).status_code == 200


def test_probes_and_metrics_stay_open(keyed: TestClient) -> None:
    for path in ("/livez", "/readyz", "/metrics"):
        assert keyed.get(path).status_code == 200, path


def test_keys_are_logged_and_counted_only_as_a_hash(
    keyed: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    counted = REGISTRY.get_sample_value("leadlist_authenticated_requests_total", {"key_id": key_id(KEY)}) or 0
    with caplog.at_level(logging.DEBUG):
        keyed.post("/v1/summarize", json={"text": STORM}, headers={"Authorization": f"Bearer {KEY}"})
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert not any(KEY in line for line in lines)
    request_line = next(json.loads(line) for line in lines if '"message": "request"' in line)
    assert request_line["key_id"] == key_id(KEY)
    assert (
        REGISTRY.get_sample_value("leadlist_authenticated_requests_total", {"key_id": key_id(KEY)})
        == counted + 1
    )


def test_keys_from_a_mounted_file(tmp_path: Path) -> None:
    secret = tmp_path / "keys"
    secret.write_text("# rotated monthly\nfirst-key\n\nsecond-key\n")
    assert load_keys(str(secret)) == ["first-key", "second-key"]
    assert load_keys(" a , b ,") == ["a", "b"]
    assert load_keys("") == []


def test_declared_oversized_body_is_refused_before_reading(client: TestClient) -> None:
    response = client.post(
        "/v1/summarize",
        content=b"x" * 16,
        headers={"content-type": "text/plain", "content-length": str(9 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert response.json()["limit"] == 8 * 1024 * 1024


def test_streamed_oversized_body_is_cut_off(summariser: Summariser) -> None:
    with TestClient(create_app(Settings(max_body_bytes=4096), summariser=summariser)) as small:
        wait_ready(small)

        def chunks() -> Iterator[bytes]:
            for _ in range(100):
                yield b"word " * 200

        response = small.post("/v1/summarize", content=chunks(), headers={"content-type": "text/plain"})
        assert response.status_code == 413
        assert response.json()["type"].endswith("body-too-large")
        assert small.get("/readyz").status_code == 200


@pytest.mark.live
def test_concurrency_cap_answers_429_but_probes_still_answer(summariser: Summariser) -> None:
    settings = Settings(max_concurrency=1, max_batch_wait_ms=1000)
    with live_server(settings, summariser) as base:
        slow = threading.Thread(
            target=lambda: httpx.post(f"{base}/v1/summarize", json={"text": LONG_STORY}, timeout=30)
        )
        slow.start()
        time.sleep(0.3)
        refused = httpx.post(f"{base}/v1/summarize", json={"text": STORM}, timeout=30)
        probe = httpx.get(f"{base}/readyz", timeout=5)
        slow.join()
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert probe.status_code == 200


@pytest.mark.live
def test_no_server_banner(summariser: Summariser) -> None:
    with live_server(Settings(), summariser) as base:
        response = httpx.get(f"{base}/livez")
    assert "server" not in response.headers


def test_cors_is_off_unless_configured(client: TestClient, summariser: Summariser) -> None:
    preflight = {"Origin": "https://news.example", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in client.options("/v1/summarize", headers=preflight).headers
    with TestClient(
        create_app(Settings(cors_origins="https://news.example"), summariser=summariser)
    ) as open_:
        wait_ready(open_)
        response = open_.options("/v1/summarize", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "https://news.example"


def test_docs_can_be_turned_off(summariser: Summariser) -> None:
    with TestClient(create_app(Settings(docs_enabled=False), summariser=summariser)) as closed:
        wait_ready(closed)
        for path in ("/docs", "/redoc", "/openapi.json", "/docs-assets/swagger-ui-bundle.js"):
            assert closed.get(path).status_code == 404, path
        assert closed.post("/v1/summarize", json={"text": STORM}).status_code == 200


BAD_INPUTS: list[tuple[str, dict[str, Any], set[int]]] = [
    ("empty", {"json": {"text": ""}}, {422}),
    ("whitespace", {"json": {"text": " \n\t  "}}, {422}),
    ("10 MB body", {"content": b"a" * 10_000_000, "headers": {"content-type": "text/plain"}}, {413}),
    ("100 001 characters", {"json": {"text": "a" * 100_001}}, {413}),
    ("binary bytes", {"content": bytes(range(256)) * 4, "headers": {"content-type": "text/plain"}}, {400}),
    ("invalid UTF-8", {"content": b"caf\xe9 au lait.", "headers": {"content-type": "text/plain"}}, {400}),
    ("wrong content type", {"content": b"text", "headers": {"content-type": "image/png"}}, {415}),
    ("missing content type", {"content": b"Some text here."}, {415}),
    ("extra JSON field", {"json": {"text": "Fine text.", "unknown": 1}}, {422}),
    ("max_bullets negative", {"json": {"text": "Fine.", "max_bullets": -1}}, {422}),
    ("max_bullets zero", {"json": {"text": "Fine.", "max_bullets": 0}}, {422}),
    ("max_bullets huge", {"json": {"text": "Fine.", "max_bullets": 10**12}}, {422}),
    ("max_bullets string", {"json": {"text": "Fine.", "max_bullets": "5"}}, {422}),
    ("10 000 one-word lines", {"json": {"text": "\n".join(["word"] * 10_000)}}, {200}),
    ("50 000-character sentence", {"json": {"text": ("abc " * 12_500).strip()}}, {200}),
    ("only emoji", {"json": {"text": "🙂🎉🔥" * 200}}, {200}),
    ("only page furniture", {"json": {"text": "Sources include:\nRT.com\nReuters.com"}}, {200}),
    ("right-to-left text", {"json": {"text": "שלום עולם. זה משפט שני. ועוד משפט שלישי."}}, {200}),
    ("NUL bytes", {"json": {"text": "A\x00B\x00 sentence with NULs. And another one."}}, {200}),
    ("JSON with nested junk", {"json": {"text": {"nested": ["x"]}}}, {422}),
    ("batch with a bad member", {"json": {"documents": [{"text": BRIDGE}, {"text": ""}]}}, {200}),
]


@pytest.mark.parametrize(("case", "request_kwargs", "allowed"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_hostile_input_gets_a_documented_answer(
    client: TestClient, case: str, request_kwargs: dict[str, Any], allowed: set[int]
) -> None:
    path = "/v1/summarize/batch" if case.startswith("batch") else "/v1/summarize"
    response = client.post(path, **request_kwargs)
    assert response.status_code in allowed, response.text[:300]
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "Traceback" not in response.text
    else:
        body = response.json()
        documents = request_kwargs["json"].get("documents", [request_kwargs["json"]])
        results = body.get("results", [body])
        for document, result in zip(documents, results, strict=True):
            # A refused batch document has a problem, not bullets, in its place.
            for bullet in result.get("bullets", []):
                assert document["text"][bullet["start"] : bullet["end"]] == bullet["text"]
    assert client.get("/readyz").status_code == 200
