"""Size-fair scheduling, per-request deadlines and priority, through the HTTP API on the real model."""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from threadpoolctl import threadpool_info

from load._stories import BRIDGE, LONG_STORY, STORM
from models import Summariser
from service.app import create_app
from service.logs import JsonFormatter
from service.settings import Settings
from tests.support.app import assert_problem, wait_ready
from tests.support.live import live_server

# About 30,000 characters: many slices of model work, so a short request has something to overtake.
LONG = " ".join([LONG_STORY] * 12)
SHORT = "The council approved the bridge on Tuesday. Work starts next spring."


def queued_tokens(base: str) -> float:
    for family in text_string_to_metric_families(httpx.get(f"{base}/metrics").text):
        if family.name == "leadlist_queue_tokens":
            return family.samples[0].value
    raise AssertionError("leadlist_queue_tokens is not exported")


def wait_until_queued(base: str, timeout_s: float = 60.0) -> None:
    """Until the long document's work is in the queue (its splitting and tokenising are done)."""
    deadline = time.monotonic() + timeout_s
    while queued_tokens(base) == 0:
        assert time.monotonic() < deadline, "the long document never reached the queue"
        time.sleep(0.01)


def post_timed(base: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, float]:
    """Status and the monotonic time the answer arrived."""
    response = httpx.post(f"{base}/v1/summarize", json=body, headers=headers, timeout=120)
    return response.status_code, time.monotonic()


@pytest.mark.live
def test_a_short_request_overtakes_a_long_one(summariser: Summariser) -> None:
    settings = Settings(cache_mb=0, scheduler="fair", request_timeout_s=120)
    with live_server(settings, summariser) as base, ThreadPoolExecutor(2) as pool:
        long: Future[tuple[int, float]] = pool.submit(post_timed, base, {"text": LONG})
        wait_until_queued(base)
        short_status, short_done = post_timed(base, {"text": SHORT})
        long_status, long_done = long.result()
    assert (short_status, long_status) == (200, 200)  # the long one still finishes
    assert short_done < long_done


@pytest.mark.live
def test_batch_priority_runs_only_when_no_interactive_work_waits(summariser: Summariser) -> None:
    settings = Settings(cache_mb=0, scheduler="fair", request_timeout_s=120)
    with live_server(settings, summariser) as base, ThreadPoolExecutor(3) as pool:
        long = pool.submit(post_timed, base, {"text": LONG})
        wait_until_queued(base)
        batch_sent = time.monotonic()
        batch = pool.submit(post_timed, base, {"text": STORM}, {"Request-Priority": "batch"})
        time.sleep(0.2)
        interactive_status, interactive_done = post_timed(base, {"text": BRIDGE})
        (long_status, long_done), (batch_status, batch_done) = long.result(), batch.result()
    assert (interactive_status, long_status, batch_status) == (200, 200, 200)
    # The short interactive request overtakes the long one; the batch request, although it came
    # before the short one, waits until no interactive work is left: it is computed after the long
    # document's last sentences, though it may be answered while the long one's ranking still runs.
    assert interactive_done < long_done
    assert interactive_done < batch_done
    assert batch_done - batch_sent > 0.5 * (long_done - batch_sent)


@pytest.mark.live
def test_request_timeout_header_lowers_the_deadline(summariser: Summariser) -> None:
    settings = Settings(cache_mb=0, request_timeout_s=120)
    with live_server(settings, summariser) as base:
        lowered = httpx.post(
            f"{base}/v1/summarize", json={"text": LONG}, headers={"Request-Timeout": "0.05"}, timeout=120
        )
        assert_problem(lowered, 504)
        assert "0.05s" in lowered.json()["detail"]
        served = httpx.post(f"{base}/v1/summarize", json={"text": LONG}, timeout=120)
        assert served.status_code == 200


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan", "inf", "30.5"])
def test_request_timeout_may_only_lower_the_service_deadline(client: TestClient, value: str) -> None:
    response = client.post("/v1/summarize", json={"text": SHORT}, headers={"Request-Timeout": value})
    body = assert_problem(response, 400)
    assert body["type"] == "urn:leadlist:problem:invalid-request-timeout"
    assert body["limit"] == 30


def test_unknown_priority_is_refused(client: TestClient) -> None:
    response = client.post("/v1/summarize", json={"text": SHORT}, headers={"Request-Priority": "urgent"})
    body = assert_problem(response, 422)
    assert body["errors"][0]["loc"] == ["header", "Request-Priority"]


def test_priority_and_deadline_reach_the_log_line_and_metrics(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    labels = {"route": "/v1/summarize", "status": "200", "priority": "batch", "deadline": "lowered"}
    before = _sample(client, "leadlist_requests_total", labels)
    with caplog.at_level(logging.INFO, logger="leadlist.request"):
        response = client.post(
            "/v1/summarize",
            json={"text": SHORT},
            headers={"Request-Timeout": "12.5", "Request-Priority": "batch"},
        )
    assert response.status_code == 200
    [record] = [r for r in caplog.records if r.name == "leadlist.request"]
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["priority"], entry["deadline_s"]) == ("batch", 12.5)
    assert _sample(client, "leadlist_requests_total", labels) == before + 1


def _sample(client: TestClient, name: str, labels: dict[str, str]) -> float:
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


def blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_ranking_beside_the_model_call_uses_one_blas_thread_while_the_service_runs(
    summariser: Summariser,
) -> None:
    """A long document's ranking must not take the cores the encoder needs for the short requests'
    model call; the limit is the service's while it runs and the process's own again after."""
    before = blas_threads()
    with TestClient(create_app(Settings(cache_mb=0), summariser=summariser)) as client:
        assert blas_threads() == {1}
        wait_ready(client)
        assert client.post("/v1/summarize", json={"text": LONG}).status_code == 200
    assert blas_threads() == before
