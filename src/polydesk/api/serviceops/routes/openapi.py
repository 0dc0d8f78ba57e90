"""``GET /api/v1/openapi.json``: the OpenAPI document of this dialect, built from its own
routers only (the other dialects are not in it)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from polydesk.api.serviceops.routing import new_router

router = new_router(tags=["OpenAPI"])

_STATE = "serviceops_openapi"
ERROR_REF = "#/components/schemas/ErrorBody"
DESCRIPTION = (
    "The Motadata ServiceOps (Flotomate) REST dialect of Polydesk. Authenticate with "
    "`Authorization: Bearer <access token>` from `POST /api/oauth/token`, or with "
    "`Authorization: Apikey <URL-encoded API token>`."
)


def build() -> dict[str, Any]:
    from polydesk.api.serviceops.app import ROUTERS  # the router list includes this module

    routes = [route for r in ROUTERS for route in r.routes]
    document = get_openapi(
        title="Polydesk — ServiceOps API",
        version="1",
        description=DESCRIPTION,
        routes=routes,
    )
    components = document.setdefault("components", {})
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "apikey": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Apikey <URL-encoded API token>`",
        },
        "client": {
            "type": "http",
            "scheme": "basic",
            "description": "Client id and secret (token endpoint only)",
        },
    }
    schemas = components.setdefault("schemas", {})
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            # Validation errors are 400 in this dialect, never FastAPI's 422.
            responses.pop("422", None)
            if path == "/api/oauth/token":
                operation["security"] = [{"client": []}]
                continue
            operation["security"] = [{"bearer": []}, {"apikey": []}]
            if ("parameters" in operation or "requestBody" in operation) and "400" not in responses:
                responses["400"] = {
                    "description": "Invalid input",
                    "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
                }
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


@router.get("/api/v1/openapi.json", include_in_schema=False)
async def openapi(request: Request) -> JSONResponse:
    document = getattr(request.app.state, _STATE, None)
    if document is None:
        document = build()
        setattr(request.app.state, _STATE, document)
    return JSONResponse(document)
