"""The Helm chart, checked without a helm binary: metadata, values against their schema and against the
Kubernetes API's own schemas, every value a template reads exists (and every value is read), and every
object a template can produce is a kind that current Kubernetes serves.

Templates are never rendered here (that needs helm); docs/deployment.md gives the `helm lint` and
`helm template` commands to run where helm is installed.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from service.server import HARD_STOP_MARGIN_S
from service.settings import Settings
from tests.support.promql import ADAPTER_RULES, CHART, ROOT

TEMPLATES = CHART / "templates"
# Kinds that come from prometheus-operator's CRDs, not from Kubernetes itself.
OPERATOR_KINDS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule"),
}


def values() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CHART / "values.yaml").read_text())
    return loaded


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CHART / "values.schema.json").read_text())
    return loaded


def template_texts() -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(TEMPLATES.iterdir()) if path.is_file()}


@cache
def kubernetes_definitions() -> tuple[str, Resource[Any]]:
    """The newest strict Kubernetes schema set that kubernetes-validate ships, and its version."""
    root = importlib.resources.files("kubernetes_validate") / "kubernetes-json-schema"
    strict = [entry.name for entry in root.iterdir() if entry.name.endswith("-local-strict")]
    newest = max(strict, key=lambda name: tuple(int(part) for part in name[1:].split("-")[0].split(".")))
    definitions = json.loads((root / newest / "_definitions.json").read_text())
    return newest, Resource.from_contents(definitions)


def validate_as_kubernetes(instance: Any, definition: str) -> None:
    """Validate a values fragment that a template passes through toYaml against the API type it becomes."""
    _, definitions = kubernetes_definitions()
    registry: Registry[Any] = definitions @ Registry()
    uri = f"https://kubernetes.io/api/_definitions.json#/$defs/{definition}"
    jsonschema.Draft202012Validator({"$ref": uri}, registry=registry).validate(instance)


def test_chart_metadata_matches_the_package() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert chart["apiVersion"] == "v2"
    assert chart["name"] == "leadlist"
    assert chart["type"] == "application"
    assert re.fullmatch(r"\d+\.\d+\.\d+", chart["version"])
    assert chart["appVersion"] == project["version"], "appVersion must follow pyproject.toml's version"
    assert chart["kubeVersion"].startswith(">=")
    assert chart["description"]


def test_every_yaml_file_outside_templates_parses() -> None:
    files = [path for path in CHART.rglob("*.yaml") if TEMPLATES not in path.parents]
    assert len(files) >= 5
    for path in files:
        assert yaml.safe_load(path.read_text()), path


def test_values_validate_against_the_schema() -> None:
    jsonschema.Draft7Validator.check_schema(schema())
    jsonschema.Draft7Validator(schema()).validate(values())


def _with(path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(values())
    *parents, leaf = path.split(".")
    target = changed
    for key in parents:
        target = target[key]
    target[leaf] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("replicaCount", "two"),
        ("replicas", 3),
        ("config.MODEL", "extractive"),
        ("config.LEADLIST_PORT", 9000),
        ("config.LEADLIST_API_KEYS", "secret-in-a-configmap"),
        ("config.LEADLIST_ENCODER", "gpu"),
        ("config.LEADLIST_MODEL", "bart"),
        ("modelVolume.file", "weights/model.gguf"),
        ("config.LEADLIST_REQUEST_TIMEOUT_S", 0),
        ("config.LEADLIST_LOG_LEVEL", "verbose"),
        ("podSecurityContext.runAsNonRoot", False),
        ("securityContext.allowPrivilegeEscalation", True),
        ("apiKeys.keys", ["short"]),
        ("apiKeys.keys", ["a-long-enough-key,another-key-here"]),
        ("apiKeys.mode", "header"),
        ("image.digest", "latest"),
        ("autoscaling.queuePressure.metricName", "queue pressure"),
        ("extraEnv", [{"name": "LEADLIST_API_KEYS", "value": "in-plain-sight"}]),
        ("config.LEADLIST_CACHE_URL", "redis://:password@redis:6379/0"),
        ("extraEnv", [{"name": "LEADLIST_CACHE_URL", "value": "redis://:password@redis:6379/0"}]),
        ("config.LEADLIST_SCHEDULER", "lifo"),
        ("cacheRedis.url", "redis://redis:6379/0"),
        ("cacheRedis.secretKey", ""),
    ],
)
def test_schema_rejects_mistakes(path: str, value: Any) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema()).validate(_with(path, value))


def test_schema_accepts_documented_alternatives() -> None:
    validator = jsonschema.Draft7Validator(schema())
    validator.validate(_with("config.LEADLIST_DEFAULT_BULLETS", 4))
    validator.validate(_with("config.LEADLIST_MODEL_PATH", "/models/other"))
    validator.validate(_with("apiKeys.keys", ["0123456789abcdef0123"]))
    validator.validate(_with("autoscaling.targetCPUUtilizationPercentage", None))
    validator.validate(_with("cacheRedis.existingSecret", "leadlist-redis"))
    validator.validate(_with("config.LEADLIST_CACHE_MB", 0))


def test_redis_url_comes_from_the_existing_secret_never_from_values() -> None:
    deployment = (TEMPLATES / "deployment.yaml").read_text()
    block = deployment[deployment.index("name: LEADLIST_CACHE_URL") :][:300]
    assert "secretKeyRef:" in block
    assert "$.Values.cacheRedis.secretKey" in block
    assert "with .Values.cacheRedis.existingSecret" in deployment
    assert values()["cacheRedis"]["existingSecret"] == ""  # off unless asked for


def _value_paths(tree: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    paths = {prefix} if prefix else set()
    if isinstance(tree, dict):
        for key, child in tree.items():
            paths |= _value_paths(child, (*prefix, str(key)))
    return paths


def _referenced_value_paths() -> dict[tuple[str, ...], str]:
    references = {}
    for name, text in template_texts().items():
        for match in re.finditer(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)", text):
            references[tuple(match.group(1).lstrip(".").split("."))] = name
    return references


def test_every_value_a_template_reads_exists_in_values_yaml() -> None:
    defined = _value_paths(values())
    references = _referenced_value_paths()
    assert len(references) > 50, "the scan found too few references; is the regex still right?"
    missing = {".".join(path): name for path, name in references.items() if path not in defined}
    assert not missing, f"templates read values that values.yaml does not define: {missing}"


def test_every_top_level_value_is_used_by_a_template() -> None:
    used = {path[0] for path in _referenced_value_paths()}
    unused = set(values()) - used
    assert not unused, f"values.yaml keys no template reads: {sorted(unused)}"


def _template_kinds() -> list[tuple[str, str, str]]:
    kinds = []
    for name, text in template_texts().items():
        api_versions = re.findall(r"^apiVersion:\s*(\S+)\s*$", text, flags=re.MULTILINE)
        object_kinds = re.findall(r"^kind:\s*(\S+)\s*$", text, flags=re.MULTILINE)
        assert len(api_versions) == len(object_kinds), name
        kinds.extend((name, api, kind) for api, kind in zip(api_versions, object_kinds, strict=True))
    return kinds


def test_every_template_object_is_a_kind_current_kubernetes_serves() -> None:
    from kubernetes_validate.utils import SchemaNotFoundError, ValidationError, validate

    version, _ = kubernetes_definitions()
    kinds = _template_kinds()
    expected = {
        "Deployment",
        "Service",
        "ServiceAccount",
        "ConfigMap",
        "Secret",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ServiceMonitor",
        "PrometheusRule",
    }
    assert expected <= {kind for _, _, kind in kinds}
    for name, api_version, kind in kinds:
        if (api_version, kind) in OPERATOR_KINDS:
            continue
        stub = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "leadlist"}}
        try:
            validate(stub, version[1:].split("-")[0], strict=True)
        except SchemaNotFoundError as exc:  # pragma: no cover - the failure this test exists for
            pytest.fail(f"{name}: {api_version} {kind} is not served by Kubernetes {version}: {exc}")
        except ValidationError:
            pass  # the kind exists; a bare stub merely lacks its required fields


@pytest.mark.parametrize(
    ("path", "definition"),
    [
        ("podSecurityContext", "io.k8s.api.core.v1.PodSecurityContext"),
        ("securityContext", "io.k8s.api.core.v1.SecurityContext"),
        ("resources", "io.k8s.api.core.v1.ResourceRequirements"),
        ("probes.startup", "io.k8s.api.core.v1.Probe"),
        ("probes.readiness", "io.k8s.api.core.v1.Probe"),
        ("probes.liveness", "io.k8s.api.core.v1.Probe"),
        ("updateStrategy", "io.k8s.api.apps.v1.DeploymentStrategy"),
        ("autoscaling.behavior", "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior"),
    ],
)
def test_values_passed_through_to_manifests_are_valid_kubernetes(path: str, definition: str) -> None:
    fragment: Any = values()
    for key in path.split("."):
        fragment = fragment[key]
    validate_as_kubernetes(fragment, definition)
    with pytest.raises(jsonschema.ValidationError):
        validate_as_kubernetes({**fragment, "notAField": 1}, definition)


def test_probes_use_the_services_health_routes_with_room_for_model_load() -> None:
    probes = values()["probes"]
    assert probes["startup"]["httpGet"]["path"] == "/readyz"
    assert probes["readiness"]["httpGet"]["path"] == "/readyz"
    assert probes["liveness"]["httpGet"]["path"] == "/livez"
    startup_budget = probes["startup"]["periodSeconds"] * probes["startup"]["failureThreshold"]
    assert startup_budget >= 120, "the startup probe must outlast a cold model load on a busy node"


def test_hardening_defaults() -> None:
    chosen = values()
    assert chosen["podSecurityContext"]["runAsNonRoot"] is True
    assert chosen["podSecurityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert chosen["securityContext"]["readOnlyRootFilesystem"] is True
    assert chosen["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert "memory" in chosen["resources"]["limits"]
    assert {"cpu", "memory"} <= set(chosen["resources"]["requests"])
    deployment = (TEMPLATES / "deployment.yaml").read_text()
    assert re.search(r"- name: tmp\s+mountPath: /tmp", deployment), "a read-only root needs a writable /tmp"
    dockerfile = (ROOT / "Dockerfile").read_text()
    uid = re.search(r"useradd[^\n]*--uid (\d+)", dockerfile)
    assert uid, "the Dockerfile creates its user with a fixed --uid"
    assert int(uid.group(1)) == chosen["podSecurityContext"]["runAsUser"], "chart and image UID differ"


def test_termination_grace_outlasts_the_drain_and_the_request_deadline() -> None:
    chosen = values()
    config = chosen["config"]
    grace = chosen["terminationGracePeriodSeconds"]
    # The server stops hard HARD_STOP_MARGIN_S after its drain deadline; the kubelet must wait longer.
    assert grace > chosen["preStopSleepSeconds"] + config["LEADLIST_SHUTDOWN_GRACE_S"] + HARD_STOP_MARGIN_S
    assert grace > config["LEADLIST_REQUEST_TIMEOUT_S"]
    # The template refuses to render a release that breaks this (helm cannot run here to prove it), with
    # the same margin.
    deployment = (TEMPLATES / "deployment.yaml").read_text()
    assert 'fail (printf "terminationGracePeriodSeconds' in deployment
    assert f'"LEADLIST_SHUTDOWN_GRACE_S")) {HARD_STOP_MARGIN_S:.0f} }}}}' in deployment


def test_config_keys_are_settings_the_service_reads() -> None:
    fields = {f"LEADLIST_{name.upper()}" for name in Settings.model_fields}
    configured = set(values()["config"])
    unknown = configured - fields
    assert not unknown, f"values.yaml config sets LEADLIST_* names Settings does not have: {sorted(unknown)}"


def test_config_defaults_match_the_service_defaults() -> None:
    """A fresh install behaves like `make serve`, except where the chart says why it differs."""
    deliberate = {"LEADLIST_THREADS"}  # a pod must not take one torch thread per NODE core
    defaults = Settings()
    for name, value in values()["config"].items():
        field = name.removeprefix("LEADLIST_").lower()
        if name in deliberate or field not in Settings.model_fields or value is None:
            continue  # null: the chart leaves the setting out, so the service default applies
        assert getattr(defaults, field) == value, name


def test_prometheus_rule_and_dashboard_embed_their_files_verbatim() -> None:
    rule = (TEMPLATES / "prometheusrule.yaml").read_text()
    assert '.Files.Get "files/alerts.rules.yaml"' in rule
    assert re.search(r"^spec:\s*$", rule, flags=re.MULTILINE)
    assert set(yaml.safe_load((CHART / "files" / "alerts.rules.yaml").read_text())) == {"groups"}
    dashboard = (TEMPLATES / "dashboard-configmap.yaml").read_text()
    assert '.Files.Get "dashboards/leadlist.json"' in dashboard
    assert ".Values.dashboard.label" in dashboard


def test_the_readme_gives_the_adapter_rule_the_tests_run() -> None:
    readme = (CHART / "README.md").read_text()
    rule = yaml.safe_load(ADAPTER_RULES.read_text())["rules"]["custom"][0]
    assert rule["metricsQuery"] in readme
    assert rule["seriesQuery"] in readme
    assert (
        yaml.safe_load((CHART / "values.yaml").read_text())["autoscaling"]["queuePressure"]["metricName"]
        in readme
    )


def test_helmignore_keeps_the_chart_files_the_templates_read() -> None:
    ignored = (CHART / ".helmignore").read_text().split()
    for name, text in template_texts().items():
        for path in re.findall(r'\.Files\.Get "([^"]+)"', text):
            assert (CHART / path).is_file(), f"{name} reads missing {path}"
            assert path not in ignored, f"{name} reads {path}, which .helmignore leaves out of the package"


def test_chart_has_the_issue_templates() -> None:
    names = {path.name for path in TEMPLATES.iterdir()}
    assert {
        "_helpers.tpl",
        "NOTES.txt",
        "deployment.yaml",
        "service.yaml",
        "serviceaccount.yaml",
        "configmap.yaml",
        "secret.yaml",
        "hpa.yaml",
        "pdb.yaml",
        "servicemonitor.yaml",
        "networkpolicy.yaml",
        "prometheusrule.yaml",
        "dashboard-configmap.yaml",
    } <= names
    helpers = (TEMPLATES / "_helpers.tpl").read_text()
    for label in ("name", "instance", "version", "managed-by"):
        assert f"app.kubernetes.io/{label}:" in helpers


def test_api_key_secret_format_is_what_the_service_reads(tmp_path: Path) -> None:
    """File mode joins keys with newlines (the service reads a file line by line), env mode with commas."""
    from service.auth import load_keys

    secret = (TEMPLATES / "secret.yaml").read_text()
    assert 'join (ternary "\\n" "," (eq .Values.apiKeys.mode "file")) .Values.apiKeys.keys' in secret
    keys = ["0123456789abcdef0123", "abcdef0123456789abcd"]
    mounted = tmp_path / "api-keys"
    mounted.write_text("\n".join(keys))
    assert load_keys(str(mounted)) == keys
    assert load_keys(",".join(keys)) == keys
    deployment = (TEMPLATES / "deployment.yaml").read_text()
    assert 'value: "{{ .Values.apiKeys.mountPath }}/{{ .Values.apiKeys.secretKey }}"' in deployment
