"""What micro-batching buys: the real service on loopback, batching on and off, at several concurrencies.

Starts ``leadlist serve`` as a subprocess per mode (so client and server do not share a GIL), sends the
same articles at each concurrency, and prints articles/s, latency percentiles and the mean number of
requests per model call (from the service's own metrics), then the on/off ratios. It prints numbers and
asserts nothing: timings belong in benchmarks, not unit tests.

    .venv/bin/python -m load.bench_batching                 # ../shared/data/cnn_dev.jsonl, 100 articles
    .venv/bin/python -m load.bench_batching --limit 60 --concurrency 1 32
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Iterator
from dataclasses import dataclass

from load._articles import load_articles
from load._client import closed_loop
from load._metrics import scrape
from load._server import free_port, running_service
from load._stats import Latencies


@dataclass
class Result:
    mode: str
    concurrency: int
    articles_per_s: float
    latency: Latencies
    mean_batch_requests: float
    failures: int


def batch_counters(base: str) -> tuple[float, float]:
    """Requests summed over all model calls so far, and the number of calls."""
    metrics = scrape(base)
    return metrics.get("leadlist_batch_size_requests_sum"), metrics.get("leadlist_batch_size_requests_count")


def measure(mode: str, env: dict[str, str], articles: list[str], levels: list[int]) -> Iterator[Result]:
    with running_service(free_port(), env) as base:
        asyncio.run(closed_loop(base, articles[:8], 4))  # warm caches and allocator outside the timing
        for concurrency in levels:
            sum_before, count_before = batch_counters(base)
            run = asyncio.run(closed_loop(base, articles, concurrency))
            sum_after, count_after = batch_counters(base)
            batches = count_after - count_before
            yield Result(
                mode=mode,
                concurrency=concurrency,
                articles_per_s=len(articles) / run.elapsed_s,
                latency=Latencies.of(run.latencies),
                mean_batch_requests=(sum_after - sum_before) / batches if batches else 0.0,
                failures=run.failures,
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
        ms = r.latency
        print(
            f"{r.mode:>8} {r.concurrency:>5} {r.articles_per_s:>7.2f} {ms.p50_ms:>8.1f} {ms.p95_ms:>8.1f} "
            f"{ms.p99_ms:>8.1f} {r.mean_batch_requests:>9.2f} {r.failures:>5}"
        )
    print()
    by_key = {(r.mode, r.concurrency): r for r in results}
    for concurrency in args.concurrency:
        on, off = by_key[("on", concurrency)], by_key[("off", concurrency)]
        gain = on.articles_per_s / off.articles_per_s
        extra_ms = on.latency.p50_ms - off.latency.p50_ms
        print(
            f"concurrency {concurrency:>3}: on/off throughput {gain:.2f}x, p50 on - off = {extra_ms:+.1f} ms"
        )
    return 0 if not any(r.failures for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
