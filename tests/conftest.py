"""Shared fixtures: the real MiniLM model is loaded once per test session and reused everywhere."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models import Summariser, load_summariser
from service.app import create_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LEADLIST = Path(sys.executable).with_name("leadlist")


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


def run_cli(*args: str, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LEADLIST), *args, "--cache-dir", str(cache_dir)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
    )


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An export made the way the image build makes it: ``leadlist export-onnx --cache-dir DIR``."""
    cache_dir = tmp_path_factory.mktemp("onnx-cache")
    result = run_cli("export-onnx", cache_dir=cache_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("exported: ")
    return cache_dir
