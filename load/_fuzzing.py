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
# Answers per document: a document that breaks the schema gets a problem in its place, the call a 200.
PER_DOCUMENT_PATHS = frozenset({"/v1/summarize/batch"})


@schemathesis.check
def invalid_data_refused(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """``negative_data_rejection``, except that a batch refuses a document that breaks the schema with a
    problem in its place and a 200 for the call. A broken envelope is still refused 4xx, and a 200 with
    no document refused is judged as any acceptance is (with the generator's serialisation excuses).
    A 413 (too many documents, a body over the limit) refuses the request too, though the stock check's
    list of rejections omits it."""
    if response.status_code == 413:
        return True
    if (
        case.operation.path in PER_DOCUMENT_PATHS
        and response.status_code == 200
        and any(result.get("status") != 200 for result in response.json()["results"])
    ):
        return True
    result: bool | None = negative_data_rejection(ctx, response, case)
    return result


def checks_for(operation: Any, mode: GenerationMode) -> list[Any] | None:
    """What every answer of ``operation`` is checked for in ``mode``; None when invalid data has
    nowhere to go (the operation takes no body or parameters)."""
    if mode is GenerationMode.POSITIVE:
        return CHECKS
    if "requestBody" not in operation.definition.raw:
        return None
    return [*CHECKS, invalid_data_refused]


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
