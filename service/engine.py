"""What routes hand documents to: the batcher, seen through the one method routes need."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from models import Document, Summariser, Summary
from service.batching.queue import Priority


class Engine(Protocol):
    summariser: Summariser

    async def summarise(
        self,
        documents: Sequence[Document],
        disconnected: Callable[[], Awaitable[None]] | None = None,
        timeout_s: float | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> list[Summary]: ...

    @property
    def active_requests(self) -> int: ...

    async def drain(self, grace_s: float) -> None: ...

    async def close(self) -> None: ...
