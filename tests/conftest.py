"""Shared fixtures: the real MiniLM model is loaded once per test session and reused everywhere.

Helpers that tests import live in ``tests/support``; this file holds only fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models import Summariser, load_summariser
from service.app import create_app
from service.settings import Settings
from tests.support.app import wait_ready
from tests.support.cli import run_cli


@pytest.fixture(scope="session")
def summariser() -> Summariser:
    return load_summariser("extractive")


@pytest.fixture(scope="session")
def client(summariser: Summariser) -> Iterator[TestClient]:
    # The result cache is off here: tests share this app and count model work; tests of the cache make
    # their own app with it on.
    app = create_app(Settings(cache_mb=0), summariser=summariser)
    with TestClient(app) as test_client:
        wait_ready(test_client)
        yield test_client


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An export made the way the image build makes it: ``leadlist export-onnx --cache-dir DIR``."""
    cache_dir = tmp_path_factory.mktemp("onnx-cache")
    result = run_cli("export-onnx", cache_dir=cache_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("exported: ")
    return cache_dir
