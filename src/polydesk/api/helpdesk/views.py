"""The DRF view machinery the routes share: one dispatcher per path that runs content
negotiation, authentication, permission and method checks in DRF's order; format suffixes
(``/api/tickets.json``, ``/api/tickets/3.json``, ``?format=json``); the trailing-slash
redirect (301, as Django's ``APPEND_SLASH``); HEAD, OPTIONS metadata and 405 bodies; and the
route class that renders every error in DRF's shape after the unit of work has rolled back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from polydesk.api import deps as shared
from polydesk.api.deps import AppSettings
from polydesk.api.helpdesk.auth import Caller, authenticate
from polydesk.api.helpdesk.errors import (
    NOT_ACCEPTABLE,
    NOT_FOUND,
    VARY,
    DrfError,
    detail,
    not_allowed,
    respond,
)
from polydesk.api.helpdesk.fields import ChoiceField, Field
from polydesk.core.db import Session
from polydesk.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    Unauthenticated,
)
from polydesk.core.settings import Settings

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
FORMATS = frozenset({"json", "api"})
"""``api`` (DRF's browsable API) is answered with JSON too."""
RENDERS = ["application/json", "text/html"]
PARSES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"]
_ACCEPTABLE = ("application/json", "text/html", "application/*", "text/*", "*/*")


@dataclass
class Ctx:
    request: Request
    session: Session
    settings: Settings
    caller: Caller | None
    pk: int | None = None

    @property
    def staff(self) -> Caller:
        assert self.caller is not None
        return self.caller


DbSession = shared.DbSession
"""The request's unit of work, rolled back by :class:`HelpdeskRoute` before it renders an error
(``polydesk.api.deps.discard_writes``)."""


Handler = Callable[[Ctx], Awaitable[Response]]
Permission = Callable[[Caller | None, str], Caller | None]
"""``(caller, method) -> caller``; raises 403 in DRF's words."""
FieldsFor = Callable[[Ctx], Awaitable[Sequence[Field]]]


@dataclass
class Endpoint:
    name: str
    description: str
    handlers: dict[str, Handler]
    permission: Permission
    fields: FieldsFor | None = None
    """Writable fields, for OPTIONS ``actions``."""
    extra_allow: Sequence[str] = field(default_factory=tuple)

    @property
    def allow(self) -> str:
        methods = list(self.handlers)
        if "GET" in methods:
            methods.append("HEAD")
        methods.append("OPTIONS")
        order = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
        return ", ".join(m for m in order if m in methods)


View = Callable[..., Awaitable[Response]]
"""``(*, request, session, settings, **path_params) -> response``: a view :func:`register`
mounts, which :class:`HelpdeskRoute` calls itself."""

_DIRECT = "polydesk_helpdesk_direct"


def _direct(view: View) -> View:
    setattr(view, _DIRECT, True)
    return view


class HelpdeskRoute(APIRoute):
    """Renders ``DrfError`` and every ``DomainError`` in DRF's shape, after rolling the
    request's unit of work back: an error never leaves a write behind.

    The views :func:`register` mounts take the request, its unit of work and the settings,
    and their path parameters are strings: the route calls them itself, opening the unit of
    work as the ``DbSession`` dependency would (committed before the response is sent,
    read-only for GET, HEAD and OPTIONS), without FastAPI's dependency solving, which cost a
    tenth of a cached request.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        if getattr(self.endpoint, _DIRECT, False):
            return self._direct_handler(self.endpoint)
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except DrfError as exc:
                await shared.discard_writes(request)
                return respond(exc.body, exc.status_code, exc.headers)
            except DomainError as exc:
                await shared.discard_writes(request)
                return domain_error_response(exc)
            except RequestValidationError:
                await shared.discard_writes(request)
                return respond({"detail": "Malformed request."}, 400)
            except BaseException:
                await shared.discard_writes(request)
                raise
            finally:
                await request.close()  # uploaded files of a multipart body

        return handler

    @staticmethod
    def _direct_handler(view: View) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        async def handler(request: Request) -> Response:
            db = shared.database_of(request)
            settings: Settings = request.app.state.settings
            read_only = request.method in shared.READ_ONLY_METHODS
            try:
                # Any exception rolls the unit of work back on its way out.
                async with db.unit_of_work(read_only=read_only) as session:
                    setattr(request.state, shared.SESSION_STATE, session)
                    response: Response = await view(
                        request=request, session=session, settings=settings, **request.path_params
                    )
                return response
            except DrfError as exc:
                return respond(exc.body, exc.status_code, exc.headers)
            except DomainError as exc:
                return domain_error_response(exc)
            finally:
                await request.close()  # uploaded files of a multipart body

        return handler


def domain_error_response(exc: DomainError) -> Response:
    """A service's refusal the dialect did not foresee, in DRF's shape."""
    if isinstance(exc, Invalid | Conflict | TooLarge) and exc.field:
        return respond({wire_field(exc.field): [exc.message]}, 400)
    if isinstance(exc, Invalid | Conflict | TooLarge):
        return respond({"detail": exc.message}, 400)
    if isinstance(exc, NotFound):
        return respond({"detail": NOT_FOUND}, 404)
    if isinstance(exc, Forbidden | Unauthenticated):
        return respond({"detail": exc.message}, 403)
    return respond({"detail": exc.message}, 400)


_WIRE_FIELDS = {
    "service_id": "queue",
    "assignee_id": "assigned_to",
    "merged_to_id": "merged_to",
    "status_id": "status",
    "body": "comment",
    "author_id": "user",
    "new_status_id": "new_status",
    "time_spent_seconds": "time_spent",
    "real_name": "filename",
    "content_type": "mime_type",
    "record_id": "ticket",
    "note_id": "followup",
}


def wire_field(name: str) -> str:
    if name.startswith("custom:"):
        return "custom_" + name.removeprefix("custom:")
    return _WIRE_FIELDS.get(name, name)


def _negotiate(request: Request, fmt: str | None) -> None:
    wanted = fmt or request.query_params.get("format")
    if wanted is not None:
        if wanted not in FORMATS:
            raise detail(404, NOT_FOUND)
        return
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return
    types = [part.split(";", 1)[0].strip().lower() for part in accept.split(",")]
    if not any(t in _ACCEPTABLE for t in types):
        raise detail(406, NOT_ACCEPTABLE)


def _metadata(endpoint: Endpoint, fields: Sequence[Field] | None, method: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": endpoint.name,
        "description": endpoint.description,
        "renders": RENDERS,
        "parses": PARSES,
    }
    if fields is not None:
        out["actions"] = {method: {f.name: field_metadata(f) for f in fields if not f.write_only}}
    return out


def field_metadata(item: Field) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "type": item.kind,
        "required": item.required,
        "read_only": item.read_only,
        "label": item.label or item.name.replace("_", " ").capitalize(),
    }
    if item.help_text:
        meta["help_text"] = item.help_text
    max_length = getattr(item, "max_length", None)
    if max_length is not None:
        meta["max_length"] = max_length
    if isinstance(item, ChoiceField):
        meta["choices"] = [{"value": v, "display_name": label} for v, label in item.choices]
    return meta


async def dispatch(
    endpoint: Endpoint,
    request: Request,
    session: Session,
    settings: Settings,
    *,
    fmt: str | None,
    pk: int | None,
    bad_pk: bool = False,
) -> Response:
    _negotiate(request, fmt)
    caller = await authenticate(request, session, settings)
    method = request.method.upper()
    allow = {"Allow": endpoint.allow}
    caller = endpoint.permission(caller, method)
    ctx = Ctx(request=request, session=session, settings=settings, caller=caller, pk=pk)
    if method == "OPTIONS":
        action = "POST" if "POST" in endpoint.handlers else "PUT"
        fields = None
        if endpoint.fields is not None and action in endpoint.handlers:
            try:
                endpoint.permission(caller, action)
            except DrfError:
                pass
            else:
                fields = await endpoint.fields(ctx)
        return respond(_metadata(endpoint, fields, action), 200, allow)
    handler = endpoint.handlers.get("GET" if method == "HEAD" else method)
    if handler is None:
        raise not_allowed(method, endpoint.allow)
    if bad_pk:
        raise detail(404, NOT_FOUND, allow)
    try:
        response = await handler(ctx)
    except DrfError as exc:
        exc.headers = {**allow, **exc.headers}
        raise
    response.headers["Allow"] = endpoint.allow
    if method == "HEAD":
        response.body = b""
    return response


def _redirect(request: Request) -> Response:
    location = request.url.path + "/"
    if request.url.query:
        location += "?" + request.url.query
    return Response(status_code=301, headers={"Location": location, "Vary": VARY})


def _split_ref(ref: str) -> tuple[str, str | None]:
    if "." in ref:
        head, _dot, fmt = ref.rpartition(".")
        return head, fmt
    return ref, None


def _pk(raw: str) -> int | None:
    """The lookup is ``[^/.]+``: a non-numeric id is simply not found."""
    if raw.isascii() and raw.isdigit() and len(raw) < 19:
        return int(raw)
    return None


def register(
    router: APIRouter,
    path: str,
    *,
    collection: Endpoint,
    instance: Endpoint | None = None,
) -> None:
    """Mount ``path`` (``/api/tickets``) with its list and detail endpoints, format suffixes
    and the trailing-slash redirects."""

    @_direct
    async def list_view(request: Request, session: DbSession, settings: AppSettings) -> Response:
        return await dispatch(collection, request, session, settings, fmt=None, pk=None)

    @_direct
    async def list_suffix(
        fmt: str, request: Request, session: DbSession, settings: AppSettings
    ) -> Response:
        return await dispatch(collection, request, session, settings, fmt=fmt, pk=None)

    async def redirect(request: Request) -> Response:
        return _redirect(request)

    kwargs: dict[str, Any] = {"methods": ALL_METHODS, "include_in_schema": False}
    router.add_api_route(path + "/", list_view, **kwargs)
    router.add_api_route(path, redirect, **kwargs)
    router.add_api_route(path + ".{fmt}", list_suffix, **kwargs)
    router.add_api_route(path + ".{fmt}/", list_suffix, **kwargs)
    if instance is None:
        return
    detail_endpoint = instance

    @_direct
    async def detail_view(
        ref: str, request: Request, session: DbSession, settings: AppSettings
    ) -> Response:
        raw, fmt = _split_ref(ref)
        pk = _pk(raw)
        return await dispatch(
            detail_endpoint, request, session, settings, fmt=fmt, pk=pk, bad_pk=pk is None
        )

    @_direct
    async def detail_no_slash(
        ref: str, request: Request, session: DbSession, settings: AppSettings
    ) -> Response:
        raw, fmt = _split_ref(ref)
        if fmt is None:
            return _redirect(request)
        pk = _pk(raw)
        return await dispatch(
            detail_endpoint, request, session, settings, fmt=fmt, pk=pk, bad_pk=pk is None
        )

    router.add_api_route(path + "/{ref}/", detail_view, **kwargs)
    router.add_api_route(path + "/{ref}", detail_no_slash, **kwargs)
