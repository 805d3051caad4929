"""Schemathesis against the service's own OpenAPI document: no 5xx, every answer as documented.

The service runs for real on a loopback port (the batcher's worker lives on the server's event loop).
For every operation schemathesis generates bodies that follow the schema and bodies that break it;
hypothesis drives the examples (schemathesis's pytest plugin is not used: it lags pytest releases).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from models import Summariser
from service.app import create_app
from service.settings import Settings
from tests.live import live_server

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 120
OPERATIONS = [
    (method.upper(), path)
    for path, methods in create_app(Settings()).openapi()["paths"].items()
    for method in methods
]


def checks_for(operation: Any, mode: GenerationMode) -> list[Any] | None:
    """What every answer of ``operation`` is checked for in ``mode``; None when invalid data has
    nowhere to go (the operation takes no body or parameters)."""
    if mode is GenerationMode.POSITIVE:
        return CHECKS
    if "requestBody" not in operation.definition.raw:
        return None
    return [*CHECKS, negative_data_rejection]


@pytest.fixture(scope="module")
def fuzz_schema(summariser: Summariser) -> Iterator[Any]:
    with live_server(Settings(), summariser) as base:
        yield schemathesis.openapi.from_url(f"{base}/openapi.json")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_never_fails_and_matches_its_schema(
    fuzz_schema: Any, method: str, path: str, mode: GenerationMode
) -> None:
    operation = fuzz_schema[path][method]
    checks = checks_for(operation, mode)
    if checks is None:
        pytest.skip("no input to break: the operation takes no body or parameters")

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=checks)

    run()
