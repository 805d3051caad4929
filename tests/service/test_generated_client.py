"""A calling service's view: a Python client generated from the live /openapi.json by a maintained
generator (openapi-python-client) reads well and parses every answer, problems included."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from load._stories import BRIDGE, BRIDGE_TITLE, STORM
from models import Summariser
from service.settings import Settings
from tests.support.live import live_server

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "leadlist_client"
# No formatting hooks: the test needs the code, not its style.
CONFIG = "post_hooks: []\n"


@pytest.fixture(scope="module")
def service(summariser: Summariser) -> Iterator[str]:
    with live_server(Settings(), summariser) as base:
        yield base


@pytest.fixture(scope="module")
def sdk(service: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("sdk")
    config = folder / "config.yaml"
    config.write_text(CONFIG)
    generated = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--url",
            f"{service}/openapi.json",
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(folder / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=folder,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def part(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.mark.live
def test_the_operations_have_the_names_a_caller_expects(sdk: ModuleType) -> None:
    summarise = part("api.summarise")
    for operation in ("summarize", "summarize_batch", "list_models"):
        module = importlib.import_module(f"{summarise.__name__}.{operation}")
        assert callable(module.sync)
        assert callable(module.sync_detailed)
    for operation in ("liveness", "readiness", "metrics"):
        importlib.import_module(f"{PACKAGE}.api.operations.{operation}")


@pytest.fixture
def caller(service: str, sdk: ModuleType) -> Iterator[Any]:
    """The generated client, pointed at the live service."""
    with sdk.Client(base_url=service, raise_on_unexpected_status=True) as client:
        yield client


@pytest.mark.live
def test_a_summary(caller: Any) -> None:
    models, summarize = part("models"), part("api.summarise.summarize")
    summary = summarize.sync(client=caller, body=models.SummarizeRequest(text=BRIDGE, title=BRIDGE_TITLE))
    assert isinstance(summary, models.SummarizeResponse)
    assert summary.bullets
    assert all(BRIDGE[b.start : b.end] == b.text for b in summary.bullets)
    [card] = part("api.summarise.list_models").sync(client=caller).models
    assert card.backend == "PyTorch (CPU, fp32)"


@pytest.mark.live
def test_a_batch_with_a_bad_document(caller: Any) -> None:
    models, summarize_batch = part("models"), part("api.summarise.summarize_batch")
    documents = [
        models.BatchDocument(text=STORM, id="storm"),
        models.BatchDocument(text="  ", id="blank"),
        models.BatchDocument(text=BRIDGE, max_bullets=2),
    ]
    batch = summarize_batch.sync(client=caller, body=models.BatchRequest(documents=documents))
    assert isinstance(batch, models.BatchResponse)
    storm, blank, bridge = batch.results
    assert isinstance(storm, models.BatchSummary)
    assert (storm.id, storm.status) == ("storm", 200)
    assert isinstance(blank, models.BatchProblem)
    assert (blank.id, blank.index, blank.status) == ("blank", 1, 422)
    assert blank.errors[0].loc == ["documents", 1, "text"]
    assert isinstance(bridge, models.BatchSummary)
    assert len(bridge.bullets) == 2


@pytest.mark.live
def test_a_422_is_parsed_as_a_problem(caller: Any) -> None:
    models, summarize = part("models"), part("api.summarise.summarize")
    invalid = summarize.sync_detailed(client=caller, body=models.SummarizeRequest(text="", max_bullets=0))
    assert invalid.status_code == 422
    assert invalid.headers["content-type"] == "application/problem+json"
    problem = invalid.parsed
    assert isinstance(problem, models.Problem)
    assert problem.status == 422
    assert problem.type_ == "urn:leadlist:problem:invalid-request"
    assert {tuple(issue.loc) for issue in problem.errors} == {("text",), ("max_bullets",)}
