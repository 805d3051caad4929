"""The ``leadlist`` command prints the same bullets the API returns."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import models
from load._stories import BRIDGE, BRIDGE_TITLE
from models import Summariser
from service.cli import main

ARTICLE = f"{BRIDGE_TITLE}\n{BRIDGE}"


@pytest.fixture
def reuse_model(monkeypatch: pytest.MonkeyPatch, summariser: Summariser) -> None:
    """The CLI loads its model through models.load_summariser; hand it the session's real one."""
    monkeypatch.setattr(models, "load_summariser", lambda *_, **__: summariser)


@pytest.mark.usefixtures("reuse_model")
def test_summarize_prints_the_api_bullets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], client: TestClient
) -> None:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE)
    assert main(["summarize", str(path)]) == 0
    printed = capsys.readouterr().out.splitlines()
    api = client.post(
        "/v1/summarize", content=ARTICLE.encode(), headers={"content-type": "text/plain"}
    ).json()
    assert printed == [f"- {b['text']}" for b in api["bullets"]]


@pytest.mark.usefixtures("reuse_model")
def test_summarize_json_and_max_bullets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE)
    assert main(["summarize", str(path), "--json", "--max-bullets", "2"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert len(body["bullets"]) == 2
    assert all(ARTICLE[b["start"] : b["end"]] == b["text"] for b in body["bullets"])


def test_summarize_refuses_an_empty_file_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("   ")
    assert main(["summarize", str(path)]) == 2
    assert "cannot summarise" in capsys.readouterr().err


@pytest.mark.live
def test_console_script_reads_stdin(client: TestClient) -> None:
    """The installed entry point, in a real process with its own model load."""
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "summarize", "-"],
        input=ARTICLE,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    api = client.post(
        "/v1/summarize", content=ARTICLE.encode(), headers={"content-type": "text/plain"}
    ).json()
    assert done.stdout.splitlines() == [f"- {b['text']}" for b in api["bullets"]]
