"""``GET /v1/openapi.json``: the OpenAPI 3.1 document of this surface, built from its routes.

Every route is listed under both prefixes and with every suffix (``.json``, ``.js``, ``.xml``,
none), with the envelope, the wrapper of its result and of its request body, and the query
parameters it reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from polydesk.api.gotoassist.envelope import JSON_TYPE, render, success_payload
from polydesk.api.gotoassist.formats import PREFIXES, SUFFIXES, Format, context
from polydesk.api.gotoassist.routing import GaRoute, Operation, ga_router, op, operation_of

router = ga_router()
_PARAM = re.compile(r"\{([^}]+)\}")
REF = "#/components/schemas/"


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF + "{model}")
    for name, definition in schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault(model.__name__, schema)
    return {"$ref": REF + model.__name__}


def _result_schema(operation: Operation, components: dict[str, Any]) -> dict[str, Any]:
    if operation.raw_result is not None:
        return operation.raw_result
    item: dict[str, Any] = (
        _schema(operation.schema, components)
        if operation.schema is not None
        else {"type": "object"}
    )
    if operation.result is None:
        return {"type": "object"}
    is_list = operation.paged or operation.result.endswith("s")
    if not is_list:
        return {
            "type": "object",
            "properties": {operation.result: item},
            "required": [operation.result],
        }
    properties: dict[str, Any] = {operation.result: {"type": "array", "items": item}}
    if operation.paged:
        properties |= {"total_entries": {"type": "integer"}, "total_pages": {"type": "integer"}}
    return {"type": "object", "properties": properties, "required": list(properties)}


def _operation(
    route: APIRoute, method: str, operation: Operation, components: dict[str, Any]
) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PARAM.findall(route.path)
    ]
    for query in operation.query:
        schema: dict[str, Any] = {"type": query.type}
        if query.default is not None:
            schema["default"] = query.default
        parameters.append(
            {
                "name": query.name,
                "in": "query",
                "required": False,
                "description": query.description,
                "schema": schema,
            }
        )
    doc: dict[str, Any] = {
        "summary": operation.summary,
        "operationId": f"{route.name}_{method.lower()}",
        "tags": [route.path.split("/")[2]],
        "parameters": parameters,
        "responses": {
            "200": {
                "description": (
                    "Success envelope, or the Failed envelope with [E400] errors — and, by "
                    "default, with [E906] (invalid verifier) and [E902] (rate limit) too."
                ),
                "content": {
                    "application/json": {
                        "schema": {
                            "oneOf": [
                                {
                                    "type": "object",
                                    "properties": {
                                        "result": _result_schema(operation, components),
                                        "version": {"const": "1.0"},
                                        "status": {"const": "Success"},
                                    },
                                    "required": ["result", "version", "status"],
                                },
                                {"$ref": REF + "Failed"},
                            ]
                        }
                    },
                    "application/xml": {"schema": {"type": "string"}},
                },
            },
            "401": {
                "description": (
                    "[E906] Invalid verifier, when POLYDESK_GOTOASSIST_AUTH_FAILURE_STATUS=401"
                ),
                "content": {"application/json": {"schema": {"$ref": REF + "Failed"}}},
            },
            "429": {
                "description": (
                    "[E902] rate limit exceeded for this hour, when "
                    "POLYDESK_GOTOASSIST_RATE_LIMIT_STATUS=429"
                ),
                "content": {"application/json": {"schema": {"$ref": REF + "Failed"}}},
            },
        },
    }
    if operation.public:
        doc["security"] = []
        del doc["responses"]["401"]
    if operation.body is not None:
        body_item = (
            _schema(operation.body_schema, components)
            if operation.body_schema is not None
            else {"type": "object"}
        )
        wrapped = {"type": "object", "properties": {operation.body: body_item}}
        doc["requestBody"] = {
            "required": False,
            "content": {
                "application/json": {"schema": wrapped},
                "application/xml": {"schema": {"type": "string"}},
                "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
            },
        }
    return doc


def build_document(routes: Sequence[BaseRoute]) -> dict[str, Any]:
    components: dict[str, Any] = {
        "Failed": {
            "type": "object",
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"error": {"type": "string"}},
                        "required": ["error"],
                    },
                },
                "version": {"const": "1.0"},
                "status": {"const": "Failed"},
            },
            "required": ["errors", "version", "status"],
        }
    }
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if not isinstance(route, GaRoute):
            continue
        operation = operation_of(route) or Operation(route.name.replace("_", " ").capitalize())
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            doc = _operation(route, method, operation, components)
            rest = route.path.removeprefix("/v1")
            for prefix in PREFIXES:
                for suffix in ("", *SUFFIXES):
                    variant = dict(doc)
                    variant["operationId"] = (
                        f"{doc['operationId']}{prefix.replace('/', '_')}{suffix.replace('.', '_')}"
                    )
                    paths.setdefault(f"{prefix}{rest}{suffix}", {})[method.lower()] = variant
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Polydesk — GoToAssist Service Desk API v1",
            "version": "1.0",
            "description": (
                "HTTP Basic: any username, the API token as the password. Every path also "
                "answers with .js (JSON) and .xml; see docs/gotoassist.md."
            ),
        },
        "components": {
            "schemas": components,
            "securitySchemes": {"apiToken": {"type": "http", "scheme": "basic"}},
        },
        "security": [{"apiToken": []}],
        "paths": paths,
    }


_document: dict[str, Any] | None = None


def document() -> dict[str, Any]:
    """Built once per process from the surface's routers (``app.ROUTERS``)."""
    global _document
    if _document is None:
        from polydesk.api.gotoassist.app import ROUTERS

        _document = build_document([route for r in ROUTERS for route in r.routes])
    return _document


@router.get(
    "/v1/openapi",
    openapi_extra=op("This OpenAPI document", public=True, raw_result={"type": "object"}),
)
async def openapi_document(request: Request) -> Response:
    """The document itself, not in the envelope, as OpenAPI tools expect it; with ``.xml``,
    inside the envelope in XML."""
    if context(request).format.is_xml:
        return render(Format.XML, success_payload(document()))
    return Response(orjson.dumps(document()), media_type=JSON_TYPE)
