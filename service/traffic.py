"""Traffic limits as plain ASGI middleware: a body-size cap enforced while the body streams in, and a
cap on requests in flight. Probes and the metrics scrape are exempt from both, so an overloaded
instance still answers its orchestrator and its monitoring (the approach of BentoML's traffic layer).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import metrics
from service.errors import ProblemError, problem_response
from service.health import OPERATIONS_PATHS


class TrafficLimits:
    def __init__(self, app: ASGIApp, max_body_bytes: int, max_concurrency: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_concurrency = max_concurrency
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPERATIONS_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_concurrency:
            metrics.REJECTED.labels(reason="concurrency").inc()
            response = problem_response(
                429, "too-many-requests", "Too many requests in flight; retry later.", {"Retry-After": "1"}
            )
            await response(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self._with_body_limit(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _with_body_limit(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count bytes as they arrive, so a chunked body without Content-Length is cut off early too.

        The error is raised inside the route's read of the body, where the app's problem handler turns
        it into a 413 like any other.
        """
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise self._too_large_error()
            return message

        await self.app(scope, counting_receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = self._too_large_error()
        response = problem_response(error.status, error.kind, error.detail, error.headers, extra=error.extra)
        await response(scope, receive, send)

    def _too_large_error(self) -> ProblemError:
        return body_too_large(self.max_body_bytes)


def body_too_large(limit: int) -> ProblemError:
    """The 413 for a body over LEADLIST_MAX_BODY_BYTES, counted as a refusal."""
    metrics.REJECTED.labels(reason="too_large").inc()
    return ProblemError(
        413,
        "body-too-large",
        f"The body is over the {limit}-byte limit.",
        headers={"Connection": "close"},
        extra={"limit": limit},
    )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
