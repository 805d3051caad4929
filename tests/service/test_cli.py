"""The ``leadlist`` command prints the same bullets the API returns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import models
from load._stories import BRIDGE, BRIDGE_TITLE
from models import Summariser
from service.cli import main
from tests.support.cli import LEADLIST, run_from_root

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


def unreadable_paths(tmp_path: Path) -> dict[str, str]:
    """Paths a newcomer passes by mistake, with what the one line must say about each."""
    not_utf8 = tmp_path / "latin1.txt"
    not_utf8.write_bytes("Caf\xe9 au lait. Une histoire.".encode("latin-1"))
    return {
        str(tmp_path / "missing.txt"): "No such file",
        str(tmp_path): "Is a directory",
        str(not_utf8): "not UTF-8",
    }


def test_summarize_a_file_that_cannot_be_read_prints_one_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path, reason in unreadable_paths(tmp_path).items():
        assert main(["summarize", path]) == 2
        printed = capsys.readouterr()
        assert printed.out == ""
        assert printed.err.startswith("leadlist: cannot "), printed.err
        assert f" {path}: " in printed.err
        assert reason in printed.err
        assert printed.err.count("\n") == 1


@pytest.mark.live
def test_the_console_script_shows_no_traceback_for_a_bad_path(tmp_path: Path) -> None:
    for path, reason in unreadable_paths(tmp_path).items():
        result = run_from_root([str(LEADLIST), "summarize", path], timeout=120)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
        assert reason in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_summarize_an_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(ARTICLE)
    path.chmod(0)
    assert main(["summarize", str(path)]) == 2
    assert "Permission denied" in capsys.readouterr().err
