"""Admission: whether queued work plus a new request can be done in time, and when to retry if not.

A token bound alone lets a slow machine queue more than it can finish before the deadline, and callers
would get a 504 after a long wait instead of an immediate 429. So admission also measures the model's
throughput over its recent calls and refuses work that would finish after a share of the deadline. The
estimate from characters lets an overloaded service refuse before the cost of splitting and tokenising a
request; the exact token count is checked once it is prepared.

What counts as "ahead" of a request is the scheduler's business (``BatchQueue.work_ahead``): under the
size-fair policy a short request shares every model call with a long one, so only the long one's first
slices are ahead of it, not all of its tokens, and a two-sentence request is not refused because an
80,000-character document is queued. ``batch``-priority work is refused first: it must fit in half the
queue and half the deadline share an ``interactive`` request may use.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Sequence

from models import Document
from service import metrics
from service.batching.queue import Priority
from service.batching.refusals import QueueFullError, RequestTooLargeError

# Refuse new work when the queue ahead of it would take more than this share of the deadline. The share
# is small because the measured rate is the model's alone: splitting, ranking and HTTP on the same cores
# make a request's real wait about 1.5x what the model time predicts.
ADMISSION_DEADLINE_SHARE = 0.25
# Rough tokens per character of English news for MiniLM's tokenizer, used to refuse an overloaded
# request before the cost of splitting and tokenising it (the exact count is checked afterwards).
TOKENS_PER_CHARACTER_ESTIMATE = 0.2
# The throughput Retry-After assumes before any model call has been measured.
FALLBACK_TOKENS_PER_SECOND = 2000.0
# The share of the queue and of the deadline share a batch-priority request may use, so that under rising
# load batch work is refused before interactive work is.
BATCH_SHARE = 0.5
# Model calls the throughput is measured over, and how many it needs before it is trusted.
RECENT_CALLS = 32
TRUSTED_AFTER_CALLS = 4


class Admission:
    def __init__(self) -> None:
        # (tokens, seconds) of recent model calls.
        self._recent: collections.deque[tuple[int, float]] = collections.deque(maxlen=RECENT_CALLS)

    def record(self, tokens: int, seconds: float) -> None:
        """One model call's real tokens and how long it took."""
        self._recent.append((tokens, seconds))

    def tokens_per_second(self) -> float | None:
        """Throughput of the recent model calls; None until there is a measurement to trust."""
        seconds = sum(elapsed for _, elapsed in self._recent)
        if len(self._recent) < TRUSTED_AFTER_CALLS or seconds <= 0:
            return None
        return sum(tokens for tokens, _ in self._recent) / seconds

    @staticmethod
    def estimate_tokens(documents: Sequence[Document]) -> int:
        """Model tokens ``documents`` will need, from their characters alone (before preparing)."""
        return int(TOKENS_PER_CHARACTER_ESTIMATE * sum(len(d.text) for d in documents))

    def call_cost(self) -> tuple[float, float] | None:
        """(seconds every call costs, seconds each token adds), fitted by least squares over the recent
        calls; None until they are trusted and differ enough in size to tell the two apart.

        The scheduler sizes slices from this: the average rate alone would see small slices as slow
        and cut them smaller still, paying the fixed cost ever more often.
        """
        if len(self._recent) < TRUSTED_AFTER_CALLS:
            return None
        mean_tokens = sum(tokens for tokens, _ in self._recent) / len(self._recent)
        mean_seconds = sum(seconds for _, seconds in self._recent) / len(self._recent)
        spread = sum((tokens - mean_tokens) ** 2 for tokens, _ in self._recent)
        if spread < (0.1 * mean_tokens) ** 2 * len(self._recent):
            return None
        covariance = sum((tokens - mean_tokens) * (took - mean_seconds) for tokens, took in self._recent)
        per_token = covariance / spread
        if per_token <= 0:
            return None
        return max(0.0, mean_seconds - per_token * mean_tokens), per_token

    def check_estimate(
        self, *, ahead: int, estimate: int, timeout_s: float, priority: Priority = Priority.INTERACTIVE
    ) -> None:
        """Before preparing: refuse (QueueFullError) when even the estimated tokens cannot make it.

        ``ahead``: the queued tokens that would run before this request's last input. Under overload
        most arrivals are refused: refusing them before ``prepare`` keeps the cores for the work
        already accepted.
        """
        if ahead > 0 and self._too_late(ahead + estimate, timeout_s * _share(priority)):
            raise self._queue_full(ahead)

    def check(
        self,
        *,
        ahead: int,
        queued: int,
        tokens: int,
        max_queue_tokens: int,
        timeout_s: float,
        priority: Priority = Priority.INTERACTIVE,
    ) -> None:
        """After preparing: refuse a request that can never fit (RequestTooLargeError), or one that does
        not fit now or would finish too late (QueueFullError).

        ``ahead`` is the work that runs before this request's last input, ``queued`` all queued work.
        """
        if tokens > max_queue_tokens:
            metrics.REJECTED.labels(reason="too_large").inc()
            raise RequestTooLargeError(tokens, max_queue_tokens)
        share = _share(priority)
        # Alone, any request that fits the queue is let in, batch or not: nothing else would ever be.
        room = max_queue_tokens if queued == 0 else max_queue_tokens * share
        if queued + tokens > room or (ahead > 0 and self._too_late(ahead + tokens, timeout_s * share)):
            raise self._queue_full(ahead)

    def retry_after(self, queued: int) -> int:
        """Whole seconds until the queued work is done at the measured rate; at least one."""
        rate = self.tokens_per_second() or FALLBACK_TOKENS_PER_SECOND
        return max(1, math.ceil(queued / rate))

    def _too_late(self, tokens: int, timeout_s: float) -> bool:
        """Small batches at low load make the rate pessimistic, but then little is queued, so this only
        bites under pressure."""
        rate = self.tokens_per_second()
        return rate is not None and tokens / rate > ADMISSION_DEADLINE_SHARE * timeout_s

    def _queue_full(self, queued: int) -> QueueFullError:
        metrics.REJECTED.labels(reason="queue_full").inc()
        return QueueFullError(self.retry_after(queued))


def _share(priority: Priority) -> float:
    return BATCH_SHARE if priority is Priority.BATCH else 1.0
