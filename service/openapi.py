"""The OpenAPI document, with the request bodies the routes parse themselves.

The summarise routes read their body by hand (to accept JSON and text/plain and to answer 400/413/415
as problems), so FastAPI cannot see their request models; they are added to the components here so
``/openapi.json`` still describes them and fuzzers can generate valid bodies. Error responses refer to
``Problem`` under ``application/problem+json`` (what the service sends), so it is added here too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.schemas import BatchRequest, Problem, SummarizeRequest

# Request bodies the routes parse themselves, and the problem every error response refers to.
DECLARED_MODELS = (SummarizeRequest, BatchRequest, Problem)


def install_openapi(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in DECLARED_MODELS:
            model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(model_schema.pop("$defs", {}))
            components[model.__name__] = model_schema
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
