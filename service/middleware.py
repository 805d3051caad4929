"""Per-request telemetry as plain ASGI middleware: request id, metrics and one JSON log line.

Plain ASGI (not BaseHTTPMiddleware) so the route still sees the client's disconnect and nothing buffers
the response. The route label is the matched route's template, so an id in a path can never explode
the metric's cardinality; the priority label is one of two classes and the deadline label says only
whether the caller lowered it ("default" or "lowered"), never the seconds.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import metrics
from service.health import OPERATIONS_PATHS

_log = logging.getLogger("leadlist.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestTelemetry:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        scope.setdefault("state", {})["request_id"] = request_id
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            state: dict[str, Any] = scope.get("state", {})
            priority = state.get("priority") or _priority_header(scope)
            deadline = state.get("deadline", "default")
            labels = {"route": route, "priority": priority, "deadline": deadline}
            metrics.REQUESTS.labels(status=str(status), **labels).inc()
            metrics.REQUEST_DURATION.labels(**labels).observe(elapsed)
            _log.log(
                # Probes and scrapes are frequent and uninteresting.
                logging.DEBUG if scope["path"] in OPERATIONS_PATHS else logging.INFO,
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "documents": state.get("documents"),
                    "characters": state.get("characters"),
                    "key_id": state.get("key_id"),
                    "priority": priority,
                    "deadline_s": state.get("deadline_s"),
                    "cache": state.get("cache"),
                },
            )


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


def _priority_header(scope: Scope) -> str:
    """The class a request asked for, for requests refused before their route read it."""
    for name, value in scope.get("headers", []):
        if name == b"request-priority" and value in (b"interactive", b"batch"):
            return str(value.decode("ascii"))
    return "interactive"


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"
