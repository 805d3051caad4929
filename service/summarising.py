"""What both summarise routes do once their documents are checked: the cache, then the engine, with the
caller's own deadline and priority, and the ``Cache-Status`` header on the answer."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from pydantic import BaseModel

from models import Document, Summary
from service.batching import DeadlineExceededError
from service.cache import ResultCache, answer_context, cache_status, result_key
from service.cache.results import Compute
from service.deps import EngineDep, SettingsDep
from service.engine import Engine
from service.request_class import RequestClass, RequestClassDep
from service.settings import Settings


async def wait_for_disconnect(request: Request) -> None:
    """Returns when the client goes away; the body has been read, so the next message is the disconnect."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


@dataclass(frozen=True, slots=True)
class Summarising:
    """One request's way to its summaries: its engine, the cache, and its own deadline and priority."""

    request: Request
    response: Response
    engine: Engine
    cache: ResultCache
    settings: Settings
    chosen: RequestClass

    async def run(self, payloads: Sequence[BaseModel], documents: Sequence[Document]) -> list[Summary]:
        """Summaries of ``documents`` (validated from ``payloads``), from the cache where it holds them."""
        if not documents:
            # A batch whose every document was refused in its place: nothing to look up or compute.
            return []
        deadline = time.monotonic() + self.chosen.timeout_s
        cache = self.cache
        context = answer_context(self.engine.summariser.info, self.settings) if cache.enabled else {}
        keys = [result_key(payload, context) for payload in payloads] if cache.enabled else []
        try:
            summaries, outcomes = await cache.summarise(keys, documents, self._compute(deadline), deadline)
        except DeadlineExceededError as exc:
            # Say the deadline the caller chose, not what was left of it when the engine was called.
            raise DeadlineExceededError(f"not served within {self.chosen.timeout_s:g}s") from exc
        status = cache_status(outcomes)
        self.response.headers["Cache-Status"] = status
        self.request.state.cache = status.split("; ", 1)[1]
        return summaries

    def _compute(self, deadline: float) -> Compute:
        async def compute(todo: list[Document]) -> list[Summary]:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeadlineExceededError(f"not served within {self.chosen.timeout_s:g}s")
            return await self.engine.summarise(
                todo,
                disconnected=lambda: wait_for_disconnect(self.request),
                timeout_s=remaining,
                priority=self.chosen.priority,
            )

        return compute


def summarising(
    request: Request, response: Response, engine: EngineDep, settings: SettingsDep, chosen: RequestClassDep
) -> Summarising:
    cache: ResultCache = request.app.state.cache
    return Summarising(request, response, engine, cache, settings, chosen)


SummarisingDep = Annotated[Summarising, Depends(summarising)]
