"""The one HTTP driver of the load tools: callers posting articles to ``/v1/summarize`` on loopback.

Every answer lands in a ``Tally``: its status (or, for a request that never got one, ``refused`` or
``cut:<error>``), and for each 200 its latency and when it arrived. Two ways to drive a service:
``closed_loop`` (N callers, each sending its next article when the last is answered: throughput) and
``open_loop`` (arrivals at a set rate whatever the service does: latency under load, overload).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import math
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import httpx

ROUTE = "/v1/summarize"
# Bounds the driver's own memory when the service falls behind an open loop.
MAX_OUTSTANDING = 4000
TIMEOUT_S = 120.0


@dataclass
class Tally:
    """What a run got back."""

    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    latencies: list[float] = field(default_factory=list)  # seconds, of 200s
    completions: list[float] = field(default_factory=list)  # time.monotonic() of 200s
    missing_retry_after: int = 0  # 429s and 503s without the header that tells a caller when to retry
    elapsed_s: float = 0.0  # from the first request sent to the last answer

    def record(self, status: str, latency: float, response: httpx.Response | None) -> None:
        self.statuses[status] += 1
        if status == "200":
            self.latencies.append(latency)
            self.completions.append(time.monotonic())
        if (
            response is not None
            and response.status_code in (429, 503)
            and "retry-after" not in response.headers
        ):
            self.missing_retry_after += 1

    def outside(self, allowed: set[str]) -> int:
        """Answers whose status is not in ``allowed`` (``{"200"}``: every failure)."""
        return sum(n for status, n in self.statuses.items() if status not in allowed)

    @property
    def failures(self) -> int:
        return self.outside({"200"})

    def merge(self, other: Tally) -> None:
        self.statuses.update(other.statuses)
        self.latencies += other.latencies
        self.completions += other.completions
        self.missing_retry_after += other.missing_retry_after
        self.elapsed_s += other.elapsed_s


async def call(client: httpx.AsyncClient, text: str, tally: Tally) -> None:
    """One summarise request, recorded whatever happens to it."""
    started = time.perf_counter()
    try:
        response = await client.post(ROUTE, json={"text": text})
    except httpx.ConnectError:
        tally.record("refused", 0.0, None)  # never got in: the listener was already closed
        return
    except httpx.TransportError as exc:
        tally.record(f"cut:{type(exc).__name__}", 0.0, None)
        return
    tally.record(str(response.status_code), time.perf_counter() - started, response)


def _articles(articles: Sequence[str], seconds: float | None) -> Iterator[str]:
    """Each article once, or, for a run bounded in time, the articles over and over."""
    return iter(articles) if seconds is None else itertools.cycle(articles)


async def closed_loop(
    base: str,
    articles: Sequence[str],
    concurrency: int,
    *,
    seconds: float | None = None,
    stop: asyncio.Event | None = None,
    keep_alive: bool = True,
    timeout_s: float = TIMEOUT_S,
) -> Tally:
    """``concurrency`` callers, each sending the next article as soon as its last one is answered.

    Without ``seconds`` every article is sent once; with it they are sent over and over until then, or
    until ``stop`` is set. ``keep_alive=False`` opens a fresh connection per request.
    """
    tally = Tally()
    source = _articles(articles, seconds)
    deadline = math.inf if seconds is None else time.monotonic() + seconds
    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency if keep_alive else 0
    )
    async with httpx.AsyncClient(base_url=base, timeout=timeout_s, limits=limits) as client:

        async def caller() -> None:
            while time.monotonic() < deadline and not (stop and stop.is_set()):
                text = next(source, None)
                if text is None:
                    return
                await call(client, text, tally)

        started = time.perf_counter()
        await asyncio.gather(*(caller() for _ in range(concurrency)))
        tally.elapsed_s = time.perf_counter() - started
    return tally


async def open_loop(
    base: str,
    articles: Sequence[str],
    rate: float,
    *,
    seconds: float | None = None,
    poisson_seed: int | None = None,
    timeout_s: float = TIMEOUT_S,
) -> Tally:
    """Requests arriving at ``rate`` per second whatever the service's pace, as real callers behave.

    Arrivals are evenly spaced, or a Poisson process with ``poisson_seed``. Without ``seconds`` every
    article is sent once; with it they are sent over and over until then. The answers still due when
    sending stops are waited for.
    """
    tally = Tally()
    source = _articles(articles, seconds)
    rng = random.Random(poisson_seed) if poisson_seed is not None else None
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, timeout=timeout_s, limits=limits) as client:
        tasks: set[asyncio.Task[None]] = set()
        started = time.perf_counter()
        due = 0.0  # seconds after ``started`` at which the next request arrives
        for text in source:
            if seconds is not None and due >= seconds:
                break
            if due > (now := time.perf_counter() - started):
                await asyncio.sleep(due - now)
            while len(tasks) >= MAX_OUTSTANDING:
                await asyncio.sleep(0.005)
            if seconds is not None and time.perf_counter() - started >= seconds:
                break
            task = asyncio.create_task(call(client, text, tally))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            due += rng.expovariate(rate) if rng else 1 / rate
        if tasks:
            await asyncio.wait(set(tasks))
        tally.elapsed_s = time.perf_counter() - started
    return tally
