"""The micro-batcher on the real model: same answers as alone, bounded queue, deadlines, disconnects."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from load._stories import BRIDGE, BRIDGE_TITLE, LONG_STORY, STORM
from models import Document, Job, Summariser, Summary, summarise
from service.app import create_app
from service.batching import BatchingConfig, BatchQueue, QueueFullError
from service.settings import Settings
from tests.support.app import wait_ready
from tests.support.live import live_server

DOCUMENTS = [
    Document(BRIDGE, title=BRIDGE_TITLE),
    Document(STORM),
    Document(LONG_STORY, max_bullets=4),
    Document("A single short sentence to summarise."),
    Document(STORM, min_bullets=5),
]


def sample(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


def test_batched_results_equal_results_alone(summariser: Summariser) -> None:
    alone = [summarise(summariser, [document])[0] for document in DOCUMENTS]
    # A small budget forces every request to span several batches, and each batch to mix requests.
    config = BatchingConfig(max_batch_tokens=512, max_wait_s=0.05)
    batches_before = sample("leadlist_batch_size_requests_count")
    mixed_before = sample("leadlist_batch_size_requests_sum")

    async def run() -> list[list[object]]:
        queue = BatchQueue(summariser, config)
        queue.start()
        try:
            results = await asyncio.gather(*(queue.summarise([d]) for d in DOCUMENTS * 3))
        finally:
            await queue.close()
        return [list(r) for r in results]

    results = asyncio.run(run())
    batches = sample("leadlist_batch_size_requests_count") - batches_before
    requests_in_batches = sample("leadlist_batch_size_requests_sum") - mixed_before
    assert batches > len(DOCUMENTS)  # requests were split across batches...
    assert requests_in_batches > batches  # ...and batches served several requests
    for position, [batched] in enumerate(results):
        expected = alone[position % len(DOCUMENTS)]
        assert [b.text for b in batched.bullets] == [b.text for b in expected.bullets]  # type: ignore[attr-defined]
        for got, want in zip(batched.bullets, expected.bullets, strict=True):  # type: ignore[attr-defined]
            assert got.score == pytest.approx(want.score, abs=1e-4)
            assert (got.start, got.end) == (want.start, want.end)


@pytest.mark.live
def test_full_queue_answers_429_with_retry_after(summariser: Summariser) -> None:
    # The first request waits a full second for company, holding its tokens in the queue; the bound
    # admits one such story at a time, so the second is refused at once.
    settings = Settings(max_queue_tokens=1024, max_batch_wait_ms=1000, cache_mb=0)
    rejected_before = sample("leadlist_rejected_total", {"reason": "queue_full"})
    with live_server(settings, summariser) as base, ThreadPoolExecutor(2) as pool:
        first = pool.submit(httpx.post, f"{base}/v1/summarize", json={"text": LONG_STORY}, timeout=30)
        time.sleep(0.3)
        started = time.monotonic()
        second = httpx.post(f"{base}/v1/summarize", json={"text": LONG_STORY}, timeout=30)
        refused_in = time.monotonic() - started
        assert first.result().status_code == 200
    assert second.status_code == 429
    assert second.headers["content-type"].startswith("application/problem+json")
    assert int(second.headers["retry-after"]) >= 1
    assert refused_in < 0.5
    assert sample("leadlist_rejected_total", {"reason": "queue_full"}) == rejected_before + 1


def test_deadline_answers_504_and_drops_the_queued_work(summariser: Summariser) -> None:
    settings = Settings(request_timeout_s=0.2, max_batch_wait_ms=1000)
    timeouts_before = sample("leadlist_rejected_total", {"reason": "timeout"})
    with TestClient(create_app(settings, summariser=summariser)) as client:
        wait_ready(client)
        response = client.post("/v1/summarize", json={"text": LONG_STORY})
        assert response.status_code == 504
        assert response.json()["type"].endswith("deadline-exceeded")
        assert client.app.state.engine.queued_tokens == 0  # type: ignore[attr-defined]
        assert client.app.state.engine.active_requests == 0  # type: ignore[attr-defined]
    assert sample("leadlist_rejected_total", {"reason": "timeout"}) == timeouts_before + 1


@pytest.mark.live
def test_a_client_that_goes_away_has_its_work_dropped(summariser: Summariser) -> None:
    settings = Settings(max_batch_wait_ms=1000)
    gone_before = sample("leadlist_rejected_total", {"reason": "disconnect"})
    with live_server(settings, summariser) as base:
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(f"{base}/v1/summarize", json={"text": LONG_STORY}, timeout=0.3)
        deadline = time.monotonic() + 5
        while sample("leadlist_rejected_total", {"reason": "disconnect"}) == gone_before:
            assert time.monotonic() < deadline, "the disconnect was never noticed"
            time.sleep(0.02)
        assert sample("leadlist_queue_tokens") == 0


@pytest.mark.live
def test_livez_answers_while_a_long_batch_runs(summariser: Summariser) -> None:
    huge = " ".join(
        f"Sentence number {i} tells part of a very long story about the river." for i in range(1200)
    )
    with live_server(Settings(max_batch_tokens=65536), summariser) as base:
        finished_at: list[float] = []

        def long_request() -> None:
            httpx.post(f"{base}/v1/summarize", json={"text": huge}, timeout=60).raise_for_status()
            finished_at.append(time.monotonic())

        worker = threading.Thread(target=long_request)
        worker.start()
        while sample("leadlist_queue_size") == 0 and worker.is_alive():
            time.sleep(0.005)
        time.sleep(0.2)  # well inside the model call
        started = time.monotonic()
        live = httpx.get(f"{base}/livez", timeout=5)
        answered_at = time.monotonic()
        worker.join()
    assert live.status_code == 200
    assert finished_at
    assert answered_at < finished_at[0]
    assert answered_at - started < 0.25


@pytest.mark.live
def test_batching_off_never_mixes_requests(summariser: Summariser) -> None:
    settings = Settings(batching=False, cache_mb=0)
    count_before = sample("leadlist_batch_size_requests_count")
    sum_before = sample("leadlist_batch_size_requests_sum")
    with live_server(settings, summariser) as base, ThreadPoolExecutor(6) as pool:
        responses = list(
            pool.map(lambda _: httpx.post(f"{base}/v1/summarize", json={"text": STORM}, timeout=30), range(6))
        )
    assert all(r.status_code == 200 for r in responses)
    batches = sample("leadlist_batch_size_requests_count") - count_before
    assert batches >= 6
    assert sample("leadlist_batch_size_requests_sum") - sum_before == batches


def test_work_that_cannot_finish_in_time_is_refused_at_once(summariser: Summariser) -> None:
    """Admission uses measured throughput: too much queued work for the deadline is a 429, not a 504."""

    async def run() -> None:
        queue = BatchQueue(summariser, BatchingConfig(max_batch_tokens=512, max_wait_s=0.0))
        queue.start()
        try:
            for _ in range(3):  # several batches each: a measured throughput to trust
                await queue.summarise([Document(LONG_STORY)])
            # Hold the next request in the queue (it waits for company) so there is work ahead.
            queue.config = BatchingConfig(max_batch_tokens=65536, max_wait_s=1.5)
            waiting = asyncio.ensure_future(queue.summarise([Document(STORM)]))
            while queue.queued_tokens == 0:
                await asyncio.sleep(0.005)
            started = time.monotonic()
            with pytest.raises(QueueFullError) as refused:
                await queue.summarise([Document(LONG_STORY)], timeout_s=1e-3)
            assert time.monotonic() - started < 1.0
            assert refused.value.retry_after_s >= 1
            [held] = await waiting  # the queued request is still served
            assert held.bullets
            [alone] = await queue.summarise([Document(LONG_STORY)], timeout_s=1e-3 + 30)
            assert alone.bullets  # on an idle queue a request is admitted and served
        finally:
            await queue.close()

    asyncio.run(run())


class ThreadRecorder:
    """The real summariser, noting which thread each model call and which inputs it ran on."""

    def __init__(self, inner: Summariser) -> None:
        self.inner = inner
        self.info = inner.info
        self.calls: list[tuple[str, list[str]]] = []

    def prepare(self, document: Document) -> Job:
        return self.inner.prepare(document)

    def compute(self, inputs: Sequence[str]) -> list[Any]:
        self.calls.append((threading.current_thread().name, list(inputs)))
        return self.inner.compute(inputs)

    def finish(self, job: Job) -> Summary:
        return self.inner.finish(job)


@pytest.mark.parametrize("scheduler", ["fifo", "fair"])
def test_model_calls_run_on_one_thread_and_compute_every_input_once(
    summariser: Summariser, scheduler: Literal["fifo", "fair"]
) -> None:
    recorder = ThreadRecorder(summariser)
    stories = [Document(STORM), Document(BRIDGE, title=BRIDGE_TITLE), Document(LONG_STORY)]
    padding_before = sample("leadlist_batch_padding_ratio_count")
    jobs = [summariser.prepare(story) for story in stories]

    async def run() -> None:
        # A budget of one story's tokens and a long wait: all three queue before the first call runs.
        budget = max(sum(job.input_tokens) for job in jobs)
        config = BatchingConfig(max_batch_tokens=budget, max_wait_s=0.3, scheduler=scheduler)
        queue = BatchQueue(recorder, config)
        queue.start()
        try:
            await asyncio.gather(*(queue.summarise([story]) for story in stories))
        finally:
            await queue.close()

    asyncio.run(run())
    assert len(recorder.calls) >= 2  # the budget holds one story: the three need several calls
    assert {name for name, _ in recorder.calls} == {"leadlist-model_0"}
    # The recorder does not report padding, so none is guessed for its calls.
    assert sample("leadlist_batch_padding_ratio_count") == padding_before
    computed = [text for _, inputs in recorder.calls for text in inputs]
    # Nothing is skipped or repeated, whichever the scheduler.
    assert sorted(computed) == sorted(text for job in jobs for text in job.inputs)
    if scheduler == "fifo":
        # Requests are served whole and in turn, never interleaved (their arrival order is up to the
        # threads that split them); the fair scheduler interleaves their slices on purpose.
        orders = [[text for job in order for text in job.inputs] for order in itertools.permutations(jobs)]
        assert computed in orders
