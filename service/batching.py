"""The micro-batcher: model work from concurrent requests, gathered into few, well-shaped model calls.

On a CPU the encoder's cost is set by how its forward passes are shaped, so one worker owns the model:
requests enqueue their inputs (sentences) and await a future; the worker takes the oldest queued inputs,
from as many requests as fit in ``max_batch_tokens``, and hands them to the model in one call, which
sorts them by length into forward passes with little padding. The model runs in a thread so the
event loop keeps answering probes, metrics and new requests. The queue is bounded in tokens: past the
bound a request is refused at once (429) instead of waiting without end, and each request has a
deadline (504) after which its queued work is dropped, as it is when the client goes away.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from models import Document, Job, Summariser, Summary
from models.encoders.padding import padded_tokens, plan_chunks
from service import metrics
from service.memory import release_free_memory

# Refuse new work when the queue ahead of it would take more than this share of the deadline. The share
# is small because the measured rate is the model's alone: splitting, ranking and HTTP on the same cores
# make a request's real wait about 1.5x what the model time predicts (seen under 4x overload).
ADMISSION_DEADLINE_SHARE = 0.25
# Rough tokens per character of English news for MiniLM's tokenizer, used to refuse an overloaded
# request before the cost of splitting and tokenising it (the exact count is checked afterwards).
TOKENS_PER_CHARACTER_ESTIMATE = 0.2

# While the queue never empties, still give freed memory back this often (a trim costs ~2.5 ms).
BUSY_TRIM_INTERVAL_S = 5.0

_T = TypeVar("_T")


class QueueFullError(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"queue full; retry after {retry_after_s}s")
        self.retry_after_s = retry_after_s


class RequestTooLargeError(Exception):
    def __init__(self, tokens: int, limit: int) -> None:
        super().__init__(f"the request needs {tokens} tokens; the queue holds at most {limit}")
        self.tokens = tokens
        self.limit = limit


class DeadlineExceededError(Exception):
    pass


class ClientDisconnectedError(Exception):
    pass


class ShuttingDownError(Exception):
    pass


@dataclass(eq=False)
class _Request:
    """One caller's documents and the future it awaits."""

    jobs: list[Job]
    future: asyncio.Future[list[Summary]]
    enqueued_at: float
    remaining: int
    first_batch_at: float | None = None
    abandoned: bool = False


@dataclass(eq=False)
class _Input:
    """One model input of one job; the queue holds them in arrival order."""

    tokens: int
    request: _Request
    job: Job
    index: int


@dataclass(frozen=True)
class BatchingConfig:
    max_batch_tokens: int = 8192
    max_wait_s: float = 0.005
    max_queue_tokens: int = 262_144
    timeout_s: float = 30.0
    # False: a model call never mixes requests, so the gain of batching can be measured.
    across_requests: bool = True


class BatchQueue:
    def __init__(self, summariser: Summariser, config: BatchingConfig) -> None:
        self.summariser = summariser
        self.config = config
        self._pending: list[_Input] = []
        self._queued_tokens = 0
        # Every request not yet answered, whether its inputs are queued or inside the running model call.
        self._active: set[_Request] = set()
        self._wakeup = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._closing = False
        # (tokens, seconds) of recent model calls: the measured throughput behind admission and Retry-After.
        self._recent_batches: collections.deque[tuple[int, float]] = collections.deque(maxlen=32)
        # Every model call on one thread: each new calling thread gets its own malloc arena and BLAS
        # buffers, and with the event loop's pool of threads taking turns the service grew by ~50 MB per
        # 100 stories at 32 clients; one thread keeps the model's memory in one place.
        self._model_thread: concurrent.futures.ThreadPoolExecutor | None = None
        self._last_trim = time.monotonic()

    @property
    def queued_tokens(self) -> int:
        return self._queued_tokens

    @property
    def active_requests(self) -> int:
        return len(self._active)

    def start(self) -> None:
        if self._model_thread is None:
            self._model_thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="leadlist-model")
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name="leadlist-batcher")

    async def drain(self, grace_s: float) -> None:
        """Refuse new work, give accepted work ``grace_s`` to finish, then fail the rest (503) and stop."""
        self._closing = True
        deadline = time.monotonic() + grace_s
        while self._active and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await self.close()

    async def close(self) -> None:
        """Refuse new work, answer every open request with ShuttingDownError (503), stop the worker.

        Requests whose inputs sit in the model call being cancelled are answered too, not only those
        with inputs still queued: otherwise they would wait until the server cut their connection.
        """
        self._closing = True
        for request in list(self._active):
            self._fail(request, ShuttingDownError("the service is shutting down"))
        self._pending.clear()
        self._set_queue_tokens(0)
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
    ) -> list[Summary]:
        """Summaries of ``documents`` in order; raises the errors above instead of waiting forever."""
        if self._closing:
            raise ShuttingDownError("the service is shutting down")
        timeout_s = self.config.timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + timeout_s
        estimate = int(TOKENS_PER_CHARACTER_ESTIMATE * sum(len(d.text) for d in documents))
        if self._queued_tokens > 0 and self._too_late(estimate, timeout_s):
            # Under overload most arrivals are refused: refusing them before prepare() keeps the
            # cores for the work already accepted.
            metrics.REJECTED.labels(reason="queue_full").inc()
            raise QueueFullError(self._retry_after())
        jobs = await asyncio.to_thread(lambda: [self.summariser.prepare(d) for d in documents])
        if self._closing:
            raise ShuttingDownError("the service is shutting down")
        tokens = sum(t for job in jobs for t in job.input_tokens)
        if tokens > self.config.max_queue_tokens:
            metrics.REJECTED.labels(reason="too_large").inc()
            raise RequestTooLargeError(tokens, self.config.max_queue_tokens)
        if self._queued_tokens + tokens > self.config.max_queue_tokens or (
            self._queued_tokens > 0 and self._too_late(tokens, timeout_s)
        ):
            metrics.REJECTED.labels(reason="queue_full").inc()
            raise QueueFullError(self._retry_after())

        request = self._enqueue(jobs)
        waiters: set[asyncio.Future[Any]] = {request.future}
        watcher = asyncio.ensure_future(disconnected()) if disconnected else None
        if watcher is not None:
            waiters.add(watcher)
        try:
            done, _ = await asyncio.wait(
                waiters, timeout=max(0.0, deadline - time.monotonic()), return_when=asyncio.FIRST_COMPLETED
            )
            if request.future in done:
                return request.future.result()
            reason = "disconnect" if watcher is not None and watcher in done else "timeout"
            self._abandon(request)
            metrics.REJECTED.labels(reason=reason).inc()
            if reason == "disconnect":
                raise ClientDisconnectedError("the client went away")
            raise DeadlineExceededError(f"not served within {timeout_s:g}s")
        finally:
            if watcher is not None:
                watcher.cancel()

    def _enqueue(self, jobs: list[Job]) -> _Request:
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        inputs = sum(len(job.inputs) for job in jobs)
        request = _Request(jobs=jobs, future=loop.create_future(), enqueued_at=now, remaining=inputs)
        for job in jobs:
            job.outputs = [None] * len(job.inputs)
            for index, tokens in enumerate(job.input_tokens):
                self._pending.append(_Input(tokens, request, job, index))
        self._active.add(request)
        metrics.QUEUE_SIZE.set(len(self._active))
        self._set_queue_tokens(self._queued_tokens + sum(sum(job.input_tokens) for job in jobs))
        if inputs == 0:
            # Nothing for the model (e.g. only page furniture): finish without queueing.
            self._settle(request, self._finish(request))
        else:
            self._wakeup.set()
        return request

    def _abandon(self, request: _Request) -> None:
        request.abandoned = True
        dropped = [item for item in self._pending if item.request is request]
        if dropped:
            self._pending = [item for item in self._pending if item.request is not request]
            self._set_queue_tokens(self._queued_tokens - sum(item.tokens for item in dropped))
        self._forget(request)

    def _forget(self, request: _Request) -> None:
        # remaining = -1: a model call still running for this request can never finish it again.
        request.remaining = -1
        self._active.discard(request)
        metrics.QUEUE_SIZE.set(len(self._active))

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                await self._gather_wait()
                batch = self._next_batch()
                if batch:
                    await self._execute(batch)
                if self._pending and time.monotonic() - self._last_trim > BUSY_TRIM_INTERVAL_S:
                    await self._trim()  # a queue that never empties (overload) must not grow without end
            await self._trim()

    async def _trim(self) -> None:
        """Give freed heap memory back to the OS (see service.memory): when the queue empties, and every
        few seconds while it does not."""
        self._last_trim = time.monotonic()
        await self._on_model_thread(release_free_memory)

    async def _gather_wait(self) -> None:
        """Give concurrent requests up to ``max_wait_s`` to join, unless a batch is already full."""
        if not self.config.across_requests:
            return
        oldest = self._pending[0].request.enqueued_at
        while self._queued_tokens < self.config.max_batch_tokens:
            remaining = oldest + self.config.max_wait_s - time.monotonic()
            if remaining <= 0:
                return
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=remaining)
            except TimeoutError:
                return

    def _next_batch(self) -> list[_Input]:
        """The oldest queued inputs, in arrival order, up to ``max_batch_tokens`` (at least one input).

        First come, first served: a request usually finishes in one model call, so its latency is its
        wait plus one call. Padding is not this queue's concern: the encoder sorts each call's inputs by
        length and cuts them into well-shaped forward passes, which is as efficient from a few stories
        up as sorting the whole queue would be.
        """
        oldest = self._pending[0].request
        chosen: list[_Input] = []
        tokens = 0
        for item in self._pending:
            if chosen and tokens + item.tokens > self.config.max_batch_tokens:
                break
            if not self.config.across_requests and item.request is not oldest:
                break
            chosen.append(item)
            tokens += item.tokens
        self._pending = self._pending[len(chosen) :]
        self._set_queue_tokens(self._queued_tokens - tokens)
        return chosen

    async def _on_model_thread(self, function: Callable[..., _T], *args: Any) -> _T:
        if self._model_thread is None:
            raise ShuttingDownError("the batcher is not running")
        return await asyncio.get_running_loop().run_in_executor(self._model_thread, function, *args)

    async def _execute(self, batch: list[_Input]) -> None:
        started = time.monotonic()
        requests = {id(item.request): item.request for item in batch}
        for request in requests.values():
            if request.first_batch_at is None:
                request.first_batch_at = started
                metrics.QUEUE_DURATION.observe(started - request.enqueued_at)
        texts = [item.job.inputs[item.index] for item in batch]
        try:
            outputs = await self._on_model_thread(self.summariser.compute, texts)
            elapsed = time.monotonic() - started
            # The padding plan is a few milliseconds of Python: work out the metric off the event loop.
            padding = await self._on_model_thread(padding_ratio, [item.tokens for item in batch])
        except Exception as exc:
            for request in requests.values():
                self._fail(request, exc)
            return
        self._observe_batch(batch, len(requests), elapsed, padding)
        for item, output in zip(batch, outputs, strict=True):
            item.job.outputs[item.index] = output
            item.request.remaining -= 1
        finished = [r for r in requests.values() if r.remaining == 0 and not r.abandoned]
        if finished:
            # finish() may be real work (an abstractive model's grounding check): keep it off the loop.
            outcomes = await asyncio.to_thread(lambda: [self._finish(request) for request in finished])
            for request, outcome in zip(finished, outcomes, strict=True):
                self._settle(request, outcome)

    def _finish(self, request: _Request) -> list[Summary] | BaseException:
        """A request's summaries, or the error finishing raised; touches no queue state (runs in a thread)."""
        try:
            summaries = [self.summariser.finish(job) for job in request.jobs]
        except Exception as exc:
            return exc
        for summary in summaries:
            metrics.DOCUMENTS.inc()
            metrics.INPUT_CHARACTERS.observe(summary.usage.characters)
            metrics.INPUT_TOKENS.observe(summary.usage.tokens)
            metrics.BULLETS.observe(len(summary.bullets))
            if summary.usage.truncated:
                metrics.TRUNCATED.inc()
            if self.summariser.info.generative:
                metrics.OUTPUT_TOKENS.observe(summary.usage.output_tokens)
                metrics.CHUNKS.observe(summary.usage.chunks)
                metrics.UNSUPPORTED_BULLETS.inc(summary.usage.dropped_bullets)
        return summaries

    def _settle(self, request: _Request, outcome: list[Summary] | BaseException) -> None:
        self._forget(request)
        if request.future.done():
            return
        if isinstance(outcome, BaseException):
            request.future.set_exception(outcome)
        else:
            request.future.set_result(outcome)

    def _fail(self, request: _Request, exc: BaseException) -> None:
        self._settle(request, exc)

    def _observe_batch(self, batch: list[_Input], requests: int, elapsed: float, padding: float) -> None:
        real = sum(item.tokens for item in batch)
        metrics.INFERENCE_DURATION.observe(elapsed)
        metrics.BATCH_SIZE_REQUESTS.observe(requests)
        metrics.BATCH_SIZE_TOKENS.observe(real)
        metrics.BATCH_PADDING_RATIO.observe(padding)
        self._recent_batches.append((real, elapsed))

    def _tokens_per_second(self) -> float | None:
        """Throughput of the recent model calls; None until there is a measurement to trust."""
        seconds = sum(elapsed for _, elapsed in self._recent_batches)
        if len(self._recent_batches) < 4 or seconds <= 0:
            return None
        return sum(tokens for tokens, _ in self._recent_batches) / seconds

    def _too_late(self, tokens: int, timeout_s: float) -> bool:
        """True when the work queued, plus this, cannot be done within the admitted share of the deadline.

        A token bound alone lets a slow machine queue more than it can finish in time, and the callers
        would get 504 after a long wait instead of an immediate 429. Small batches at low load make the
        throughput estimate pessimistic, but then little is queued, so this only bites under pressure.
        """
        rate = self._tokens_per_second()
        return (
            rate is not None and (self._queued_tokens + tokens) / rate > ADMISSION_DEADLINE_SHARE * timeout_s
        )

    def _retry_after(self) -> int:
        rate = self._tokens_per_second() or 2000.0
        return max(1, math.ceil(self._queued_tokens / rate))

    def _set_queue_tokens(self, tokens: int) -> None:
        self._queued_tokens = max(0, tokens)
        metrics.QUEUE_TOKENS.set(self._queued_tokens)


def padding_ratio(tokens: Sequence[int]) -> float:
    """Share of the tokens the encoder's forward-pass plan computes for these inputs that is padding."""
    lengths = sorted(tokens, reverse=True)
    padded = padded_tokens(lengths, plan_chunks(lengths))
    return 1.0 - sum(lengths) / padded if padded else 0.0
