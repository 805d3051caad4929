"""The Redis tier: results shared by every replica, which must never be the reason a request fails.

Every operation has a short timeout; an error or a timeout is counted (``leadlist_cache_errors_total``)
and treated as a miss, and Redis is then left alone for ``BACKOFF_S`` so that a Redis that is down or
black-holed costs requests nothing instead of a timeout each. Writes happen after the answer is sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from service import metrics

KEY_PREFIX = "leadlist:result:"
BACKOFF_S = 5.0
_log = logging.getLogger("leadlist.cache")


class SharedTier:
    def __init__(self, url: str, ttl_s: int, timeout_s: float) -> None:
        self.ttl_s = ttl_s
        self.timeout_s = timeout_s
        self._client: Redis = Redis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry=Retry(NoBackoff(), 0),
        )
        self._skip_until = 0.0
        self._writes: set[asyncio.Task[None]] = set()

    async def get(self, keys: list[str]) -> list[bytes | None]:
        """The stored values of ``keys`` (None for each missing), all None when Redis fails."""
        if not keys or self._resting():
            return [None] * len(keys)
        try:
            values: list[Any] = await asyncio.wait_for(
                self._client.mget([KEY_PREFIX + key for key in keys]), self.timeout_s
            )
        except Exception as exc:  # any failure of the cache is a miss, never an error
            self._failed("get", exc)
            return [None] * len(keys)
        return [value if isinstance(value, bytes) else None for value in values]

    def put_later(self, items: list[tuple[str, bytes]]) -> None:
        """Store ``items`` in the background: the caller's answer never waits for Redis."""
        if not items or self._resting():
            return
        task = asyncio.create_task(self._put(items))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def flush(self) -> None:
        """Wait for background writes (tests and shutdown)."""
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)

    async def close(self) -> None:
        await self.flush()
        await self._client.aclose()

    async def _put(self, items: list[tuple[str, bytes]]) -> None:
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for key, value in items:
                    pipe.set(KEY_PREFIX + key, value, ex=self.ttl_s)
                await asyncio.wait_for(pipe.execute(), self.timeout_s)
        except Exception as exc:  # a failed write only costs a future hit
            self._failed("set", exc)

    def _resting(self) -> bool:
        return time.monotonic() < self._skip_until

    def _failed(self, op: str, exc: BaseException) -> None:
        metrics.CACHE_ERRORS.labels(op=op).inc()
        self._skip_until = time.monotonic() + BACKOFF_S
        _log.warning("redis %s failed (%s); computing without it for %gs", op, type(exc).__name__, BACKOFF_S)
