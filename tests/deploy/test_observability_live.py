"""The Grafana dashboard, the alerts and the autoscaling metric, run through a real Prometheus scraping a
real leadlist process that has served real traffic.

One leadlist subprocess (its own metrics registry, like a pod) serves on a free loopback port with a small
queue, so the traffic below produces every answer the dashboard shows: 200s on both routes, 413 for a
document bigger than the queue, 422 for an empty one and 429s from a concurrent burst. Prometheus scrapes
it every second with the labels a ServiceMonitor would give it and evaluates the chart's alert rules. Then
every panel query, every alert expression and the prometheus-adapter rule go through Prometheus's HTTP API.
Skips where Prometheus is not installed (CI installs Debian's package).
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from load._server import free_port, stop_process, wait_until_ready
from load._stories import BRIDGE, BRIDGE_TITLE, LONG_STORY, LONG_STORY_TITLE, STORM
from tests.support.prometheus import Prometheus, require_binary, running_prometheus
from tests.support.promql import (
    ADAPTER_RULES,
    ALERT_RULES,
    EXTERNAL_METRICS,
    alert_rules,
    dashboard,
    exported_names,
    metric_names,
    panel_queries,
)

pytestmark = [pytest.mark.live, pytest.mark.slow]

JOB = "leadlist"
TARGET_LABELS = {"namespace": "leadlist-test", "pod": "leadlist-0"}
SCRAPE_INTERVAL_S = 1.0
# Small enough that one long story fits and two concurrent ones do not (429), and a doubled one never (413).
QUEUE_TOKENS = 1024


@dataclass
class Observed:
    base: str
    prometheus: Prometheus
    statuses: Counter[tuple[str, int]]
    metrics_text: str


def _start_leadlist(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "LEADLIST_HOST": "127.0.0.1",
        "LEADLIST_PORT": str(port),
        "LEADLIST_MAX_QUEUE_TOKENS": str(QUEUE_TOKENS),
        "LEADLIST_LOG_LEVEL": "warning",
        # The bursts repeat one article to fill the queue; the result cache would answer them all at once.
        "LEADLIST_CACHE_MB": "0",
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve"], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(
            f"{base}/readyz",
            180,
            lambda: (
                None
                if process.poll() is None
                else f"leadlist exited with {process.returncode}: {log.read_text()[-2000:]}"
            ),
            poll_s=0.2,
        )
    except RuntimeError:
        process.kill()
        raise
    return process, base


def _send_traffic(base: str, between_waves: Callable[[], None]) -> Counter[tuple[str, int]]:
    """Two waves of the same mix with scrapes between them.

    A counter series is born at its first increment, and rate() never counts the increments in a series'
    first sample, so a status seen in one wave only would show as a rate of 0; the second wave moves every
    series the first created.
    """
    statuses: Counter[tuple[str, int]] = Counter()
    single, batch = "/v1/summarize", "/v1/summarize/batch"

    def post(client: httpx.Client, route: str, body: dict[str, Any], expect: int | None = None) -> None:
        status = client.post(route, json=body).status_code
        statuses[(route, status)] += 1
        assert expect is None or status == expect, f"{route} answered {status}, expected {expect}"

    with httpx.Client(base_url=base, timeout=60) as client:
        for wave in range(2):
            if wave:
                between_waves()
            post(client, single, {"text": BRIDGE, "title": BRIDGE_TITLE}, 200)
            post(client, single, {"text": STORM}, 200)
            post(client, single, {"text": LONG_STORY, "title": LONG_STORY_TITLE}, 200)
            documents = [{"text": STORM}, {"text": BRIDGE, "title": BRIDGE_TITLE}]
            post(client, batch, {"documents": documents}, 200)
            # More tokens than the whole queue holds, then a blank document.
            post(client, single, {"text": f"{LONG_STORY}\n{LONG_STORY}"}, 413)
            post(client, single, {"text": "   "}, 422)
            with ThreadPoolExecutor(max_workers=16) as pool:
                burst = [pool.submit(post, client, single, {"text": LONG_STORY}) for _ in range(16)]
                for future in burst:
                    future.result()
    return statuses


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Observed]:
    require_binary("prometheus", "Debian: apt-get install prometheus")
    directory = tmp_path_factory.mktemp("observability")
    process, base = _start_leadlist(directory / "leadlist.log")
    try:
        scrape = {
            "job_name": JOB,
            "scrape_interval": f"{SCRAPE_INTERVAL_S:g}s",
            "static_configs": [{"targets": [base.removeprefix("http://")], "labels": TARGET_LABELS}],
        }
        with running_prometheus(directory, [scrape], [ALERT_RULES], SCRAPE_INTERVAL_S) as prometheus:
            prometheus.wait_for_scrapes(JOB, 2, SCRAPE_INTERVAL_S)
            statuses = _send_traffic(base, lambda: prometheus.wait_for_scrapes(JOB, 2, SCRAPE_INTERVAL_S))
            # Enough scrapes after the last request that every rate() window holds its increase.
            prometheus.wait_for_scrapes(JOB, 3, SCRAPE_INTERVAL_S)
            metrics_text = httpx.get(f"{base}/metrics", timeout=10).text
            yield Observed(base, prometheus, statuses, metrics_text)
    finally:
        stop_process(process, 30)


def _finite(result: list[dict[str, Any]]) -> list[float]:
    return [float(item["value"][1]) for item in result if math.isfinite(float(item["value"][1]))]


def test_traffic_produced_every_answer_the_dashboard_shows(observed: Observed) -> None:
    # Each request sent one at a time got the status it was built to get (checked as it was sent).
    statuses = observed.statuses
    assert statuses[("/v1/summarize", 200)] >= 6
    assert statuses[("/v1/summarize/batch", 200)] == 2
    assert statuses[("/v1/summarize", 413)] >= 2
    assert statuses[("/v1/summarize", 422)] == 2
    assert statuses[("/v1/summarize", 429)] >= 2, f"the bursts did not fill the queue: {statuses}"


def test_dashboard_reads_only_metrics_the_service_exports(observed: Observed) -> None:
    exported = exported_names(observed.metrics_text)
    assert "leadlist_requests_total" in exported
    assert "leadlist_queue_duration_seconds_bucket" in exported
    queries = panel_queries()
    assert len(queries) >= 20
    for title, expr in queries:
        names = metric_names(expr)
        assert names, f"{title}: no metric found in {expr!r}"
        assert names <= exported, f"{title}: {sorted(names - exported)} are not in the service's /metrics"


def test_every_dashboard_query_parses_and_returns_data(observed: Observed) -> None:
    empty = []
    for title, expr in panel_queries():
        if not _finite(observed.prometheus.query(expr)):
            empty.append(title)
    assert not empty, f"panels with no data after real traffic: {empty}"


def test_traffic_panels_show_what_was_sent(observed: Observed) -> None:
    """Spot-check that panels measure the traffic, not merely return something."""
    query = observed.prometheus.query
    by_status = {
        item["metric"]["status"]: float(item["value"][1])
        for item in query(dict(panel_queries())["Requests per second by status [A]"])
    }
    for status in ("200", "413", "422", "429"):
        assert by_status.get(status, 0) > 0, f"status {status} shows no rate: {by_status}"
    articles = query(dict(panel_queries())["Articles summarised per second [A]"])
    assert _finite(articles)[0] > 0
    rss = _finite(query(dict(panel_queries())["Resident memory [A]"]))
    assert len(rss) == 1, "one replica"
    assert 50e6 < rss[0] < 4e9, "the RSS of a process with a loaded model"


def test_dashboard_variables_resolve_to_the_scraped_labels(observed: Observed) -> None:
    variables = [item for item in dashboard()["templating"]["list"] if item["type"] == "query"]
    assert {item["name"] for item in variables} == {"namespace", "job"}
    for variable in variables:
        match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", variable["query"]["query"])
        assert match, variable["query"]
        selector = match.group(1).replace("$namespace", ".*")
        series = observed.prometheus.api("series", **{"match[]": selector})
        values = {item.get(match.group(2)) for item in series}
        assert values == {(TARGET_LABELS | {"job": JOB})[match.group(2)]}, variable["name"]


def test_alert_expressions_parse_and_read_exported_metrics(observed: Observed) -> None:
    exported = exported_names(observed.metrics_text) | EXTERNAL_METRICS
    for rule in alert_rules():
        observed.prometheus.query(rule["expr"])
        assert metric_names(rule["expr"]) <= exported, rule["alert"]


def test_prometheus_loads_and_evaluates_every_alert(observed: Observed) -> None:
    names = {rule["alert"] for rule in alert_rules()}
    deadline = time.monotonic() + 15
    while True:
        groups = observed.prometheus.api("rules", type="alert")["groups"]
        rules = {rule["name"]: rule for group in groups for rule in group["rules"]}
        evaluated = all(rule.get("lastEvaluation", "").startswith("20") for rule in rules.values())
        if (set(rules) == names and evaluated) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert set(rules) == names
    for name, rule in rules.items():
        assert rule["health"] == "ok", f"{name}: {rule.get('lastError')}"
    # The burst's 429s are far above 1% of the traffic: throttling is pending (it fires after 15 minutes).
    assert rules["LeadlistSustainedThrottling"]["state"] == "pending"
    assert rules["LeadlistHighErrorRatio"]["state"] == "inactive"
    assert rules["LeadlistModelNotReady"]["state"] == "inactive"


def test_adapter_rule_serves_queue_pressure_per_pod(observed: Observed) -> None:
    rule = yaml.safe_load(ADAPTER_RULES.read_text())["rules"]["custom"][0]
    series = observed.prometheus.api("series", **{"match[]": rule["seriesQuery"]})
    assert series, rule["seriesQuery"]
    assert {"namespace", "pod"} <= set(series[0]), "the adapter maps namespace and pod to objects"
    metric = series[0]["__name__"]
    exposed = re.sub(rule["name"]["matches"], rule["name"]["as"].replace("${1}", r"\1"), metric)
    assert (
        exposed
        == yaml.safe_load((ADAPTER_RULES.parents[1] / "values.yaml").read_text())["autoscaling"][
            "queuePressure"
        ]["metricName"]
    )
    # What the adapter asks Prometheus when the HPA reads the metric for the pods of one namespace.
    query = (
        rule["metricsQuery"]
        .replace("<<.Series>>", metric)
        .replace("<<.LabelMatchers>>", f'namespace="{TARGET_LABELS["namespace"]}",pod=~"leadlist-.*"')
        .replace("<<.GroupBy>>", "pod")
    )
    result = observed.prometheus.query(query)
    assert [item["metric"] for item in result] == [{"pod": TARGET_LABELS["pod"]}]
    assert _finite(result)[0] > 0, "requests queued during the traffic, so the pressure was above zero"
