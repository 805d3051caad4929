"""Reading a running service's ``/metrics``: the one scraper the tools share."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True, slots=True)
class Scrape:
    """One ``/metrics`` answer: its text, and every sample's value summed over its labels, by sample name
    (``leadlist_batch_size_requests_count``, ``process_resident_memory_bytes``, ...)."""

    text: str
    samples: dict[str, float]

    def get(self, name: str) -> float:
        """The sample's value; 0 for a sample the service has not exported (yet)."""
        return self.samples.get(name, 0.0)


def scrape(base: str) -> Scrape:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[sample.name] = samples.get(sample.name, 0.0) + sample.value
    return Scrape(text, samples)
