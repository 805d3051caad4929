"""Where the service's CPU goes under load, thread by thread, read from /proc (Linux).

Starts ``leadlist serve`` on loopback, sends the articles at ``--concurrency``, and prints the CPU each
thread of the service used during the run, in cores, plus the load generator's own. Sampling profilers
cannot always tell an event loop waiting in native code from one working; the kernel's counters can.

    .venv/bin/python -m load.thread_cpu                  # 100 cnn_dev stories, 32 clients
    LEADLIST_ENCODER=onnx-int8 .venv/bin/python -m load.thread_cpu
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource

import psutil

from load._articles import load_articles
from load._client import closed_loop
from load._server import free_port, running_service, service_pid


def thread_cpu_seconds(pid: int) -> dict[int, float]:
    """User plus system CPU seconds of each thread of ``pid`` so far, by thread id."""
    return {t.id: t.user_time + t.system_time for t in psutil.Process(pid).threads()}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=100, help="articles (default 100)")
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    articles, source = load_articles(args.limit)
    with running_service(free_port()) as base:
        pid = service_pid(base)
        asyncio.run(closed_loop(base, articles[:8], 4))  # warm-up outside the measurement
        before, client_before = thread_cpu_seconds(pid), resource.getrusage(resource.RUSAGE_SELF)
        run = asyncio.run(closed_loop(base, articles, args.concurrency))
        elapsed, failures = run.elapsed_s, run.failures
        after, client_after = thread_cpu_seconds(pid), resource.getrusage(resource.RUSAGE_SELF)
    used = {tid: seconds - before.get(tid, 0.0) for tid, seconds in after.items()}
    client = (client_after.ru_utime + client_after.ru_stime) - (
        client_before.ru_utime + client_before.ru_stime
    )
    print(f"{len(articles)} articles from {source}; {args.concurrency} clients; {os.cpu_count()} CPUs")
    print(f"{len(articles) / elapsed:.2f} articles/s over {elapsed:.1f} s, {failures} failures\n")
    print(f"{'thread':>24} {'CPU s':>7} {'cores':>6}")
    for tid, seconds in sorted(used.items(), key=lambda item: -item[1]):
        if seconds >= 0.01:
            name = "main (event loop)" if tid == pid else f"thread {tid}"
            print(f"{name:>24} {seconds:>7.2f} {seconds / elapsed:>6.2f}")
    total = sum(used.values())
    print(f"{'service, all threads':>24} {total:>7.2f} {total / elapsed:>6.2f}")
    print(f"{'load generator':>24} {client:>7.2f} {client / elapsed:>6.2f}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
