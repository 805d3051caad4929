"""``redis-server`` for the cache's tests: skipped cleanly where Debian's package is not installed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from load import _redis


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway Redis on a free loopback port; yields its URL, or skips the calling test."""
    binary = _redis.redis_server_binary()
    if binary is None:
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    with _redis.redis_server(binary) as url:
        yield url
