"""Running ``leadlist serve`` as a child process on loopback for load tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_service(
    port: int, env: dict[str, str] | None = None, ready_timeout_s: float = 120
) -> Iterator[str]:
    """Start the service on 127.0.0.1:``port`` with extra ``LEADLIST_*`` env; yields its base URL."""
    child_env = {**os.environ, "LEADLIST_LOG_LEVEL": "warning", **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=child_env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"leadlist serve exited with {process.returncode} before it was ready")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"leadlist serve was not ready within {ready_timeout_s:g}s")
            time.sleep(0.1)
        yield base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
