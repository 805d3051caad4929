"""Helpers for tests that drive the app through a TestClient: readiness and problem+json answers."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

PROBLEM_FIELDS = {"type", "title", "status", "detail"}


def wait_ready(client: TestClient, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.get("/readyz").status_code == 200:
            return
        time.sleep(0.02)
    raise AssertionError(f"service not ready after {timeout}s: {client.get('/readyz').json()}")


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_FIELDS
    assert body["status"] == status
    return body
