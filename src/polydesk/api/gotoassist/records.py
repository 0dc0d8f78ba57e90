"""The four operations every record type has — Show list, Show one, Create, Update — written
once and registered for incidents, problems, changes and releases.

Incidents include the core's service requests (records created as requests through other
dialects): GoToAssist has no separate request type.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import DbSession
from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.auth import CurrentActor
from polydesk.api.gotoassist.embed import (
    KIND_NAME,
    KIND_SEGMENT,
    customer_ref,
    links_for,
    load_embeds,
)
from polydesk.api.gotoassist.envelope import invalid, not_found, success
from polydesk.api.gotoassist.mapping import RecordInput, record_input, record_object
from polydesk.api.gotoassist.routing import QueryParam, ga_router, op
from polydesk.core.actor import Actor
from polydesk.core.db import Session
from polydesk.core.enums import NoteType, RecordKind, StatusCategory
from polydesk.core.errors import NotFound
from polydesk.domains.catalog import service as catalog
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.customers import service as customers
from polydesk.domains.notes import service as notes_service
from polydesk.domains.notes.schemas import NoteCreate
from polydesk.domains.records import service as records
from polydesk.domains.records.schemas import RecordCreate, RecordQuery, RecordUpdate
from polydesk.domains.users import service as users_service
from polydesk.models import Record

LIST_QUERY = (
    QueryParam("limit", "integer", "Page size (at most 1000).", 10),
    QueryParam("page", "integer", "1-based page.", 1),
    QueryParam("order", "string", "created_at | due_date | last_active_at | priority.", "due_date"),
    QueryParam("service_ids", "string", "Comma-separated service ids."),
    QueryParam("selected_user_id", "integer", "Assigned user (or technician group) id."),
    QueryParam("include_watchlisted", "boolean", "Also records the selected user watches."),
    QueryParam("report_id", "integer", "Accepted; Polydesk has no saved reports."),
)
ORDER = {
    "created_at": ("created_at", True),
    "due_date": ("due_date", False),
    "last_active_at": ("last_active_at", True),
    "priority": ("priority", False),
}
"""GoToAssist order → (core order, descending): newest first for activity and creation,
soonest due first (no due date last), most urgent first."""
_CLOSED = {StatusCategory.CLOSED.value}
_DONE = {StatusCategory.RESOLVED.value, StatusCategory.CLOSED.value}


def kinds_for(kind: RecordKind) -> list[RecordKind]:
    return [RecordKind.INCIDENT, RecordKind.REQUEST] if kind is RecordKind.INCIDENT else [kind]


async def load(session: Session, kind: RecordKind, raw_id: str) -> Record:
    """The record of this type named by ``raw_id`` (its id, which is also its reference
    number); ``[E400] no <type> found`` otherwise."""
    name = KIND_NAME[kind]
    record_id = params.path_id(raw_id, name)
    try:
        record = await records.get_record(session, record_id)
    except NotFound:
        raise not_found(name) from None
    if RecordKind(record.kind) not in kinds_for(kind):
        raise not_found(name)
    return record


async def show_object(request: Request, session: Session, record: Record) -> dict[str, Any]:
    """The full record: embeds, custom values by field name, and its customer."""
    kind = RecordKind(record.kind)
    embeds = await load_embeds(session, [record], full=True)
    values = (await custom_fields.values_for(session, [record.id]))[record.id]
    if values:
        names = {f.slug: f.name for f in await custom_fields.list_fields(session, kind)}
        values = {names.get(slug, slug): value for slug, value in values.items()}
    customer = None
    if record.requester_id is not None:
        found = await customers.get_customer_by_user(session, record.requester_id)
        if found is not None:
            customer = customer_ref(links_for(request), found.customer.id, found.user)
    return record_object(
        record,
        embeds,
        links_for(request),
        full=True,
        custom_values=values,
        customer=customer,
    )


async def _resolve_references(
    session: Session, data: RecordInput, service_id: int | None
) -> dict[str, Any]:
    values = dict(data.values)
    if isinstance(data.priority_id, int):
        try:
            priority = await catalog.get_priority_by_id(session, data.priority_id)
        except NotFound:
            raise invalid("no priority found") from None
        if service_id is not None and priority.service_id != service_id:
            raise invalid("priority_id is not a priority of this service")
        values["priority"] = priority.level
    if isinstance(data.customer_id, int):
        try:
            found = await customers.get_customer(session, data.customer_id)
        except NotFound:
            raise invalid("no customer found") from None
        values["requester_id"] = found.user.id
        if found.company is not None and "company_id" not in values:
            values["company_id"] = found.company.id
    elif data.customer_id is None:
        values["requester_id"] = None
    if isinstance(data.status_name, str):
        status = await catalog.get_status_by_name(session, data.status_name)
        if status is None:
            raise invalid("status is invalid")
        if status.category not in _DONE:
            values["status_id"] = status.id
    if values.get("assignee_id") is not None:
        await _check_user(session, values["assignee_id"], "assigned_user")
    if values.get("owner_id") is not None:
        await _check_user(session, values["owner_id"], "owner")
    return values


async def _check_user(session: Session, user_id: int, what: str) -> None:
    if user_id not in await users_service.users_by_ids(session, [user_id]):
        raise invalid(f"no {what.replace('_', ' ')} found")


def _blank_checks(values: dict[str, Any], *, creating: bool) -> None:
    errors = []
    if (creating or "title" in values) and not (values.get("title") or "").strip():
        errors.append("title can't be blank")
    if (creating or "service_id" in values) and values.get("service_id") is None:
        errors.append("service_id can't be blank")
    if errors:
        raise invalid(*errors)


async def _add_notes(
    session: Session, actor: Actor, record: Record, notes: list[tuple[NoteType, str]]
) -> None:
    for note_type, body in notes:
        await notes_service.add_note(
            session, actor, record.id, NoteCreate(body=body, note_type=note_type)
        )


async def _life_cycle(session: Session, actor: Actor, record: Record, data: RecordInput) -> bool:
    """``closed_at``/``resolved_at``: a date closes or resolves, ``""`` reopens; closing
    takes ``closure_code`` and ``closure_comment`` with it. Whether either was given."""
    status = await catalog.get_status(session, record.status_id)
    code = data.closure_code if isinstance(data.closure_code, str) else None
    comment = data.closure_comment if isinstance(data.closure_comment, str) else None
    if data.closed_at is not params.UNSET:
        if data.closed_at is None:
            if status.category in _DONE:
                await records.reopen_record(session, actor, record.id)
        elif status.category in _CLOSED:
            closure = {"closure_code": code, "closure_comment": comment}
            given = {k: v for k, v in closure.items() if v is not None}
            if given:
                await records.update_record(session, actor, record.id, RecordUpdate(**given))
        else:
            await records.close_record(
                session,
                actor,
                record.id,
                closure_code=code,
                closure_comment=comment,
                closed_at=data.closed_at,
            )
        return True
    if data.resolved_at is not params.UNSET:
        if data.resolved_at is None:
            if status.category in _DONE:
                await records.reopen_record(session, actor, record.id)
        elif status.category not in _DONE:
            await records.resolve_record(session, actor, record.id, resolved_at=data.resolved_at)
        return True
    return False


def _closure_columns(data: RecordInput, values: dict[str, Any]) -> None:
    """Closure code and comment are plain columns unless a close or reopen is asked for."""
    if data.closed_at is not params.UNSET and data.closed_at is not None:
        return
    if data.closed_at is None or data.resolved_at is None:
        return
    for key in ("closure_code", "closure_comment"):
        value = getattr(data, key)
        if value is not params.UNSET:
            values[key] = value or None


def record_router(
    kind: RecordKind, out_schema: type[BaseModel], in_schema: type[BaseModel]
) -> APIRouter:
    router = ga_router()
    name = KIND_NAME[kind]
    plural = KIND_SEGMENT[kind]
    title = name.capitalize()

    @router.get(
        f"/v1/{plural}",
        name=f"list_{plural}",
        openapi_extra=op(
            f"Show {title}s", result=plural, schema=out_schema, paged=True, query=LIST_QUERY
        ),
    )
    async def list_records(request: Request, actor: CurrentActor, session: DbSession) -> Response:
        p = params.list_params(request)
        order_by, descending = ORDER[p.order]
        filters: dict[str, Any] = {}
        if p.selected_user_id is not None:
            if p.selected_user_id in await users_service.users_by_ids(
                session, [p.selected_user_id]
            ):
                key = "assignee_or_watcher_id" if p.include_watchlisted else "assignee_id"
                filters[key] = p.selected_user_id
            else:
                filters["technician_group_id"] = p.selected_user_id
        query = RecordQuery(
            kinds=kinds_for(kind),
            service_ids=p.service_ids,
            order_by=order_by,
            descending=descending,
            offset=p.offset,
            limit=p.limit,
            **filters,
        )
        page = await records.list_records(session, query)
        embeds = await load_embeds(session, page.items, full=False)
        links = links_for(request)
        return success(
            request,
            {
                "total_entries": page.total,
                "total_pages": p.total_pages(page.total),
                plural: [record_object(r, embeds, links) for r in page.items],
            },
        )

    @router.get(
        f"/v1/{plural}/{{record_id}}",
        name=f"show_{name}",
        openapi_extra=op(f"Show {title}", result=name, schema=out_schema),
    )
    async def show_record(
        record_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        record = await load(session, kind, record_id)
        return success(request, {name: await show_object(request, session, record)})

    @router.post(
        f"/v1/{plural}",
        name=f"create_{name}",
        openapi_extra=op(
            f"Create {title}",
            result=name,
            schema=out_schema,
            body=name,
            body_schema=in_schema,
        ),
    )
    async def create_record(request: Request, actor: CurrentActor, session: DbSession) -> Response:
        fields = await params.read_fields(request, name)
        data = record_input(kind, fields)
        _blank_checks(data.values, creating=True)
        values = await _resolve_references(session, data, data.values.get("service_id"))
        _closure_columns(data, values)
        record = await records.create_record(session, actor, RecordCreate(kind=kind, **values))
        await _add_notes(session, actor, record, data.notes)
        if await _life_cycle(session, actor, record, data):
            record = await records.get_record(session, record.id)
        return success(request, {name: await show_object(request, session, record)})

    @router.put(
        f"/v1/{plural}/{{record_id}}",
        name=f"update_{name}",
        openapi_extra=op(
            f"Update {title}",
            result=name,
            schema=out_schema,
            body=name,
            body_schema=in_schema,
        ),
    )
    async def update_record(
        record_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        record = await load(session, kind, record_id)
        fields = await params.read_fields(request, name)
        if fields:
            data = record_input(kind, fields)
            _blank_checks(data.values, creating=False)
            service_id = data.values.get("service_id", record.service_id)
            values = await _resolve_references(session, data, service_id)
            _closure_columns(data, values)
            await records.update_record(
                session, actor, record.id, RecordUpdate(**values), kind=RecordKind(record.kind)
            )
            await _add_notes(session, actor, record, data.notes)
            await _life_cycle(session, actor, record, data)
            record = await records.get_record(session, record.id)
        return success(request, {name: await show_object(request, session, record)})

    return router
