"""What micro-batching buys: the real service on loopback, batching on and off, at several concurrencies.

Starts ``leadlist serve`` as a subprocess per mode (so client and server do not share a GIL), sends the
same articles at each concurrency, and prints articles/s, latency percentiles and the mean number of
requests per model call (from the service's own metrics), then the on/off ratios. It prints numbers and
asserts nothing: timings belong in benchmarks, not unit tests.

    .venv/bin/python load/bench_batching.py                 # ../shared/data/cnn_dev.jsonl, 100 articles
    .venv/bin/python load/bench_batching.py --limit 60 --concurrency 1 32
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parent))
from articles import load_articles
from server import free_port, running_service


@dataclass
class Result:
    mode: str
    concurrency: int
    articles_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_batch_requests: float
    failures: int


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def batch_counters(base: str) -> tuple[float, float]:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    total = count = 0.0
    for family in text_string_to_metric_families(text):
        if family.name == "leadlist_batch_size_requests":
            for sample in family.samples:
                if sample.name.endswith("_sum"):
                    total = sample.value
                elif sample.name.endswith("_count"):
                    count = sample.value
    return total, count


async def drive(base: str, articles: list[str], concurrency: int) -> tuple[float, list[float], int]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def one(text: str) -> None:
            nonlocal failures
            async with gate:
                started = time.perf_counter()
                response = await client.post("/v1/summarize", json={"text": text})
                latencies.append(time.perf_counter() - started)
                failures += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(one(text) for text in articles))
        return time.perf_counter() - started, latencies, failures


def measure(mode: str, env: dict[str, str], articles: list[str], levels: list[int]) -> Iterator[Result]:
    with running_service(free_port(), env) as base:
        asyncio.run(drive(base, articles[:8], 4))  # warm caches and allocator outside the timing
        for concurrency in levels:
            sum_before, count_before = batch_counters(base)
            elapsed, latencies, failures = asyncio.run(drive(base, articles, concurrency))
            sum_after, count_after = batch_counters(base)
            batches = count_after - count_before
            yield Result(
                mode=mode,
                concurrency=concurrency,
                articles_per_s=len(articles) / elapsed,
                p50_ms=1000 * statistics.median(latencies),
                p95_ms=1000 * percentile(latencies, 0.95),
                p99_ms=1000 * percentile(latencies, 0.99),
                mean_batch_requests=(sum_after - sum_before) / batches if batches else 0.0,
                failures=failures,
            )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=100, help="articles per run (default 100)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument(
        "--wait-ms", type=float, default=None, help="LEADLIST_MAX_BATCH_WAIT_MS for batching on"
    )
    args = parser.parse_args()

    articles, source = load_articles(args.limit)
    print(f"{len(articles)} articles from {source}; {os.cpu_count()} CPUs\n")
    on_env = {"LEADLIST_BATCHING": "true"}
    if args.wait_ms is not None:
        on_env["LEADLIST_MAX_BATCH_WAIT_MS"] = str(args.wait_ms)
    results = list(measure("on", on_env, articles, args.concurrency))
    results += list(measure("off", {"LEADLIST_BATCHING": "false"}, articles, args.concurrency))

    columns = ("batching", "conc", "art/s", "p50 ms", "p95 ms", "p99 ms", "req/batch", "fail")
    widths = (8, 5, 7, 8, 8, 8, 9, 5)
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, widths, strict=True)))
    for r in results:
        print(
            f"{r.mode:>8} {r.concurrency:>5} {r.articles_per_s:>7.2f} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} "
            f"{r.p99_ms:>8.1f} {r.mean_batch_requests:>9.2f} {r.failures:>5}"
        )
    print()
    by_key = {(r.mode, r.concurrency): r for r in results}
    for concurrency in args.concurrency:
        on, off = by_key[("on", concurrency)], by_key[("off", concurrency)]
        gain = on.articles_per_s / off.articles_per_s
        extra_ms = on.p50_ms - off.p50_ms
        print(
            f"concurrency {concurrency:>3}: on/off throughput {gain:.2f}x, p50 on - off = {extra_ms:+.1f} ms"
        )
    return 0 if not any(r.failures for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
