"""A batch answers per document: each may carry an id, and one bad document gets a problem in its place
while the others are summarised; only a malformed envelope fails the whole call."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from load._stories import BRIDGE, BRIDGE_TITLE, LONG_STORY, STORM
from tests.support.app import PROBLEM_FIELDS, assert_problem

BATCH = "/v1/summarize/batch"


def problems_counted(status: int) -> float:
    value = REGISTRY.get_sample_value("leadlist_document_problems_total", {"status": str(status)})
    return value or 0.0


def test_a_mixed_batch_answers_200_with_a_problem_in_place_of_each_bad_document(
    client: TestClient,
) -> None:
    documents: list[Any] = [
        {"id": "bridge-1", "text": BRIDGE, "title": BRIDGE_TITLE},
        {"id": "blank", "text": "   \n  "},
        {"id": "storm-7", "text": STORM, "max_bullets": 2},
        {"id": "too-long", "text": "x" * 100_001},
        {"text": LONG_STORY, "max_bullets": 0},
        "not an object",
        {"text": LONG_STORY, "min_bullets": 3},
    ]
    before = {status: problems_counted(status) for status in (413, 422)}
    response = client.post(BATCH, json={"documents": documents})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    results = response.json()["results"]
    assert len(results) == len(documents)

    summaries = {0: results[0], 2: results[2], 6: results[6]}
    for index, result in summaries.items():
        assert result["status"] == 200
        single = client.post("/v1/summarize", json={k: v for k, v in documents[index].items() if k != "id"})
        assert [b["text"] for b in result["bullets"]] == [b["text"] for b in single.json()["bullets"]]
    assert [results[0]["id"], results[2]["id"]] == ["bridge-1", "storm-7"]
    assert "id" not in results[6]
    assert len(results[2]["bullets"]) == 2

    expected = {1: (422, "blank"), 3: (413, "too-long"), 4: (422, None), 5: (422, None)}
    for index, (status, document_id) in expected.items():
        problem = results[index]
        assert problem.keys() >= PROBLEM_FIELDS | {"index"}, problem
        assert (problem["status"], problem["index"], problem.get("id")) == (status, index, document_id)
        assert problem["type"].startswith("urn:leadlist:problem:")
        assert "bullets" not in problem
    assert results[1]["errors"][0]["loc"] == ["documents", 1, "text"]
    assert results[3]["limit"] == 100_000
    assert results[4]["errors"][0]["loc"] == ["documents", 4, "max_bullets"]
    assert results[5]["errors"][0]["loc"] == ["documents", 5]
    assert problems_counted(422) - before[422] == 3
    assert problems_counted(413) - before[413] == 1


def test_the_problem_matches_what_a_single_call_answers(client: TestClient) -> None:
    """A refused document's entry is the body /v1/summarize would send for it, plus where it was."""
    for document in ({"text": ""}, {"text": "Fine.", "min_bullets": 4, "max_bullets": 2}, {"txt": "typo"}):
        single = client.post("/v1/summarize", json=document).json()
        [entry] = client.post(BATCH, json={"documents": [document]}).json()["results"]
        assert {k: v for k, v in entry.items() if k not in {"index", "errors"}} == {
            k: v for k, v in single.items() if k != "errors"
        }
        assert [e["loc"][2:] for e in entry["errors"]] == [e["loc"] for e in single["errors"]]


def test_an_id_is_bounded_and_typed(client: TestClient) -> None:
    documents = [
        {"id": "a" * 256, "text": STORM},
        {"id": "a" * 257, "text": STORM},
        {"id": 7, "text": STORM},
        {"id": "", "text": STORM},
    ]
    results = client.post(BATCH, json={"documents": documents}).json()["results"]
    assert results[0]["status"] == 200
    assert results[0]["id"] == "a" * 256
    for index in (1, 2, 3):
        assert results[index]["status"] == 422
        assert results[index]["errors"][0]["loc"] == ["documents", index, "id"]
        assert "id" not in results[index]  # an invalid id is not echoed as if it were one


def test_every_document_refused_is_still_a_200_batch(client: TestClient) -> None:
    response = client.post(BATCH, json={"documents": [{"text": ""}, {"text": " "}]})
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == [422, 422]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"documents": []}, 422),
        ({"documents": {"text": STORM}}, 422),
        ({"documents": "text"}, 422),
        ({"docs": [{"text": STORM}]}, 422),
        ([{"text": STORM}], 422),
        ({"documents": [{"text": "A sentence."}] * 33}, 413),
    ],
    ids=["empty list", "object not list", "string", "misspelt key", "bare list", "too many"],
)
def test_a_malformed_envelope_fails_the_whole_call(client: TestClient, body: Any, status: int) -> None:
    assert_problem(client.post(BATCH, json=body), status)


def test_a_body_that_is_not_json_fails_the_whole_call(client: TestClient) -> None:
    assert_problem(
        client.post(BATCH, content=b'{"documents": [', headers={"content-type": "application/json"}), 422
    )
    assert_problem(client.post(BATCH, content=b"\xff\xfe", headers={"content-type": "application/json"}), 400)
