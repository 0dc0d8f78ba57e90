"""``POST /api/oprfile``: upload a file (multipart part ``file``) and get the reference to
name when creating or updating a record; ``GET /api/oprfile/{refFileName}``: download it.

Files larger than ``POLYDESK_MAX_UPLOAD_BYTES`` are refused with 413 and leave nothing
behind. The upload is also served at ``/api/v1/oprfile`` (the G2 upload path is not
documented; both work).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Path, Request, UploadFile
from fastapi.responses import FileResponse

from polydesk.api.serviceops import files
from polydesk.api.serviceops.deps import AppSettings, DbSession, RequireTechnician
from polydesk.api.serviceops.errors import ErrorBody, FieldNames
from polydesk.api.serviceops.files import FileAttachment
from polydesk.api.serviceops.routing import ServiceOpsRoute, new_router
from polydesk.domains.attachments import service as attachments


class UploadRoute(ServiceOpsRoute):
    field_names = FieldNames({"ref_name": "refFileName"})


router = new_router(UploadRoute, tags=["Files"])

AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing, malformed, expired or revoked credentials"},
    403: {"model": ErrorBody, "description": "The caller may not use the API"},
}


async def upload_file(
    request: Request,
    file: Annotated[UploadFile, File(description="The file's content and name")],
    session: DbSession,
    settings: AppSettings,
    actor: RequireTechnician,
) -> FileAttachment:
    """Store an upload; its ``refFileName`` attaches it to a record later."""
    stored = await attachments.store_upload(
        session,
        actor,
        settings,
        filename=file.filename,
        content_type=file.content_type,
        stream_or_bytes=file,
    )
    return files.as_wire(request, stored)


for _path, _op in (("/api/oprfile", "uploadFile"), ("/api/v1/oprfile", "uploadFileV1")):
    router.add_api_route(
        _path,
        upload_file,
        methods=["POST"],
        response_model=FileAttachment,
        responses={
            **AUTH_ERRORS,
            400: {"model": ErrorBody, "description": "No part named file"},
            413: {"model": ErrorBody, "description": "The file is larger than the upload limit"},
        },
        summary="Upload a file",
        operation_id=_op,
    )


@router.get(
    "/api/oprfile/{ref_file_name}",
    name=files.DOWNLOAD_ROUTE,
    response_class=FileResponse,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The file"},
        **AUTH_ERRORS,
        404: {"model": ErrorBody, "description": "No file with this reference"},
    },
    summary="Download a file",
)
async def download_file(
    ref_file_name: Annotated[str, Path(max_length=64)],
    session: DbSession,
    settings: AppSettings,
    _actor: RequireTechnician,
) -> FileResponse:
    """The file's bytes, with its name and type (the ``link`` of an upload or attachment)."""
    attachment = await attachments.get_by_ref(session, ref_file_name)
    path = attachments.open_content(settings, attachment)
    return FileResponse(
        path,
        media_type=attachment.content_type,
        filename=attachment.real_name,
        content_disposition_type="attachment",
    )
