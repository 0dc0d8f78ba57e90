"""Routing of the surface: the path middleware (prefix, suffix, auth, rate limit), the route
class that renders every error in the Failed envelope, and the operation metadata from which
the OpenAPI document is built.

Adding an operation (see ``docs/gotoassist.md``, "Implementation")::

    router = ga_router()

    @router.get("/v1/incidents/{incident_id}", openapi_extra=op(
        "Show Incident", result="incident", schema=IncidentOut))
    async def show_incident(incident_id: str, actor: CurrentActor, session: DbSession,
                            request: Request) -> Response:
        ...
        return success(request, {"incident": ...})

Paths are written once, under ``/v1`` and without a suffix; the middleware serves them under
both prefixes and with every suffix.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from polydesk.api.deps import discard_writes
from polydesk.api.gotoassist.auth import authenticate_and_count
from polydesk.api.gotoassist.envelope import (
    E902,
    RATE_LIMIT_STATUS,
    RATE_LIMITED,
    GaError,
    failure,
    invalid,
    unauthenticated,
)
from polydesk.api.gotoassist.formats import SCOPE_KEY, GaContext, split_path
from polydesk.core.clock import utcnow
from polydesk.core.errors import DomainError, NotFound, Unauthenticated

PUBLIC_PATHS = frozenset({"/v1/openapi"})
"""Paths served without a token (still counted, per client address)."""
DOC_KEY = "x-gotoassist"


# Operation metadata --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryParam:
    name: str
    type: str = "string"
    description: str = ""
    default: Any = None


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one operation."""

    summary: str
    result: str | None = None
    """The key under ``result``: singular for one record, plural for a list."""
    schema: type[BaseModel] | None = None
    """The shape of one item under that key."""
    body: str | None = None
    """The singular wrapper of the request body (``incident``); ``None``: no body."""
    body_schema: type[BaseModel] | None = None
    paged: bool = False
    """The list carries ``total_entries`` and ``total_pages``."""
    query: Sequence[QueryParam] = field(default_factory=tuple)
    public: bool = False
    raw_result: dict[str, Any] | None = None
    """A JSON schema of ``result`` for answers that are not one wrapped record or list."""


def op(summary: str, **kwargs: Any) -> dict[str, Any]:
    """``openapi_extra`` for a route: its :class:`Operation`."""
    return {DOC_KEY: Operation(summary, **kwargs)}


def operation_of(route: APIRoute) -> Operation | None:
    found = (route.openapi_extra or {}).get(DOC_KEY)
    return found if isinstance(found, Operation) else None


# Errors ---------------------------------------------------------------------------------------


def from_domain(exc: DomainError) -> GaError:
    """A domain error in the guide's words: ``no <thing> found`` for what does not exist,
    ``[E906]`` for refused credentials, the service's message otherwise."""
    if isinstance(exc, Unauthenticated):
        return unauthenticated()
    field_name = exc.field or ""
    if (isinstance(exc, NotFound) or exc.message.startswith("No ")) and field_name.endswith("_id"):
        return invalid(f"no {field_name[:-3].replace('_', ' ')} found")
    return invalid(exc.message.rstrip("."))


class GaRoute(APIRoute):
    """Renders :class:`GaError`, domain errors and request validation errors in the Failed
    envelope, after rolling the request's unit of work back: whatever the route wrote before
    it failed is discarded, never committed."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except GaError as exc:
                error = exc
            except DomainError as exc:
                error = from_domain(exc)
            except RequestValidationError:
                error = invalid("the request is not valid")
            except ValidationError as exc:
                errors = exc.errors()
                where = ".".join(str(p) for p in errors[0]["loc"]) if errors else "request"
                error = invalid(f"{where or 'request'} is invalid")
            await discard_writes(request)
            return failure(request, error)

        return route


def ga_router() -> APIRouter:
    return APIRouter(route_class=GaRoute)


# Middleware -----------------------------------------------------------------------------------


def _rate_headers(ctx: GaContext) -> list[tuple[bytes, bytes]]:
    rate = ctx.rate
    if rate is None:
        return []
    return [
        (b"x-ratelimit-limit", str(rate.limit).encode()),
        (b"x-ratelimit-remaining", str(rate.remaining).encode()),
        (b"x-ratelimit-reset", str(int(rate.reset_at.timestamp())).encode()),
    ]


class GaPaths:
    """For paths of this surface: strip the prefix and the suffix (see ``formats``), check the
    token, count the request, and add the rate-limit headers to the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        split = split_path(scope["path"])
        if split is None:
            await self.app(scope, receive, send)
            return
        prefix, path, fmt = split
        ctx = GaContext(prefix=prefix, format=fmt)
        scope = {**scope, "path": path, SCOPE_KEY: ctx}
        request = Request(scope)
        app_state = scope["app"].state
        ctx.principal, ctx.rate = await authenticate_and_count(
            request, app_state.db, app_state.settings
        )
        headers = _rate_headers(ctx)
        error: GaError | None = None
        if ctx.rate.exceeded:
            retry = max(int((ctx.rate.reset_at - utcnow()).total_seconds()) + 1, 1)
            error = GaError(
                RATE_LIMITED,
                code=E902,
                status_code=RATE_LIMIT_STATUS,
                headers={"Retry-After": str(retry)},
            )
        elif ctx.principal is None and path not in PUBLIC_PATHS:
            error = unauthenticated()
        if error is not None:
            response = failure(request, error)
            response.raw_headers.extend(headers)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
