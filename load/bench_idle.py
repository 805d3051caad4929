"""One article at a time on an idle service: its bullets, their ROUGE against the article's own lead list,
the median latency of 20 calls, and the service's resident memory after warm-up.

    .venv/bin/python -m load.bench_idle            # ../shared/examples/kremlin_peace_talks.txt
    LEADLIST_ENCODER=onnx-int8 .venv/bin/python -m load.bench_idle

The example file is a title line, its lead list ("- " lines), then the body; the body and title are sent,
the lead list is the reference. Without the example a generated article is timed and ROUGE is skipped.
"""

from __future__ import annotations

import os
import random
import time

import httpx

from load._articles import generated_article
from load._data import shared_path
from load._rouge import ROUGE_TYPES, RougeMeter
from load._server import free_port, rss_mb, running_service, service_pid
from load._stats import percentile

EXAMPLE = "examples/kremlin_peace_talks.txt"
CALLS = 20
# A lead point counts as covered when one bullet shares this much of its wording (ROUGE-1 F1): the
# sentence that makes the point, not one that merely names the same people.
COVERED_AT = 0.3


def example() -> tuple[str | None, str, list[str]]:
    """(title, body, lead list) of the shared example; a generated body and no reference without it."""
    path = shared_path(EXAMPLE)
    if path is None:
        return None, generated_article(random.Random(3)), []
    lines = path.read_text().split("\n")
    lead = [line[2:] for line in lines[1:] if line.startswith("- ")]
    body = "\n".join(line for line in lines[1:] if not line.startswith("- "))
    return lines[0], body, lead


def lead_points_covered(bullets: list[str], lead: list[str]) -> int:
    """How many lead points the bullets make, one point per bullet: pairs are matched best first by
    ROUGE-1 F1, and a pair counts from :data:`COVERED_AT`. Each match is printed for a reader to judge."""
    meter = RougeMeter()
    pairs = sorted(
        (
            (meter.score([bullet], [point])["rouge1"], p, b)
            for p, point in enumerate(lead)
            for b, bullet in enumerate(bullets)
        ),
        reverse=True,
    )
    points: set[int] = set()
    used: set[int] = set()
    for score, p, b in pairs:
        if score >= COVERED_AT and p not in points and b not in used:
            points.add(p)
            used.add(b)
            print(f"  point {p + 1} <- bullet {b + 1} (R1 {100 * score:.1f}): {bullets[b][:80]}")
    return len(points)


def main() -> int:
    title, body, lead = example()
    with running_service(free_port()) as base:
        pid = service_pid(base)
        payload = {"title": title, "text": body}
        for _ in range(3):
            httpx.post(f"{base}/v1/summarize", json=payload, timeout=60).raise_for_status()
        latencies = []
        for _ in range(CALLS):
            started = time.perf_counter()
            response = httpx.post(f"{base}/v1/summarize", json=payload, timeout=60)
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
        rss = rss_mb(pid)
        bullets = [b["text"] for b in response.json()["bullets"]]
        model = response.json()["model"]
    print(f"model {model['name']} {model['version']}; encoder {os.environ.get('LEADLIST_ENCODER', 'torch')}")
    for bullet in bullets:
        print(f"- {bullet}")
    if lead:
        scores = RougeMeter().score(bullets, lead)
        print(
            "ROUGE-1/2/Lsum vs the lead list: "
            + " / ".join(f"{100 * scores[name]:.1f}" for name in ROUGE_TYPES)
        )
        covered = lead_points_covered(bullets, lead)
        print(f"lead points covered (matched one to one, ROUGE-1 F >= {COVERED_AT}): {covered}/{len(lead)}")
    print(f"latency, {CALLS} calls one at a time: median {1000 * percentile(latencies, 0.5):.1f} ms")
    print(f"service RSS after warm-up and {CALLS + 3} calls: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
