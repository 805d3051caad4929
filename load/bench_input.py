"""What the input checks cost on the default path: plain English text, with them and without, one run.

    .venv/bin/python -m load.bench_input [--articles 100] [--repeat 3]

Both pipelines serve the same plain-text articles through the service's own code, in one process:

- ``before``: ``to_document`` → ``summarise`` → ``SummarizeResponse.from_summary`` (the path as it was);
- ``after``: ``prepare_input`` (markup detection, language detection, punctuation check) → ``summarise``
  → ``respond`` (summary warnings, offsets in the caller's unit, the warning metric).

They alternate article by article, so drift on a shared machine hits both alike; each article's time is
the best of ``--repeat`` tries. It prints the median milliseconds of each, the ratio after/before, and
the checks alone (``prepare_input`` + ``respond`` less their old counterparts).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from load._articles import load_articles
from models import load_summariser, summarise
from service.documents import to_document
from service.inputs import prepare_input, respond
from service.schemas import ModelRef, SummarizeRequest, SummarizeResponse
from service.settings import Settings


def _best(run: Callable[[SummarizeRequest], object], payload: SummarizeRequest, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run(payload)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = Settings()
    summariser = load_summariser("extractive")
    model = ModelRef(name=summariser.info.name, version=summariser.info.version)
    articles, source = load_articles(args.articles)
    payloads = [SummarizeRequest(text=article) for article in articles]

    def before(payload: SummarizeRequest) -> None:
        [summary] = summarise(summariser, [to_document(payload, settings)])
        SummarizeResponse.from_summary(summary, model)

    def after(payload: SummarizeRequest) -> None:
        prepared = prepare_input(payload, settings)
        [summary] = summarise(summariser, [prepared.document])
        respond(prepared, summary, model, generated=False)

    def checks_before(payload: SummarizeRequest) -> None:
        to_document(payload, settings)

    def checks_after(payload: SummarizeRequest) -> None:
        prepare_input(payload, settings)

    after(payloads[0])  # warm-up: loads the language model and the encoder's first batch
    before_ms, after_ms, check_ms = [], [], []
    for number, payload in enumerate(payloads):
        # Alternate which goes first so neither always meets a warm or a cold cache.
        first, second = (before, after) if number % 2 == 0 else (after, before)
        first_ms, second_ms = (
            _best(first, payload, args.repeat),
            _best(second, payload, args.repeat),
        )
        before_ms.append(first_ms if first is before else second_ms)
        after_ms.append(second_ms if first is before else first_ms)
        check_ms.append(
            _best(checks_after, payload, args.repeat) - _best(checks_before, payload, args.repeat)
        )
    median_before, median_after = statistics.median(before_ms), statistics.median(after_ms)
    print(f"{len(payloads)} plain-text articles from {source}, best of {args.repeat} each")
    print(f"before (no input checks)  {median_before:8.2f} ms/article")
    print(f"after  (with input checks) {median_after:7.2f} ms/article")
    print(f"ratio after/before        {median_after / median_before:8.3f}")
    print(f"input checks alone        {statistics.median(check_ms):8.3f} ms/article (median)")


if __name__ == "__main__":
    main()
