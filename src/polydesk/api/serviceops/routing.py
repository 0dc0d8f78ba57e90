"""The route class of every ServiceOps router.

Exception handlers are application-wide and three dialects share the application, so this
dialect renders its own errors inside its routes: a :class:`DomainError` or a request
validation error becomes the dialect's error body (``errors.py``) with its status, after the
request's unit of work is rolled back, so an error never leaves a write behind. Anything else
unexpected is logged and answered as a 500 in the same shape rather than as plain text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any, ClassVar

import orjson
from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import discard_writes
from polydesk.api.serviceops.errors import (
    FieldNames,
    domain_error_response,
    error_response,
    validation_error_response,
)
from polydesk.core.errors import DomainError, Invalid

log = logging.getLogger("polydesk.api.serviceops")

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type")
    if not content_type:
        return True
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _nul_at(value: object, path: str) -> str | None:
    """Where a NUL character hides in parsed JSON (``""`` for the top level), or ``None``."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            found = _nul_at(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_at(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


async def refuse_nul_characters(request: Request) -> None:
    """NUL characters cannot be stored (PostgreSQL refuses them in text) and mean nothing in
    any field: refuse them in the path, the query and JSON bodies with a 400 naming where."""
    if "\x00" in request.scope.get("path", "") or b"%00" in request.scope.get("query_string", b""):
        raise Invalid("The URL must not contain NUL characters (%00).")
    if request.method in ("GET", "HEAD", "DELETE", "OPTIONS") or not _is_json(request):
        return
    body = await request.body()
    if b"\\u0000" not in body:
        return
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return  # the route's own parsing reports it
    where = _nul_at(parsed, "")
    if where is not None:
        raise Invalid("Text must not contain NUL characters (\\u0000).", field=where or None)


class ServiceOpsRoute(APIRoute):
    """Renders domain and validation errors in the dialect's shape, with nothing written.

    Subclasses set :attr:`field_names` to translate the domain's field names into the wire
    names of their generation (G1 ``status``/``impact`` vs G2 ``statusName``/``impactName``).
    """

    field_names: ClassVar[FieldNames] = FieldNames()

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        field_names = self.field_names

        async def serviceops_handler(request: Request) -> Response:
            try:
                await refuse_nul_characters(request)
                return await handler(request)
            except DomainError as exc:
                await discard_writes(request)
                return domain_error_response(exc, field_names)
            except RequestValidationError as exc:
                await discard_writes(request)
                return validation_error_response(exc)
            except HTTPException:
                await discard_writes(request)
                raise
            except Exception:
                log.exception("unexpected error in %s %s", request.method, request.url.path)
                await discard_writes(request)
                return error_response(500, "The server could not complete the request.")

        return serviceops_handler


def new_router(route_class: type[ServiceOpsRoute] = ServiceOpsRoute, **kwargs: Any) -> APIRouter:
    """A router for this dialect: full paths in the decorators, no prefix. A JSON body sent
    without a ``Content-Type`` is read as JSON (clients of this API often leave it out)."""
    kwargs.setdefault("strict_content_type", False)
    return APIRouter(route_class=route_class, **kwargs)
