"""The summarisation API: /v1/summarize, /v1/summarize/batch and /v1/models."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from models import Document
from service.batch_documents import AcceptedDocument, read_batch_document
from service.deps import EngineDep, SettingsDep
from service.documents import media_type, read_summarize_request, validate_json
from service.errors import PROBLEM_JSON, ProblemError
from service.inputs import PreparedInput, needs_extraction, prepare_input, respond
from service.schemas import (
    BatchEnvelope,
    BatchProblem,
    BatchResponse,
    BatchSummary,
    ModelCard,
    ModelRef,
    ModelsResponse,
    SummarizeRequest,
    SummarizeResponse,
)
from service.settings import Settings
from service.summarising import SummarisingDep

router = APIRouter(prefix="/v1", tags=["summarise"])

# FastAPI would put a ``model`` under application/json; every error is sent as problem+json, so the
# schema is declared there by reference (service/openapi.py adds Problem to the components).
_PROBLEM = {"content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "The body is not valid UTF-8 or not valid gzip, or Request-Timeout is not allowed.",
        **_PROBLEM,
    },
    401: {"description": "API keys are on (LEADLIST_API_KEYS) and none was sent.", **_PROBLEM},
    403: {"description": "API keys are on and the key sent is not one of them.", **_PROBLEM},
    413: {"description": "The body (decompressed) or a document is over its limit.", **_PROBLEM},
    415: {"description": "Unsupported content type or content encoding.", **_PROBLEM},
    422: {"description": "The body does not match the schema.", **_PROBLEM},
    429: {
        "description": "The queue is full (batch priority first); retry after Retry-After seconds.",
        **_PROBLEM,
    },
    503: {"description": "The model is not ready or the service is draining.", **_PROBLEM},
    504: {"description": "The request's deadline passed before it was served.", **_PROBLEM},
}
NOT_READY_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: ERROR_RESPONSES[status] for status in (401, 403, 503)
}

_SUMMARIZE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/SummarizeRequest"}},
            "text/plain": {
                "schema": {"type": "string", "minLength": 1},
                "example": "Headline on the first line\nThe article body follows.",
            },
            "text/html": {
                "schema": {"type": "string", "minLength": 1},
                "example": "<html><body><h1>Headline</h1><p>The article.</p></body></html>",
            },
        },
    },
    # How a text/plain or text/html body sets its options; a JSON body's own fields win over these.
    "parameters": [
        {
            "name": "offset_unit",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": ["codepoint", "utf16", "utf8"], "default": "codepoint"},
            "description": "What offsets count; a JSON body's offset_unit field wins.",
        },
        {
            "name": "return_text",
            "in": "query",
            "required": False,
            "schema": {"type": "boolean", "default": False},
            "description": "Include the text offsets index into; a JSON body's return_text field wins.",
        },
    ],
}


def _annotate(request: Request, documents: list[Document]) -> None:
    """Sizes for the request log line; never the text itself."""
    request.state.documents = len(documents)
    request.state.characters = sum(len(d.text) for d in documents)


async def _prepare(payload: SummarizeRequest, settings: Settings) -> PreparedInput:
    """The request as a document; a page is parsed off the event loop, plain text (cheap) on it."""
    if needs_extraction(payload.html, payload.text):
        return await run_in_threadpool(prepare_input, payload, settings)
    return prepare_input(payload, settings)


async def _read_batch(raws: list[Any], settings: Settings) -> list[AcceptedDocument | BatchProblem]:
    """Each batch document prepared, or the problem in its place; pages are parsed off the event loop."""

    def read_all() -> list[AcceptedDocument | BatchProblem]:
        return [read_batch_document(raw, index, settings) for index, raw in enumerate(raws)]

    if any(isinstance(raw, dict) and needs_extraction(raw.get("html"), raw.get("text")) for raw in raws):
        return await run_in_threadpool(read_all)
    return read_all()


def _model_ref(engine: EngineDep) -> ModelRef:
    info = engine.summariser.info
    return ModelRef(name=info.name, version=info.version)


@router.post(
    "/summarize",
    response_model=SummarizeResponse,
    response_model_exclude_none=True,
    responses=ERROR_RESPONSES,
    openapi_extra=_SUMMARIZE_BODY,
    operation_id="summarize",
)
async def summarize(
    request: Request, engine: EngineDep, settings: SettingsDep, summarising: SummarisingDep
) -> SummarizeResponse:
    """Key points of one article: JSON (text or html), a text/plain body whose first line may be the
    title, or a text/html page."""
    payload = await read_summarize_request(request)
    prepared = await _prepare(payload, settings)
    _annotate(request, [prepared.document])
    [summary] = await summarising.run([payload], [prepared.document])
    return respond(prepared, summary, _model_ref(engine), engine.summariser.info.generative)


@router.post(
    "/summarize/batch",
    response_model=BatchResponse,
    response_model_exclude_none=True,
    responses=ERROR_RESPONSES,
    operation_id="summarizeBatch",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}}},
        }
    },
)
async def summarize_batch(
    request: Request, engine: EngineDep, settings: SettingsDep, summarising: SummarisingDep
) -> BatchResponse:
    """Key points of several articles in one call; results come back in request order.

    A document refused on its own (schema, limits) gets a problem object in its place and the others
    are summarised: the call answers 200. Only a malformed envelope fails the whole call.
    """
    if media_type(request)[0] != "application/json":
        raise ProblemError(415, "unsupported-media-type", "Send the batch as application/json.")
    batch = validate_json(await request.body(), BatchEnvelope)
    if len(batch.documents) > settings.max_batch_documents:
        raise ProblemError(
            413,
            "too-many-documents",
            f"The batch has {len(batch.documents)} documents; the limit is {settings.max_batch_documents}.",
            extra={"limit": settings.max_batch_documents},
        )
    read = await _read_batch(batch.documents, settings)
    accepted = [item for item in read if isinstance(item, AcceptedDocument)]
    documents = [item.prepared.document for item in accepted]
    _annotate(request, documents)
    summaries = await summarising.run([item.payload for item in accepted], documents)
    model = _model_ref(engine)
    generated = engine.summariser.info.generative
    summarised = iter(summaries)
    results: list[BatchSummary | BatchProblem] = []
    for item in read:
        if isinstance(item, BatchProblem):
            results.append(item)
            continue
        response = respond(item.prepared, next(summarised), model, generated)
        results.append(BatchSummary(**dict(response), status=200, id=item.id))
    return BatchResponse(results=results)


@router.get(
    "/models", response_model=ModelsResponse, responses=NOT_READY_RESPONSES, operation_id="listModels"
)
async def models(engine: EngineDep, settings: SettingsDep) -> ModelsResponse:
    """The model this instance serves and its limits."""
    info = engine.summariser.info
    return ModelsResponse(
        models=[
            ModelCard(
                name=info.name,
                version=info.version,
                backend=info.backend_label,
                backend_id=info.backend,
                max_tokens=info.max_tokens,
                default_bullets=settings.default_bullets,
            )
        ]
    )
