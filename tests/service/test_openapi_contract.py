"""What a client generator reads in /openapi.json: clear operation ids, every error as a Problem under
application/problem+json (what the service really sends), and a batch result type it can parse."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.app import assert_problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
OPERATION_IDS = {
    ("post", "/v1/summarize"): "summarize",
    ("post", "/v1/summarize/batch"): "summarizeBatch",
    ("get", "/v1/models"): "listModels",
    ("get", "/livez"): "liveness",
    ("get", "/readyz"): "readiness",
    ("get", "/metrics"): "metrics",
}


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


def operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(method, path): op for path, item in spec["paths"].items() for method, op in item.items()}


def test_operations_have_clear_ids(spec: dict[str, Any]) -> None:
    assert {key: op["operationId"] for key, op in operations(spec).items()} == OPERATION_IDS


def test_every_api_error_is_a_problem_under_problem_json(spec: dict[str, Any]) -> None:
    declared = 0
    for key, op in operations(spec).items():
        for status, response in op["responses"].items():
            if int(status) < 400 or key == ("get", "/readyz"):  # /readyz answers its Health body
                continue
            assert response["content"] == {"application/problem+json": {"schema": PROBLEM_REF}}, (key, status)
            declared += 1
    assert declared >= 18
    schemas = spec["components"]["schemas"]
    assert {"HTTPValidationError", "ValidationError"}.isdisjoint(schemas)
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail"}


def test_what_is_declared_is_what_is_sent(client: TestClient, spec: dict[str, Any]) -> None:
    """The 422 the document declares is the one the service answers: problem+json with the same fields."""
    problem = assert_problem(client.post("/v1/summarize", json={"text": 5}), 422)
    properties = spec["components"]["schemas"]["Problem"]["properties"]
    assert set(problem) <= set(properties)
    issue = spec["components"]["schemas"]["ValidationIssue"]
    assert set(problem["errors"][0]) == set(issue["required"])


def test_batch_results_are_one_of_a_summary_or_a_problem(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    items = schemas["BatchResponse"]["properties"]["results"]["items"]
    assert items["oneOf"] == [
        {"$ref": "#/components/schemas/BatchSummary"},
        {"$ref": "#/components/schemas/BatchProblem"},
    ]
    summary, problem = schemas["BatchSummary"], schemas["BatchProblem"]
    # Each has a field the other lacks, so exactly one matches; both carry status to branch on.
    assert "bullets" in summary["required"]
    assert "bullets" not in problem["properties"]
    assert "type" in problem["required"]
    assert "type" not in summary["properties"]
    assert "status" in summary["required"]
    assert summary["properties"]["status"]["const"] == 200
    assert {"status", "index"} <= set(problem["required"])
    assert "id" in schemas["BatchDocument"]["properties"]
    batch_items = schemas["BatchRequest"]["properties"]["documents"]["items"]
    assert batch_items == {"$ref": "#/components/schemas/BatchDocument"}
