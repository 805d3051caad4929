"""One article at a time on an idle service: its bullets, their ROUGE against the article's own lead list,
the median latency of 20 calls, and the service's resident memory after warm-up.

    .venv/bin/python load/bench_idle.py            # ../shared/examples/kremlin_peace_talks.txt
    LEADLIST_ENCODER=onnx-int8 .venv/bin/python load/bench_idle.py

The example file is a title line, its lead list ("- " lines), then the body; the body and title are sent,
the lead list is the reference. Without the example a generated article is timed and ROUGE is skipped.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from articles import generated_article
from server import free_port, running_service

EXAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "examples" / "kremlin_peace_talks.txt"
CALLS = 20


def example() -> tuple[str | None, str, list[str]]:
    if not EXAMPLE.exists():
        import random

        return None, generated_article(random.Random(3)), []
    lines = EXAMPLE.read_text().split("\n")
    lead = [line[2:] for line in lines[1:] if line.startswith("- ")]
    body = "\n".join(line for line in lines[1:] if not line.startswith("- "))
    return lines[0], body, lead


def main() -> int:
    title, body, lead = example()
    port = free_port()
    with running_service(port) as base:
        pid = next(
            c.pid
            for c in psutil.net_connections("tcp")
            if c.status == psutil.CONN_LISTEN and c.laddr.port == port and c.pid
        )
        payload = {"title": title, "text": body}
        for _ in range(3):
            httpx.post(f"{base}/v1/summarize", json=payload, timeout=60).raise_for_status()
        latencies = []
        for _ in range(CALLS):
            started = time.perf_counter()
            response = httpx.post(f"{base}/v1/summarize", json=payload, timeout=60)
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
        rss_mb = psutil.Process(pid).memory_info().rss / 2**20
        bullets = [b["text"] for b in response.json()["bullets"]]
        model = response.json()["model"]
    print(f"model {model['name']} {model['version']}; encoder {os.environ.get('LEADLIST_ENCODER', 'torch')}")
    for bullet in bullets:
        print(f"- {bullet}")
    if lead:
        from rouge_score import rouge_scorer

        scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
        scores = scorer.score("\n".join(lead), "\n".join(bullets))
        print(
            "ROUGE-1/2/Lsum vs the lead list: "
            + " / ".join(f"{100 * s.fmeasure:.1f}" for s in scores.values())
        )
    print(f"latency, {CALLS} calls one at a time: median {1000 * statistics.median(latencies):.1f} ms")
    print(f"service RSS after warm-up and {CALLS + 3} calls: {rss_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
