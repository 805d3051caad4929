"""/metrics parses as Prometheus text, names every documented metric, and moves when work is served."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from load._stories import BRIDGE, BRIDGE_TITLE, STORM
from models import Summariser
from service.app import create_app
from service.logs import JsonFormatter
from service.settings import Settings
from tests.support.app import wait_ready

# Family names as the parser reports them (counters lose their _total suffix).
DOCUMENTED = {
    "leadlist_requests": "counter",
    "leadlist_request_duration_seconds": "histogram",
    "leadlist_queue_duration_seconds": "histogram",
    "leadlist_inference_duration_seconds": "histogram",
    "leadlist_queue_size": "gauge",
    "leadlist_queue_tokens": "gauge",
    "leadlist_batch_size_requests": "histogram",
    "leadlist_batch_size_tokens": "histogram",
    "leadlist_batch_padding_ratio": "histogram",
    "leadlist_input_tokens": "histogram",
    "leadlist_input_characters": "histogram",
    "leadlist_bullets": "histogram",
    "leadlist_documents": "counter",
    "leadlist_rejected": "counter",
    "leadlist_truncated": "counter",
    "leadlist_document_problems": "counter",
    "leadlist_warnings": "counter",
    "leadlist_model_load_seconds": "gauge",
    "leadlist_ready": "gauge",
    "leadlist_build_info": "gauge",
}


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    values = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def test_every_documented_metric_is_exported_with_its_type(client: TestClient) -> None:
    families = {f.name: f.type for f in text_string_to_metric_families(client.get("/metrics").text)}
    for name, kind in DOCUMENTED.items():
        assert families.get(name) == kind, name
    assert "process_resident_memory_bytes" in families or "process_cpu_seconds" in families


def test_metrics_move_when_a_request_is_served(client: TestClient) -> None:
    before = scrape(client)
    response = client.post("/v1/summarize", json={"text": BRIDGE, "title": BRIDGE_TITLE})
    assert response.status_code == 200
    batch = client.post("/v1/summarize/batch", json={"documents": [{"text": STORM}, {"text": BRIDGE}]}).json()
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    served_as = {"priority": "interactive", "deadline": "default"}
    assert delta("leadlist_requests_total", route="/v1/summarize", status="200", **served_as) == 1
    assert delta("leadlist_requests_total", route="/v1/summarize/batch", status="200", **served_as) == 1
    assert delta("leadlist_request_duration_seconds_count", route="/v1/summarize", **served_as) == 1
    assert delta("leadlist_documents_total") == 3
    assert delta("leadlist_input_characters_count") == 3
    assert delta("leadlist_input_characters_sum") == len(BRIDGE) * 2 + len(STORM)
    assert delta("leadlist_input_tokens_sum") > 0
    served = len(response.json()["bullets"]) + sum(len(r["bullets"]) for r in batch["results"])
    assert delta("leadlist_bullets_sum") == served
    assert delta("leadlist_bullets_count") == 3
    assert delta("leadlist_queue_duration_seconds_count") == 2
    assert delta("leadlist_inference_duration_seconds_count") >= 2
    assert delta("leadlist_batch_size_requests_count") >= 2
    assert delta("leadlist_batch_size_tokens_sum") > 0
    assert delta("leadlist_batch_padding_ratio_count") >= 2
    assert after[("leadlist_model_load_seconds", ())] > 0
    assert after[("leadlist_queue_size", ())] == 0
    assert after[("leadlist_queue_tokens", ())] == 0


def test_errors_are_counted_by_status(client: TestClient) -> None:
    before = scrape(client)
    client.post("/v1/summarize", json={"text": ""})
    after = scrape(client)
    labels = {"route": "/v1/summarize", "status": "422", "priority": "interactive", "deadline": "default"}
    key = ("leadlist_requests_total", tuple(sorted(labels.items())))
    assert after[key] - before.get(key, 0.0) == 1


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    given = client.get("/livez", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    generated = client.get("/livez").headers["x-request-id"]
    assert len(generated) == 32
    hostile = client.get("/livez", headers={"X-Request-ID": "bad id\twith spaces"}).headers["x-request-id"]
    assert hostile != "bad id\twith spaces"


def test_one_json_log_line_per_request_without_article_text(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="leadlist.request"):
        client.post(
            "/v1/summarize", json={"text": BRIDGE, "title": BRIDGE_TITLE}, headers={"X-Request-ID": "r-1"}
        )
    [record] = [r for r in caplog.records if r.name == "leadlist.request"]
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["request_id"] == "r-1"
    assert entry["route"] == "/v1/summarize"
    assert entry["status"] == 200
    assert entry["documents"] == 1
    assert entry["characters"] == len(BRIDGE)
    assert entry["duration_ms"] > 0
    assert "\n" not in line
    assert "Riverton" not in line
    assert "bridge" not in line.lower()


def test_ready_gauge_follows_the_lifespan(summariser: Summariser) -> None:
    with TestClient(create_app(Settings(), summariser=summariser)) as fresh:
        wait_ready(fresh)
        assert scrape(fresh)[("leadlist_ready", ())] == 1
        info = [key for key in scrape(fresh) if key[0] == "leadlist_build_info"]
        assert any(dict(labels)["model"].startswith("extractive") for _, labels in info)
    assert REGISTRY.get_sample_value("leadlist_ready") == 0
