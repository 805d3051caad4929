"""The in-process tier: least recently used results, bounded in bytes rather than entries.

Answers vary from a few hundred bytes to tens of kilobytes (a long story's usage and bullets), so a count
bound says nothing about memory; each entry is charged its key, its value and a fixed overhead for the
dictionary slot and the objects around them.
"""

from __future__ import annotations

import collections

from service import metrics

ENTRY_OVERHEAD_BYTES = 200


class MemoryTier:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: collections.OrderedDict[str, bytes] = collections.OrderedDict()
        self._bytes = 0
        metrics.CACHE_BYTES.set(0)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> bytes | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: str, value: bytes) -> None:
        """Keep ``value``, evicting the least recently used entries to make room; a value larger than
        the whole cache is not kept."""
        size = _size(key, value)
        if size > self.max_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= _size(key, old)
        while self._entries and self._bytes + size > self.max_bytes:
            evicted_key, evicted = self._entries.popitem(last=False)
            self._bytes -= _size(evicted_key, evicted)
            metrics.CACHE_EVICTIONS.inc()
        self._entries[key] = value
        self._bytes += size
        metrics.CACHE_BYTES.set(self._bytes)


def _size(key: str, value: bytes) -> int:
    return len(key) + len(value) + ENTRY_OVERHEAD_BYTES
