"""``/api/followups/``: follow-ups are notes on tickets.

POST runs django-helpdesk's "update ticket" workflow through the domain services: a title
other than the ticket's renames the ticket; ``new_status`` moves the ticket to that status
(the follow-up title gains " and <Status>"), and resolving (or closing a ticket without a
resolution) makes the comment the ticket's resolution; the files in ``attachments`` are
attached. Every file's extension is checked first, so a refused file saves nothing. The
comment is stored as given. PUT and PATCH change the follow-up only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.responses import Response

from polydesk.api.helpdesk import auth, mapping, pagination, schemas, uploads
from polydesk.api.helpdesk.body import read_body
from polydesk.api.helpdesk.errors import detail, invalid, respond
from polydesk.api.helpdesk.fields import Field, Validated, missing_pk, ordered_errors, validate
from polydesk.api.helpdesk.routes import common
from polydesk.api.helpdesk.views import Ctx, Endpoint, HelpdeskRoute, register
from polydesk.core.enums import NoteType
from polydesk.core.errors import NotFound
from polydesk.domains.notes import service as notes
from polydesk.domains.notes.schemas import NoteCreate, NoteUpdate
from polydesk.domains.records import service as records
from polydesk.domains.records.schemas import RecordUpdate
from polydesk.domains.users import service as users
from polydesk.models import Note, Record

router = APIRouter(route_class=HelpdeskRoute)
NOT_FOUND = "No FollowUp matches the given query."


async def _fields(_ctx: Ctx) -> list[Field]:
    return schemas.followup_fields()


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


async def _get(ctx: Ctx, note_id: int) -> tuple[Note, Record]:
    try:
        note = await notes.get_note(ctx.session, note_id)
    except NotFound:
        raise detail(404, NOT_FOUND) from None
    record = await common.ticket_exists(ctx, note.record_id)
    if record is None:
        raise detail(404, NOT_FOUND)
    return note, record


async def _references(ctx: Ctx, checked: Validated) -> Record | None:
    values = checked.values
    record = None
    if values.get("ticket") is not None:
        record = await common.ticket_exists(ctx, values["ticket"])
        if record is None:
            checked.errors["ticket"] = [missing_pk(values.pop("ticket"))]
    if values.get("user") is not None:
        try:
            await users.get_user(ctx.session, values["user"])
        except NotFound:
            checked.errors["user"] = [missing_pk(values.pop("user"))]
    return record


def _check_files(ctx: Ctx, checked: Validated) -> list[UploadFile]:
    files: list[UploadFile] = list(checked.values.get("attachments") or [])
    bad = {}
    for index, upload in enumerate(files):
        message = uploads.extension_error(upload, ctx.settings.allowed_attachment_extensions)
        if message:
            bad[str(index)] = [message]
    if bad:
        checked.errors["attachments"] = bad
    return files


async def list_followups(ctx: Ctx) -> Response:
    page = pagination.page_request(ctx.request)
    if page.number is None:
        _rows, total = await notes.list_notes_of_kinds(ctx.session, common.TICKET_KINDS, limit=1)
        offset = page.offset(total)
    else:
        offset = (page.number - 1) * page.size
    rows, total = await notes.list_notes_of_kinds(
        ctx.session, common.TICKET_KINDS, offset=offset, limit=page.size
    )
    page.resolve(total)
    results = await common.followups_out(ctx, rows)
    return respond(pagination.envelope(ctx.request, page, total, results))


async def create_followup(ctx: Ctx) -> Response:
    caller = ctx.staff
    body = await read_body(ctx.request)
    fields = schemas.followup_fields()
    checked = validate(fields, body, partial=False)
    record = await _references(ctx, checked)
    files = _check_files(ctx, checked)
    if checked.errors:
        raise invalid(ordered_errors(fields, checked.errors))
    assert record is not None
    values = checked.values
    title = values.get("title") or record.title
    comment = values.get("comment") or ""
    statuses = await common.status_map(ctx)
    new_status = values.get("new_status")
    change: dict[str, Any] = {}
    if title != record.title:
        change["title"] = title
    new_status_id = None
    if new_status is not None:
        new_status_id = statuses.status_of.get(new_status)
        if new_status_id is None:
            raise invalid({"new_status": [f'"{new_status}" is not a valid choice.']})
        title = f"{title} and {mapping.STATUS_LABELS[new_status]}"
        if new_status_id != record.status_id:
            change["status_id"] = new_status_id
        if comment and (
            new_status == mapping.RESOLVED
            or (new_status == mapping.CLOSED and not record.resolution)
        ):
            change["resolution"] = comment
    if change:
        record = await records.update_record(
            ctx.session, caller.actor, record.id, RecordUpdate(**change), kind=common.TICKET_KIND
        )
    note = await notes.add_note(
        ctx.session,
        caller.actor,
        record.id,
        NoteCreate(
            body=comment,
            note_type=NoteType.FOLLOWUP,
            title=title,
            public=bool(values.get("public", False)),
            time_spent_seconds=_seconds(values.get("time_spent")),
            new_status_id=new_status_id,
        ),
    )
    stored = [await uploads.attach(ctx, note.id, upload, field="attachments") for upload in files]
    written = {note.id: stored}
    return respond((await common.followups_out(ctx, [note], [record], written))[0], 201)


async def retrieve_followup(ctx: Ctx) -> Response:
    assert ctx.pk is not None
    note, _record = await _get(ctx, ctx.pk)
    return respond((await common.followups_out(ctx, [note]))[0])


async def _update(ctx: Ctx, *, partial: bool) -> Response:
    assert ctx.pk is not None
    note, _record = await _get(ctx, ctx.pk)
    body = await read_body(ctx.request)
    fields = schemas.followup_fields()
    checked = validate(fields, body, partial=partial)
    await _references(ctx, checked)
    if checked.errors:
        raise invalid(ordered_errors(fields, checked.errors))
    values = checked.values
    if "ticket" in values and values["ticket"] != note.record_id:
        raise invalid({"ticket": ["A follow-up cannot be moved to another ticket."]})
    update: dict[str, Any] = {}
    if "title" in values:
        update["title"] = values["title"] or None
    if "comment" in values:
        update["body"] = values["comment"] or ""
    if "public" in values:
        update["public"] = values["public"]
    if "user" in values:
        update["author_id"] = values["user"]
    if "time_spent" in values:
        update["time_spent_seconds"] = _seconds(values["time_spent"])
    if "new_status" in values:
        statuses = await common.status_map(ctx)
        number = values["new_status"]
        update["new_status_id"] = None if number is None else statuses.status_of.get(number)
    await notes.update_note(ctx.session, ctx.staff.actor, note.id, NoteUpdate(**update))
    fresh, _record = await _get(ctx, note.id)
    return respond((await common.followups_out(ctx, [fresh]))[0])


async def put_followup(ctx: Ctx) -> Response:
    return await _update(ctx, partial=False)


async def patch_followup(ctx: Ctx) -> Response:
    return await _update(ctx, partial=True)


async def delete_followup(ctx: Ctx) -> Response:
    assert ctx.pk is not None
    note, _record = await _get(ctx, ctx.pk)
    await notes.delete_note(ctx.session, ctx.staff.actor, note.id)
    return respond(None, 204)


def _staff(caller: auth.Caller | None, _method: str) -> auth.Caller | None:
    return auth.require_staff(caller)


register(
    router,
    "/api/followups",
    collection=Endpoint(
        name="Follow Up List",
        description="Follow-ups: the notes of every ticket, oldest first.",
        handlers={"GET": list_followups, "POST": create_followup},
        permission=_staff,
        fields=_fields,
    ),
    instance=Endpoint(
        name="Follow Up Instance",
        description="One follow-up.",
        handlers={
            "GET": retrieve_followup,
            "PUT": put_followup,
            "PATCH": patch_followup,
            "DELETE": delete_followup,
        },
        permission=_staff,
        fields=_fields,
    ),
)
