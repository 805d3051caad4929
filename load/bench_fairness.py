"""Fair under mixed load: short requests beside a long document, the result cache, and Redis hits.

Starts ``leadlist serve`` as a subprocess per configuration and prints, in one run:

1. two-sentence requests' p50/p99 idle and while an 80,000-character document is in flight, and that
   document's completion time, for the ``fifo`` and the ``fair`` scheduler side by side;
2. the throughput of a stream in which 30% of the articles are repeats, cache off and on;
3. the latency of a cache hit served from the in-process tier and from Redis (at the client, and at the
   server from its own request-duration histogram), when ``redis-server`` is installed.

The long document is CNN dev stories concatenated (``../shared/data/cnn_dev.jsonl``, read at run time;
generated articles when it is absent). It prints numbers and asserts nothing.

    .venv/bin/python -m load.bench_fairness
    .venv/bin/python -m load.bench_fairness --long-characters 40000 --shorts 20 --stream 40
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from load._articles import load_articles
from load._client import closed_loop
from load._metrics import scrape
from load._redis import redis_server, redis_server_binary
from load._server import free_port, running_service
from load._stats import percentile

SHORT = "The council approved the new bridge on Tuesday, ending a decade of debate. Work starts in spring."


@dataclass(frozen=True, slots=True)
class Fairness:
    scheduler: str
    idle_p50_ms: float
    idle_p99_ms: float
    loaded_p50_ms: float
    loaded_p99_ms: float
    shorts_during_long: int
    long_alone_s: float
    long_loaded_s: float
    long_status: int


def long_document(articles: Sequence[str], characters: int) -> str:
    """Stories joined as paragraphs until ``characters`` long, cut there."""
    text = ""
    for article in _cycle(articles):
        text = f"{text}\n\n{article}" if text else article
        if len(text) >= characters:
            return text[:characters]
    raise AssertionError("unreachable")


def _cycle(articles: Sequence[str]) -> Iterator[str]:
    while True:
        yield from articles


@contextmanager
def service(**env: str) -> Iterator[str]:
    settings = {"LEADLIST_THREADS": os.environ.get("LEADLIST_THREADS", "2"), **env}
    with running_service(free_port(), settings) as base:
        yield base


def post(client: httpx.Client, body: dict[str, object]) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.post("/v1/summarize", json=body)
    return response.status_code, time.perf_counter() - started


def short_body(index: int) -> dict[str, object]:
    return {"text": f"{SHORT} Edition {index} went to press."}


def shorts_beside_long(
    base: str, client: httpx.Client, long_client: httpx.Client, long_text: str
) -> tuple[list[float], tuple[int, float]]:
    """Short requests one after another, each sent while the long document is in flight: their seconds,
    and the long document's status and seconds."""
    long_run: list[tuple[int, float]] = []
    thread = threading.Thread(target=lambda: long_run.append(post(long_client, {"text": long_text})))
    thread.start()
    while scrape(base).get("leadlist_queue_size") == 0 and thread.is_alive():
        time.sleep(0.005)
    loaded: list[float] = []
    while thread.is_alive():
        status, seconds = post(client, short_body(1000 + len(loaded)))
        if status == 200:
            loaded.append(seconds)
    thread.join()
    return loaded, long_run[0]


def measure_fairness(scheduler: str, long_text: str, shorts: int, rounds: int) -> Fairness:
    with (
        service(LEADLIST_SCHEDULER=scheduler, LEADLIST_CACHE_MB="0") as base,
        httpx.Client(base_url=base, timeout=600) as client,
        httpx.Client(base_url=base, timeout=600) as long_client,
    ):
        for index in range(3):  # warm the path and the throughput estimate
            post(client, short_body(index))
        idle = [post(client, short_body(index))[1] for index in range(shorts)]
        _, long_alone = post(long_client, {"text": long_text})
        # A p99 over one long document's ~50 short requests is nearly its maximum: pool several rounds.
        loaded: list[float] = []
        long_runs: list[tuple[int, float]] = []
        for _ in range(rounds):
            shorts_loaded, long_run = shorts_beside_long(base, client, long_client, long_text)
            loaded += shorts_loaded
            long_runs.append(long_run)
    long_status = max(status for status, _ in long_runs)
    long_loaded = percentile([seconds for _, seconds in long_runs], 0.5)
    return Fairness(
        scheduler,
        1000 * percentile(idle, 0.5),
        1000 * percentile(idle, 0.99),
        1000 * percentile(loaded, 0.5),
        1000 * percentile(loaded, 0.99),
        len(loaded),
        long_alone,
        long_loaded,
        long_status,
    )


def repeated_stream(articles: Sequence[str], size: int, repeat_share: float, seed: int = 7) -> list[str]:
    """``size`` articles of which ``repeat_share`` repeat an article sent earlier in the stream."""
    rng = random.Random(seed)
    unique = list(articles[: size - int(size * repeat_share)])
    stream = list(unique)
    for _ in range(size - len(unique)):
        position = rng.randint(1, len(stream))
        stream.insert(position, rng.choice(stream[:position]))
    return stream


def stream_throughput(stream: Sequence[str], cache_mb: str, concurrency: int) -> tuple[float, int, int]:
    """Articles per second answered 200, cache hits, and failures."""
    with service(LEADLIST_CACHE_MB=cache_mb) as base:
        tally = asyncio.run(closed_loop(base, stream, concurrency))
        hits = int(scrape(base).get("leadlist_cache_hits_total"))
    return len(tally.latencies) / tally.elapsed_s, hits, tally.failures


def hit_latency(article: str, hits: int, **env: str) -> tuple[float, float, float]:
    """Client p50 and p99 of ``hits`` cache hits, and their mean duration at the server, in ms."""
    with service(**env) as base, httpx.Client(base_url=base, timeout=60) as client:
        status, _ = post(client, {"text": article})
        assert status == 200
        time.sleep(0.2)  # the Redis write happens after the answer
        before = scrape(base)
        seconds = []
        for _ in range(hits):
            response = client.post("/v1/summarize", json={"text": article})
            assert response.headers["cache-status"] == "leadlist; hit", response.headers["cache-status"]
            seconds.append(response.elapsed.total_seconds())
        after = scrape(base)
    server = after.get("leadlist_request_duration_seconds_sum") - before.get(
        "leadlist_request_duration_seconds_sum"
    )
    count = after.get("leadlist_request_duration_seconds_count") - before.get(
        "leadlist_request_duration_seconds_count"
    )
    return 1000 * percentile(seconds, 0.5), 1000 * percentile(seconds, 0.99), 1000 * server / count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--long-characters", type=int, default=80_000)
    parser.add_argument("--shorts", type=int, default=30, help="idle two-sentence requests per scheduler")
    parser.add_argument("--rounds", type=int, default=3, help="long documents per scheduler, one at a time")
    parser.add_argument("--stream", type=int, default=60, help="articles in the 30%%-repeat stream")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--hits", type=int, default=50)
    parser.add_argument("--parts", default="123", help="which of the three parts to run, e.g. 1 or 23")
    args = parser.parse_args()

    articles, source = load_articles(max(args.stream, 200))
    long_text = long_document(articles, args.long_characters)
    print(f"articles: {source}; long document {len(long_text)} characters; cores: {os.cpu_count()}")

    if "1" in args.parts:
        fairness(long_text, args.shorts, args.rounds)
    if "2" in args.parts:
        cache_stream(articles, args.stream, args.concurrency)
    if "3" in args.parts:
        hit_latencies(articles[0], args.hits)


def fairness(long_text: str, shorts: int, rounds: int) -> None:
    print("\n1. two-sentence requests beside a long document (ms; long document in s)")
    print("scheduler  idle p50  idle p99  loaded p50  loaded p99  n   long alone  long loaded  status")
    results = [measure_fairness(scheduler, long_text, shorts, rounds) for scheduler in ("fifo", "fair")]
    for r in results:
        print(
            f"{r.scheduler:<9} {r.idle_p50_ms:9.1f} {r.idle_p99_ms:9.1f} {r.loaded_p50_ms:11.1f} "
            f"{r.loaded_p99_ms:11.1f} {r.shorts_during_long:3d} {r.long_alone_s:11.2f} "
            f"{r.long_loaded_s:12.2f}  {r.long_status}"
        )
    for r in results:
        ratio = r.loaded_p99_ms / r.idle_p50_ms
        print(f"{r.scheduler}: loaded p99 / idle p50 = {ratio:.1f}x")
    print("(long alone: with nothing else in flight; long loaded: median of the rounds; status: the worst)")


def cache_stream(articles: Sequence[str], size: int, concurrency: int) -> None:
    print(f"\n2. a stream of {size} articles, 30% repeats, {concurrency} callers")
    stream = repeated_stream(articles, size, 0.3)
    off, _, failed_off = stream_throughput(stream, "0", concurrency)
    on, hits, failed_on = stream_throughput(stream, "64", concurrency)
    print(f"cache off: {off:.2f} articles/s ({failed_off} failed)")
    print(f"cache on:  {on:.2f} articles/s ({hits} hits, {failed_on} failed); {on / off:.2f}x")


def hit_latencies(article: str, hits: int) -> None:
    print(f"\n3. cache hit latency over {hits} hits (ms)")
    print("tier      client p50  client p99  server mean")
    p50, p99, server = hit_latency(article, hits, LEADLIST_CACHE_MB="64")
    print(f"memory    {p50:10.2f} {p99:11.2f} {server:12.2f}")
    binary = redis_server_binary()
    if binary is None:
        print("redis     (redis-server not installed)")
        return
    with redis_server(binary) as url:
        # An in-process tier too small to hold an answer: every hit comes from Redis.
        p50, p99, server = hit_latency(article, hits, LEADLIST_CACHE_MB="0.0001", LEADLIST_CACHE_URL=url)
    print(f"redis     {p50:10.2f} {p99:11.2f} {server:12.2f}")


if __name__ == "__main__":
    main()
