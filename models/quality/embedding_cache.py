"""Running a summariser's expensive step over a data set once, and keeping the result.

Evaluation and training both need every story prepared and computed exactly as ``summarise`` would;
the encoder is by far the slowest part, so its outputs can be cached on disk, keyed by the encoder's name
and every input text, and a change to either recomputes rather than reusing stale vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from models.document import Document, Job
from models.summariser import Summariser, compute_all


def compute_jobs(
    summariser: Summariser,
    documents: Sequence[Document],
    cache_dir: Path | None,
    progress: Callable[[int], None] | None = None,
    batch_tokens: int = 8192,
) -> list[Job]:
    """Prepare and embed documents as ``summarise`` does, reusing cached embeddings when the inputs and
    the encoder are the same."""
    jobs = [summariser.prepare(document) for document in documents]
    digest = hashlib.sha256(summariser.info.name.encode())
    for job in jobs:
        digest.update("\x1e".join(job.inputs).encode() + b"\x1d")
    cache = cache_dir / "embeddings" / f"{digest.hexdigest()[:24]}.npz" if cache_dir else None
    if cache is not None and cache.exists():
        with np.load(cache) as stored:
            for number, job in enumerate(jobs):
                job.outputs = list(stored[f"job{number}"])
        return jobs
    compute_all(summariser, jobs, batch_tokens, progress)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        arrays = {
            f"job{n}": np.stack(job.outputs) if job.outputs else np.zeros((0, 1), np.float32)
            for n, job in enumerate(jobs)
        }
        np.savez(cache, **arrays)  # type: ignore[arg-type]
    return jobs
