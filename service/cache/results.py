"""The result cache in front of the engine: look up, coalesce identical work in flight, compute the rest.

A request's documents are looked up in the in-process tier, then in Redis; those found are answered at
once. A document whose key another request is computing right now waits for that computation instead of
starting its own (single-flight), so a wire story sent by many desks at once runs the model once. If the
computation it waited for fails (that caller's deadline, its disconnect, a refusal), the waiting request
computes the document itself: one caller's trouble never becomes another's.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Awaitable, Callable, Sequence

from models import Document, Summary
from service import metrics
from service.batching import DeadlineExceededError
from service.cache import codec
from service.cache.memory import MemoryTier
from service.cache.shared import SharedTier
from service.settings import Settings

Compute = Callable[[list[Document]], Awaitable[list[Summary]]]


class CacheOutcome(enum.Enum):
    """How one document was answered, from the most to the least cached."""

    HIT = "hit"
    COLLAPSED = "collapsed"
    STORED = "stored"
    BYPASS = "bypass"


class ResultCache:
    def __init__(self, memory: MemoryTier | None = None, shared: SharedTier | None = None) -> None:
        self.memory = memory
        self.shared = shared
        # Keys being computed now, and the future their result (None if it failed) will be set on.
        self._flights: dict[str, asyncio.Future[Summary | None]] = {}

    @property
    def enabled(self) -> bool:
        return self.memory is not None

    async def summarise(
        self, keys: Sequence[str], documents: Sequence[Document], compute: Compute, deadline: float
    ) -> tuple[list[Summary], list[CacheOutcome]]:
        """Each document's summary and how it was answered; ``deadline`` is a ``time.monotonic()``."""
        if self.memory is None:
            return await compute(list(documents)), [CacheOutcome.BYPASS] * len(documents)
        found = await self._look_up(keys)
        summaries: list[Summary | None] = [codec.decode(raw) if raw else None for raw in found]
        outcomes = [CacheOutcome.HIT if raw else CacheOutcome.STORED for raw in found]
        missing = [i for i, summary in enumerate(summaries) if summary is None]
        metrics.CACHE_MISSES.inc(len(missing))

        leaders: dict[str, list[int]] = {}
        waiting: dict[str, list[int]] = {}
        for i in missing:
            key = keys[i]
            if key in leaders:  # the same document twice in one batch: computed once
                leaders[key].append(i)
            elif key in self._flights:
                waiting.setdefault(key, []).append(i)
            else:
                leaders[key] = [i]
                self._flights[key] = asyncio.get_running_loop().create_future()
        flights = {key: self._flights[key] for key in waiting}

        await self._lead(leaders, keys, documents, compute, summaries)
        retry: list[int] = []
        for key, indices in waiting.items():
            remaining = deadline - time.monotonic()
            try:
                result = await asyncio.wait_for(asyncio.shield(flights[key]), max(0.0, remaining))
            except TimeoutError as exc:
                raise DeadlineExceededError("not served in time: an identical request was running") from exc
            for i in indices:
                summaries[i] = result
                outcomes[i] = CacheOutcome.COLLAPSED
            if result is None:
                retry.extend(indices)
            else:
                metrics.CACHE_COALESCED.inc(len(indices))
        if retry:
            computed = await compute([documents[i] for i in retry])
            for i, summary in zip(retry, computed, strict=True):
                summaries[i] = summary
                outcomes[i] = CacheOutcome.STORED
            self._store([(keys[i], summaries[i]) for i in retry])
        return [s for s in summaries if s is not None], outcomes

    async def close(self) -> None:
        if self.shared is not None:
            await self.shared.close()

    async def _look_up(self, keys: Sequence[str]) -> list[bytes | None]:
        assert self.memory is not None
        found: list[bytes | None] = [self.memory.get(key) for key in keys]
        metrics.CACHE_HITS.labels(tier="memory").inc(sum(raw is not None for raw in found))
        absent = [i for i, raw in enumerate(found) if raw is None]
        if self.shared is not None and absent:
            shared = await self.shared.get([keys[i] for i in absent])
            for i, raw in zip(absent, shared, strict=True):
                if raw is not None:
                    found[i] = raw
                    self.memory.put(keys[i], raw)
            metrics.CACHE_HITS.labels(tier="redis").inc(sum(raw is not None for raw in shared))
        return found

    async def _lead(
        self,
        leaders: dict[str, list[int]],
        keys: Sequence[str],
        documents: Sequence[Document],
        compute: Compute,
        summaries: list[Summary | None],
    ) -> None:
        """Compute one document per leading key, answer everyone waiting on those keys, and store."""
        if not leaders:
            return
        results: list[Summary] | None = None
        try:
            results = await compute([documents[indices[0]] for indices in leaders.values()])
        finally:
            for position, (key, indices) in enumerate(leaders.items()):
                flight = self._flights.pop(key)
                result = results[position] if results is not None else None
                flight.set_result(result)
                for i in indices:
                    summaries[i] = result
        if results is not None:
            self._store([(key, result) for key, result in zip(leaders, results, strict=True)])

    def _store(self, items: list[tuple[str, Summary | None]]) -> None:
        assert self.memory is not None
        encoded = [(key, codec.encode(summary)) for key, summary in items if summary is not None]
        for key, raw in encoded:
            self.memory.put(key, raw)
        if self.shared is not None:
            self.shared.put_later(encoded)


def build_cache(settings: Settings) -> ResultCache:
    """The cache the settings describe: off at ``LEADLIST_CACHE_MB=0``, shared when a URL is set."""
    if settings.cache_mb <= 0:
        return ResultCache()
    shared = None
    if settings.cache_url is not None:
        shared = SharedTier(
            settings.cache_url.get_secret_value(), settings.cache_ttl_s, settings.cache_timeout_ms / 1000
        )
    return ResultCache(MemoryTier(int(settings.cache_mb * 2**20)), shared)


def cache_status(outcomes: Sequence[CacheOutcome]) -> str:
    """The ``Cache-Status`` header (RFC 9211) for a response: the least cached document's outcome; a
    batch of several says how many of its documents were hits."""
    worst = max(outcomes, key=list(CacheOutcome).index)
    value = {
        CacheOutcome.HIT: "leadlist; hit",
        CacheOutcome.COLLAPSED: "leadlist; fwd=miss; collapsed",
        CacheOutcome.STORED: "leadlist; fwd=miss; stored",
        CacheOutcome.BYPASS: "leadlist; fwd=bypass",
    }[worst]
    if len(outcomes) > 1 and worst is not CacheOutcome.BYPASS:
        hits = sum(outcome is CacheOutcome.HIT for outcome in outcomes)
        value += f'; detail="{hits} of {len(outcomes)} hit"'
    return value
