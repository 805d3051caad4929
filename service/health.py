"""Probes for orchestrators: /livez says the process answers, /readyz that it can serve a summary."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/livez", response_model=Health)
async def livez() -> Health:
    return Health(status="alive")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
async def readyz(request: Request) -> Health | JSONResponse:
    state = request.app.state
    if state.ready:
        return Health(status="ready")
    detail = state.not_ready_reason
    return JSONResponse(Health(status="not-ready", detail=detail).model_dump(), status_code=503)
