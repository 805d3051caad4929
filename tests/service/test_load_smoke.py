"""CI's short run of the load suite: ``load/run`` against a real service on loopback, no unexpected failure.

It runs the int8 encoder (the fastest to start and to serve, so the smoke stays short); the torch path is
served by every other API test. Timings are printed by the load tools, never asserted here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.support.cli import run_from_root
from tests.support.paths import ROOT


@pytest.mark.live
@pytest.mark.slow
def test_load_run_smoke_has_no_unexpected_failure(onnx_cache: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHON": sys.executable, "LEADLIST_CACHE_DIR": str(onnx_cache)}
    command = [str(ROOT / "load" / "run"), "--users", "4", "--spawn-rate", "4", "--run-time", "15s"]
    command += ["--encoder", "onnx-int8", "--results", str(tmp_path)]
    result = run_from_root(command, env=env, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "unexpected failures 0" in result.stdout
    [run] = list(tmp_path.iterdir())
    for report in (
        "report.html",
        "locust_stats.csv",
        "metrics_before.txt",
        "metrics_after.txt",
        "summary.txt",
    ):
        assert (run / report).stat().st_size > 0, report
    served = [line for line in result.stdout.splitlines() if line.startswith("requests ")]
    assert served, result.stdout
    assert int(served[0].split()[1]) > 0
    assert "leadlist_documents_total" in (run / "metrics_after.txt").read_text()
