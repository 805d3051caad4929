"""The summarisation API: /v1/summarize, /v1/summarize/batch and /v1/models."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from models import Document
from service.deps import EngineDep, SettingsDep
from service.documents import media_type, read_summarize_request, validate_json
from service.errors import ProblemError
from service.inputs import PreparedInput, needs_extraction, prepare_input, respond
from service.schemas import (
    BatchRequest,
    BatchResponse,
    ModelCard,
    ModelRef,
    ModelsResponse,
    Problem,
    SummarizeRequest,
    SummarizeResponse,
)
from service.settings import Settings

router = APIRouter(prefix="/v1", tags=["summarise"])

_PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not valid UTF-8.", **_PROBLEM},
    413: {"description": "A document or the body is over the configured limit.", **_PROBLEM},
    415: {"description": "Unsupported content type.", **_PROBLEM},
    422: {"description": "The body does not match the schema.", **_PROBLEM},
    429: {"description": "The queue is full; retry after Retry-After seconds.", **_PROBLEM},
    503: {"description": "The model is not ready or the service is draining.", **_PROBLEM},
    504: {"description": "The request's deadline passed before it was served.", **_PROBLEM},
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


async def wait_for_disconnect(request: Request) -> None:
    """Returns when the client goes away; the body has been read, so the next message is the disconnect."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _annotate(request: Request, documents: list[Document]) -> None:
    """Sizes for the request log line; never the text itself."""
    request.state.documents = len(documents)
    request.state.characters = sum(len(d.text) for d in documents)


async def _prepare(payloads: list[SummarizeRequest], settings: Settings, batch: bool) -> list[PreparedInput]:
    """Requests as documents; pages are parsed off the event loop, plain text (cheap) on it."""

    def prepare_all() -> list[PreparedInput]:
        return [
            prepare_input(payload, settings, index if batch else None)
            for index, payload in enumerate(payloads)
        ]

    if any(needs_extraction(payload) for payload in payloads):
        return await run_in_threadpool(prepare_all)
    return prepare_all()


def _model_ref(engine: EngineDep) -> ModelRef:
    info = engine.summariser.info
    return ModelRef(name=info.name, version=info.version)


@router.post(
    "/summarize",
    response_model=SummarizeResponse,
    response_model_exclude_none=True,
    responses=ERROR_RESPONSES,
    openapi_extra=_SUMMARIZE_BODY,
)
async def summarize(request: Request, engine: EngineDep, settings: SettingsDep) -> SummarizeResponse:
    """Key points of one article: JSON (text or html), a text/plain body whose first line may be the
    title, or a text/html page."""
    payload = await read_summarize_request(request)
    [prepared] = await _prepare([payload], settings, batch=False)
    _annotate(request, [prepared.document])
    [summary] = await engine.summarise([prepared.document], disconnected=lambda: wait_for_disconnect(request))
    return respond(prepared, summary, _model_ref(engine), engine.summariser.info.generative)


@router.post(
    "/summarize/batch",
    response_model=BatchResponse,
    response_model_exclude_none=True,
    responses=ERROR_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}}},
        }
    },
)
async def summarize_batch(request: Request, engine: EngineDep, settings: SettingsDep) -> BatchResponse:
    """Key points of several articles in one call; results come back in request order."""
    if media_type(request)[0] != "application/json":
        raise ProblemError(415, "unsupported-media-type", "Send the batch as application/json.")
    batch = validate_json(await request.body(), BatchRequest)
    if len(batch.documents) > settings.max_batch_documents:
        raise ProblemError(
            413,
            "too-many-documents",
            f"The batch has {len(batch.documents)} documents; the limit is {settings.max_batch_documents}.",
            extra={"limit": settings.max_batch_documents},
        )
    prepared = await _prepare(batch.documents, settings, batch=True)
    documents = [p.document for p in prepared]
    _annotate(request, documents)
    summaries = await engine.summarise(documents, disconnected=lambda: wait_for_disconnect(request))
    model = _model_ref(engine)
    generated = engine.summariser.info.generative
    return BatchResponse(
        results=[respond(p, s, model, generated) for p, s in zip(prepared, summaries, strict=True)]
    )


@router.get("/models", response_model=ModelsResponse)
async def models(engine: EngineDep, settings: SettingsDep) -> ModelsResponse:
    """The model this instance serves and its limits."""
    info = engine.summariser.info
    return ModelsResponse(
        models=[
            ModelCard(
                name=info.name,
                version=info.version,
                backend=info.backend,
                max_tokens=info.max_tokens,
                default_bullets=settings.default_bullets,
            )
        ]
    )
