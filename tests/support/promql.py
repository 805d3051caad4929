"""Test helpers for the deployment's PromQL: which metrics an expression reads, Grafana variable expansion,
and the chart's dashboard and alert files as data.

The metric-name scan is a tokenizer, not a PromQL parser: it drops strings, label matchers, range and
subquery brackets and the label lists of by/without/on/ignoring/group_*, and keeps the bare identifiers
that are not functions or keywords. Prometheus itself parses every expression in the live test.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from tests.support.paths import ROOT

CHART = ROOT / "helm" / "leadlist"
DASHBOARD = CHART / "dashboards" / "leadlist.json"
ALERT_RULES = CHART / "files" / "alerts.rules.yaml"
ALERT_TESTS = CHART / "files" / "alerts.test.yaml"
ADAPTER_RULES = CHART / "files" / "prometheus-adapter-rules.yaml"
# Series the alerts read that leadlist does not export: Prometheus's own and kube-state-metrics'.
EXTERNAL_METRICS = {"up", "kube_pod_container_status_restarts_total"}

_KEYWORDS = {
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "inf",
    "nan",
    "Inf",
    "NaN",
}
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^}]*\}")
_BRACKETS = re.compile(r"\[[^\]]*\]")
_LABEL_LIST = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*")

# What a Grafana panel query becomes once Grafana has filled in its variables ("All" selected).
GRAFANA_VARIABLES = {
    "__rate_interval": "1m",
    "__interval": "15s",
    "__range": "1h",
    "namespace": ".*",
    "job": ".*",
}
_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (``foo``, ``foo{a="b"}``, ``foo[5m]``)."""
    text = _STRING.sub('""', expr)
    text = _MATCHERS.sub(" ", text)
    text = _BRACKETS.sub(" ", text)
    text = _LABEL_LIST.sub(" ", text)
    names = set()
    for match in _IDENTIFIER.finditer(text):
        token = match.group()
        if token in _KEYWORDS or text[match.end() :].lstrip().startswith("("):
            continue
        names.add(token)
    return names


def expand_grafana(expr: str) -> str:
    """Substitute Grafana's variables the way a dashboard with "All" selected would."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in GRAFANA_VARIABLES:
            raise KeyError(f"unknown Grafana variable ${name} in {expr!r}")
        return GRAFANA_VARIABLES[name]

    return _VARIABLE.sub(value, expr)


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def dashboard_panels() -> list[dict[str, Any]]:
    """Every panel with queries, rows flattened."""
    panels = []
    for panel in dashboard()["panels"]:
        panels.extend([panel, *panel.get("panels", [])])
    return [panel for panel in panels if panel.get("targets")]


def panel_queries() -> list[tuple[str, str]]:
    """(panel title + refId, PromQL with Grafana variables expanded) for every panel target."""
    return [
        (f"{panel['title']} [{target['refId']}]", expand_grafana(target["expr"]))
        for panel in dashboard_panels()
        for target in panel["targets"]
    ]


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERT_RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def exported_names(metrics_text: str) -> set[str]:
    """Every sample name a /metrics text can carry, including families with no sample yet."""
    from prometheus_client.parser import text_string_to_metric_families

    suffixes = {
        "counter": ("_total", "_created"),
        "histogram": ("_bucket", "_sum", "_count", "_created"),
        "summary": ("_sum", "_count", "_created"),
        "gauge": ("",),
        "info": ("_info",),
    }
    names: set[str] = set()
    for family in text_string_to_metric_families(metrics_text):
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names
