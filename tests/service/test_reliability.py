"""Short CI versions of the reliability runs of ``python -m load.reliability`` (the full runs are its job).

Each run starts a real ``leadlist serve`` on loopback. What is asserted is behaviour, not speed: only
200/429/503 under 4x overload with the queue inside its bound; a SIGTERM mid-load answers everything
that got in with 200 or 503 and exits 0 within the grace period; a minute's soak at 70% of capacity
fails nothing and its memory stays level.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from load import reliability

pytestmark = [pytest.mark.live, pytest.mark.slow]


def run(tmp_path: Path, *argv: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "result.json"
    code = reliability.main([*argv, "--articles", "40", "--json", str(out)])
    return code, json.loads(out.read_text())


def test_overload_gets_only_200_429_503_and_a_bounded_queue(tmp_path: Path) -> None:
    code, result = run(tmp_path, "overload", "--seconds", "12", "--warmup", "4", "--recovery-window", "3")
    assert result["unexpected"] == 0, result["statuses"]
    assert result["missing_retry_after"] == 0
    assert result["queue_within_bound"]
    assert result["statuses"].get("429", 0) > 0, "4x capacity should have filled the queue"
    assert code == 0


def test_sigterm_mid_load_answers_everything_and_exits_0(tmp_path: Path) -> None:
    code, result = run(tmp_path, "drain", "--seconds", "8", "--grace", "3")
    assert result["cut_mid_request"] == 0, result["statuses"]
    assert result["unexpected"] == 0, result["statuses"]
    assert result["late_hung"] == 0, result["late_requests"]
    assert result["exit_code"] == 0
    assert result["exited_within_grace"]
    assert code == 0


def test_minute_soak_fails_nothing_and_memory_stays_level(tmp_path: Path) -> None:
    code, result = run(tmp_path, "soak", "--seconds", "60", "--warmup", "8", "--window", "20")
    assert result["unexpected"] == 0, result["statuses"]
    assert result["statuses"].get("200", 0) > 0
    # Level after the first window (the 10-minute run of the script holds it to 5%): a leak per
    # request or per model call shows up as growth here.
    assert result["rss_growth"] <= 0.10, result["rss_mb_by_window"]
    assert code == 0
