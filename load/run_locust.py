"""What ``load/run`` does: serve on loopback, run the locust suite headless, summarise, stop.

The service runs as a child process on a free port of 127.0.0.1 and locust as another (each with its
own interpreter, so neither steals the other's GIL). Reports land in ``load/results/<timestamp>/``:
locust's CSV files and HTML report, its log, and the service's /metrics before and after the run. The
summary reads locust's own figures for requests and latency, and the service's metrics for what only it
knows: documents summarised, requests per model call, resident memory. Exit status 1 when any request
failed unexpectedly (a bad request answered with its documented 4xx is a success), 2 when the run broke.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from load._metrics import scrape
from load._server import free_port, running_service

LOAD = Path(__file__).resolve().parent


def seconds(run_time: str) -> float:
    """Locust's run-time syntax (``90``, ``30s``, ``2m``, ``1h30m``) in seconds."""
    total, number = 0.0, ""
    for char in run_time.strip():
        if char.isdigit() or char == ".":
            number += char
        else:
            total += float(number or 0) * {"h": 3600, "m": 60, "s": 1}[char]
            number = ""
    return total + float(number or 0)


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=32, help="concurrent locust users (default 32)")
    parser.add_argument("--spawn-rate", type=float, default=8, help="users started per second (default 8)")
    parser.add_argument("--run-time", default="60s", help="how long to load the service (default 60s)")
    parser.add_argument("--encoder", choices=("torch", "onnx-int8"), help="LEADLIST_ENCODER for the service")
    parser.add_argument("--results", type=Path, default=LOAD / "results", help="where run folders go")
    args = parser.parse_args()

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.results / stamp
    out.mkdir(parents=True, exist_ok=True)
    env = {"LEADLIST_ENCODER": args.encoder} if args.encoder else {}
    started = time.perf_counter()
    with running_service(free_port(), env) as base:
        ready_s = time.perf_counter() - started
        before = scrape(base)
        (out / "metrics_before.txt").write_text(before.text)
        prefix = out / "locust"
        command = [
            sys.executable, "-m", "locust", "-f", str(LOAD / "locustfile.py"), "--headless",
            "--host", base, "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
            "--run-time", args.run_time, "--stop-timeout", "10", "--csv", str(prefix),
            "--html", str(out / "report.html"), "--only-summary",
        ]  # fmt: skip
        with (out / "locust.log").open("w") as log:
            locust = subprocess.run(
                command, stdout=log, stderr=subprocess.STDOUT, check=False, cwd=LOAD.parent
            )
        after = scrape(base)
        (out / "metrics_after.txt").write_text(after.text)

    def delta(name: str) -> float:
        return after.get(name) - before.get(name)

    if locust.returncode not in (0, 1) or not Path(f"{prefix}_stats.csv").exists():
        print((out / "locust.log").read_text()[-3000:], file=sys.stderr)
        print(f"load/run: locust exited with {locust.returncode}; see {out}", file=sys.stderr)
        return 2
    rows = read_stats(prefix)
    total = next(row for row in rows if row["Name"] == "Aggregated")
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    run_s = seconds(args.run_time)
    batches = delta("leadlist_batch_size_requests_count")
    lines = [
        f"leadlist under locust: {args.users} users (spawn {args.spawn_rate:g}/s) for {args.run_time}, "
        f"encoder {args.encoder or os.environ.get('LEADLIST_ENCODER', 'torch')}; ready in {ready_s:.1f} s",
        f"requests      {requests} ({float(total['Requests/s']):.1f}/s), unexpected failures {failures}",
        f"articles/s    {delta('leadlist_documents_total') / run_s:.2f}  (the service's documents_total)",
        f"latency ms    p50 {total['50%']}  p95 {total['95%']}  p99 {total['99%']}  max {total['100%']}",
        f"batch size    {delta('leadlist_batch_size_requests_sum') / batches if batches else 0:.2f} requests "
        f"per model call ({batches:.0f} calls)",
        f"rejected      {delta('leadlist_rejected_total'):.0f} (429/504/disconnect/too large, all reasons)",
        f"service RSS   {after.get('process_resident_memory_bytes') / 1e6:.0f} MB after the run",
        "",
        f"{'request':<44} {'count':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}",
    ]
    lines += [
        f"{row['Name'][:44]:<44} {row['Request Count']:>6} {row['Failure Count']:>5} "
        f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        for row in rows
        if row["Name"] != "Aggregated"
    ]
    lines.append(f"\nreports: {out}")
    summary = "\n".join(lines)
    (out / "summary.txt").write_text(summary + "\n")
    print(summary)
    if failures or not requests:
        failed = Path(f"{prefix}_failures.csv")
        if failed.exists():
            print("\n" + failed.read_text()[-3000:], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
