"""Running commands the way a user does: from the repository root, in the environment the tests run in."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.support.paths import ROOT

LEADLIST = Path(sys.executable).with_name("leadlist")


def run_from_root(
    command: list[str], *, env: Mapping[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``command`` run from the repository root with its output captured as text; the caller checks
    the exit status (so a failure's output can go into the assertion message)."""
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT, env=env
    )


def run_cli(*args: str, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_from_root([str(LEADLIST), *args, "--cache-dir", str(cache_dir)])
