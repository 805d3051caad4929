"""A real uvicorn server on a free loopback port, in a thread, for tests that need real sockets."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from load._server import free_port, wait_until_ready
from models import Summariser
from service.app import create_app
from service.server import build_server
from service.settings import Settings


@contextmanager
def live_server(settings: Settings, summariser: Summariser | None = None) -> Iterator[str]:
    """Serve ``create_app(settings, summariser)`` until the block ends; yields the base URL."""
    port = free_port()
    settings = settings.model_copy(update={"host": "127.0.0.1", "port": port, "log_level": "warning"})
    # The production server configuration; run in a thread, uvicorn installs no signal handlers.
    server = build_server(create_app(settings, summariser=summariser), settings)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(f"{base}/readyz", 60, poll_s=0.05)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)
