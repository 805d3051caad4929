"""Where routes hand documents to the model: one summariser, driven off the event loop.

Routes only ever see :class:`Engine`; how work is scheduled behind it (one thread, micro-batches) can
change without touching them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from models import Document, Summariser, Summary, summarise


class Engine(Protocol):
    summariser: Summariser

    async def summarise(self, documents: Sequence[Document]) -> list[Summary]: ...

    async def close(self) -> None: ...


class DirectEngine:
    """Runs each call's documents together in a worker thread, one call at a time."""

    def __init__(self, summariser: Summariser) -> None:
        self.summariser = summariser
        self._lock = asyncio.Lock()

    async def summarise(self, documents: Sequence[Document]) -> list[Summary]:
        async with self._lock:
            return await asyncio.to_thread(summarise, self.summariser, documents)

    async def close(self) -> None:
        return None
