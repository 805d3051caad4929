"""The batcher's queue: model inputs in arrival order and the tokens they hold; no model, no event loop.

A request arrives as prepared jobs and is queued as one entry per model input, so a batch can take part
of a long request and leave the rest for the next call. The queue also keeps every request that is not
yet answered, whether its inputs are queued or inside the running model call: that is what a drain waits
for and what a close must answer. Each change of either count is reported through ``on_change``, so the
queue itself needs no metrics and is tested without a model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from models import Job


@dataclass(eq=False)
class Ticket:
    """One caller's documents on their way through the queue."""

    jobs: list[Job]
    enqueued_at: float
    # Inputs not yet computed; -1 once the request is answered or abandoned, so a model call still
    # running for it can never finish it again.
    remaining: int
    first_batch_at: float | None = None
    abandoned: bool = False


@dataclass(eq=False)
class QueuedInput:
    """One model input of one job."""

    tokens: int
    ticket: Ticket
    job: Job
    index: int

    @property
    def text(self) -> str:
        return self.job.inputs[self.index]


class WorkQueue:
    def __init__(self, on_change: Callable[[int, int], None] | None = None) -> None:
        """``on_change(active_requests, queued_tokens)`` is called after every change of either."""
        self._pending: list[QueuedInput] = []
        self._queued_tokens = 0
        self._active: set[Ticket] = set()
        self._on_change = on_change

    @property
    def queued_tokens(self) -> int:
        return self._queued_tokens

    @property
    def active_requests(self) -> int:
        return len(self._active)

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    @property
    def oldest_enqueued_at(self) -> float:
        """When the request at the head of the queue arrived; the queue must not be empty."""
        return self._pending[0].ticket.enqueued_at

    def add(self, jobs: list[Job], now: float) -> Ticket:
        """Queue every input of ``jobs``; a ticket with nothing to compute has ``remaining == 0``."""
        ticket = Ticket(jobs=jobs, enqueued_at=now, remaining=sum(len(job.inputs) for job in jobs))
        for job in jobs:
            job.outputs = [None] * len(job.inputs)
            for index, tokens in enumerate(job.input_tokens):
                self._pending.append(QueuedInput(tokens, ticket, job, index))
        self._active.add(ticket)
        self._set_tokens(self._queued_tokens + sum(sum(job.input_tokens) for job in jobs))
        return ticket

    def take(self, max_tokens: int, across_requests: bool = True) -> list[QueuedInput]:
        """The oldest queued inputs, in arrival order, up to ``max_tokens`` (at least one input).

        First come, first served: a request usually finishes in one model call, so its latency is its
        wait plus one call. Padding is not this queue's concern: the encoder sorts each call's inputs by
        length and cuts them into well-shaped forward passes, which is as efficient from a few stories
        up as sorting the whole queue would be. ``across_requests=False`` takes from the oldest request
        only.
        """
        if not self._pending:
            return []
        oldest = self._pending[0].ticket
        chosen: list[QueuedInput] = []
        tokens = 0
        for item in self._pending:
            if chosen and tokens + item.tokens > max_tokens:
                break
            if not across_requests and item.ticket is not oldest:
                break
            chosen.append(item)
            tokens += item.tokens
        self._pending = self._pending[len(chosen) :]
        self._set_tokens(self._queued_tokens - tokens)
        return chosen

    def deliver(self, batch: Sequence[QueuedInput], outputs: Sequence[Any]) -> list[Ticket]:
        """Store a model call's outputs in their jobs; the tickets whose last input this call computed."""
        for item, output in zip(batch, outputs, strict=True):
            item.job.outputs[item.index] = output
            item.ticket.remaining -= 1
        tickets = list({id(item.ticket): item.ticket for item in batch}.values())
        return [t for t in tickets if t.remaining == 0 and not t.abandoned]

    def drop(self, ticket: Ticket) -> None:
        """Abandon a request: its queued inputs leave the queue, and it is no longer active."""
        ticket.abandoned = True
        dropped = [item for item in self._pending if item.ticket is ticket]
        if dropped:
            self._pending = [item for item in self._pending if item.ticket is not ticket]
            self._set_tokens(self._queued_tokens - sum(item.tokens for item in dropped))
        self.forget(ticket)

    def forget(self, ticket: Ticket) -> None:
        """The request has been answered (or abandoned): it no longer counts as active."""
        ticket.remaining = -1
        self._active.discard(ticket)
        self._changed()

    def clear(self) -> list[Ticket]:
        """Empty the queue; every request that was still active, for the caller to answer."""
        active = list(self._active)
        for ticket in active:
            self.forget(ticket)
        self._pending.clear()
        self._set_tokens(0)
        return active

    def _set_tokens(self, tokens: int) -> None:
        self._queued_tokens = max(0, tokens)
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(len(self._active), self._queued_tokens)
