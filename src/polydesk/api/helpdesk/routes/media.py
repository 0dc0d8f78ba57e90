"""``/media/helpdesk/attachments/<queue>-<ticket>-<secret>/<followup>/<filename>``: the file
URLs the attachment shapes carry, as django-helpdesk's media URLs look. Unlike a plain media
directory, every download is authenticated (session or Basic, as the API): staff read any
file, other users the files of their own tickets (those ``/api/user_tickets/`` lists)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from polydesk.api.deps import AppSettings
from polydesk.api.helpdesk import auth, mapping
from polydesk.api.helpdesk.errors import NOT_FOUND, detail
from polydesk.api.helpdesk.routes import common
from polydesk.api.helpdesk.views import Ctx, DbSession, HelpdeskRoute
from polydesk.core.errors import NotFound
from polydesk.domains.attachments import service as attachments
from polydesk.domains.records import service as records
from polydesk.domains.records.schemas import Submitter

router = APIRouter(route_class=HelpdeskRoute)


@router.api_route(
    mapping.MEDIA_PREFIX + "{directory}/{note_id}/{filename}",
    methods=["GET", "HEAD"],
    include_in_schema=False,
)
async def download(
    directory: str,
    note_id: str,
    filename: str,
    request: Request,
    session: DbSession,
    settings: AppSettings,
) -> Response:
    caller = auth.require_user(await auth.authenticate(request, session, settings))
    if not note_id.isdigit() or len(note_id) > 18:
        raise detail(404, NOT_FOUND)
    found = await attachments.list_for_notes(session, [int(note_id)])
    matches = [a for a in found.get(int(note_id), []) if a.real_name == filename]
    if not matches or matches[0].record_id is None:
        raise detail(404, NOT_FOUND)
    attachment = matches[0]
    ctx = Ctx(request=request, session=session, settings=settings, caller=caller)
    record = await common.ticket_exists(ctx, attachment.record_id)  # type: ignore[arg-type]
    if record is None:
        raise detail(404, NOT_FOUND)
    mctx = await common.context(ctx, [record])
    if directory != mapping.attachment_dir(mctx, record):
        raise detail(404, NOT_FOUND)
    submitter = Submitter(user_id=caller.user.id, email=caller.user.email)
    if not caller.is_staff and not records.is_submitted_by(record, submitter):
        raise detail(404, NOT_FOUND)
    try:
        path = attachments.open_content(settings, attachment)
    except NotFound:
        raise detail(404, NOT_FOUND) from None
    return FileResponse(
        path,
        media_type=attachment.content_type,
        filename=attachment.real_name,
        content_disposition_type="inline",
    )
