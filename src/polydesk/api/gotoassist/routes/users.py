"""Users: Show Users, Show User, Show Current User. Users are the staff (administrators and
technicians); requesters are customers (``/v1/customers``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import DbSession
from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.auth import CurrentActor
from polydesk.api.gotoassist.embed import Links, full_name, links_for
from polydesk.api.gotoassist.envelope import invalid, not_found, success
from polydesk.api.gotoassist.routing import QueryParam, ga_router, op
from polydesk.api.gotoassist.schemas import UserOut
from polydesk.core.db import Session
from polydesk.core.enums import Role
from polydesk.core.errors import NotFound
from polydesk.domains.users import service as users
from polydesk.models import User

router = ga_router()
STAFF = (Role.ADMIN, Role.TECHNICIAN)
PAGE_QUERY = (
    QueryParam("limit", "integer", "Page size (at most 1000).", 10),
    QueryParam("page", "integer", "1-based page.", 1),
)


def user_object(links: Links, user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "full_name": full_name(user),
        "email": user.email,
        "avatar": None,
        "time_zone": user.time_zone,
        "role": user.role,
        "active": user.is_active,
        "user_link": links.user(user.id),
    }


async def _staff_user(session: Session, user_id: int) -> User:
    try:
        user = await users.get_user(session, user_id)
    except NotFound:
        raise not_found("user") from None
    if user.role not in {r.value for r in STAFF}:
        raise not_found("user")
    return user


@router.get(
    "/v1/users",
    openapi_extra=op("Show Users", result="users", schema=UserOut, paged=True, query=PAGE_QUERY),
)
async def list_users(request: Request, actor: CurrentActor, session: DbSession) -> Response:
    limit, page = params.page_params(request)
    items, total = await users.list_users(
        session, roles=STAFF, offset=params.page_offset(limit, page), limit=limit
    )
    links = links_for(request)
    return success(
        request,
        {
            "total_entries": total,
            "total_pages": -(-total // limit),
            "users": [user_object(links, u) for u in items],
        },
    )


async def _current(request: Request, actor: CurrentActor, session: DbSession) -> Response:
    if actor.user_id is None:
        raise invalid("the account-wide API token belongs to no user")
    user = await _staff_user(session, actor.user_id)
    return success(request, {"user": user_object(links_for(request), user)})


for _path in ("/v1/users/current", "/v1/users/me", "/v1/current_user"):
    router.add_api_route(
        _path,
        _current,
        methods=["GET"],
        name=f"current_user{_path.replace('/', '_')}",
        openapi_extra=op("Show Current User", result="user", schema=UserOut),
    )


@router.get("/v1/users/{user_id}", openapi_extra=op("Show User", result="user", schema=UserOut))
async def show_user(
    user_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    user = await _staff_user(session, params.path_id(user_id, "user"))
    return success(request, {"user": user_object(links_for(request), user)})
