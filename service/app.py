"""The application factory: settings in, a FastAPI app out, with the model loaded in its lifespan."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from models import Document, Summariser, load_language_model
from service import __version__, health, metrics, routes
from service.auth import ApiKeyAuth, load_keys
from service.batching import BatchingConfig, BatchQueue
from service.cache import build_cache
from service.cpu import limit_blas_threads
from service.docs_pages import install_docs_pages
from service.encoding import RequestDecoding
from service.errors import install_error_handlers
from service.limits import limits_disagree
from service.middleware import RequestTelemetry
from service.openapi import install_openapi
from service.settings import Settings, get_settings
from service.traffic import TrafficLimits

_log = logging.getLogger("leadlist")
OPENAPI_URL = "/openapi.json"
# Answers smaller than about one network packet gain nothing from gzip but its CPU time.
GZIP_MINIMUM_BYTES = 1400
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# A short story with a title: the warm-up call exercises every step of a real request.
WARM_UP = Document(
    title="Warm-up",
    text="The service started. Its model loaded from local files. This sentence checks the whole path.",
)


def create_app(settings: Settings | None = None, summariser: Summariser | None = None) -> FastAPI:
    """Build the app; pass ``summariser`` to reuse an already loaded model (tests, embedding)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _warn_if_open(settings)
        if (disagreement := limits_disagree(settings)) is not None:
            _log.warning(disagreement)
        app.state.cache = build_cache(settings)
        blas = limit_blas_threads()
        loader = asyncio.create_task(_load(app, settings, summariser))
        try:
            yield
        finally:
            blas.restore_original_limits()
            app.state.ready = False
            metrics.READY.set(0)
            loader.cancel()
            engine = getattr(app.state, "engine", None)
            if engine is not None:
                await engine.close()
            await app.state.cache.close()

    docs = settings.docs_enabled
    app = FastAPI(
        title="leadlist",
        version=__version__,
        summary="Key points of a news article, as a short list of faithful bullets.",
        lifespan=lifespan,
        # The pages are installed below, with their assets served from here rather than a CDN.
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_URL if docs else None,
    )
    app.state.settings = settings
    app.state.ready = False
    app.state.engine = None
    app.state.not_ready_reason = "the model is loading"
    _add_middleware(app, settings)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(routes.router)
    install_openapi(app)
    if docs:
        install_docs_pages(app, OPENAPI_URL)
    return app


async def _load(app: FastAPI, settings: Settings, summariser: Summariser | None) -> None:
    """Load the model off the event loop (so /livez answers meanwhile), warm it up, then go ready."""
    started = time.perf_counter()
    try:
        if summariser is None:
            summariser = await asyncio.to_thread(load_from_settings, settings)
        await asyncio.to_thread(load_language_model)
        engine = BatchQueue(summariser, batching_config(settings))
        engine.start()
        # A generator writes only a few tokens here: the path is exercised, start-up is not held up.
        warm_up = dataclasses.replace(WARM_UP, max_new_tokens=min(8, settings.max_new_tokens))
        await engine.summarise([warm_up], timeout_s=max(settings.request_timeout_s, 60.0))
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        app.state.not_ready_reason = f"the model failed to load: {exc}"
        _log.error("model %r failed to load: %s", settings.model, exc)
        return
    app.state.engine = engine
    app.state.ready = True
    app.state.not_ready_reason = None
    elapsed = time.perf_counter() - started
    metrics.MODEL_LOAD_SECONDS.set(elapsed)
    metrics.BUILD_INFO.labels(version=__version__, model=summariser.info.name).set(1)
    metrics.READY.set(1)
    _log.info("model %s ready in %.2fs", summariser.info.name, elapsed)


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """Outermost first: telemetry sees every answer (before compression, with its real status), large
    answers are gzipped, CORS answers preflights, then keys, then a gzip body is decoded, so the limits
    inside count the decompressed bytes."""
    app.add_middleware(
        TrafficLimits, max_body_bytes=settings.max_body_bytes, max_concurrency=settings.max_concurrency
    )
    app.add_middleware(RequestDecoding, max_body_bytes=settings.max_body_bytes)
    keys = load_keys(settings.api_keys.get_secret_value() if settings.api_keys else None)
    if keys:
        app.add_middleware(ApiKeyAuth, keys=keys)
    origins = [origin.strip() for origin in settings.cors_origins.split(",") if origin.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Content-Encoding",
                "X-Request-ID",
                "Request-Timeout",
                "Request-Priority",
            ],
            expose_headers=["X-Request-ID", "Retry-After", "Cache-Status"],
        )
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    app.add_middleware(RequestTelemetry)


def _warn_if_open(settings: Settings) -> None:
    if settings.api_keys is None and settings.host not in LOOPBACK_HOSTS:
        _log.warning(
            "API keys are OFF and the service listens on %s: anyone who can reach it can use it. "
            "Set LEADLIST_API_KEYS to require keys.",
            settings.host,
        )


def batching_config(settings: Settings) -> BatchingConfig:
    return BatchingConfig(
        max_batch_tokens=settings.max_batch_tokens,
        max_wait_s=settings.max_batch_wait_ms / 1000,
        max_queue_tokens=settings.max_queue_tokens,
        timeout_s=settings.request_timeout_s,
        across_requests=settings.batching,
        scheduler=settings.scheduler,
        slice_s=settings.slice_ms / 1000,
    )


def load_from_settings(settings: Settings) -> Summariser:
    """The summariser the settings name; the CLI and the service load models through this one call."""
    # Looked up at call time, so a test can hand every caller an already loaded model.
    from models import load_summariser

    return load_summariser(
        settings.model,
        settings.model_path,
        settings.threads or None,
        settings.generation_config(),
        encoder=settings.encoder,
        cache_dir=settings.cache_dir,
    )
