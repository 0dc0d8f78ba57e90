"""Release records: Show Release Records, Show Release Record, Create Release Record, Update
Release Record (no Delete in the guide).

Served under the release, ``/v1/releases/{id}/release_records[/{id}]``, and at the top level,
``/v1/release_records[/{id}]`` (every release's entries; a create names the release with
``release_id``). Lists are paged (``limit``, ``page``, ``total_entries``, ``total_pages``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import DbSession
from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.auth import CurrentActor
from polydesk.api.gotoassist.embed import links_for, user_ref
from polydesk.api.gotoassist.envelope import invalid, not_found, success
from polydesk.api.gotoassist.mapping_sub import (
    parent_from,
    release_record_create_from,
    release_record_to_wire,
    release_record_update_from,
)
from polydesk.api.gotoassist.records import load
from polydesk.api.gotoassist.routing import QueryParam, ga_router, op
from polydesk.api.gotoassist.schemas_sub import ReleaseRecordIn, ReleaseRecordOut
from polydesk.core.db import Session
from polydesk.core.enums import RecordKind
from polydesk.core.errors import NotFound
from polydesk.domains.release_records import service as release_records
from polydesk.domains.users import service as users
from polydesk.models import ReleaseRecord

router = ga_router()

PAGE_QUERY = (
    QueryParam("limit", "integer", "Page size (at most 1000).", 10),
    QueryParam("page", "integer", "1-based page.", 1),
)
WRAPPER = "release_record"


async def _wire(
    request: Request, session: Session, found: Sequence[ReleaseRecord]
) -> list[dict[str, Any]]:
    people = await users.users_by_ids(
        session, sorted({e.user_id for e in found if e.user_id is not None})
    )
    links = links_for(request)
    return [
        release_record_to_wire(
            e,
            user=user_ref(links, people.get(e.user_id) if e.user_id is not None else None),
            base=links.prefix,
        )
        for e in found
    ]


async def _one(request: Request, session: Session, entry: ReleaseRecord) -> dict[str, Any]:
    return {WRAPPER: (await _wire(request, session, [entry]))[0]}


async def _entry(session: Session, raw_id: str, release_id: int | None = None) -> ReleaseRecord:
    entry_id = params.path_id(raw_id, "release record")
    try:
        return await release_records.get_release_record(session, entry_id, record_id=release_id)
    except NotFound:
        raise not_found("release record") from None


async def _list(request: Request, session: Session, release_id: int | None) -> dict[str, Any]:
    limit, page = params.page_params(request)
    found, total = await release_records.list_release_records(
        session, record_id=release_id, offset=params.page_offset(limit, page), limit=limit
    )
    return {
        "total_entries": total,
        "total_pages": -(-total // limit),
        "release_records": await _wire(request, session, found),
    }


def _doc(summary: str, *, write: bool = False, many: bool = False) -> dict[str, Any]:
    if many:
        return op(
            summary,
            result="release_records",
            schema=ReleaseRecordOut,
            paged=True,
            query=PAGE_QUERY,
        )
    if write:
        return op(
            summary,
            result=WRAPPER,
            schema=ReleaseRecordOut,
            body=WRAPPER,
            body_schema=ReleaseRecordIn,
        )
    return op(summary, result=WRAPPER, schema=ReleaseRecordOut)


@router.get(
    "/v1/releases/{release_id}/release_records",
    name="list_release_records",
    openapi_extra=_doc("Show Release Records", many=True),
)
async def list_entries(
    release_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    release = await load(session, RecordKind.RELEASE, release_id)
    return success(request, await _list(request, session, release.id))


@router.get(
    "/v1/releases/{release_id}/release_records/{release_record_id}",
    name="show_release_record",
    openapi_extra=_doc("Show Release Record"),
)
async def show_entry(
    release_id: str,
    release_record_id: str,
    request: Request,
    actor: CurrentActor,
    session: DbSession,
) -> Response:
    release = await load(session, RecordKind.RELEASE, release_id)
    entry = await _entry(session, release_record_id, release.id)
    return success(request, await _one(request, session, entry))


@router.post(
    "/v1/releases/{release_id}/release_records",
    name="create_release_record",
    openapi_extra=_doc("Create Release Record", write=True),
)
async def create_entry(
    release_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    release = await load(session, RecordKind.RELEASE, release_id)
    data = release_record_create_from(await params.read_fields(request, WRAPPER))
    entry = await release_records.add_release_record(session, actor, release.id, data)
    return success(request, await _one(request, session, entry))


@router.put(
    "/v1/releases/{release_id}/release_records/{release_record_id}",
    name="update_release_record",
    openapi_extra=_doc("Update Release Record", write=True),
)
async def update_entry(
    release_id: str,
    release_record_id: str,
    request: Request,
    actor: CurrentActor,
    session: DbSession,
) -> Response:
    release = await load(session, RecordKind.RELEASE, release_id)
    entry = await _entry(session, release_record_id, release.id)
    data = release_record_update_from(await params.read_fields(request, WRAPPER))
    entry = await release_records.update_release_record(
        session, actor, entry.id, data, record_id=release.id
    )
    return success(request, await _one(request, session, entry))


@router.get(
    "/v1/release_records",
    name="list_all_release_records",
    openapi_extra=_doc("Show Release Records (every release)", many=True),
)
async def list_all_entries(request: Request, actor: CurrentActor, session: DbSession) -> Response:
    return success(request, await _list(request, session, None))


@router.get(
    "/v1/release_records/{release_record_id}",
    name="show_any_release_record",
    openapi_extra=_doc("Show Release Record (by id alone)"),
)
async def show_any_entry(
    release_record_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    return success(request, await _one(request, session, await _entry(session, release_record_id)))


@router.post(
    "/v1/release_records",
    name="create_any_release_record",
    openapi_extra=_doc("Create Release Record (release_id in the body)", write=True),
)
async def create_any_entry(request: Request, actor: CurrentActor, session: DbSession) -> Response:
    fields = await params.read_fields(request, WRAPPER)
    data = release_record_create_from(fields)
    parent = parent_from(fields, (RecordKind.RELEASE,))
    if parent is None:
        raise invalid("release_id can't be blank")
    release = await load(session, RecordKind.RELEASE, str(parent[1]))
    entry = await release_records.add_release_record(session, actor, release.id, data)
    return success(request, await _one(request, session, entry))


@router.put(
    "/v1/release_records/{release_record_id}",
    name="update_any_release_record",
    openapi_extra=_doc("Update Release Record (by id alone)", write=True),
)
async def update_any_entry(
    release_record_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    entry = await _entry(session, release_record_id)
    data = release_record_update_from(await params.read_fields(request, WRAPPER))
    entry = await release_records.update_release_record(session, actor, entry.id, data)
    return success(request, await _one(request, session, entry))
