"""Whether the largest accepted document can be finished within the deadline: the two limits, checked
against each other at start-up.

The longest document (``LEADLIST_MAX_CHARACTERS``) must be one the service finishes within the default
deadline (``LEADLIST_REQUEST_TIMEOUT_S``) on two cores while other traffic runs. Under the size-fair
scheduler a long document is served in at least every other model call however many short requests
arrive, so it is assumed to get half the encoder's throughput; the throughput is the floor
``load.bench_fairness`` measures for MiniLM on two cores (see docs/performance.md "Limits that agree").
"""

from __future__ import annotations

from service.batching.admission import TOKENS_PER_CHARACTER_ESTIMATE
from service.settings import Settings

# Encoder tokens per second on two cores, the floor measured with the machine also running other work
# (a quiet machine does ~3x more).
TWO_CORE_TOKENS_PER_SECOND = 2000.0
# The share of the model's time a long document gets while other traffic runs beside it.
SHARE_UNDER_TRAFFIC = 0.5


def longest_finishable_characters(timeout_s: float) -> int:
    """The longest document (in characters) finished within ``timeout_s`` on two cores under traffic."""
    tokens = timeout_s * TWO_CORE_TOKENS_PER_SECOND * SHARE_UNDER_TRAFFIC
    return int(tokens / TOKENS_PER_CHARACTER_ESTIMATE)


def limits_disagree(settings: Settings) -> str | None:
    """A warning when the largest accepted document could not be finished in time; None when it can."""
    longest = longest_finishable_characters(settings.request_timeout_s)
    if settings.max_characters <= longest:
        return None
    return (
        f"LEADLIST_MAX_CHARACTERS ({settings.max_characters}) accepts documents that two cores under load "
        f"may not finish within LEADLIST_REQUEST_TIMEOUT_S ({settings.request_timeout_s:g}s, about "
        f"{longest} characters); such documents may get 504. Lower one or raise the other."
    )
