"""Schemathesis against the service's own OpenAPI document: no 5xx, every answer as documented.

The service runs for real on a loopback port (the batcher's worker lives on the server's event loop).
For every operation schemathesis generates bodies that follow the schema and bodies that break it, each
answer checked as ``load/_fuzzing.py`` says (the long run, ``python -m load.fuzz``, checks the same).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis import GenerationMode

from load._fuzzing import checks_for, fuzz
from models import Summariser
from service.app import create_app
from service.settings import Settings
from tests.support.live import live_server

pytestmark = pytest.mark.live

EXAMPLES = 120
OPERATIONS = [
    (method.upper(), path)
    for path, methods in create_app(Settings()).openapi()["paths"].items()
    for method in methods
]


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
    fuzz(operation, mode, checks, EXAMPLES)
