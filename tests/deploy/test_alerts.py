"""The alert rules pass promtool's checks and its unit tests (each alert fires on its failure and stays
silent on healthy traffic and near misses), and read only metrics that exist."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.prometheus import require_binary
from tests.support.promql import ALERT_RULES, ALERT_TESTS, alert_rules, metric_names


# Alerts may read these series, which come from Prometheus itself and kube-state-metrics, not leadlist.
def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = require_binary("promtool", "Debian: apt-get install prometheus")
    return subprocess.run([promtool, *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.live
def test_promtool_checks_the_rules() -> None:
    result = _promtool("check", "rules", str(ALERT_RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in result.stdout


@pytest.mark.live
def test_promtool_unit_tests_pass() -> None:
    result = _promtool("test", "rules", str(ALERT_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_is_unit_tested_firing_and_silent() -> None:
    import yaml

    tests = yaml.safe_load(ALERT_TESTS.read_text())["tests"]
    cases = [case for test in tests for case in test.get("alert_rule_test", [])]
    for rule in alert_rules():
        mine = [case for case in cases if case["alertname"] == rule["alert"]]
        assert any(case["exp_alerts"] for case in mine), f"{rule['alert']} is never tested firing"
        assert any(not case["exp_alerts"] for case in mine), f"{rule['alert']} is never tested silent"


def test_alerts_have_severity_summary_and_description() -> None:
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        assert rule["annotations"]["description"], rule["alert"]
        assert metric_names(rule["expr"]), f"{rule['alert']}: no metric found in its expression"
