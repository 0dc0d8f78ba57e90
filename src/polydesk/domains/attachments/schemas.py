"""Inputs and outputs of the attachment services."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AttachmentUpdate(BaseModel):
    """What may change after upload (django-helpdesk lets ``filename`` and ``mime_type``
    be edited). Every field is optional and only the fields given are applied."""

    real_name: str | None = None
    content_type: str | None = None


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ref_name: str
    real_name: str
    content_type: str
    size: int
    sha256: str
    record_id: int | None
    note_id: int | None
    uploaded_by_id: int | None
    created_at: datetime
