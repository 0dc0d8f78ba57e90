"""``/api/``: DRF's API root, a map of the list URLs (anyone may read it)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import AppSettings
from polydesk.api.helpdesk import auth
from polydesk.api.helpdesk.errors import respond
from polydesk.api.helpdesk.routes.common import base_url
from polydesk.api.helpdesk.views import (
    ALL_METHODS,
    Ctx,
    DbSession,
    Endpoint,
    HelpdeskRoute,
    dispatch,
)

router = APIRouter(route_class=HelpdeskRoute)

LISTS = ("tickets", "user_tickets", "followups", "followups-attachments", "users")


async def api_root(ctx: Ctx) -> Response:
    base = base_url(ctx)
    return respond({name: f"{base}/api/{name}/" for name in LISTS})


def _anyone(caller: auth.Caller | None, _method: str) -> auth.Caller | None:
    return caller


ROOT = Endpoint(
    name="Api Root",
    description="The default basic root view for DefaultRouter",
    handlers={"GET": api_root},
    permission=_anyone,
)


@router.api_route("/api/", methods=ALL_METHODS, include_in_schema=False)
async def root(request: Request, session: DbSession, settings: AppSettings) -> Response:
    return await dispatch(ROOT, request, session, settings, fmt=None, pk=None)


@router.api_route("/api/.{fmt}", methods=ALL_METHODS, include_in_schema=False)
async def root_suffix(
    fmt: str, request: Request, session: DbSession, settings: AppSettings
) -> Response:
    return await dispatch(ROOT, request, session, settings, fmt=fmt, pk=None)


@router.api_route("/api", methods=ALL_METHODS, include_in_schema=False)
async def root_redirect(request: Request) -> Response:
    return Response(status_code=301, headers={"Location": "/api/"})
