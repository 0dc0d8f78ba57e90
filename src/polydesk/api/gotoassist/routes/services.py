"""Services: Show Services, Show Service, each with its priorities, activity types and
categories (what ``priority_id``, ``service_activity_type_id`` and ``category_id`` name); and
the service priority and activity type paths that ``service_priority_link`` and
``service_activity_type_link`` name (``/v1/services/<slug or id>/service_priorities/<id>``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import DbSession
from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.auth import CurrentActor
from polydesk.api.gotoassist.embed import (
    Links,
    activity_type_ref,
    category_ref,
    links_for,
    priority_ref,
)
from polydesk.api.gotoassist.envelope import not_found, success
from polydesk.api.gotoassist.routes.users import PAGE_QUERY
from polydesk.api.gotoassist.routing import ga_router, op
from polydesk.api.gotoassist.schemas import ActivityTypeRef, PriorityRef, ServiceOut
from polydesk.core.db import Session
from polydesk.core.errors import NotFound
from polydesk.domains.catalog import service as catalog
from polydesk.models import Service

router = ga_router()


async def service_objects(
    session: Session, links: Links, services: Sequence[Service]
) -> list[dict[str, Any]]:
    """Services with their priorities, activity types and categories, in three queries."""
    ids = [s.id for s in services]
    priorities = await catalog.priorities_by_service(session, ids) if ids else {}
    types = await catalog.activity_types_by_service(session, ids) if ids else {}
    categories = await catalog.categories_by_service(session, ids) if ids else {}
    return [
        {
            "id": s.id,
            "name": s.name,
            "description": s.description,
            "avatar": None,
            "time_zone": s.time_zone,
            "priorities": [
                {"priority": priority_ref(links, p.level, s, p)} for p in priorities.get(s.id, [])
            ],
            "service_activity_types": [
                {"service_activity_type": activity_type_ref(links, t, s)}
                for t in types.get(s.id, [])
            ],
            "categories": [{"category": category_ref(c)} for c in categories.get(s.id, [])],
            "service_link": links.service(s.id),
        }
        for s in services
    ]


@router.get(
    "/v1/services",
    openapi_extra=op(
        "Show Services", result="services", schema=ServiceOut, paged=True, query=PAGE_QUERY
    ),
)
async def list_services(request: Request, actor: CurrentActor, session: DbSession) -> Response:
    limit, page = params.page_params(request)
    items, total = await catalog.list_services(
        session, offset=params.page_offset(limit, page), limit=limit
    )
    return success(
        request,
        {
            "total_entries": total,
            "total_pages": -(-total // limit),
            "services": await service_objects(session, links_for(request), items),
        },
    )


@router.get(
    "/v1/services/{service_id}",
    openapi_extra=op("Show Service", result="service", schema=ServiceOut),
)
async def show_service(
    service_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    try:
        service = await catalog.get_service(session, params.path_id(service_id, "service"))
    except NotFound:
        raise not_found("service") from None
    (shown,) = await service_objects(session, links_for(request), [service])
    return success(request, {"service": shown})


async def _service(session: Session, key: str) -> Service:
    """A service named in a path by its slug (as the links give it) or its id."""
    found = await catalog.get_service_by_slug(session, key)
    if found is not None:
        return found
    try:
        return await catalog.get_service(session, params.path_id(key, "service"))
    except NotFound:
        raise not_found("service") from None


@router.get(
    "/v1/services/{service_key}/service_priorities",
    openapi_extra=op("Show Service Priorities", result="service_priorities", schema=PriorityRef),
)
async def list_service_priorities(
    service_key: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    service = await _service(session, service_key)
    links = links_for(request)
    priorities = await catalog.list_priorities(session, service.id)
    return success(
        request,
        {"service_priorities": [priority_ref(links, p.level, service, p) for p in priorities]},
    )


@router.get(
    "/v1/services/{service_key}/service_priorities/{priority_id}",
    openapi_extra=op("Show Service Priority", result="service_priority", schema=PriorityRef),
)
async def show_service_priority(
    service_key: str,
    priority_id: str,
    request: Request,
    actor: CurrentActor,
    session: DbSession,
) -> Response:
    service = await _service(session, service_key)
    wanted = params.path_id(priority_id, "service priority")
    for priority in await catalog.list_priorities(session, service.id):
        if priority.id == wanted:
            shown = priority_ref(links_for(request), priority.level, service, priority)
            return success(request, {"service_priority": shown})
    raise not_found("service priority")


@router.get(
    "/v1/services/{service_key}/service_activity_types",
    openapi_extra=op(
        "Show Service Activity Types", result="service_activity_types", schema=ActivityTypeRef
    ),
)
async def list_service_activity_types(
    service_key: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    service = await _service(session, service_key)
    links = links_for(request)
    types = await catalog.list_activity_types(session, service.id)
    return success(
        request,
        {"service_activity_types": [activity_type_ref(links, t, service) for t in types]},
    )


@router.get(
    "/v1/services/{service_key}/service_activity_types/{type_id}",
    openapi_extra=op(
        "Show Service Activity Type", result="service_activity_type", schema=ActivityTypeRef
    ),
)
async def show_service_activity_type(
    service_key: str,
    type_id: str,
    request: Request,
    actor: CurrentActor,
    session: DbSession,
) -> Response:
    service = await _service(session, service_key)
    wanted = params.path_id(type_id, "service activity type")
    for activity_type in await catalog.list_activity_types(session, service.id):
        if activity_type.id == wanted:
            shown = activity_type_ref(links_for(request), activity_type, service)
            return success(request, {"service_activity_type": shown})
    raise not_found("service activity type")
