"""The statistics the tools print: one percentile contract, latency summaries and per-second counts."""

from __future__ import annotations

import collections
import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile of ``values``, ``0 <= q <= 1``, by nearest rank.

    It is the sorted value at index ``round(q * (n - 1))``: always one of the values and in their unit
    (no interpolation between two latencies that never happened). NaN when there are no values.
    """
    if not 0 <= q <= 1:
        raise ValueError(f"q must be within [0, 1], got {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))]


@dataclass(frozen=True, slots=True)
class Latencies:
    """p50, p95 and p99 of a run's latencies, in milliseconds."""

    p50_ms: float
    p95_ms: float
    p99_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latencies:
        return cls(*(1000 * percentile(seconds, q) for q in (0.5, 0.95, 0.99)))


def per_second(times: Sequence[float], start: float) -> list[int]:
    """How many of ``times`` (monotonic seconds) fell in each whole second from ``start`` on."""
    counts = collections.Counter(int(t - start) for t in times if t >= start)
    return [counts.get(i, 0) for i in range(max(counts, default=-1) + 1)]
