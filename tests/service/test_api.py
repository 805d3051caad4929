"""The HTTP API end to end on the real model: every route, every documented bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from load._stories import BRIDGE, BRIDGE_TITLE, LONG_STORY, STORM
from models import Document, summarise
from service.app import create_app
from service.settings import Settings
from tests.support.app import assert_problem, wait_ready


def test_livez_and_readyz(client: TestClient) -> None:
    assert client.get("/livez").json() == {"status": "alive", "detail": None}
    assert client.get("/readyz").json()["status"] == "ready"


def test_readyz_is_503_while_the_model_cannot_load() -> None:
    app = create_app(Settings(model="no-such-model"))
    with TestClient(app) as broken:
        for _ in range(200):
            reason = broken.get("/readyz").json()["detail"]
            if "failed" in reason:
                break
        response = broken.get("/readyz")
        assert response.status_code == 503
        assert "no-such-model" in response.json()["detail"]
        assert broken.get("/livez").status_code == 200
        assert_problem(broken.post("/v1/summarize", json={"text": "Hello there."}), 503)


def test_summarize_json_returns_faithful_bullets(client: TestClient) -> None:
    response = client.post("/v1/summarize", json={"title": BRIDGE_TITLE, "text": BRIDGE})
    assert response.status_code == 200
    body = response.json()
    assert body.keys() == {"bullets", "model", "usage", "warnings", "offset_unit"}
    assert body["model"]["name"].startswith("extractive")
    assert 3 <= len(body["bullets"]) <= 5
    for bullet in body["bullets"]:
        assert BRIDGE[bullet["start"] : bullet["end"]] == bullet["text"]
        assert isinstance(bullet["score"], float)
    assert body["usage"]["characters"] == len(BRIDGE)
    assert body["usage"]["truncated"] is False


def test_summarize_text_plain_takes_a_headline_first_line_as_title(client: TestClient) -> None:
    text = f"{BRIDGE_TITLE}\n{BRIDGE}"
    plain = client.post(
        "/v1/summarize", content=text.encode(), headers={"content-type": "text/plain; charset=utf-8"}
    )
    as_json = client.post("/v1/summarize", json={"title": BRIDGE_TITLE, "text": text})
    assert plain.status_code == 200
    # Equal but for float noise: how a document's sentences are cut into model calls varies with the
    # measured throughput, and padding differs with the cut.
    spans = [(b["text"], b["start"], b["end"]) for b in plain.json()["bullets"]]
    assert spans == [(b["text"], b["start"], b["end"]) for b in as_json.json()["bullets"]]
    assert [b["score"] for b in plain.json()["bullets"]] == pytest.approx(
        [b["score"] for b in as_json.json()["bullets"]], abs=1e-4
    )
    for bullet in plain.json()["bullets"]:
        assert text[bullet["start"] : bullet["end"]] == bullet["text"]
        assert bullet["text"] != BRIDGE_TITLE


def test_max_and_min_bullets(client: TestClient) -> None:
    assert (
        len(client.post("/v1/summarize", json={"text": LONG_STORY, "max_bullets": 2}).json()["bullets"]) == 2
    )
    assert len(client.post("/v1/summarize", json={"text": STORM, "min_bullets": 6}).json()["bullets"]) == 6


def test_batch_matches_single_calls_in_order(client: TestClient) -> None:
    documents = [
        {"text": STORM},
        {"text": BRIDGE, "title": BRIDGE_TITLE},
        {"text": LONG_STORY, "max_bullets": 4},
    ]
    response = client.post("/v1/summarize/batch", json={"documents": documents})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 3
    for document, result in zip(documents, results, strict=True):
        single = client.post("/v1/summarize", json=document).json()
        assert [b["text"] for b in result["bullets"]] == [b["text"] for b in single["bullets"]]
        assert [b["score"] for b in result["bullets"]] == pytest.approx(
            [b["score"] for b in single["bullets"]], abs=1e-4
        )


def test_batch_limits(client: TestClient) -> None:
    """Per-document refusals are in test_batch_documents; these fail the whole call."""
    too_many = {"documents": [{"text": "A sentence."}] * 33}
    assert assert_problem(client.post("/v1/summarize/batch", json=too_many), 413)["limit"] == 32
    assert_problem(client.post("/v1/summarize/batch", json={"documents": []}), 422)
    assert_problem(
        client.post("/v1/summarize/batch", content=b"x", headers={"content-type": "text/plain"}), 415
    )


def test_models_describes_the_served_model(client: TestClient) -> None:
    [card] = client.get("/v1/models").json()["models"]
    assert card["name"].startswith("extractive")
    assert card["max_tokens"] == 256
    # In words a user knows; the engine's identifier stays for programs.
    assert card["backend"] == "PyTorch (CPU, fp32)"
    assert card["backend_id"] == "TransformerSentenceEncoder"
    assert card["default_bullets"] is None


def test_openapi_documents_both_body_types(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    content = spec["paths"]["/v1/summarize"]["post"]["requestBody"]["content"]
    assert {"application/json", "text/plain"} <= content.keys()
    assert "SummarizeRequest" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"json": {"text": ""}}, 422),
        ({"json": {"text": "   \n\t "}}, 422),
        ({"json": {}}, 422),
        ({"json": {"text": 5}}, 422),
        ({"json": {"text": "Fine.", "max_bullets": 0}}, 422),
        ({"json": {"text": "Fine.", "max_bullets": 50}}, 422),
        ({"json": {"text": "Fine.", "max_bullets": "three"}}, 422),
        ({"json": {"text": "Fine.", "min_bullets": 4, "max_bullets": 2}}, 422),
        ({"json": {"text": "Fine.", "colour": "blue"}}, 422),
        ({"json": ["not", "an", "object"]}, 422),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 422),
        ({"content": b"<a/>", "headers": {"content-type": "application/xml"}}, 415),
        ({"content": b"no type"}, 415),
        ({"content": b"x", "headers": {"content-type": "text/plain; charset=latin-1"}}, 415),
        ({"content": b"\xff\xfe\xfa bad", "headers": {"content-type": "text/plain"}}, 400),
        ({"content": b'{"text": "\xff"}', "headers": {"content-type": "application/json"}}, 400),
        ({"content": b"  ", "headers": {"content-type": "text/plain"}}, 422),
    ],
)
def test_bad_input_gets_a_problem_not_a_500(client: TestClient, kwargs: dict[str, Any], status: int) -> None:
    body = assert_problem(client.post("/v1/summarize", **kwargs), status)
    assert "Fine." not in body["detail"]


def test_text_over_the_limit_is_refused_with_the_limit_not_cut(client: TestClient) -> None:
    body = assert_problem(client.post("/v1/summarize", json={"text": "a" * 100_001}), 413)
    assert body["limit"] == 100_000
    assert body["characters"] == 100_001


@pytest.mark.parametrize(
    ("text", "least", "most"),
    [
        ("no punctuation at all just words in a row", 1, 1),
        ("A single sentence stands here on its own.", 1, 1),
        # Fragments are never bullets: one-word lines, emoji, two-word sentences, page furniture.
        ("\n".join(["word"] * 10_000), 0, 0),
        ("Sources include:\nExample.com\nWire.org", 0, 0),
        ("🙂🙂🙂 🎉🎉", 0, 0),
        ("مرحبا بالعالم. هذه جملة ثانية.", 0, 0),
        ("Nul\x00byte inside. Another sentence.", 0, 0),
        ("مرحبا بكم جميعا في هذا اليوم الجميل. هذه جملة ثانية طويلة بما يكفي هنا.", 1, 2),
        ("A nul\x00byte sits inside this sentence. Another sentence follows it right here.", 1, 2),
    ],
)
def test_odd_but_valid_text_gets_a_summary(client: TestClient, text: str, least: int, most: int) -> None:
    response = client.post("/v1/summarize", json={"text": text})
    assert response.status_code == 200, response.text
    bullets = response.json()["bullets"]
    assert least <= len(bullets) <= most
    for bullet in bullets:
        assert text[bullet["start"] : bullet["end"]] == bullet["text"]


def test_default_bullets_setting_applies_when_caller_asks_for_none(summariser: Any) -> None:
    with TestClient(create_app(Settings(default_bullets=2), summariser=summariser)) as custom:
        wait_ready(custom)
        assert len(custom.post("/v1/summarize", json={"text": LONG_STORY}).json()["bullets"]) == 2
        # A caller's own bound turns the default off: the model's count applies, capped at 4.
        [automatic] = summarise(summariser, [Document(LONG_STORY)])
        expected = min(4, len(automatic.bullets))
        assert expected != 2
        assert (
            len(custom.post("/v1/summarize", json={"text": LONG_STORY, "max_bullets": 4}).json()["bullets"])
            == expected
        )
        assert custom.get("/v1/models").json()["models"][0]["default_bullets"] == 2
