"""The public surface stays put: the OpenAPI document, the metric families and the settings match snapshots.

Refactors must not change what callers code against or what dashboards and alerts query. The snapshots
under ``tests/service/snapshots/`` were written from the code before a refactor; a change that is meant
to alter the surface regenerates them on purpose with ``python -m tests.service.test_public_surface``
and shows the difference in review.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from prometheus_client.metrics import MetricWrapperBase

from service import metrics
from service.app import create_app
from service.settings import Settings

SNAPSHOTS = Path(__file__).with_name("snapshots")
OPENAPI_SNAPSHOT = SNAPSHOTS / "openapi.json"
METRICS_SNAPSHOT = SNAPSHOTS / "metrics.json"
SETTINGS_SNAPSHOT = SNAPSHOTS / "settings.json"


def openapi_document() -> dict[str, Any]:
    """The document ``/openapi.json`` serves with the default settings; no model is loaded for it."""
    document: dict[str, Any] = create_app(Settings()).openapi()
    return document


def metric_families() -> dict[str, dict[str, Any]]:
    """Every ``leadlist_*`` family the registry behind ``/metrics`` exposes: type, help and label names.

    Read from the registry's families rather than a scrape, so the answer does not depend on which
    labelled series earlier tests happened to create.
    """
    labels = {
        wrapper._name: list(wrapper._labelnames)
        for wrapper in vars(metrics).values()
        if isinstance(wrapper, MetricWrapperBase)
    }
    return {
        family.name: {"type": family.type, "help": family.documentation, "labels": labels.get(family.name)}
        for family in REGISTRY.collect()
        if family.name.startswith("leadlist_")
    }


def settings_schema() -> dict[str, Any]:
    """Every ``LEADLIST_*`` setting with its type, bounds and default, as pydantic describes them."""
    schema: dict[str, Any] = Settings.model_json_schema()
    return schema


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def assert_matches_snapshot(current: Any, snapshot: Path) -> None:
    """Fail with a unified diff of the two JSON documents, so the change is readable in the test log."""
    expected = snapshot.read_text(encoding="utf-8")
    actual = _dump(current)
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"{snapshot.name} (committed)",
                tofile=f"{snapshot.name} (this code)",
            )
        )
        pytest.fail(f"the public surface changed:\n{diff}", pytrace=False)


def test_openapi_document_is_unchanged() -> None:
    assert_matches_snapshot(openapi_document(), OPENAPI_SNAPSHOT)


def test_metric_families_are_unchanged() -> None:
    assert_matches_snapshot(metric_families(), METRICS_SNAPSHOT)


def test_settings_are_unchanged() -> None:
    assert_matches_snapshot(settings_schema(), SETTINGS_SNAPSHOT)


def write_snapshots() -> None:
    SNAPSHOTS.mkdir(exist_ok=True)
    OPENAPI_SNAPSHOT.write_text(_dump(openapi_document()), encoding="utf-8")
    METRICS_SNAPSHOT.write_text(_dump(metric_families()), encoding="utf-8")
    SETTINGS_SNAPSHOT.write_text(_dump(settings_schema()), encoding="utf-8")


if __name__ == "__main__":
    write_snapshots()
