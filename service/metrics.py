"""Every Prometheus metric the service exports, in one place, named by what it measures in base units.

Names follow text-generation-inference / text-embeddings-inference (``*_queue_size``,
``*_request_duration_seconds``, ``*_batch_size_*``) so dashboards written for those read naturally here.
Buckets are set for this service's real latencies (single-digit milliseconds for a short article up to
tens of seconds at the request deadline), not the client library's web-request defaults.

The process runs one uvicorn worker, so the default registry is the whole truth; scale with replicas.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

from models import WARNING_CODES

_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0)
_QUEUE = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Up to a minute: one batched generate() of a large seq2seq model on a CPU takes tens of seconds.
_INFERENCE = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)

# priority: interactive|batch; deadline: default|lowered (the caller sent a shorter Request-Timeout).
REQUESTS = Counter(
    "leadlist_requests", "HTTP requests answered.", ["route", "status", "priority", "deadline"]
)
REQUEST_DURATION = Histogram(
    "leadlist_request_duration_seconds",
    "Time from request start to response.",
    ["route", "priority", "deadline"],
    buckets=_LATENCY,
)
QUEUE_DURATION = Histogram(
    "leadlist_queue_duration_seconds",
    "Time a request's work waited before its first batch ran.",
    buckets=_QUEUE,
)
INFERENCE_DURATION = Histogram(
    "leadlist_inference_duration_seconds", "Time one batched model call took.", buckets=_INFERENCE
)
QUEUE_SIZE = Gauge("leadlist_queue_size", "Requests whose work is queued or running.")
QUEUE_TOKENS = Gauge("leadlist_queue_tokens", "Model tokens queued and not yet computed.")
BATCH_SIZE_REQUESTS = Histogram(
    "leadlist_batch_size_requests",
    "Requests served by one model call.",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
BATCH_SIZE_TOKENS = Histogram(
    "leadlist_batch_size_tokens",
    "Real (unpadded) tokens in one model call.",
    buckets=(64, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536),
)
BATCH_PADDING_RATIO = Histogram(
    "leadlist_batch_padding_ratio",
    "Share of a model call's padded tokens that were padding.",
    buckets=(0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0),
)
INPUT_TOKENS = Histogram(
    "leadlist_input_tokens",
    "Model tokens one document needed.",
    buckets=(32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768),
)
INPUT_CHARACTERS = Histogram(
    "leadlist_input_characters",
    "Characters of one submitted document.",
    buckets=(100, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000),
)
BULLETS = Histogram(
    "leadlist_bullets", "Bullets returned for one document.", buckets=(0, 1, 2, 3, 4, 5, 6, 8, 10)
)
DOCUMENTS = Counter("leadlist_documents", "Documents summarised.")
# Generator models (LEADLIST_MODEL=seq2seq|causal) only.
OUTPUT_TOKENS = Histogram(
    "leadlist_output_tokens",
    "Tokens a generator wrote for one document, over all its chunks.",
    buckets=(16, 32, 64, 128, 256, 512, 1024, 2048, 4096),
)
CHUNKS = Histogram(
    "leadlist_chunks",
    "Window-sized chunks one document was read in.",
    buckets=(1, 2, 3, 4, 6, 8, 12, 16, 32, 64),
)
UNSUPPORTED_BULLETS = Counter(
    "leadlist_unsupported_bullets",
    "Generated bullets the grounding guard dropped because the article does not support them.",
)
REJECTED = Counter("leadlist_rejected", "Requests refused or abandoned, by reason.", ["reason"])
# A batch answers 200 with a problem in place of each refused document: counted here, by that status.
DOCUMENT_PROBLEMS = Counter(
    "leadlist_document_problems",
    "Batch documents answered with a problem instead of a summary, by status.",
    ["status"],
)
TRUNCATED = Counter("leadlist_truncated", "Documents with an input cut to fit the model's window.")
WARNINGS = Counter(
    "leadlist_warnings", "Warnings attached to summaries, by code (a document may have several).", ["code"]
)
MODEL_LOAD_SECONDS = Gauge("leadlist_model_load_seconds", "Time the model took to load and warm up.")
READY = Gauge("leadlist_ready", "1 when the model is loaded and the service accepts work, else 0.")
AUTHENTICATED = Counter(
    "leadlist_authenticated_requests", "Requests let in by an API key, by the key's hash prefix.", ["key_id"]
)
# The result cache (service.cache). Hits by tier: the in-process LRU or the shared Redis.
CACHE_HITS = Counter("leadlist_cache_hits", "Documents answered from the result cache.", ["tier"])
CACHE_MISSES = Counter("leadlist_cache_misses", "Documents the result cache did not hold.")
CACHE_COALESCED = Counter(
    "leadlist_cache_coalesced", "Documents answered by an identical computation already in flight."
)
CACHE_EVICTIONS = Counter("leadlist_cache_evictions", "Results evicted from the in-process cache.")
CACHE_BYTES = Gauge("leadlist_cache_bytes", "Bytes of results held by the in-process cache.")
CACHE_ERRORS = Counter(
    "leadlist_cache_errors", "Failed or timed-out Redis operations (the request went on without it).", ["op"]
)
for _tier in ("memory", "redis"):
    CACHE_HITS.labels(tier=_tier)
for _op in ("get", "set"):
    CACHE_ERRORS.labels(op=_op)
BUILD_INFO = Gauge("leadlist_build_info", "Always 1; labels say what is running.", ["version", "model"])

# concurrency: refused by the in-flight cap before any work was queued.
REJECT_REASONS = ("queue_full", "timeout", "disconnect", "too_large", "concurrency")
for _reason in REJECT_REASONS:
    REJECTED.labels(reason=_reason)  # present from the first scrape, so rate() has a baseline
for _status in ("413", "422"):
    DOCUMENT_PROBLEMS.labels(status=_status)


for _code in WARNING_CODES:
    WARNINGS.labels(code=_code)


def render() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
