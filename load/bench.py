"""How close leadlist gets to what the hardware allows: one run, the same articles, every pipeline.

Prints articles/s and useful GFLOP/s for
  1. the hardware limit: fp32 GEMM throughput of torch on this machine (``--threads``, default 2),
     divided by the encoder's linear-layer FLOPs per article (2 x encoder linear weights x tokens);
  2. a naive pipeline: the same sentences, one plain transformers call per article, unsorted;
  3. leadlist in-process: ``models.summarise`` (length-sorted batches under a token budget);
  4. the leadlist HTTP service at concurrency 32 over loopback sockets (a child process);
  5. the int8 ONNX encoder, in-process and over HTTP;
each as a ratio to the limit and to the naive pipeline, then latency at idle, p99 at 70% of the peak
rate (open loop), resident memory after the run and time to ready. Every pipeline does the same work
(split, embed, rank, select); only how the encoder is driven differs. It prints, it asserts nothing.

    .venv/bin/python -m load.bench                    # 100 articles of ../shared/data/cnn_dev.jsonl
    .venv/bin/python -m load.bench --repeat 3         # best of 3 per stage, for a quiet machine
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from load._articles import load_articles
from load._client import closed_loop, open_loop
from load._metrics import scrape
from load._server import free_port, running_service
from load._stats import Latencies
from models import Document, Summariser, load_summariser, summarise
from models.encoders.onnx_export import default_cache_dir, ensure_exported
from models.encoders.weights import default_model_dir
from models.extractive.summariser import ExtractiveSummariser


@dataclass
class Stage:
    name: str
    articles_per_s: float


class ProgressList(list[Stage]):
    """The stages so far; each is printed as it lands, because a full run takes minutes."""

    def append(self, stage: Stage) -> None:
        super().append(stage)
        print(f"  measured {stage.name}: {stage.articles_per_s:.2f} articles/s", flush=True)


@dataclass
class Latency:
    name: str
    percentiles: Latencies


def best_rate(run: Callable[[], object], count: int, repeat: int) -> float:
    """Articles/s of the fastest of ``repeat`` runs: on a shared machine, the least disturbed one."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return count / best


def gemm_gflops(threads: int, size: int = 2048, seconds: float = 3.0) -> float:
    """Best sustained fp32 GEMM rate: the ceiling the encoder's matrix multiplies cannot beat."""
    torch.set_num_threads(threads)
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)
    best = 0.0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        torch.mm(a, b)
        best = max(best, 2 * size**3 / (time.perf_counter() - started))
    return best / 1e9


def linear_flops_per_token(model: torch.nn.Module) -> float:
    """2 x the weights of the encoder's linear layers: the multiply-adds one token costs."""
    encoder = getattr(model, "encoder", model)
    weights = sum(m.weight.numel() for m in encoder.modules() if isinstance(m, torch.nn.Linear))
    return 2.0 * weights


def tokens_per_article(summariser: Summariser, documents: Sequence[Document], window: int) -> float:
    """Tokens the encoder really computes (no padding; long sentences cut to its window)."""
    total = 0
    for document in documents:
        total += sum(min(t, window) for t in summariser.prepare(document).input_tokens)
    return total / len(documents)


def naive_pipeline(summariser: ExtractiveSummariser, threads: int) -> Callable[[Sequence[Document]], None]:
    """What a plain transformers user writes: one padded call per article, in article order."""
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(threads)
    directory = str(default_model_dir())
    tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
    model = AutoModel.from_pretrained(directory, local_files_only=True).eval()

    def run(documents: Sequence[Document]) -> None:
        for document in documents:
            job = summariser.prepare(document)
            batch = tokenizer(job.inputs, padding=True, truncation=True, max_length=256, return_tensors="pt")
            with torch.inference_mode():
                hidden = model(**batch)[0]
                mask = batch["attention_mask"].unsqueeze(-1).float()
                pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1)
            job.outputs = list(pooled.numpy())
            summariser.finish(job)

    return run


@dataclass
class HttpResult:
    peak: float
    idle: Latency
    loaded: Latency
    rss_mb: float
    ready_s: float
    failures: int


def http_stages(
    label: str, env: dict[str, str], articles: Sequence[str], concurrency: int, repeat: int
) -> HttpResult:
    started = time.perf_counter()
    with running_service(free_port(), env) as base:
        ready_s = time.perf_counter() - started
        asyncio.run(closed_loop(base, articles[:16], 8))  # warm allocator and caches outside the timing
        peak, failures = 0.0, 0
        for _ in range(repeat):
            run = asyncio.run(closed_loop(base, articles, concurrency))
            peak, failures = max(peak, len(articles) / run.elapsed_s), failures + run.failures
        idle = asyncio.run(closed_loop(base, articles[:30], 1))
        loaded = asyncio.run(open_loop(base, articles, 0.7 * peak, poisson_seed=11))
        failures += idle.failures + loaded.failures
        rss_bytes = scrape(base).get("process_resident_memory_bytes")

    return HttpResult(
        peak=peak,
        idle=Latency(f"{label} HTTP, one at a time (idle)", Latencies.of(idle.latencies)),
        loaded=Latency(f"{label} HTTP, Poisson at 70% of peak", Latencies.of(loaded.latencies)),
        rss_mb=rss_bytes / 1e6,
        ready_s=ready_s,
        failures=failures,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=100, help="articles (default 100)")
    parser.add_argument("--threads", type=int, default=2, help="compute threads everywhere (default 2)")
    parser.add_argument("--concurrency", type=int, default=32, help="HTTP clients (default 32)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per stage, best kept (default 1)")
    parser.add_argument("--cache-dir", type=Path, default=None, help="ONNX export cache (LEADLIST_CACHE_DIR)")
    parser.add_argument("--skip-http", action="store_true", help="in-process stages only")
    args = parser.parse_args()

    texts, source = load_articles(args.limit)
    documents = [Document(text) for text in texts]
    cache_dir = args.cache_dir or Path(os.environ.get("LEADLIST_CACHE_DIR") or default_cache_dir())
    ensure_exported(cache_dir)
    fp32 = load_summariser("extractive", threads=args.threads)
    int8 = load_summariser("extractive", threads=args.threads, encoder="onnx-int8", cache_dir=cache_dir)
    assert isinstance(fp32, ExtractiveSummariser)
    torch_encoder = fp32.encoder
    flops_per_token = linear_flops_per_token(torch_encoder._model)  # type: ignore[attr-defined]
    tokens = tokens_per_article(fp32, documents, fp32.encoder.max_tokens)
    flops_per_article = flops_per_token * tokens

    import onnxruntime

    print(f"{len(documents)} articles from {source}; {os.cpu_count()} CPUs, {args.threads} compute threads")
    print(
        f"torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, "
        f"providers {onnxruntime.get_available_providers()}"
    )
    print(
        f"{tokens:.0f} encoder tokens/article x {flops_per_token / 1e6:.1f} MFLOP/token "
        f"= {flops_per_article / 1e9:.2f} GFLOP/article (linear layers)\n"
    )

    stages = ProgressList()
    gflops = gemm_gflops(args.threads)
    stages.append(Stage("1 hardware limit: fp32 GEMM / article FLOPs", gflops * 1e9 / flops_per_article))
    summarise(fp32, documents[:4])
    summarise(int8, documents[:4])
    naive = naive_pipeline(fp32, args.threads)
    naive(documents[:4])
    stages.append(
        Stage(
            "2 naive: one transformers call per article",
            best_rate(lambda: naive(documents), len(documents), args.repeat),
        )
    )
    stages.append(
        Stage(
            "3 leadlist in-process, fp32",
            best_rate(lambda: summarise(fp32, documents), len(documents), args.repeat),
        )
    )
    stages.append(
        Stage(
            "5 leadlist in-process, int8",
            best_rate(lambda: summarise(int8, documents), len(documents), args.repeat),
        )
    )

    latencies: list[Latency] = []
    memory: list[str] = []
    failures = 0
    if not args.skip_http:
        common = {"LEADLIST_THREADS": str(args.threads), "LEADLIST_CACHE_DIR": str(cache_dir)}
        for label, encoder, number in (("fp32", "torch", "4"), ("int8", "onnx-int8", "5")):
            result = http_stages(
                label, {**common, "LEADLIST_ENCODER": encoder}, texts, args.concurrency, args.repeat
            )
            stages.append(Stage(f"{number} leadlist HTTP, {args.concurrency} clients, {label}", result.peak))
            latencies += [result.idle, result.loaded]
            memory.append(
                f"{label} service: RSS after the run {result.rss_mb:.0f} MB, ready in {result.ready_s:.1f} s"
            )
            failures += result.failures

    limit, naive_rate = stages[0].articles_per_s, stages[1].articles_per_s
    print(f"{'stage':<46} {'art/s':>7} {'GFLOP/s':>8} {'x limit':>8} {'x naive':>8}")
    for stage in stages:
        useful = stage.articles_per_s * flops_per_article / 1e9
        print(
            f"{stage.name:<46} {stage.articles_per_s:>7.2f} {useful:>8.1f} "
            f"{stage.articles_per_s / limit:>8.2f} {stage.articles_per_s / naive_rate:>8.2f}"
        )
    rates = {s.name: s.articles_per_s for s in stages}
    http = [name for name in rates if "HTTP" in name]
    if len(http) == 2:
        print(f"\nint8 HTTP / fp32 HTTP: {rates[http[1]] / rates[http[0]]:.2f}x")
    if latencies:
        print(f"\n{'latency (ms)':<46} {'p50':>7} {'p95':>8} {'p99':>8}")
        for item in latencies:
            ms = item.percentiles
            print(f"{item.name:<46} {ms.p50_ms:>7.0f} {ms.p95_ms:>8.0f} {ms.p99_ms:>8.0f}")
        print("\n" + "\n".join(memory))
    print(f"\nnon-200 answers: {failures}")
    print(f"median article: {statistics.median(len(t) for t in texts):.0f} characters")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
