"""Links: Show Links, Create Link, Delete Link, as the Beetil pages document them.

``/v1/links/{beetil_type}/{beetil_id}``: the type is plural (``incidents``, ``changes``,
``problems``, ``releases``), the id is the record's reference number (which is its id). Every
answer is the host's links in four arrays (empty ones kept), each entry
``{<type>_id, <type>_link}`` pointing at the link resource itself. Create Link takes unwrapped
``incident_id``/``change_id``/``problem_id``/``release_id`` (a ``link`` wrapper is tolerated;
several link several records; linking what is already linked changes nothing). Problems and
releases cannot be linked. Delete Link names the other record in the path
(``…/{linked_type}/{linked_id}``) or, like Create, by ``<type>_id`` in the body or query.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import DbSession
from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.auth import CurrentActor
from polydesk.api.gotoassist.embed import links_for
from polydesk.api.gotoassist.envelope import invalid, not_found, success
from polydesk.api.gotoassist.mapping_sub import link_targets_from, links_to_wire
from polydesk.api.gotoassist.records import kinds_for, load
from polydesk.api.gotoassist.routing import ga_router, op
from polydesk.api.gotoassist.schemas_sub import LINKS_RESULT, LinksIn
from polydesk.core.actor import Actor
from polydesk.core.db import Session
from polydesk.core.enums import RecordKind
from polydesk.core.errors import NotFound
from polydesk.domains.links import service as links_service
from polydesk.models import Record

router = ga_router()

BEETIL_TYPES = {
    "incidents": RecordKind.INCIDENT,
    "changes": RecordKind.CHANGE,
    "problems": RecordKind.PROBLEM,
    "releases": RecordKind.RELEASE,
}
FORBIDDEN = frozenset({RecordKind.PROBLEM, RecordKind.RELEASE})


def _type(raw: str, what: str) -> RecordKind:
    """A beetil type, plural as documented (the singular is accepted)."""
    key = raw.strip().lower()
    kind = BEETIL_TYPES.get(key) or BEETIL_TYPES.get(f"{key}s")
    if kind is None:
        raise invalid(f"{what} must be one of incidents, changes, problems, releases")
    return kind


async def _host(session: Session, beetil_type: str, beetil_id: str) -> tuple[RecordKind, Record]:
    kind = _type(beetil_type, "beetil_type")
    return kind, await load(session, kind, beetil_id)


async def _all_links(
    request: Request, session: Session, kind: RecordKind, record: Record
) -> dict[str, Any]:
    linked = await links_service.links_of(session, record.id)
    return links_to_wire(
        links_for(request).prefix, kind, record.id, links_service.group_by_kind(linked)
    )


async def _targets(request: Request) -> list[tuple[RecordKind, int]]:
    """The records named by ``<type>_id`` in the body (wrapped in ``link`` or not), else in
    the query string."""
    body = await params.read_body(request)
    if isinstance(body.get("link"), dict):
        body = body["link"]
    fields: dict[str, Any] = dict(request.query_params)
    fields.update(body)
    return link_targets_from(fields)


async def _other(session: Session, kind: RecordKind, record_id: int) -> Record:
    return await load(session, kind, str(record_id))


def _check_pair(host: Record, other: Record) -> None:
    if host.id == other.id:
        raise invalid("a record cannot be linked to itself")
    if {RecordKind(host.kind), RecordKind(other.kind)} == FORBIDDEN:
        raise invalid("problems cannot be linked to releases")


async def _unlink(session: Session, actor: Actor, host: Record, other: Record) -> None:
    try:
        await links_service.unlink_records(session, actor, host.id, other.id)
    except NotFound:
        raise not_found("link") from None


@router.get(
    "/v1/links/{beetil_type}/{beetil_id}",
    name="show_links",
    openapi_extra=op("Show Links", raw_result=LINKS_RESULT),
)
async def show_links(
    beetil_type: str, beetil_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    kind, host = await _host(session, beetil_type, beetil_id)
    return success(request, await _all_links(request, session, kind, host))


@router.post(
    "/v1/links/{beetil_type}/{beetil_id}",
    name="create_link",
    openapi_extra=op(
        "Create Link (unwrapped <type>_id; answers all the links)",
        raw_result=LINKS_RESULT,
        body="link",
        body_schema=LinksIn,
    ),
)
async def create_link(
    beetil_type: str, beetil_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    kind, host = await _host(session, beetil_type, beetil_id)
    others = [
        (other_kind, await _other(session, other_kind, other_id))
        for other_kind, other_id in await _targets(request)
    ]
    for _, other in others:  # every target checked before anything is written
        _check_pair(host, other)
    for other_kind, other in others:
        await links_service.link_records(
            session, actor, host.id, other.id, other_kinds=kinds_for(other_kind)
        )
    return success(request, await _all_links(request, session, kind, host))


@router.delete(
    "/v1/links/{beetil_type}/{beetil_id}/{linked_type}/{linked_id}",
    name="delete_link",
    openapi_extra=op("Delete Link (answers the remaining links)", raw_result=LINKS_RESULT),
)
async def delete_link(
    beetil_type: str,
    beetil_id: str,
    linked_type: str,
    linked_id: str,
    request: Request,
    actor: CurrentActor,
    session: DbSession,
) -> Response:
    kind, host = await _host(session, beetil_type, beetil_id)
    other_kind = _type(linked_type, "linked_type")
    other = await load(session, other_kind, linked_id)
    await _unlink(session, actor, host, other)
    return success(request, await _all_links(request, session, kind, host))


@router.delete(
    "/v1/links/{beetil_type}/{beetil_id}",
    name="delete_link_by_parameter",
    openapi_extra=op(
        "Delete Link (<type>_id in the body or query; answers the remaining links)",
        raw_result=LINKS_RESULT,
    ),
)
async def delete_link_by_parameter(
    beetil_type: str, beetil_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    kind, host = await _host(session, beetil_type, beetil_id)
    others = [await _other(session, k, other_id) for k, other_id in await _targets(request)]
    linked = {other.record_id for other in await links_service.links_of(session, host.id)}
    if any(other.id not in linked for other in others):  # checked before anything is deleted
        raise not_found("link")
    for other in others:
        await _unlink(session, actor, host, other)
    return success(request, await _all_links(request, session, kind, host))
