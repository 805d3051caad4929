"""Operations routes: /livez (the process answers), /readyz (it can serve a summary), /metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from service import metrics
from service.schemas import Health

router = APIRouter(tags=["operations"])

# What orchestrators and monitoring call: no API key, no traffic limits, logged at debug level only, so an
# overloaded or locked-down instance still answers its probes and its scrape.
OPERATIONS_PATHS = frozenset({"/livez", "/readyz", "/metrics"})


@router.get("/livez", response_model=Health, operation_id="liveness")
async def livez() -> Health:
    return Health(status="alive")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}}, operation_id="readiness")
async def readyz(request: Request) -> Health | JSONResponse:
    state = request.app.state
    if state.ready:
        return Health(status="ready")
    return JSONResponse(
        Health(status="not-ready", detail=state.not_ready_reason).model_dump(), status_code=503
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
    operation_id="metrics",
)
async def prometheus_metrics() -> Response:
    """Prometheus exposition format."""
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
