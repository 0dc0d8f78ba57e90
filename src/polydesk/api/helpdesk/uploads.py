"""Storing uploaded files on follow-ups, with the extension allow-list of the settings."""

from __future__ import annotations

from starlette.datastructures import UploadFile

from polydesk.api.helpdesk.errors import invalid
from polydesk.api.helpdesk.views import Ctx
from polydesk.core.errors import Invalid, TooLarge
from polydesk.domains.attachments import service as attachments
from polydesk.models import Attachment


def extension_error(upload: UploadFile, allowed: list[str]) -> str | None:
    """``Unsupported file extension: .exe``, or ``None`` when the name is allowed."""
    try:
        attachments.check_extension(upload.filename or "", set(allowed))
    except Invalid as exc:
        return exc.message
    return None


async def attach(ctx: Ctx, note_id: int, upload: UploadFile, *, field: str) -> Attachment:
    """Store ``upload`` on the follow-up; over the upload limit is a 400 on ``field``."""
    try:
        stored = await attachments.store_upload(
            ctx.session,
            ctx.staff.actor,
            ctx.settings,
            filename=upload.filename,
            content_type=upload.content_type,
            stream_or_bytes=upload,
        )
    except TooLarge as exc:
        raise invalid({field: [exc.message]}) from exc
    return await attachments.attach_to_note(ctx.session, ctx.staff.actor, stored.ref_name, note_id)
