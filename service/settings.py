"""Every knob of the service, read from ``LEADLIST_*`` environment variables with working defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models import MAX_BEAMS, MAX_NEW_TOKENS, GenerationConfig, default_cache_dir


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEADLIST_", extra="ignore", env_file=None)

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    model: str = "extractive"
    # A local directory of weights; empty means the model embedded in the package.
    model_path: Path | None = None
    # Encoder intra-op threads (torch or onnxruntime); 0 lets the runtime choose (one per core).
    threads: int = Field(0, ge=0)
    # torch: fp32 reference. onnx-int8: int8 ONNX Runtime encoder, no torch at run time.
    encoder: Literal["torch", "onnx-int8"] = "torch"
    # Where `leadlist export-onnx` (or the first onnx-int8 start) writes the exported model.
    cache_dir: Path = Field(default_factory=default_cache_dir)

    max_characters: int = Field(100_000, ge=1, description="Longest accepted document, in characters.")
    max_batch_documents: int = Field(32, ge=1, description="Most documents in one /v1/summarize/batch call.")
    default_bullets: int | None = Field(
        None, ge=1, le=10, description="Bullets when the caller asks for none; unset lets the model choose."
    )

    # Micro-batching (see docs/configuration.md "Batching"): how long to wait for company, how big a model
    # call may be, how much work may queue before new requests are refused, and how long a request may take.
    batching: bool = Field(
        True, description="False: a model call never mixes requests (to measure the gain)."
    )
    max_batch_tokens: int = Field(8192, ge=256, description="Tokens (before padding) in one model call.")
    max_batch_wait_ms: float = Field(
        5.0, ge=0, le=1000, description="Wait for concurrent requests; 0 = none."
    )
    max_queue_tokens: int = Field(262_144, ge=1024, description="Queued tokens before answering 429.")
    request_timeout_s: float = Field(
        30.0, gt=0, le=600, description="Deadline per request (504 after); a caller may only lower it."
    )
    # Scheduling (see docs/performance.md "Scheduling"): how queued work is shared between requests.
    scheduler: Literal["fair", "fifo"] = Field(
        "fair", description="fair: size-fair slices, batch priority last; fifo: oldest work first."
    )
    slice_ms: float = Field(
        25.0, ge=1, le=1000, description="Model time one request may add to a call under the fair policy."
    )

    # Result cache (see docs/operations.md "Result cache").
    cache_mb: float = Field(64.0, ge=0, le=65536, description="In-process result cache size; 0 = off.")
    cache_url: SecretStr | None = Field(
        None, description="redis://... to share results between replicas; unset = in-process only."
    )
    cache_ttl_s: int = Field(86_400, ge=1, description="How long Redis keeps a result.")
    cache_timeout_ms: float = Field(
        50.0, gt=0, le=5000, description="Longest wait for Redis before computing without it."
    )

    # Hardening (see docs/operations.md "Security" and "Signals").
    api_keys: SecretStr | None = Field(
        None, description="Comma-separated keys, or the path of a file with one key a line; unset = no auth."
    )
    max_body_bytes: int = Field(8 * 1024 * 1024, ge=1024, description="Largest request body (413 above).")
    max_concurrency: int = Field(512, ge=1, description="Requests in flight before 429; probes exempt.")
    shutdown_grace_s: float = Field(30.0, ge=0, le=600, description="Drain time on SIGTERM before 503s.")
    cors_origins: str = Field("", description="Comma-separated allowed origins; empty = CORS off.")
    docs_enabled: bool = Field(True, description="Serve /docs and /openapi.json.")

    # Generator models (LEADLIST_MODEL=seq2seq|causal) only. A request may lower max_new_tokens and
    # num_beams, never raise them, so these are also the ceiling of what one request can cost.
    num_beams: int = Field(4, ge=1, le=MAX_BEAMS, description="Beam search width; 1 is greedy.")
    length_penalty: float = Field(1.0, gt=0, le=5, description=">1 favours longer beams, <1 shorter.")
    no_repeat_ngram_size: int = Field(3, ge=0, le=10, description="No n-gram of this size twice; 0 = off.")
    min_new_tokens: int = Field(10, ge=0, le=MAX_NEW_TOKENS, description="Fewest tokens written per chunk.")
    max_new_tokens: int = Field(128, ge=1, le=MAX_NEW_TOKENS, description="Most tokens written per chunk.")
    chunk_tokens: int = Field(0, ge=0, description="Article tokens per chunk; 0 = the model's window.")
    chunk_overlap_sentences: int = Field(1, ge=0, le=5, description="Sentences repeated between chunks.")
    grounding_threshold: float = Field(
        0.5, ge=0, le=1, description="Least support (0-1) a generated bullet needs to be returned."
    )
    keep_unsupported: bool = Field(
        False, description="Return unsupported bullets flagged supported=false instead of dropping them."
    )

    @model_validator(mode="after")
    def _lengths_in_order(self) -> Self:
        if self.min_new_tokens > self.max_new_tokens:
            raise ValueError(
                f"LEADLIST_MIN_NEW_TOKENS ({self.min_new_tokens}) must not exceed "
                f"LEADLIST_MAX_NEW_TOKENS ({self.max_new_tokens})"
            )
        return self

    def generation_config(self) -> GenerationConfig:
        return GenerationConfig(
            num_beams=self.num_beams,
            length_penalty=self.length_penalty,
            no_repeat_ngram_size=self.no_repeat_ngram_size,
            min_new_tokens=self.min_new_tokens,
            max_new_tokens=self.max_new_tokens,
            chunk_tokens=self.chunk_tokens,
            chunk_overlap_sentences=self.chunk_overlap_sentences,
            grounding_threshold=self.grounding_threshold,
            keep_unsupported=self.keep_unsupported,
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
