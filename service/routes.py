"""The summarisation API: /v1/summarize, /v1/summarize/batch and /v1/models."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from models import Document
from service.deps import EngineDep, SettingsDep
from service.documents import media_type, read_summarize_request, to_document, validate_json
from service.errors import ProblemError
from service.schemas import (
    BatchRequest,
    BatchResponse,
    ModelCard,
    ModelRef,
    ModelsResponse,
    Problem,
    SummarizeResponse,
)
from service.summarising import SummarisingDep

router = APIRouter(prefix="/v1", tags=["summarise"])

_PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not valid UTF-8, or Request-Timeout is not allowed.", **_PROBLEM},
    413: {"description": "A document or the body is over the configured limit.", **_PROBLEM},
    415: {"description": "Unsupported content type.", **_PROBLEM},
    422: {"description": "The body does not match the schema.", **_PROBLEM},
    429: {
        "description": "The queue is full (batch priority first); retry after Retry-After seconds.",
        **_PROBLEM,
    },
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
        },
    }
}


def _annotate(request: Request, documents: list[Document]) -> None:
    """Sizes for the request log line; never the text itself."""
    request.state.documents = len(documents)
    request.state.characters = sum(len(d.text) for d in documents)


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
async def summarize(
    request: Request, engine: EngineDep, settings: SettingsDep, summarising: SummarisingDep
) -> SummarizeResponse:
    """Key points of one article, as JSON or as a text/plain body whose first line may be the title."""
    payload = await read_summarize_request(request)
    document = to_document(payload, settings)
    _annotate(request, [document])
    [summary] = await summarising.run([payload], [document])
    return SummarizeResponse.from_summary(summary, _model_ref(engine), engine.summariser.info.generative)


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
async def summarize_batch(
    request: Request, engine: EngineDep, settings: SettingsDep, summarising: SummarisingDep
) -> BatchResponse:
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
    documents = [to_document(payload, settings, index) for index, payload in enumerate(batch.documents)]
    _annotate(request, documents)
    summaries = await summarising.run(batch.documents, documents)
    model = _model_ref(engine)
    generated = engine.summariser.info.generative
    return BatchResponse(results=[SummarizeResponse.from_summary(s, model, generated) for s in summaries])


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
