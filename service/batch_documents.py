"""One batch document at a time: each is checked alone, so a bad one becomes a problem in its place
in ``results`` instead of failing the call (the envelope itself is checked by the route)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from service import metrics
from service.errors import ProblemError, validation_problem
from service.inputs import PreparedInput, prepare_input
from service.schemas import MAX_ID_LENGTH, BatchDocument, BatchProblem
from service.settings import Settings


@dataclass(frozen=True, slots=True)
class AcceptedDocument:
    payload: BatchDocument
    prepared: PreparedInput
    id: str | None


def read_batch_document(raw: Any, index: int, settings: Settings) -> AcceptedDocument | BatchProblem:
    """The document ready for the engine, or the problem a single /v1/summarize call would answer."""
    document_id = _claimed_id(raw)
    try:
        payload = BatchDocument.model_validate(raw)
        return AcceptedDocument(payload, prepare_input(payload, settings, index), payload.id)
    except ValidationError as exc:
        errors = exc.errors(include_input=False, include_url=False)
        for error in errors:
            error["loc"] = ("documents", index, *error["loc"])
        body = validation_problem(errors)
    except ProblemError as exc:
        body = exc.body()
    metrics.DOCUMENT_PROBLEMS.labels(status=str(body["status"])).inc()
    return BatchProblem.model_validate({**body, "index": index, "id": document_id})


def _claimed_id(raw: Any) -> str | None:
    """The id to echo on a problem: the document's own when it is a valid one, else none."""
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH else None
