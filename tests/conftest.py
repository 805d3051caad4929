"""Shared fixtures: the real MiniLM model is loaded once per test session and reused everywhere."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models import Summariser, load_summariser
from service.app import create_app
from service.settings import Settings

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def summariser() -> Summariser:
    return load_summariser("extractive")


def wait_ready(client: TestClient, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.get("/readyz").status_code == 200:
            return
        time.sleep(0.02)
    raise AssertionError(f"service not ready after {timeout}s: {client.get('/readyz').json()}")


@pytest.fixture(scope="session")
def client(summariser: Summariser) -> Iterator[TestClient]:
    app = create_app(Settings(), summariser=summariser)
    with TestClient(app) as test_client:
        wait_ready(test_client)
        yield test_client


def shared_file(relative: str) -> Path:
    """A file under ../shared, or a clean skip when this checkout has no shared folder beside it."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{relative} is not available (expected at {path}); skipping tests that read shared data")
    return path
