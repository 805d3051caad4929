"""The batcher's worker: the scheduler loop, the one thread the model runs on, and the drain.

The model runs in a thread so the event loop keeps answering probes, metrics and new requests, and it
always runs on the same thread: each new calling thread gets its own malloc arena and BLAS buffers, so
with the event loop's pool of threads taking turns the service's memory keeps growing; one thread keeps
the model's memory in one place. When the queue empties, and every few seconds while it does not, freed
heap memory is given back to the operating system (see ``service.memory``).

The scheduling policy (``BatchingConfig.scheduler``) decides which queued inputs make each model call;
see ``service.batching.queue``. Under the size-fair policy a request's inputs are taken in slices sized
in time, not tokens: ``slice_s`` of model work at the throughput measured over recent calls, so that a
short request arriving behind a long one waits for about one slice however busy the machine is.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from models import Document, Job, Padding, ReportsPadding, Summariser, Summary
from service import metrics
from service.batching.admission import Admission
from service.batching.observe import observe_documents, observe_model_call, observe_queue
from service.batching.queue import Priority, QueuedInput, Ticket, WorkQueue
from service.batching.refusals import ClientDisconnectedError, DeadlineExceededError, ShuttingDownError
from service.memory import release_free_memory

# A slice is never cut smaller than this (a forward pass costs about 50 tokens of overhead, so smaller
# slices waste most of each call); DEFAULT_SLICE_TOKENS is used until model calls have been measured.
MIN_SLICE_TOKENS = 64
DEFAULT_SLICE_TOKENS = 256
SLICE_DITHER = (0.75, 1.25)
# While the queue never empties, still give freed memory back this often (a trim costs ~2.5 ms).
BUSY_TRIM_INTERVAL_S = 5.0

_T = TypeVar("_T")


@dataclass(frozen=True)
class BatchingConfig:
    max_batch_tokens: int = 8192
    max_wait_s: float = 0.005
    max_queue_tokens: int = 262_144
    timeout_s: float = 30.0
    # False: a model call never mixes requests, so the gain of batching can be measured.
    across_requests: bool = True
    # "fair": deficit round-robin by tokens in slices of ``slice_s``; "fifo": oldest inputs first.
    scheduler: Literal["fair", "fifo"] = "fair"
    slice_s: float = 0.025


class BatchQueue:
    def __init__(self, summariser: Summariser, config: BatchingConfig) -> None:
        self.summariser = summariser
        self.config = config
        self._queue = WorkQueue(on_change=observe_queue)
        self._admission = Admission()
        self._futures: dict[Ticket, asyncio.Future[list[Summary]]] = {}
        self._padding = summariser if isinstance(summariser, ReportsPadding) else None
        self._wakeup = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._closing = False
        self._model_thread: concurrent.futures.ThreadPoolExecutor | None = None
        self._last_trim = time.monotonic()
        self._slices = 0
        self._finishing: set[asyncio.Task[None]] = set()

    @property
    def queued_tokens(self) -> int:
        return self._queue.queued_tokens

    @property
    def active_requests(self) -> int:
        return self._queue.active_requests

    def start(self) -> None:
        if self._model_thread is None:
            self._model_thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="leadlist-model")
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name="leadlist-batcher")

    async def drain(self, grace_s: float) -> None:
        """Refuse new work, give accepted work ``grace_s`` to finish, then fail the rest (503) and stop."""
        self._closing = True
        deadline = time.monotonic() + grace_s
        while self._queue.active_requests and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await self.close()

    async def close(self) -> None:
        """Refuse new work, answer every open request with ShuttingDownError (503), stop the worker.

        Requests whose inputs sit in the model call being cancelled are answered too, not only those
        with inputs still queued: otherwise they would wait until the server cut their connection.
        """
        self._closing = True
        for ticket in self._queue.clear():
            self._settle(ticket, ShuttingDownError("the service is shutting down"))
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None
        if self._model_thread is not None:
            # A model call still running finishes on its own; nothing waits for it.
            self._model_thread.shutdown(wait=False, cancel_futures=True)
            self._model_thread = None

    async def summarise(
        self,
        documents: Sequence[Document],
        disconnected: Callable[[], Awaitable[None]] | None = None,
        timeout_s: float | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> list[Summary]:
        """Summaries of ``documents`` in order; raises a ``RefusalError`` instead of waiting forever.

        ``timeout_s`` is this request's deadline (the configured one when None); ``priority`` its class.
        """
        if self._closing:
            raise ShuttingDownError("the service is shutting down")
        timeout_s = self.config.timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + timeout_s
        estimate = self._admission.estimate_tokens(documents)
        self._admission.check_estimate(
            ahead=self.work_ahead(estimate, priority),
            estimate=estimate,
            timeout_s=timeout_s,
            priority=priority,
        )
        jobs = await asyncio.to_thread(lambda: [self.summariser.prepare(d) for d in documents])
        if self._closing:
            raise ShuttingDownError("the service is shutting down")
        tokens = sum(t for job in jobs for t in job.input_tokens)
        self._admission.check(
            ahead=self.work_ahead(tokens, priority),
            queued=self._queue.queued_tokens,
            tokens=tokens,
            max_queue_tokens=self.config.max_queue_tokens,
            timeout_s=timeout_s,
            priority=priority,
        )

        ticket, future = self._enqueue(jobs, priority)
        waiters: set[asyncio.Future[Any]] = {future}
        watcher = asyncio.ensure_future(disconnected()) if disconnected else None
        if watcher is not None:
            waiters.add(watcher)
        try:
            done, _ = await asyncio.wait(
                waiters, timeout=max(0.0, deadline - time.monotonic()), return_when=asyncio.FIRST_COMPLETED
            )
            if future in done:
                return future.result()
            reason = "disconnect" if watcher is not None and watcher in done else "timeout"
            self._queue.drop(ticket)
            self._futures.pop(ticket, None)
            metrics.REJECTED.labels(reason=reason).inc()
            if reason == "disconnect":
                raise ClientDisconnectedError("the client went away")
            raise DeadlineExceededError(f"not served within {timeout_s:g}s")
        finally:
            if watcher is not None:
                watcher.cancel()

    def work_ahead(self, tokens: int, priority: Priority = Priority.INTERACTIVE) -> int:
        """Queued tokens that would run before the last input of a new request of ``tokens`` tokens.

        First come, first served: everything queued. Size-fair: each waiting request of the same or a
        more urgent class advances by as much as the newcomer does, so at most ``tokens`` of each; work
        of a less urgent class waits for it and is not ahead at all.
        """
        if self.config.scheduler == "fifo":
            return self._queue.queued_tokens
        return sum(
            min(ticket.pending_tokens, tokens)
            for ticket in self._queue.waiting()
            if ticket.priority <= priority
        )

    def slice_tokens(self) -> int:
        """The tokens one request may add to a model call under the size-fair policy: ``slice_s`` of
        model time, and never so few that a call's fixed cost is more than half of it (on a busy machine
        that cost grows, and so do the slices, rather than the long request paying it ever more often).
        """
        cost = self._admission.call_cost()
        if cost is not None:
            fixed_s, per_token_s = cost
            tokens = max(self.config.slice_s, fixed_s) / per_token_s
        else:
            rate = self._admission.tokens_per_second()
            tokens = DEFAULT_SLICE_TOKENS if rate is None else rate * self.config.slice_s
        # Alternate slices a quarter above and below the target: calls of one size alone (a long
        # request on its own) would leave the fixed and the per-token cost impossible to tell apart.
        self._slices += 1
        tokens *= SLICE_DITHER[self._slices % len(SLICE_DITHER)]
        return max(MIN_SLICE_TOKENS, min(self.config.max_batch_tokens, int(tokens)))

    def _enqueue(
        self, jobs: list[Job], priority: Priority = Priority.INTERACTIVE
    ) -> tuple[Ticket, asyncio.Future[list[Summary]]]:
        future: asyncio.Future[list[Summary]] = asyncio.get_running_loop().create_future()
        ticket = self._queue.add(jobs, time.monotonic(), priority)
        self._futures[ticket] = future
        if ticket.remaining == 0:
            # Nothing for the model (e.g. only page furniture): finish without queueing.
            self._settle(ticket, self._finish(ticket))
        else:
            self._wakeup.set()
        return ticket, future

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue.has_pending:
                await self._gather_wait()
                batch = self._take()
                if batch:
                    await self._execute(batch)
                if self._queue.has_pending and time.monotonic() - self._last_trim > BUSY_TRIM_INTERVAL_S:
                    await self._trim()  # a queue that never empties (overload) must not grow without end
            await self._trim()

    def _take(self) -> list[QueuedInput]:
        if self.config.scheduler == "fifo" or not self.config.across_requests:
            return self._queue.take(self.config.max_batch_tokens, self.config.across_requests)
        return self._queue.take_fair(self.config.max_batch_tokens, self.slice_tokens())

    async def _trim(self) -> None:
        self._last_trim = time.monotonic()
        await self._on_model_thread(release_free_memory)

    async def _gather_wait(self) -> None:
        """Give concurrent requests up to ``max_wait_s`` to join, unless a batch is already full."""
        if not self.config.across_requests:
            return
        oldest = self._queue.oldest_enqueued_at
        while self._queue.queued_tokens < self.config.max_batch_tokens:
            remaining = oldest + self.config.max_wait_s - time.monotonic()
            if remaining <= 0:
                return
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=remaining)
            except TimeoutError:
                return

    async def _on_model_thread(self, function: Callable[..., _T], *args: Any) -> _T:
        if self._model_thread is None:
            raise ShuttingDownError("the batcher is not running")
        return await asyncio.get_running_loop().run_in_executor(self._model_thread, function, *args)

    def _compute(self, texts: list[str]) -> tuple[list[Any], Padding | None]:
        """The model call, and its padding read on the same thread before another call can replace it."""
        outputs = self.summariser.compute(texts)
        return outputs, self._padding.last_padding() if self._padding is not None else None

    async def _execute(self, batch: list[QueuedInput]) -> None:
        started = time.monotonic()
        tickets = list({id(item.ticket): item.ticket for item in batch}.values())
        for ticket in tickets:
            if ticket.first_batch_at is None:
                ticket.first_batch_at = started
                metrics.QUEUE_DURATION.observe(started - ticket.enqueued_at)
        try:
            outputs, padding = await self._on_model_thread(self._compute, [item.text for item in batch])
        except Exception as exc:
            for ticket in tickets:
                self._settle(ticket, exc)
            return
        elapsed = time.monotonic() - started
        tokens = sum(item.tokens for item in batch)
        observe_model_call(len(tickets), tokens, elapsed, padding)
        self._admission.record(tokens, elapsed)
        finished = self._queue.deliver(batch, outputs)
        if finished:
            # Finishing (ranking; an abstractive model's grounding check) runs beside the next model
            # call, not before it: a long document's ranking must not hold up everyone else's next slice.
            task = asyncio.create_task(self._finish_all(finished))
            self._finishing.add(task)
            task.add_done_callback(self._finishing.discard)

    async def _finish_all(self, finished: list[Ticket]) -> None:
        # finish() may be real work: keep it off the event loop.
        outcomes = await asyncio.to_thread(lambda: [self._finish(ticket) for ticket in finished])
        for ticket, outcome in zip(finished, outcomes, strict=True):
            self._settle(ticket, outcome)

    def _finish(self, ticket: Ticket) -> list[Summary] | BaseException:
        """A request's summaries, or the error finishing raised; touches no queue state (runs in a thread)."""
        try:
            summaries = [self.summariser.finish(job) for job in ticket.jobs]
        except Exception as exc:
            return exc
        observe_documents(summaries, self.summariser.info.generative)
        return summaries

    def _settle(self, ticket: Ticket, outcome: list[Summary] | BaseException) -> None:
        self._queue.forget(ticket)
        future = self._futures.pop(ticket, None)
        if future is None or future.done():
            return
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
