"""Every error leaves the service as ``application/problem+json`` (RFC 9457), never as a bare 500.

The batcher's refusals are answered from one table, :data:`REFUSAL_ANSWERS`, by one handler: a new
refusal gets its status, problem type and ``Retry-After`` by adding a row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.batching import refusals

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

    def body(self) -> dict[str, Any]:
        return problem_body(self.status, self.kind, self.detail, extra=self.extra)


def problem_body(
    status: int,
    kind: str,
    detail: str,
    *,
    extra: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The RFC 9457 object: a whole response's body, or one refused document's entry in a batch."""
    body: dict[str, Any] = {
        "type": f"urn:leadlist:problem:{kind}",
        "title": _title(status),
        "status": status,
        "detail": detail,
        **(extra or {}),
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(
    status: int,
    kind: str,
    detail: str,
    headers: dict[str, str] | None = None,
    *,
    extra: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body = problem_body(status, kind, detail, extra=extra, errors=errors)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def validation_problem(errors: Sequence[Any]) -> dict[str, Any]:
    """A 422 body from pydantic's errors: where and why, never the submitted value (maybe a whole article)."""
    issues = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type", "")}
        for error in errors
    ]
    return problem_body(422, "invalid-request", "The request does not match the schema.", errors=issues)


@dataclass(frozen=True)
class RefusalAnswer:
    """How one kind of batcher refusal is answered over HTTP."""

    status: int
    kind: str
    # Formatted with the refusal's attributes, and the refusal itself as ``error``.
    detail: str
    # Sent as Retry-After unless the refusal carries its own estimate, which wins.
    retry_after_s: int | None = None
    # Attributes of the refusal copied into the problem body, in this order.
    extra: tuple[str, ...] = ()

    def response(self, refusal: refusals.RefusalError) -> JSONResponse:
        retry = refusal.retry_after_s if refusal.retry_after_s is not None else self.retry_after_s
        headers = {"Retry-After": str(retry)} if retry is not None else None
        detail = self.detail.format(error=refusal, **vars(refusal))
        extra = {name: getattr(refusal, name) for name in self.extra}
        return problem_response(self.status, self.kind, detail, headers, extra=extra)


REFUSAL_ANSWERS: dict[type[refusals.RefusalError], RefusalAnswer] = {
    refusals.QueueFullError: RefusalAnswer(429, "queue-full", "The service is at capacity; retry later."),
    refusals.RequestTooLargeError: RefusalAnswer(
        413,
        "request-too-large",
        "The request needs {tokens} model tokens; at most {limit} can be queued.",
        extra=("limit", "tokens"),
    ),
    refusals.DeadlineExceededError: RefusalAnswer(504, "deadline-exceeded", "The request was {error}."),
    refusals.ShuttingDownError: RefusalAnswer(
        503, "shutting-down", "The service is shutting down.", retry_after_s=1
    ),
    # Nobody is listening; the status is for the request log and metrics (nginx's convention).
    refusals.ClientDisconnectedError: RefusalAnswer(
        499, "client-closed-request", "The client closed the connection."
    ),
}


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Client Closed Request" if status == 499 else "Error"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers, media_type=PROBLEM_JSON)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_problem(exc.errors()), status_code=422, media_type=PROBLEM_JSON)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = _title(exc.status_code).lower().replace(" ", "-")
        return problem_response(exc.status_code, kind, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(refusals.RefusalError)
    async def _refused(_: Request, exc: refusals.RefusalError) -> JSONResponse:
        return REFUSAL_ANSWERS[type(exc)].response(exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        _log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "internal", "The service failed to handle this request.")
