"""The batcher's queue: each request's model inputs and the tokens they hold; no model, no event loop.

A request arrives as prepared jobs and is queued as one entry per model input, so a model call can take
part of a long request and leave the rest for the next call. Two ways of choosing a call's inputs:

- ``take`` (first come, first served): the oldest inputs, whoever they belong to. A long document ahead
  fills every call until it is done, so a short request behind it waits for all of it.
- ``take_fair`` (size-fair, the default): deficit round-robin by tokens. Every waiting request gets up to
  ``slice_tokens`` of each call, the request served longest ago first, until the call is full; a
  ``batch``-priority request only when no ``interactive`` one waits. Requests that one slice finishes
  go first, in a call without the others' slices, but a request is never passed over twice in a row.
  A short request therefore waits for at most the model call already running and then its own small
  one, a long one advances by a slice in at least every other call and so always finishes, and many
  short requests still share one call as before.

The queue also keeps every request that is not yet answered, whether its inputs are queued or inside
the running model call: that is what a drain waits for and what a close must answer. Each change of
either count is reported through ``on_change``, so the queue itself needs no metrics and is tested
without a model.
"""

from __future__ import annotations

import collections
import enum
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from models import Job

# The most slices the fair policy cuts a request into while it is the only one waiting: 10,000 one-word
# lines (30,000 tokens in 10,000 tiny inputs) then get slices of at least ~235 tokens, an
# 80,000-character document (~18,000 tokens) ~140 (~45 ms on two cores, the most a short request
# arriving meanwhile waits for the call already running; at 64 slices it was ~80 ms). Beside other
# requests every request gets the time-sized slice.
MAX_SLICES = 128


class Priority(enum.IntEnum):
    """Lower runs first. ``batch`` work runs only when no ``interactive`` work waits."""

    INTERACTIVE = 0
    BATCH = 1


@dataclass(eq=False)
class Ticket:
    """One caller's documents on their way through the queue."""

    jobs: list[Job]
    enqueued_at: float
    # Inputs not yet computed; -1 once the request is answered or abandoned, so a model call still
    # running for it can never finish it again.
    remaining: int
    priority: Priority = Priority.INTERACTIVE
    first_batch_at: float | None = None
    abandoned: bool = False
    pending: collections.deque[QueuedInput] = field(default_factory=collections.deque)
    # Tokens of ``pending``, and of all the request's inputs.
    pending_tokens: int = 0
    total_tokens: int = 0
    # When, on the queue's clock, this request was last served (its arrival before the first call):
    # the fair policy serves the request served longest ago first.
    last_served: int = 0

    def pop(self) -> QueuedInput:
        """The next queued input of this request, leaving the queue."""
        item = self.pending.popleft()
        self.pending_tokens -= item.tokens
        return item


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
        # Requests with inputs still queued, in arrival order.
        self._waiting: list[Ticket] = []
        self._queued_tokens = 0
        self._active: set[Ticket] = set()
        self._on_change = on_change
        # Counts arrivals and fair model calls, so the two can be ordered against each other.
        self._clock = itertools.count()
        # Whether the last fair call left out requests it could not finish (see ``take_fair``).
        self._passed_over = False

    @property
    def queued_tokens(self) -> int:
        return self._queued_tokens

    @property
    def active_requests(self) -> int:
        return len(self._active)

    @property
    def has_pending(self) -> bool:
        return bool(self._waiting)

    @property
    def oldest_enqueued_at(self) -> float:
        """When the oldest request with queued inputs arrived; the queue must not be empty."""
        return self._waiting[0].enqueued_at

    def waiting(self) -> list[Ticket]:
        """Requests with inputs still queued, oldest first (admission sizes a newcomer's wait by them)."""
        return list(self._waiting)

    def add(self, jobs: list[Job], now: float, priority: Priority = Priority.INTERACTIVE) -> Ticket:
        """Queue every input of ``jobs``; a ticket with nothing to compute has ``remaining == 0``."""
        ticket = Ticket(
            jobs=jobs,
            enqueued_at=now,
            remaining=sum(len(job.inputs) for job in jobs),
            priority=priority,
            last_served=next(self._clock),
        )
        for job in jobs:
            job.outputs = [None] * len(job.inputs)
            for index, tokens in enumerate(job.input_tokens):
                ticket.pending.append(QueuedInput(tokens, ticket, job, index))
                ticket.pending_tokens += tokens
        ticket.total_tokens = ticket.pending_tokens
        if ticket.pending:
            self._waiting.append(ticket)
        self._active.add(ticket)
        self._set_tokens(self._queued_tokens + sum(sum(job.input_tokens) for job in jobs))
        return ticket

    def take(self, max_tokens: int, across_requests: bool = True) -> list[QueuedInput]:
        """First come, first served: the oldest queued inputs, up to ``max_tokens`` (at least one input).

        ``across_requests=False`` takes from the oldest request only. Padding is not this queue's
        concern: the encoder sorts each call's inputs by length and cuts them into well-shaped forward
        passes.
        """
        chosen: list[QueuedInput] = []
        tokens = 0
        for ticket in list(self._waiting):
            while ticket.pending and not (chosen and tokens + ticket.pending[0].tokens > max_tokens):
                item = ticket.pop()
                chosen.append(item)
                tokens += item.tokens
            if ticket.pending or not across_requests:
                break
        return self._taken(chosen, tokens)

    def take_fair(self, max_tokens: int, slice_tokens: int) -> list[QueuedInput]:
        """Deficit round-robin by tokens: up to ``slice_tokens`` from each waiting request of the most
        urgent priority that waits, the one served longest ago first, up to ``max_tokens`` in all; except
        that requests this call can finish (at most ``slice_tokens`` left) get a call of their own before
        the others, which are never passed over twice in a row.

        A request gets at least one input when it is visited, so an input longer than a slice still
        runs; and a request alone is never cut into more than ``MAX_SLICES`` slices, so a huge request of
        tiny inputs does not pay a model call's fixed cost thousands of times while nobody else waits.
        """
        if not self._waiting:
            return []
        call = next(self._clock)
        urgent = min(ticket.priority for ticket in self._waiting)
        turn = sorted((t for t in self._waiting if t.priority == urgent), key=lambda t: t.last_served)
        finishing = [t for t in turn if t.pending_tokens <= slice_tokens]
        if finishing and len(finishing) < len(turn) and not self._passed_over:
            # Shortest remaining first, with ageing: the requests this call can finish get it to
            # themselves, so a short request waits for the call already running and its own small one
            # instead of also for a slice of every long request; the long ones are passed over for at
            # most this one call, and so still get every other call however many short ones arrive.
            turn, self._passed_over = finishing, True
        else:
            self._passed_over = False
        chosen: list[QueuedInput] = []
        tokens = 0
        for ticket in turn:
            share = 0
            alone = len(turn) == 1
            allowed = max(slice_tokens, -(-ticket.total_tokens // MAX_SLICES)) if alone else slice_tokens
            while ticket.pending:
                size = ticket.pending[0].tokens
                if (share and share + size > allowed) or (chosen and tokens + size > max_tokens):
                    break
                chosen.append(ticket.pop())
                share += size
                tokens += size
            if share:
                ticket.last_served = call
            if tokens >= max_tokens:
                break
        return self._taken(chosen, tokens)

    def deliver(self, batch: Sequence[QueuedInput], outputs: Sequence[Any]) -> list[Ticket]:
        """Store a model call's outputs in their jobs; the tickets whose last input this call computed."""
        for item, output in zip(batch, outputs, strict=True):
            item.job.outputs[item.index] = output
            item.ticket.remaining -= 1
        return [t for t in _tickets(batch) if t.remaining == 0 and not t.abandoned]

    def drop(self, ticket: Ticket) -> None:
        """Abandon a request: its queued inputs leave the queue, and it is no longer active."""
        ticket.abandoned = True
        if ticket.pending:
            dropped = ticket.pending_tokens
            ticket.pending.clear()
            ticket.pending_tokens = 0
            self._waiting = [t for t in self._waiting if t is not ticket]
            self._set_tokens(self._queued_tokens - dropped)
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
        for ticket in self._waiting:
            ticket.pending.clear()
        self._waiting.clear()
        self._set_tokens(0)
        return active

    def _taken(self, chosen: list[QueuedInput], tokens: int) -> list[QueuedInput]:
        if chosen:
            self._waiting = [t for t in self._waiting if t.pending]
            self._set_tokens(self._queued_tokens - tokens)
        return chosen

    def _set_tokens(self, tokens: int) -> None:
        self._queued_tokens = max(0, tokens)
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(len(self._active), self._queued_tokens)


def _tickets(batch: Iterable[QueuedInput]) -> list[Ticket]:
    """The distinct requests of a batch, in the batch's order."""
    return list({id(item.ticket): item.ticket for item in batch}.values())
