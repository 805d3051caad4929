"""Request dependencies: how a route reaches the settings and the loaded engine."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.engine import Engine
from service.errors import ProblemError
from service.settings import Settings


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine | None = getattr(request.app.state, "engine", None)
    if engine is None or not request.app.state.ready:
        raise ProblemError(503, "not-ready", "The model is still loading.", headers={"Retry-After": "5"})
    return engine


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
