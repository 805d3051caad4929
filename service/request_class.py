"""A caller's own deadline and priority, from two request headers, checked before any work is queued.

``Request-Timeout: <seconds>`` lowers this request's deadline below ``LEADLIST_REQUEST_TIMEOUT_S`` (never
raises it: one caller must not hold the queue longer than the operator allows). ``Request-Priority:
interactive|batch`` sets its class: ``batch`` work runs only when no ``interactive`` work waits and is
refused first under overload. Headers, not body fields, so the text/plain body and the batch body take
them the same way, and a cache key built from the body never depends on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Header, Request

from service.batching.queue import Priority
from service.deps import SettingsDep
from service.errors import ProblemError

TIMEOUT_HEADER = "Request-Timeout"
PRIORITY_HEADER = "Request-Priority"
PRIORITIES = {"interactive": Priority.INTERACTIVE, "batch": Priority.BATCH}


@dataclass(frozen=True, slots=True)
class RequestClass:
    timeout_s: float
    priority: Priority
    # True when the caller lowered the deadline: the "deadline" label of the request metrics.
    lowered: bool


def request_class(
    request: Request,
    settings: SettingsDep,
    request_timeout: Annotated[
        str | None,
        Header(
            alias=TIMEOUT_HEADER,
            description="Seconds (a decimal number above 0) this request may take; at most, and by "
            "default, the service's LEADLIST_REQUEST_TIMEOUT_S. 504 after it.",
        ),
    ] = None,
    request_priority: Annotated[
        Literal["interactive", "batch"],
        Header(
            alias=PRIORITY_HEADER,
            description="interactive (default): served first; batch: served when no interactive work "
            "waits, and refused first (429) under overload.",
        ),
    ] = "interactive",
) -> RequestClass:
    limit = settings.request_timeout_s
    timeout_s = limit if request_timeout is None else _timeout(request_timeout, limit)
    chosen = RequestClass(timeout_s, PRIORITIES[request_priority], timeout_s < limit)
    # For the request log line and metrics, which the telemetry middleware writes after the route.
    request.state.priority = request_priority
    request.state.deadline_s = timeout_s
    request.state.deadline = "lowered" if chosen.lowered else "default"
    return chosen


def _timeout(raw: str, limit: float) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or value > limit:
        raise ProblemError(
            400,
            "invalid-request-timeout",
            f"{TIMEOUT_HEADER} must be a number of seconds above 0 and at most {limit:g} "
            "(LEADLIST_REQUEST_TIMEOUT_S); it can only lower the service's deadline.",
            extra={"limit": limit},
        )
    return value


RequestClassDep = Annotated[RequestClass, Depends(request_class)]
