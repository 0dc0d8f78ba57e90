"""``GET /api/openapi.json``: the dialect's OpenAPI document (public, like the API root)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.helpdesk import openapi
from polydesk.api.helpdesk.errors import respond
from polydesk.api.helpdesk.views import DbSession, HelpdeskRoute
from polydesk.core.enums import RecordKind
from polydesk.domains.custom_fields import service as custom_fields

router = APIRouter(route_class=HelpdeskRoute)


@router.get("/api/openapi.json", include_in_schema=False)
async def openapi_document(request: Request, session: DbSession) -> Response:
    custom = await custom_fields.list_fields(session, RecordKind.INCIDENT)
    url = request.url
    return respond(openapi.document(custom, f"{url.scheme}://{url.netloc}"))
