"""Change testers: Show Change Testers, Show Change Tester, Create, Update and Delete Change
Tester, at ``/v1/changes/{id}/testers`` (also ``/change_testers``).

A tester is a staff user, once per change, with a free-text status (``pending`` until told
otherwise), a note and the time of the test. The list is every tester of the change, unpaged.
Delete answers the deleted tester.
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
    tester_create_from,
    tester_to_wire,
    tester_update_from,
)
from polydesk.api.gotoassist.records import load
from polydesk.api.gotoassist.routing import ga_router, op
from polydesk.api.gotoassist.schemas_sub import TesterIn, TesterOut
from polydesk.core.db import Session
from polydesk.core.enums import RecordKind
from polydesk.core.errors import NotFound
from polydesk.domains.change_testers import service as testers
from polydesk.domains.users import service as users
from polydesk.models import ChangeTester

router = ga_router()

SEGMENTS = ("testers", "change_testers")
"""The first is documented; the second is accepted."""
WRAPPERS = ("tester", "change_tester")


async def _wire(
    request: Request, session: Session, found: list[ChangeTester]
) -> list[dict[str, Any]]:
    people = await users.users_by_ids(session, sorted({t.user_id for t in found}))
    links = links_for(request)
    return [
        tester_to_wire(t, user=user_ref(links, people.get(t.user_id)), base=links.prefix)
        for t in found
    ]


async def _tester(session: Session, change_id: int, raw_id: str) -> ChangeTester:
    tester_id = params.path_id(raw_id, "tester")
    try:
        return await testers.get_tester(session, tester_id, record_id=change_id)
    except NotFound:
        raise not_found("tester") from None


def _register(segment: str, documented: bool) -> None:
    base = f"/v1/changes/{{change_id}}/{segment}"

    def doc(summary: str, **kwargs: Any) -> dict[str, Any] | None:
        return op(summary, **kwargs) if documented else None

    @router.get(
        base,
        name=f"list_{segment}",
        openapi_extra=doc("Show Change Testers", result="testers", schema=TesterOut),
    )
    async def list_testers(
        change_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        change = await load(session, RecordKind.CHANGE, change_id)
        found = await testers.list_testers(session, change.id)
        return success(request, {"testers": await _wire(request, session, found)})

    @router.get(
        f"{base}/{{tester_id}}",
        name=f"show_{segment}",
        openapi_extra=doc("Show Change Tester", result="tester", schema=TesterOut),
    )
    async def show_tester(
        change_id: str, tester_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        change = await load(session, RecordKind.CHANGE, change_id)
        tester = await _tester(session, change.id, tester_id)
        return success(request, {"tester": (await _wire(request, session, [tester]))[0]})

    @router.post(
        base,
        name=f"create_{segment}",
        openapi_extra=doc(
            "Create Change Tester",
            result="tester",
            schema=TesterOut,
            body="tester",
            body_schema=TesterIn,
        ),
    )
    async def create_tester(
        change_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        change = await load(session, RecordKind.CHANGE, change_id)
        data = tester_create_from(await params.read_fields(request, *WRAPPERS))
        tester = await testers.add_tester(session, actor, change.id, data)
        return success(request, {"tester": (await _wire(request, session, [tester]))[0]})

    @router.put(
        f"{base}/{{tester_id}}",
        name=f"update_{segment}",
        openapi_extra=doc(
            "Update Change Tester",
            result="tester",
            schema=TesterOut,
            body="tester",
            body_schema=TesterIn,
        ),
    )
    async def update_tester(
        change_id: str, tester_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        change = await load(session, RecordKind.CHANGE, change_id)
        tester = await _tester(session, change.id, tester_id)
        data = tester_update_from(await params.read_fields(request, *WRAPPERS))
        tester = await testers.update_tester(session, actor, tester.id, data, record_id=change.id)
        return success(request, {"tester": (await _wire(request, session, [tester]))[0]})

    @router.delete(
        f"{base}/{{tester_id}}",
        name=f"delete_{segment}",
        openapi_extra=doc(
            "Delete Change Tester; answers the deleted tester", result="tester", schema=TesterOut
        ),
    )
    async def delete_tester(
        change_id: str, tester_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        change = await load(session, RecordKind.CHANGE, change_id)
        tester = await _tester(session, change.id, tester_id)
        answer = (await _wire(request, session, [tester]))[0]
        await testers.delete_tester(session, actor, tester.id, record_id=change.id)
        return success(request, {"tester": answer})


for _i, _segment in enumerate(SEGMENTS):
    _register(_segment, documented=_i == 0)
