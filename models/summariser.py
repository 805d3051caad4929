"""The small interface every model sits behind, and the in-process way of driving it.

A summariser works in three steps so that the expensive middle one can be shared between requests:
``prepare`` turns a document into inputs for the model, ``compute`` runs the model on inputs gathered
from any number of documents, and ``finish`` turns one document's outputs into its summary. The service's
batcher calls the three steps itself; everything else calls :func:`summarise`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from models.document import Document, Job, ModelInfo, Summary
from models.encoders.protocol import Padding


@runtime_checkable
class Summariser(Protocol):
    info: ModelInfo

    def prepare(self, document: Document) -> Job: ...

    def compute(self, inputs: Sequence[str]) -> list[Any]: ...

    def finish(self, job: Job) -> Summary: ...


@runtime_checkable
class ReportsPadding(Protocol):
    """A summariser whose ``compute`` is an encoder's padded forward passes, so it can say how much of
    the latest call was padding. Generators pad inside ``generate`` and do not report it."""

    def last_padding(self) -> Padding: ...


def summarise(
    summariser: Summariser, documents: Sequence[Document], batch_tokens: int = 8192
) -> list[Summary]:
    """Summarise documents in-process, sharing model calls between them as the service does."""
    jobs = [summariser.prepare(document) for document in documents]
    compute_all(summariser, jobs, batch_tokens)
    return [summariser.finish(job) for job in jobs]


def compute_all(
    summariser: Summariser,
    jobs: Sequence[Job],
    batch_tokens: int = 8192,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Fill every job's outputs, with the inputs of all jobs sorted together into shared model calls."""
    pending = [(tokens, j, i) for j, job in enumerate(jobs) for i, tokens in enumerate(job.input_tokens)]
    for job in jobs:
        job.outputs = [None] * len(job.inputs)
    # Longest first, so each batch pads to a length close to all of its members.
    pending.sort(key=lambda item: -item[0])
    for batch in token_batches(pending, batch_tokens):
        outputs = summariser.compute([jobs[j].inputs[i] for _, j, i in batch])
        for (_, j, i), output in zip(batch, outputs, strict=True):
            jobs[j].outputs[i] = output
        if progress:
            progress(len(batch))


def token_batches(items: Sequence[tuple[int, int, int]], budget: int) -> list[list[tuple[int, int, int]]]:
    """Cut length-sorted (tokens, ...) items into batches whose padded size stays within ``budget``."""
    batches: list[list[tuple[int, int, int]]] = []
    current: list[tuple[int, int, int]] = []
    longest = 0
    for item in items:
        longest_if_added = max(longest, item[0])
        if current and longest_if_added * (len(current) + 1) > budget:
            batches.append(current)
            current, longest_if_added = [], item[0]
        current.append(item)
        longest = longest_if_added
    if current:
        batches.append(current)
    return batches
