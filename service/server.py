"""The HTTP server around the app: uvicorn configured for production, with a graceful drain.

On SIGTERM the service goes unready at once, finishes what it accepted and answers the rest 503.

uvicorn on its own stops accepting connections and waits for open ones, then cancels them at its
graceful-shutdown timeout, which cuts a queued request off mid-connection. The server here also drains
the batcher: readiness drops the moment the signal arrives, new work is refused with 503, accepted work
gets until ``LEADLIST_SHUTDOWN_GRACE_S`` to finish, and whatever is still queued then is answered 503
with ``Retry-After`` before uvicorn's own (slightly longer) timeout would cut it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import signal
from types import FrameType

import uvicorn
from fastapi import FastAPI

from service import metrics
from service.settings import Settings

_log = logging.getLogger("leadlist.shutdown")

# uvicorn's hard stop comes this long after the drain deadline, so 503s are written before it.
HARD_STOP_MARGIN_S = 5.0
# Accepted work gets the grace period less this, so that answering what is left with 503 and exiting
# (measured: ~0.1 s) still happen within LEADLIST_SHUTDOWN_GRACE_S.
STOP_RESERVE_S = 0.5


async def drain(app: FastAPI, grace_s: float) -> None:
    app.state.ready = False
    app.state.not_ready_reason = "shutting down"
    metrics.READY.set(0)
    engine = app.state.engine
    if engine is not None:
        pending = engine.active_requests
        _log.info("draining", extra={"requests": pending, "grace_s": grace_s})
        await engine.drain(max(0.0, grace_s - STOP_RESERVE_S))


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: FastAPI, grace_s: float) -> None:
        super().__init__(config)
        self._app = app
        self._grace_s = grace_s
        self._drain_task: asyncio.Task[None] | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._drain_task is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is not None:
                # A signal handler runs between two steps of the loop: schedule, don't await.
                loop.call_soon_threadsafe(self._start_drain)
        super().handle_exit(sig, frame)
        if sig == signal.SIGTERM:
            # uvicorn re-raises a captured signal once it has shut down, so the process would end with
            # 143; a drained stop is a clean one, and orchestrators expect exit code 0 from it.
            self._captured_signals.clear()

    def _start_drain(self) -> None:
        if self._drain_task is None:
            self._drain_task = asyncio.ensure_future(drain(self._app, self._grace_s))


def build_server(app: FastAPI, settings: Settings) -> DrainingServer:
    """One worker, no version banner, our JSON logs instead of uvicorn's access log."""
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        workers=1,
        server_header=False,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_s + HARD_STOP_MARGIN_S),
    )
    return DrainingServer(config, app, settings.shutdown_grace_s)
