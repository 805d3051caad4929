"""Every way the batcher turns a request away, as exceptions the route lets through to one handler.

Each says only what happened; the HTTP status, problem type and ``Retry-After`` of each are one table in
``service.errors``.
"""

from __future__ import annotations


class RefusalError(Exception):
    """Work the batcher will not do, or can no longer finish."""

    # Seconds after which a retry can succeed, when this refusal can estimate it.
    retry_after_s: int | None = None


class QueueFullError(RefusalError):
    """The queued work, plus this, cannot be done in time: come back once the queue has drained."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"queue full; retry after {retry_after_s}s")
        self.retry_after_s = retry_after_s


class RequestTooLargeError(RefusalError):
    """The request alone needs more tokens than the queue may ever hold: no retry can succeed."""

    def __init__(self, tokens: int, limit: int) -> None:
        super().__init__(f"the request needs {tokens} tokens; the queue holds at most {limit}")
        self.tokens = tokens
        self.limit = limit


class DeadlineExceededError(RefusalError):
    """The request's deadline passed before its work was done; its queued work has been dropped."""


class ClientDisconnectedError(RefusalError):
    """The caller went away; its queued work has been dropped."""


class ShuttingDownError(RefusalError):
    """The batcher is draining or stopped."""
