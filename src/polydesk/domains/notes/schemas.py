"""Inputs and outputs of the note services."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from pydantic import BaseModel

from polydesk.core.enums import NoteType


class NoteCreate(BaseModel):
    body: str
    note_type: NoteType = NoteType.COMMENT
    title: str | None = None
    public: bool = True
    """Shown to requesters. django-helpdesk defaults to ``false``: its dialect says so."""
    author_id: int | None = None
    """Staff may write on behalf of someone else; otherwise the author is the actor."""
    time_spent_seconds: int | None = None
    new_status_id: int | None = None
    """The status the note moved the record to. Stored with the note only: the caller applies
    the transition through the records service, in the same unit of work."""


class NoteUpdate(BaseModel):
    body: str | None = None
    note_type: NoteType | None = None
    title: str | None = None
    public: bool | None = None
    author_id: int | None = None
    time_spent_seconds: int | None = None
    new_status_id: int | None = None


class NoteBrief(NamedTuple):
    """A note as the ticket shapes show it, read as a plain row (no ORM object)."""

    id: int
    record_id: int
    title: str | None
    body: str
    public: bool
    author_id: int | None
    new_status_id: int | None
    time_spent_seconds: int | None
    created_at: datetime


class FileBrief(NamedTuple):
    """An attachment of a note as the ticket shapes show it, read as a plain row."""

    id: int
    note_id: int
    record_id: int | None
    real_name: str
    content_type: str
    size: int
