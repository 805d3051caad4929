"""Serving cost of the ranker against the encoder, per article, measured side by side in one process.

    .venv/bin/python -m load.ranker_cost [DATA.jsonl] [--limit N]

Without DATA it uses the made-up stories in ``load/_stories.py``. For each article it times ``prepare``
(cleaning, splitting, token counts), ``compute`` (MiniLM on every sentence and the title) and ``finish``
(features, scoring, selection) and prints the medians and the ratio; on a shared machine compare the
ratio, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from load._rouge import load_examples
from load._stories import BRIDGE, LONG_STORY, STORM
from models import Document, load_summariser


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path)
    parser.add_argument("--limit", type=int, default=50)
    args = parser.parse_args()
    if args.data:
        articles = [e.article for e in load_examples(args.data, args.limit)]
    else:
        articles = [BRIDGE, STORM, LONG_STORY]
    summariser = load_summariser("extractive")
    warm_up = summariser.prepare(Document("Warm up the model. It has two sentences."))
    warm_up.outputs = summariser.compute(warm_up.inputs)
    summariser.finish(warm_up)
    timings: dict[str, list[float]] = {"prepare": [], "compute": [], "finish": []}
    for article in articles:
        started = time.perf_counter()
        job = summariser.prepare(Document(article))
        prepared = time.perf_counter()
        job.outputs = summariser.compute(job.inputs)
        computed = time.perf_counter()
        summariser.finish(job)
        finished = time.perf_counter()
        timings["prepare"].append(prepared - started)
        timings["compute"].append(computed - prepared)
        timings["finish"].append(finished - computed)
    medians = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    print(f"{len(articles)} articles; median milliseconds per article")
    for name, value in medians.items():
        print(f"  {name:<8} {value:9.2f}")
    print(f"  encoder / ranker (compute / finish): {medians['compute'] / max(medians['finish'], 1e-9):.0f}x")


if __name__ == "__main__":
    main()
