"""A real Prometheus for tests: started on a free loopback port with its own data directory, queried over
its HTTP API, stopped at the end. Also the lookup of external binaries (prometheus, promtool, hadolint)
that skips cleanly where they are not installed and fails where CI promised to install them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from load._server import free_port, stop_process, wait_until_ready


def require_binary(name: str, install_hint: str) -> str:
    """The binary's path; a skip on a developer's machine without it, a failure in CI (which installs it)."""
    found = shutil.which(name) or _beside_python(name)
    if found:
        return found
    message = f"{name} is not installed ({install_hint})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; .ci/run should have installed it")
    pytest.skip(f"{message}; skipping the tests that need it")


def _beside_python(name: str) -> str | None:
    """Console scripts of the running virtualenv, found even when it is not activated."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


class Prometheus:
    def __init__(self, base: str) -> None:
        self.base = base

    def api(self, path: str, **params: str) -> Any:
        response = httpx.get(f"{self.base}/api/v1/{path}", params=params, timeout=10)
        body = response.json()
        assert body["status"] == "success", f"{path} {params}: {body}"
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant query's vector (raises with Prometheus's parse error if the expression is bad)."""
        data = self.api("query", query=expr)
        assert data["resultType"] in {"vector", "scalar"}, data
        result: list[dict[str, Any]] = data["result"] if data["resultType"] == "vector" else [data]
        return result

    def wait_for_scrapes(self, job: str, scrapes: int, interval_s: float) -> None:
        """Block until ``scrapes`` more scrapes of ``job`` have happened."""
        query = f'count_over_time(up{{job="{job}"}}[1h])'
        start = _single_value(self.query(query))
        deadline = time.monotonic() + scrapes * interval_s * 10 + 10
        while time.monotonic() < deadline:
            if _single_value(self.query(query)) >= start + scrapes:
                return
            time.sleep(interval_s / 2)
        raise AssertionError(f"Prometheus did not scrape {job} {scrapes} more times")


def _single_value(result: list[dict[str, Any]]) -> float:
    return float(result[0]["value"][1]) if result else 0.0


@contextmanager
def running_prometheus(
    directory: Path, scrape_configs: list[dict[str, Any]], rule_files: list[Path], interval_s: float = 1.0
) -> Iterator[Prometheus]:
    binary = require_binary("prometheus", "Debian: apt-get install prometheus")
    config = {
        "global": {"scrape_interval": f"{interval_s:g}s", "evaluation_interval": f"{interval_s:g}s"},
        "rule_files": [str(path) for path in rule_files],
        "scrape_configs": scrape_configs,
    }
    config_file = directory / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(config))
    port = free_port()
    log = (directory / "prometheus.log").open("w")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config_file}",
            f"--storage.tsdb.path={directory / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(
            f"{base}/-/ready",
            60,
            lambda: (
                None
                if process.poll() is None
                else f"prometheus exited: {(directory / 'prometheus.log').read_text()}"
            ),
        )
        yield Prometheus(base)
    finally:
        stop_process(process, 20)
        log.close()
