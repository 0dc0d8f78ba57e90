"""Uploaded files on the wire: attaching them to records by ``refFileName`` and showing them
as ``{refFileName, realName, link}``. G1 names references in ``attachmentsRefNames``, G2 in
``fileAttachments[].refFileName``; both go through :func:`attach`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field
from starlette.requests import Request

from polydesk.core.actor import Actor
from polydesk.core.db import Session
from polydesk.core.errors import Invalid, NotFound
from polydesk.domains.attachments import service as attachments
from polydesk.models import Attachment

DOWNLOAD_ROUTE = "serviceops_download_file"


class FileAttachment(BaseModel):
    """An uploaded file, as ``POST /api/oprfile`` answers and records list their files."""

    refFileName: str = Field(examples=["k9YqG9KTABx2Lm4Q"])
    """The reference to name in ``attachmentsRefNames`` (G1) or ``fileAttachments`` (G2)."""
    realName: str = Field(examples=["screenshot.png"])
    link: str | None = Field(default=None, examples=["http://host/api/oprfile/k9YqG9KTABx2Lm4Q"])
    """Where an authorised caller downloads the file (``GET``, same credentials)."""


def link(request: Request, ref_name: str) -> str:
    return str(request.url_for(DOWNLOAD_ROUTE, ref_file_name=ref_name))


def as_wire(request: Request, attachment: Attachment) -> FileAttachment:
    return FileAttachment(
        refFileName=attachment.ref_name,
        realName=attachment.real_name,
        link=link(request, attachment.ref_name),
    )


def as_wire_list(request: Request, items: Iterable[Attachment]) -> list[FileAttachment]:
    return [as_wire(request, a) for a in items]


async def attach(
    session: Session,
    actor: Actor,
    record_id: int,
    ref_names: Sequence[str],
    *,
    field: str,
) -> None:
    """Attach uploaded files to a record. Naming a file already on this record again is a
    no-op; an unknown reference is a 400 naming ``field``; a file attached to another record
    is a 409."""
    for ref_name in dict.fromkeys(r.strip() for r in ref_names):
        if not ref_name:
            raise Invalid("A file reference must not be empty.", field=field, value=ref_name)
        try:
            await attachments.attach_to_record(session, actor, ref_name, record_id)
        except NotFound as exc:
            if exc.field != "ref_name":
                raise
            raise Invalid(
                f"No uploaded file has the reference {ref_name!r}: upload it first with "
                "POST /api/oprfile and use the refFileName it answers.",
                field=field,
                value=ref_name,
            ) from exc
