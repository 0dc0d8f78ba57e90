"""``/api/tickets/``: list, create, retrieve, PUT, PATCH, DELETE.

Create runs what django-helpdesk's ticket form runs: ``description`` and ``priority`` are
needed, ``status``, ``on_hold``, ``resolution`` and ``merged_to`` are ignored (the ticket
starts Open), and one public follow-up ("Ticket Opened", or "Ticket Opened & Assigned to
<user>") carries the description and the attachment. PUT and PATCH apply every field through
the records service (one ``record.updated`` event) and add no follow-up.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.responses import Response

from polydesk.api.helpdesk import auth, mapping, pagination, schemas, uploads
from polydesk.api.helpdesk.body import Body, read_body
from polydesk.api.helpdesk.errors import REQUIRED, invalid, respond
from polydesk.api.helpdesk.fields import Field, Validated, missing_pk, ordered_errors, validate
from polydesk.api.helpdesk.routes import common
from polydesk.api.helpdesk.views import Ctx, Endpoint, HelpdeskRoute, register
from polydesk.core.enums import NoteType
from polydesk.core.errors import NotFound
from polydesk.domains.catalog import service as catalog
from polydesk.domains.notes import service as notes
from polydesk.domains.notes.schemas import NoteCreate
from polydesk.domains.records import service as records
from polydesk.domains.records.schemas import RecordCreate, RecordQuery, RecordUpdate
from polydesk.domains.users import service as users
from polydesk.models import CustomField, User

router = APIRouter(route_class=HelpdeskRoute)

NOT_A_CHOICE = "Select a valid choice. That choice is not one of the available choices."
STAFF_ROLES = frozenset({"admin", "technician"})


async def _fields(ctx: Ctx) -> list[Field]:
    """The serializer's fields, built once per reload of the custom fields (read only)."""
    return common.derived(
        "ticket_serializer", await common.ticket_fields(ctx), schemas.ticket_fields
    )


def _custom_values(custom: list[CustomField], values: dict[str, Any]) -> dict[str, object]:
    """The given ``custom_<slug>`` values keyed by slug, for the records service."""
    return {
        field.slug: values[mapping.custom_key(field)]
        for field in custom
        if mapping.custom_key(field) in values
    }


async def _check_references(ctx: Ctx, checked: Validated) -> dict[str, User]:
    """Every referenced object must exist (DRF's ``Invalid pk``); the assignee comes back."""
    found: dict[str, User] = {}
    values = checked.values
    if values.get("queue") is not None:
        if not await catalog.service_exists(ctx.session, values["queue"]):
            checked.errors["queue"] = [missing_pk(values.pop("queue"))]
    if values.get("assigned_to") is not None:
        try:
            found["assigned_to"] = await users.get_user(ctx.session, values["assigned_to"])
        except NotFound:
            checked.errors["assigned_to"] = [missing_pk(values.pop("assigned_to"))]
    if values.get("merged_to") is not None:
        if await common.ticket_exists(ctx, values["merged_to"]) is None:
            checked.errors["merged_to"] = [missing_pk(values.pop("merged_to"))]
    return found


async def _validated(ctx: Ctx, body: Body, *, partial: bool) -> tuple[Validated, list[Field]]:
    fields = await _fields(ctx)
    checked = validate(fields, body, partial=partial)
    return checked, fields


async def list_tickets(ctx: Ctx) -> Response:
    page = pagination.page_request(ctx.request)
    status_ids = await _status_filter(ctx)
    query = RecordQuery(kinds=common.TICKET_KINDS, status_ids=status_ids, limit=page.size)
    if page.number is None:
        total = await records.count_records(ctx.session, query)
        query = query.model_copy(update={"offset": page.offset(total)})
    else:
        query = query.model_copy(update={"offset": (page.number - 1) * page.size})
    found = await records.list_briefs(ctx.session, query)
    page.resolve(found.total)
    results = await common.tickets_out(ctx, found.items)
    return respond(pagination.envelope(ctx.request, page, found.total, results))


async def _status_filter(ctx: Ctx) -> list[int] | None:
    """``?status=1,3``: integers matched against the choices; none matching, no filter."""
    raw = ctx.request.query_params.get("status")
    if not raw:
        return None
    numbers = set()
    for token in raw.split(","):
        token = token.strip()
        if token.isdigit() and int(token) in mapping.STATUS_LABELS:
            numbers.add(int(token))
    if not numbers:
        return None
    statuses = await common.status_map(ctx)
    return sorted(sid for sid, n in statuses.number_of.items() if n in numbers) or [-1]


def _form_errors(body: Body, checked: Validated, assignee: User | None) -> dict[str, Any]:
    """What django-helpdesk's ticket form adds after the serializer: ``description`` (the
    form's ``body``) and ``priority`` are required, and the assignee must be assignable."""
    errors: dict[str, Any] = {}
    values = checked.values
    if not body.has("description"):
        errors["description"] = [REQUIRED]
    elif not values.get("description"):
        errors["body"] = [REQUIRED]
    if assignee is not None and (not assignee.is_active or assignee.role not in STAFF_ROLES):
        errors["assigned_to"] = [NOT_A_CHOICE]
    if "priority" not in values:
        errors["priority"] = [REQUIRED]
    return errors


async def create_ticket(ctx: Ctx) -> Response:
    caller = ctx.staff
    body = await read_body(ctx.request)
    checked, fields = await _validated(ctx, body, partial=False)
    found = await _check_references(ctx, checked)
    upload = checked.values.get("attachment")
    if isinstance(upload, UploadFile):
        message = uploads.extension_error(upload, ctx.settings.allowed_attachment_extensions)
        if message:
            checked.errors["attachment"] = [message]
    if checked.errors:
        raise invalid(ordered_errors(fields, checked.errors))
    assignee = found.get("assigned_to")
    form_errors = _form_errors(body, checked, assignee)
    if form_errors:
        raise invalid(form_errors)
    values = checked.values
    custom = await common.ticket_fields(ctx)
    record = await records.create_record(
        ctx.session,
        caller.actor,
        RecordCreate(
            kind=common.TICKET_KIND,
            title=values["title"],
            description=values["description"],
            service_id=values["queue"],
            priority=values["priority"],
            submitter_email=values.get("submitter_email") or None,
            assignee_id=values.get("assigned_to"),
            due_date=values.get("due_date"),
            custom_fields=_custom_values(custom, values),
        ),
    )
    title = "Ticket Opened"
    if assignee is not None:
        title = f"Ticket Opened & Assigned to {assignee.username or assignee.email}"
    note = await notes.add_note(
        ctx.session,
        caller.actor,
        record.id,
        NoteCreate(
            body=values["description"], note_type=NoteType.FOLLOWUP, title=title, public=True
        ),
    )
    files = []
    if isinstance(upload, UploadFile):
        files.append(await uploads.attach(ctx, note.id, upload, field="attachment"))
    # The record, its one follow-up and its file were just written: none is read back.
    written = ({record.id: [note]}, {note.id: files})
    return respond((await common.tickets_out(ctx, [record], written=written))[0], 201)


async def retrieve_ticket(ctx: Ctx) -> Response:
    assert ctx.pk is not None
    return respond(await common.ticket_out(ctx, ctx.pk))


async def _update(ctx: Ctx, *, partial: bool) -> Response:
    assert ctx.pk is not None
    caller = ctx.staff
    await common.get_ticket(ctx, ctx.pk)
    body = await read_body(ctx.request)
    checked, fields = await _validated(ctx, body, partial=partial)
    await _check_references(ctx, checked)
    if checked.errors:
        raise invalid(ordered_errors(fields, checked.errors))
    values = checked.values
    update: dict[str, Any] = {}
    renames = {
        "title": "title",
        "description": "description",
        "resolution": "resolution",
        "assigned_to": "assignee_id",
        "on_hold": "on_hold",
        "priority": "priority",
        "due_date": "due_date",
        "merged_to": "merged_to_id",
        "queue": "service_id",
    }
    for wire, name in renames.items():
        if wire in values:
            update[name] = values[wire]
    if "submitter_email" in values:
        update["submitter_email"] = values["submitter_email"] or None
    if "resolution" in update and update["resolution"] == "":
        update["resolution"] = None
    if "status" in values:
        statuses = await common.status_map(ctx)
        update["status_id"] = statuses.status_of.get(values["status"])
        if update["status_id"] is None:
            raise invalid({"status": [f'"{values["status"]}" is not a valid choice.']})
    custom = _custom_values(await common.ticket_fields(ctx), values)
    if custom:
        update["custom_fields"] = custom
    record = await records.update_record(
        ctx.session, caller.actor, ctx.pk, RecordUpdate(**update), kind=common.TICKET_KIND
    )
    # The record as just written (and locked): no need to read it back.
    return respond((await common.tickets_out(ctx, [record]))[0])


async def put_ticket(ctx: Ctx) -> Response:
    return await _update(ctx, partial=False)


async def patch_ticket(ctx: Ctx) -> Response:
    return await _update(ctx, partial=True)


async def delete_ticket(ctx: Ctx) -> Response:
    assert ctx.pk is not None
    await common.get_ticket(ctx, ctx.pk)
    await records.delete_record(ctx.session, ctx.staff.actor, ctx.pk, kind=common.TICKET_KIND)
    return respond(None, 204)


def _staff(caller: auth.Caller | None, _method: str) -> auth.Caller | None:
    return auth.require_staff(caller)


register(
    router,
    "/api/tickets",
    collection=Endpoint(
        name="Ticket List",
        description="Tickets: every incident record, with its follow-ups and custom fields.",
        handlers={"GET": list_tickets, "POST": create_ticket},
        permission=_staff,
        fields=_fields,
    ),
    instance=Endpoint(
        name="Ticket Instance",
        description="One ticket.",
        handlers={
            "GET": retrieve_ticket,
            "PUT": put_ticket,
            "PATCH": patch_ticket,
            "DELETE": delete_ticket,
        },
        permission=_staff,
        fields=_fields,
    ),
)
