"""Generator backends end to end: tiny random-weight models saved to disk, loaded by the real code,
driven through the HTTP API (chunking, batching, generation, the guard and the reducer)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from load._stories import BRIDGE, BRIDGE_TITLE, LONG_STORY, STORM
from service.app import create_app
from service.settings import Settings
from tests.support.app import assert_problem, wait_ready
from tests.support.tiny_models import save_tiny_model

WINDOW = 64
GENERATION = {"num_beams": 2, "max_new_tokens": 12, "min_new_tokens": 4, "request_timeout_s": 120.0}


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tiny-models")


@pytest.fixture(scope="module")
def bart(models_dir: Path) -> Iterator[TestClient]:
    path = save_tiny_model(models_dir / "bart", "bart", WINDOW)
    app = create_app(Settings(model="seq2seq", model_path=path, **GENERATION))
    with TestClient(app) as client:
        wait_ready(client, timeout=120)
        yield client


def bullets_are_grounded(body: dict[str, Any], text: str) -> None:
    for bullet in body["bullets"]:
        assert 0.0 <= bullet["support"] <= 1.0
        start, end = bullet["sources"][0]
        assert (bullet["start"], bullet["end"]) == (start, end)
        for start, end in bullet["sources"]:
            assert 0 <= start < end <= len(text)
        if bullet["supported"]:
            assert bullet["support"] >= 0.5
            assert bullet["unsupported_facts"] == []


def test_model_card_reports_the_generator_and_its_chunk_window(bart: TestClient) -> None:
    [card] = bart.get("/v1/models").json()["models"]
    assert card["name"] == "seq2seq-bart"
    assert card["backend"] == "PyTorch (CPU), Hugging Face transformers"
    assert card["backend_id"] == "Seq2SeqGenerator"
    assert 16 <= card["max_tokens"] < WINDOW


def test_a_long_article_is_chunked_not_cut(bart: TestClient) -> None:
    response = bart.post("/v1/summarize", json={"text": LONG_STORY, "keep_unsupported": True})
    assert response.status_code == 200, response.text
    body = response.json()
    usage = body["usage"]
    assert usage["tokens"] >= 5 * WINDOW  # the article is well over five windows long
    assert usage["chunks"] >= 5
    assert usage["truncated"] is False
    # Every chunk wrote between min and max new tokens.
    assert usage["chunks"] * GENERATION["min_new_tokens"] <= usage["output_tokens"]
    assert usage["output_tokens"] <= usage["chunks"] * GENERATION["max_new_tokens"]
    assert usage["generated_bullets"] >= len(body["bullets"]) >= 1
    assert usage["dropped_bullets"] == 0  # kept on request, flagged instead
    assert 1 <= len(body["bullets"]) <= 5
    bullets_are_grounded(body, LONG_STORY)
    # Noise from a random model is not supported by the article, and says so.
    assert any(bullet["supported"] is False for bullet in body["bullets"])
    # Article order: bullets follow their best source sentence.
    starts = [bullet["start"] for bullet in body["bullets"]]
    assert starts == sorted(starts)


def metric(client: TestClient, name: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not exported")


def test_the_guard_drops_unsupported_bullets_by_default(bart: TestClient) -> None:
    dropped_before = metric(bart, "leadlist_unsupported_bullets_total")
    written_before = metric(bart, "leadlist_output_tokens_sum")
    body = bart.post("/v1/summarize", json={"text": BRIDGE, "title": BRIDGE_TITLE}).json()
    usage = body["usage"]
    assert metric(bart, "leadlist_unsupported_bullets_total") - dropped_before == usage["dropped_bullets"]
    assert metric(bart, "leadlist_output_tokens_sum") - written_before == usage["output_tokens"]
    assert usage["dropped_bullets"] == usage["unsupported_bullets"] >= 1
    assert all(bullet["supported"] is True for bullet in body["bullets"])
    assert len(body["bullets"]) <= usage["generated_bullets"] - usage["dropped_bullets"]


def test_batch_goes_through_the_batcher_and_matches_single_calls(bart: TestClient) -> None:
    documents = [{"text": STORM, "keep_unsupported": True}, {"text": LONG_STORY, "keep_unsupported": True}]
    batch = bart.post("/v1/summarize/batch", json={"documents": documents})
    assert batch.status_code == 200, batch.text
    results = batch.json()["results"]
    singles = [bart.post("/v1/summarize", json=document).json() for document in documents]
    assert [r["usage"] for r in results] == [s["usage"] for s in singles]
    assert [[b["text"] for b in r["bullets"]] for r in results] == [
        [b["text"] for b in s["bullets"]] for s in singles
    ]


def test_per_request_generation_limits(bart: TestClient) -> None:
    short = bart.post(
        "/v1/summarize", json={"text": STORM, "max_new_tokens": 5, "num_beams": 1, "keep_unsupported": True}
    )
    assert short.status_code == 200
    usage = short.json()["usage"]
    assert usage["output_tokens"] <= 5 * usage["chunks"]
    # A request may lower the configured cost, never raise it; nor can min exceed max.
    body = assert_problem(bart.post("/v1/summarize", json={"text": STORM, "max_new_tokens": 13}), 422)
    assert body["limit"] == GENERATION["max_new_tokens"]
    assert_problem(bart.post("/v1/summarize", json={"text": STORM, "num_beams": 3}), 422)
    assert_problem(bart.post("/v1/summarize", json={"text": STORM, "max_new_tokens": 0}), 422)
    assert_problem(bart.post("/v1/summarize", json={"text": STORM, "keep_unsupported": "maybe"}), 422)
    # In a batch, a document over a limit gets the same problem in its place; the others are served.
    documents = [{"text": STORM}, {"text": STORM, "num_beams": 9}, {"text": STORM, "num_beams": 3}]
    batch = bart.post("/v1/summarize/batch", json={"documents": documents})
    assert batch.status_code == 200
    results = batch.json()["results"]
    assert [r["status"] for r in results] == [200, 422, 422]
    assert results[2]["limit"] == GENERATION["num_beams"]
    assert results[2]["errors"][0]["loc"] == ["documents", 2, "num_beams"]


@pytest.mark.parametrize(("kind", "model", "window"), [("t5", "seq2seq", WINDOW), ("gpt2", "causal", 256)])
def test_t5_and_decoder_only_models_load_and_chunk(
    models_dir: Path, kind: str, model: str, window: int
) -> None:
    path = save_tiny_model(models_dir / kind, kind, window)
    settings = Settings(
        model=model, model_path=path, num_beams=1, max_new_tokens=8, min_new_tokens=2, request_timeout_s=120.0
    )
    with TestClient(create_app(settings)) as client:
        wait_ready(client, timeout=120)
        # A very long title is a hint that must not push a chunk past the window.
        document = {"text": LONG_STORY, "title": "Glacier forest " * 60, "keep_unsupported": True}
        response = client.post("/v1/summarize", json=document)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["model"]["name"] == f"{model}-{kind}"
        assert body["usage"]["chunks"] >= 3
        bullets_are_grounded(body, LONG_STORY)


@pytest.mark.parametrize(
    ("model", "path", "reason"),
    [
        ("seq2seq", None, "LEADLIST_MODEL_PATH"),
        ("seq2seq", "missing", "does not exist"),
        ("seq2seq", "empty", "cannot load a seq2seq model"),
        ("causal", "not-gguf.txt", "not a .gguf"),
        ("causal", "broken.gguf", "cannot load a causal model"),
    ],
)
def test_a_missing_or_broken_model_keeps_readyz_503(
    tmp_path: Path, model: str, path: str | None, reason: str
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "not-gguf.txt").write_text("weights?")
    (tmp_path / "broken.gguf").write_bytes(b"GGUF but not really")
    settings = Settings(model=model, model_path=tmp_path / path if path else None)
    with TestClient(create_app(settings)) as client:
        for _ in range(500):
            detail = client.get("/readyz").json()["detail"]
            if "failed" in detail:
                break
            time.sleep(0.05)
        response = client.get("/readyz")
        assert response.status_code == 503
        assert reason in response.json()["detail"]
        assert_problem(client.post("/v1/summarize", json={"text": STORM}), 503)


def test_extractive_responses_keep_their_shape(client: TestClient) -> None:
    body = client.post("/v1/summarize", json={"text": BRIDGE, "keep_unsupported": True}).json()
    assert body["usage"].keys() == {"characters", "sentences", "tokens", "truncated", "language"}
    for bullet in body["bullets"]:
        assert bullet.keys() == {"text", "start", "end", "score"}
        assert BRIDGE[bullet["start"] : bullet["end"]] == bullet["text"]
