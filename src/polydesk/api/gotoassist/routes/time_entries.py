"""Time entries: Show Time Entries, Show Time Entry (twice in the guide: under the record and
by id alone), Create, Update and Delete Time Entry.

Served under the record, ``/v1/<incidents|problems|changes|releases>/{id}/time_entries[/{id}]``,
and at the top level, ``/v1/time_entries[/{id}]`` (every entry, filtered by
``selected_user_id``; a create names the record with ``incident_id``/``problem_id``/
``change_id``/``release_id`` or ``parent_type`` + ``parent_id``). Lists are paged. Time is in
whole minutes (``hours`` is accepted and answered too); the record's ``total_time_spent`` is
always the sum of its entries. Delete answers the deleted entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import DbSession
from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.auth import CurrentActor
from polydesk.api.gotoassist.embed import KIND_NAME, KIND_SEGMENT, links_for, user_ref
from polydesk.api.gotoassist.envelope import invalid, not_found, success
from polydesk.api.gotoassist.mapping_sub import (
    parent_from,
    time_entry_create_from,
    time_entry_to_wire,
    time_entry_update_from,
)
from polydesk.api.gotoassist.records import load
from polydesk.api.gotoassist.routing import QueryParam, ga_router, op
from polydesk.api.gotoassist.schemas_sub import TimeEntryIn, TimeEntryOut
from polydesk.core.db import Session
from polydesk.core.enums import RecordKind
from polydesk.core.errors import NotFound
from polydesk.domains.records import service as records
from polydesk.domains.time_entries import service as time_entries
from polydesk.domains.users import service as users
from polydesk.models import TimeEntry

router = ga_router()

PARENTS = (RecordKind.INCIDENT, RecordKind.PROBLEM, RecordKind.CHANGE, RecordKind.RELEASE)
WRAPPER = "time_entry"
PAGE_QUERY = (
    QueryParam("limit", "integer", "Page size (at most 1000).", 10),
    QueryParam("page", "integer", "1-based page.", 1),
)
TOP_QUERY = (
    *PAGE_QUERY,
    QueryParam("selected_user_id", "integer", "Only this user's entries."),
)


async def _wire(
    request: Request, session: Session, found: Sequence[TimeEntry]
) -> list[dict[str, Any]]:
    """Entries with their users and the kinds of their records, in two more queries."""
    people = await users.users_by_ids(
        session, sorted({e.user_id for e in found if e.user_id is not None})
    )
    kinds = {
        loaded.record.id: RecordKind(loaded.record.kind)
        for loaded in await records.load_records(session, sorted({e.record_id for e in found}))
    }
    links = links_for(request)
    return [
        time_entry_to_wire(
            e,
            user=user_ref(links, people.get(e.user_id) if e.user_id is not None else None),
            base=links.prefix,
            parent_kind=kinds.get(e.record_id, RecordKind.INCIDENT),
        )
        for e in found
    ]


async def _one(request: Request, session: Session, entry: TimeEntry) -> dict[str, Any]:
    return {WRAPPER: (await _wire(request, session, [entry]))[0]}


async def _entry(session: Session, raw_id: str, record_id: int | None = None) -> TimeEntry:
    entry_id = params.path_id(raw_id, "time entry")
    try:
        return await time_entries.get_time_entry(session, entry_id, record_id=record_id)
    except NotFound:
        raise not_found("time entry") from None


async def _list(
    request: Request, session: Session, *, record_id: int | None, user_id: int | None
) -> dict[str, Any]:
    limit, page = params.page_params(request)
    found, total = await time_entries.list_time_entries(
        session,
        record_id=record_id,
        user_id=user_id,
        offset=params.page_offset(limit, page),
        limit=limit,
    )
    return {
        "total_entries": total,
        "total_pages": -(-total // limit),
        "time_entries": await _wire(request, session, found),
    }


def _selected_user(request: Request) -> int | None:
    raw = request.query_params.get("selected_user_id", "").strip()
    if not raw:
        return None
    user_id = params.to_id(raw)
    if user_id is None:
        raise invalid("selected_user_id is invalid")
    return user_id


def _doc(summary: str, *, write: bool = False, many: bool = False) -> dict[str, Any]:
    if many:
        return op(summary, result="time_entries", schema=TimeEntryOut, paged=True, query=TOP_QUERY)
    if write:
        return op(
            summary, result=WRAPPER, schema=TimeEntryOut, body=WRAPPER, body_schema=TimeEntryIn
        )
    return op(summary, result=WRAPPER, schema=TimeEntryOut)


def _register(kind: RecordKind) -> None:
    name = KIND_NAME[kind]
    base = f"/v1/{KIND_SEGMENT[kind]}/{{record_id}}/time_entries"
    label = name.capitalize()

    @router.get(
        base,
        name=f"list_{name}_time_entries",
        openapi_extra=_doc(f"Show Time Entries ({label})", many=True),
    )
    async def list_record_entries(
        record_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        record = await load(session, kind, record_id)
        return success(
            request,
            await _list(request, session, record_id=record.id, user_id=_selected_user(request)),
        )

    @router.get(
        f"{base}/{{time_entry_id}}",
        name=f"show_{name}_time_entry",
        openapi_extra=_doc(f"Show Time Entry ({label})"),
    )
    async def show_record_entry(
        record_id: str,
        time_entry_id: str,
        request: Request,
        actor: CurrentActor,
        session: DbSession,
    ) -> Response:
        record = await load(session, kind, record_id)
        entry = await _entry(session, time_entry_id, record.id)
        return success(request, await _one(request, session, entry))

    @router.post(
        base,
        name=f"create_{name}_time_entry",
        openapi_extra=_doc(f"Create Time Entry ({label})", write=True),
    )
    async def create_record_entry(
        record_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        record = await load(session, kind, record_id)
        data = time_entry_create_from(await params.read_fields(request, WRAPPER))
        entry = await time_entries.add_time_entry(session, actor, record.id, data)
        return success(request, await _one(request, session, entry))

    @router.put(
        f"{base}/{{time_entry_id}}",
        name=f"update_{name}_time_entry",
        openapi_extra=_doc(f"Update Time Entry ({label})", write=True),
    )
    async def update_record_entry(
        record_id: str,
        time_entry_id: str,
        request: Request,
        actor: CurrentActor,
        session: DbSession,
    ) -> Response:
        record = await load(session, kind, record_id)
        entry = await _entry(session, time_entry_id, record.id)
        data = time_entry_update_from(await params.read_fields(request, WRAPPER))
        entry = await time_entries.update_time_entry(
            session, actor, entry.id, data, record_id=record.id
        )
        return success(request, await _one(request, session, entry))

    @router.delete(
        f"{base}/{{time_entry_id}}",
        name=f"delete_{name}_time_entry",
        openapi_extra=_doc(f"Delete Time Entry ({label}); answers the deleted entry"),
    )
    async def delete_record_entry(
        record_id: str,
        time_entry_id: str,
        request: Request,
        actor: CurrentActor,
        session: DbSession,
    ) -> Response:
        record = await load(session, kind, record_id)
        entry = await _entry(session, time_entry_id, record.id)
        answer = await _one(request, session, entry)
        await time_entries.delete_time_entry(session, actor, entry.id, record_id=record.id)
        return success(request, answer)


for _kind in PARENTS:
    _register(_kind)


@router.get(
    "/v1/time_entries", name="list_time_entries", openapi_extra=_doc("Show Time Entries", many=True)
)
async def list_entries(request: Request, actor: CurrentActor, session: DbSession) -> Response:
    return success(
        request, await _list(request, session, record_id=None, user_id=_selected_user(request))
    )


@router.get(
    "/v1/time_entries/{time_entry_id}",
    name="show_time_entry",
    openapi_extra=_doc("Show Time Entry (by id alone)"),
)
async def show_entry(
    time_entry_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    return success(request, await _one(request, session, await _entry(session, time_entry_id)))


@router.post(
    "/v1/time_entries",
    name="create_time_entry",
    openapi_extra=_doc("Create Time Entry (the record named in the body)", write=True),
)
async def create_entry(request: Request, actor: CurrentActor, session: DbSession) -> Response:
    fields = await params.read_fields(request, WRAPPER)
    data = time_entry_create_from(fields)
    parent = parent_from(fields, PARENTS)
    if parent is None:
        raise invalid("incident_id, problem_id, change_id or release_id can't be blank")
    record = await load(session, parent[0], str(parent[1]))
    entry = await time_entries.add_time_entry(session, actor, record.id, data)
    return success(request, await _one(request, session, entry))


@router.put(
    "/v1/time_entries/{time_entry_id}",
    name="update_time_entry",
    openapi_extra=_doc("Update Time Entry (by id alone)", write=True),
)
async def update_entry(
    time_entry_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    entry = await _entry(session, time_entry_id)
    data = time_entry_update_from(await params.read_fields(request, WRAPPER))
    entry = await time_entries.update_time_entry(session, actor, entry.id, data)
    return success(request, await _one(request, session, entry))


@router.delete(
    "/v1/time_entries/{time_entry_id}",
    name="delete_time_entry",
    openapi_extra=_doc("Delete Time Entry (by id alone); answers the deleted entry"),
)
async def delete_entry(
    time_entry_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    entry = await _entry(session, time_entry_id)
    answer = await _one(request, session, entry)
    await time_entries.delete_time_entry(session, actor, entry.id)
    return success(request, answer)
