"""``/api/followups-attachments/``: the files of follow-ups (attachments of notes).

POST stores a file on a follow-up (``followup`` and ``file``; ``filename`` and ``mime_type``
default to the upload's); the extension allow-list applies. PUT and PATCH change the file name
and type only. Listed by file name, as django-helpdesk orders them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.responses import Response

from polydesk.api.helpdesk import auth, pagination, schemas, uploads
from polydesk.api.helpdesk.body import read_body
from polydesk.api.helpdesk.errors import detail, invalid, respond
from polydesk.api.helpdesk.fields import Field, missing_pk, ordered_errors, validate
from polydesk.api.helpdesk.routes import common
from polydesk.api.helpdesk.views import Ctx, Endpoint, HelpdeskRoute, register
from polydesk.core.errors import NotFound
from polydesk.domains.attachments import service as attachments
from polydesk.domains.attachments.schemas import AttachmentUpdate
from polydesk.domains.notes import service as notes
from polydesk.models import Attachment

router = APIRouter(route_class=HelpdeskRoute)
NOT_FOUND = "No FollowUpAttachment matches the given query."


async def _fields(_ctx: Ctx) -> list[Field]:
    return schemas.attachment_fields()


async def _get(ctx: Ctx, attachment_id: int) -> Attachment:
    try:
        attachment = await attachments.get(ctx.session, attachment_id)
    except NotFound:
        raise detail(404, NOT_FOUND) from None
    if attachment.note_id is None or attachment.record_id is None:
        raise detail(404, NOT_FOUND)
    if await common.ticket_exists(ctx, attachment.record_id) is None:
        raise detail(404, NOT_FOUND)
    return attachment


async def _followup_exists(ctx: Ctx, note_id: int) -> bool:
    try:
        note = await notes.get_note(ctx.session, note_id)
    except NotFound:
        return False
    return await common.ticket_exists(ctx, note.record_id) is not None


async def list_attachments(ctx: Ctx) -> Response:
    page = pagination.page_request(ctx.request)
    if page.number is None:
        _rows, total = await attachments.list_note_attachments(
            ctx.session, common.TICKET_KINDS, limit=1
        )
        offset = page.offset(total)
    else:
        offset = (page.number - 1) * page.size
    rows, total = await attachments.list_note_attachments(
        ctx.session, common.TICKET_KINDS, offset=offset, limit=page.size
    )
    page.resolve(total)
    results = await common.attachments_out(ctx, rows)
    return respond(pagination.envelope(ctx.request, page, total, results))


async def create_attachment(ctx: Ctx) -> Response:
    caller = ctx.staff
    body = await read_body(ctx.request)
    fields = schemas.attachment_fields()
    checked = validate(fields, body, partial=False)
    values = checked.values
    if values.get("followup") is not None and not await _followup_exists(ctx, values["followup"]):
        checked.errors["followup"] = [missing_pk(values.pop("followup"))]
    upload = values.get("file")
    if isinstance(upload, UploadFile):
        message = uploads.extension_error(upload, ctx.settings.allowed_attachment_extensions)
        if message:
            checked.errors["file"] = [message]
    if checked.errors:
        raise invalid(ordered_errors(fields, checked.errors))
    assert isinstance(upload, UploadFile)
    stored = await uploads.attach(ctx, values["followup"], upload, field="file")
    update: dict[str, Any] = {}
    if values.get("filename"):
        update["real_name"] = values["filename"]
    if values.get("mime_type"):
        update["content_type"] = values["mime_type"]
    if update:
        await attachments.update_attachment(
            ctx.session, caller.actor, stored.id, AttachmentUpdate(**update)
        )
    return respond((await common.attachments_out(ctx, [await _get(ctx, stored.id)]))[0], 201)


async def retrieve_attachment(ctx: Ctx) -> Response:
    assert ctx.pk is not None
    return respond((await common.attachments_out(ctx, [await _get(ctx, ctx.pk)]))[0])


async def _update(ctx: Ctx, *, partial: bool) -> Response:
    assert ctx.pk is not None
    attachment = await _get(ctx, ctx.pk)
    body = await read_body(ctx.request)
    fields = schemas.attachment_fields()
    checked = validate(fields, body, partial=partial)
    values = checked.values
    if values.get("followup") is not None and not await _followup_exists(ctx, values["followup"]):
        checked.errors["followup"] = [missing_pk(values.pop("followup"))]
    if checked.errors:
        raise invalid(ordered_errors(fields, checked.errors))
    if "followup" in values and values["followup"] != attachment.note_id:
        raise invalid({"followup": ["An attachment cannot be moved to another follow-up."]})
    update: dict[str, Any] = {}
    if values.get("filename"):
        update["real_name"] = values["filename"]
    if values.get("mime_type"):
        update["content_type"] = values["mime_type"]
    if update:
        await attachments.update_attachment(
            ctx.session, ctx.staff.actor, attachment.id, AttachmentUpdate(**update)
        )
    return respond((await common.attachments_out(ctx, [await _get(ctx, attachment.id)]))[0])


async def put_attachment(ctx: Ctx) -> Response:
    return await _update(ctx, partial=False)


async def patch_attachment(ctx: Ctx) -> Response:
    return await _update(ctx, partial=True)


async def delete_attachment(ctx: Ctx) -> Response:
    assert ctx.pk is not None
    attachment = await _get(ctx, ctx.pk)
    await attachments.delete_attachment(ctx.session, ctx.staff.actor, ctx.settings, attachment.id)
    return respond(None, 204)


def _staff(caller: auth.Caller | None, _method: str) -> auth.Caller | None:
    return auth.require_staff(caller)


register(
    router,
    "/api/followups-attachments",
    collection=Endpoint(
        name="Follow Up Attachment List",
        description="The files attached to follow-ups, by file name.",
        handlers={"GET": list_attachments, "POST": create_attachment},
        permission=_staff,
        fields=_fields,
    ),
    instance=Endpoint(
        name="Follow Up Attachment Instance",
        description="One follow-up file.",
        handlers={
            "GET": retrieve_attachment,
            "PUT": put_attachment,
            "PATCH": patch_attachment,
            "DELETE": delete_attachment,
        },
        permission=_staff,
        fields=_fields,
    ),
)
