"""Release review users: Show Release Review Users, Show Release Review User, Create, Update
and Delete Release Review User, at ``/v1/releases/{id}/review_users`` (also
``/release_review_users``).

A review user is a staff user, once per release, with a free-text status (``pending`` until
told otherwise), a note and the time of the review. The list is every review user of the
release, unpaged. Delete answers the deleted review user.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import DbSession
from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.auth import CurrentActor
from polydesk.api.gotoassist.embed import links_for, user_ref
from polydesk.api.gotoassist.envelope import not_found, success
from polydesk.api.gotoassist.mapping_sub import (
    review_user_create_from,
    review_user_to_wire,
    review_user_update_from,
)
from polydesk.api.gotoassist.records import load
from polydesk.api.gotoassist.routing import ga_router, op
from polydesk.api.gotoassist.schemas_sub import ReviewUserIn, ReviewUserOut
from polydesk.core.db import Session
from polydesk.core.enums import RecordKind
from polydesk.core.errors import NotFound
from polydesk.domains.review_users import service as reviewers
from polydesk.domains.users import service as users
from polydesk.models import ReleaseReviewUser

router = ga_router()

SEGMENTS = ("review_users", "release_review_users")
"""The first is documented; the second is accepted."""
WRAPPERS = ("review_user", "release_review_user")


async def _wire(
    request: Request, session: Session, found: list[ReleaseReviewUser]
) -> list[dict[str, Any]]:
    people = await users.users_by_ids(session, sorted({t.user_id for t in found}))
    links = links_for(request)
    return [
        review_user_to_wire(t, user=user_ref(links, people.get(t.user_id)), base=links.prefix)
        for t in found
    ]


async def _review_user(session: Session, release_id: int, raw_id: str) -> ReleaseReviewUser:
    review_user_id = params.path_id(raw_id, "review user")
    try:
        return await reviewers.get_review_user(session, review_user_id, record_id=release_id)
    except NotFound:
        raise not_found("review user") from None


def _register(segment: str, documented: bool) -> None:
    base = f"/v1/releases/{{release_id}}/{segment}"

    def doc(summary: str, **kwargs: Any) -> dict[str, Any] | None:
        return op(summary, **kwargs) if documented else None

    @router.get(
        base,
        name=f"list_{segment}",
        openapi_extra=doc("Show Release Review Users", result="review_users", schema=ReviewUserOut),
    )
    async def list_review_users(
        release_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        release = await load(session, RecordKind.RELEASE, release_id)
        found = await reviewers.list_review_users(session, release.id)
        return success(request, {"review_users": await _wire(request, session, found)})

    @router.get(
        f"{base}/{{review_user_id}}",
        name=f"show_{segment}",
        openapi_extra=doc("Show Release Review User", result="review_user", schema=ReviewUserOut),
    )
    async def show_review_user(
        release_id: str,
        review_user_id: str,
        request: Request,
        actor: CurrentActor,
        session: DbSession,
    ) -> Response:
        release = await load(session, RecordKind.RELEASE, release_id)
        reviewer = await _review_user(session, release.id, review_user_id)
        return success(request, {"review_user": (await _wire(request, session, [reviewer]))[0]})

    @router.post(
        base,
        name=f"create_{segment}",
        openapi_extra=doc(
            "Create Release Review User",
            result="review_user",
            schema=ReviewUserOut,
            body="review_user",
            body_schema=ReviewUserIn,
        ),
    )
    async def create_review_user(
        release_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        release = await load(session, RecordKind.RELEASE, release_id)
        data = review_user_create_from(await params.read_fields(request, *WRAPPERS))
        reviewer = await reviewers.add_review_user(session, actor, release.id, data)
        return success(request, {"review_user": (await _wire(request, session, [reviewer]))[0]})

    @router.put(
        f"{base}/{{review_user_id}}",
        name=f"update_{segment}",
        openapi_extra=doc(
            "Update Release Review User",
            result="review_user",
            schema=ReviewUserOut,
            body="review_user",
            body_schema=ReviewUserIn,
        ),
    )
    async def update_review_user(
        release_id: str,
        review_user_id: str,
        request: Request,
        actor: CurrentActor,
        session: DbSession,
    ) -> Response:
        release = await load(session, RecordKind.RELEASE, release_id)
        reviewer = await _review_user(session, release.id, review_user_id)
        data = review_user_update_from(await params.read_fields(request, *WRAPPERS))
        reviewer = await reviewers.update_review_user(
            session, actor, reviewer.id, data, record_id=release.id
        )
        return success(request, {"review_user": (await _wire(request, session, [reviewer]))[0]})

    @router.delete(
        f"{base}/{{review_user_id}}",
        name=f"delete_{segment}",
        openapi_extra=doc(
            "Delete Release Review User; answers the deleted review user",
            result="review_user",
            schema=ReviewUserOut,
        ),
    )
    async def delete_review_user(
        release_id: str,
        review_user_id: str,
        request: Request,
        actor: CurrentActor,
        session: DbSession,
    ) -> Response:
        release = await load(session, RecordKind.RELEASE, release_id)
        reviewer = await _review_user(session, release.id, review_user_id)
        answer = (await _wire(request, session, [reviewer]))[0]
        await reviewers.delete_review_user(session, actor, reviewer.id, record_id=release.id)
        return success(request, {"review_user": answer})


for _i, _segment in enumerate(SEGMENTS):
    _register(_segment, documented=_i == 0)
