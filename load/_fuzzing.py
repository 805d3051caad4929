"""Fuzzing one operation of the service from its own OpenAPI document, as CI and the long run both do.

Every answer is checked the same way: no 5xx, a documented status, content type and body, and (for
bodies generated to break the schema) invalid input rejected. Hypothesis drives the examples;
schemathesis's pytest plugin is not used, because it lags pytest releases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

TEXT_BODIES = frozenset({"text/plain", "text/html"})
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def checks_for(operation: Any, mode: GenerationMode) -> list[Any] | None:
    """What every answer of ``operation`` is checked for in ``mode``; None when invalid data has
    nowhere to go (the operation takes no body or parameters)."""
    if mode is GenerationMode.POSITIVE:
        return CHECKS
    if "requestBody" not in operation.definition.raw:
        return None
    return [*CHECKS, negative_data_rejection]


def fuzz(
    operation: Any,
    mode: GenerationMode,
    checks: list[Any],
    examples: int,
    on_case: Callable[[], None] = lambda: None,
) -> None:
    """Send up to ``examples`` generated cases; raises the first failure, shrunk by hypothesis."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case: schemathesis.Case) -> None:
        # Invalid bodies go as JSON only: a text/plain or text/html body is any string, and schemathesis
        # writes a "schema-violating" null or number as its text ("null"), which is a valid short article.
        assume(mode is not GenerationMode.NEGATIVE or case.media_type not in TEXT_BODIES)
        on_case()
        case.call_and_validate(checks=checks)

    run()
