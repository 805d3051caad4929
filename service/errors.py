"""Every error leaves the service as ``application/problem+json`` (RFC 9457), never as a bare 500."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.batching import (
    ClientDisconnectedError,
    DeadlineExceededError,
    QueueFullError,
    RequestTooLargeError,
    ShuttingDownError,
)

PROBLEM_JSON = "application/problem+json"
_log = logging.getLogger("leadlist.errors")


class ProblemError(Exception):
    """An error a caller can act on: its status, a stable ``type`` slug and a human detail."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra or {}


def problem_response(
    status: int,
    kind: str,
    detail: str,
    headers: dict[str, str] | None = None,
    *,
    extra: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:leadlist:problem:{kind}",
        "title": _title(status),
        "status": status,
        "detail": detail,
        **(extra or {}),
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Client Closed Request" if status == 499 else "Error"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc.status, exc.kind, exc.detail, exc.headers, extra=exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Echo where and why, never the submitted value: it may be a whole article.
        errors = [
            {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type", "")}
            for error in exc.errors()
        ]
        return problem_response(
            422, "invalid-request", "The request does not match the schema.", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = _title(exc.status_code).lower().replace(" ", "-")
        return problem_response(exc.status_code, kind, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(QueueFullError)
    async def _queue_full(_: Request, exc: QueueFullError) -> JSONResponse:
        retry = str(exc.retry_after_s)
        return problem_response(
            429, "queue-full", "The service is at capacity; retry later.", {"Retry-After": retry}
        )

    @app.exception_handler(RequestTooLargeError)
    async def _too_large(_: Request, exc: RequestTooLargeError) -> JSONResponse:
        detail = f"The request needs {exc.tokens} model tokens; at most {exc.limit} can be queued."
        return problem_response(
            413, "request-too-large", detail, extra={"limit": exc.limit, "tokens": exc.tokens}
        )

    @app.exception_handler(DeadlineExceededError)
    async def _deadline(_: Request, exc: DeadlineExceededError) -> JSONResponse:
        return problem_response(504, "deadline-exceeded", f"The request was {exc}.")

    @app.exception_handler(ShuttingDownError)
    async def _draining(_: Request, exc: ShuttingDownError) -> JSONResponse:
        return problem_response(503, "shutting-down", "The service is shutting down.", {"Retry-After": "1"})

    @app.exception_handler(ClientDisconnectedError)
    async def _gone(_: Request, exc: ClientDisconnectedError) -> JSONResponse:
        # Nobody is listening; the status is for the request log and metrics (nginx's convention).
        return problem_response(499, "client-closed-request", "The client closed the connection.")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        _log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "internal", "The service failed to handle this request.")
