"""A real uvicorn server on a free loopback port, in a thread, for tests that need real sockets."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from models import Summariser
from service.app import create_app
from service.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def live_server(settings: Settings, summariser: Summariser | None = None) -> Iterator[str]:
    """Serve ``create_app(settings, summariser)`` until the block ends; yields the base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, summariser=summariser),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        else:
            raise AssertionError("live server never became ready")
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)
