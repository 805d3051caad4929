"""A throwaway ``redis-server`` (Debian's package) on a free loopback port, without persistence, for the
cache's tests and benchmark."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from load._server import free_port, stop_process


def redis_server_binary() -> str | None:
    """The path of ``redis-server``, or None where it is not installed."""
    return shutil.which("redis-server")


@contextmanager
def redis_server(binary: str) -> Iterator[str]:
    """Run ``binary`` until the block ends; yields its ``redis://`` URL."""
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_process(process, 10)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"redis-server did not listen on {port} within {timeout_s:g}s")
