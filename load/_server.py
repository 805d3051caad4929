"""Running ``leadlist serve`` as a child process on loopback for load tests and benchmarks, and finding
that process again (its pid and resident memory) from the port it listens on."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psutil


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_ready(
    url: str, timeout_s: float, exited: Callable[[], str | None] = lambda: None, poll_s: float = 0.1
) -> None:
    """Poll ``url`` until it answers 200.

    Raises RuntimeError as soon as ``exited()`` returns a reason (the process behind it ended), or when
    ``timeout_s`` passes, so a caller never waits on a server that is gone.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        reason = exited()
        if reason is not None:
            raise RuntimeError(reason)
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {timeout_s:g}s")
        time.sleep(poll_s)


@contextmanager
def running_service(
    port: int, env: dict[str, str] | None = None, ready_timeout_s: float = 120
) -> Iterator[str]:
    """Start the service on 127.0.0.1:``port`` with extra ``LEADLIST_*`` env; yields its base URL.

    The result cache is off unless ``env`` (or the caller's environment) turns it on: the tools send
    the same articles over and over, and measure the model's work, not the cache's.
    """
    child_env = {"LEADLIST_CACHE_MB": "0", **os.environ, "LEADLIST_LOG_LEVEL": "warning", **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=child_env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(
            f"{base}/readyz",
            ready_timeout_s,
            lambda: (
                None
                if process.poll() is None
                else f"leadlist serve exited with {process.returncode} before it was ready"
            ),
        )
        yield base
    finally:
        stop_process(process, 30)


def stop_process(process: subprocess.Popen[Any], timeout_s: float) -> None:
    """SIGTERM, so the process can drain and exit cleanly; SIGKILL if it is still there after ``timeout_s``."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def service_pid(base: str) -> int:
    """The pid of the process listening on ``base``'s port (the service, not a client of it)."""
    port = int(base.rsplit(":", 1)[1])
    for connection in psutil.net_connections("tcp"):
        if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port and connection.pid:
            return connection.pid
    raise RuntimeError(f"no process listens on {port}")


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MiB."""
    return psutil.Process(pid).memory_info().rss / 2**20
