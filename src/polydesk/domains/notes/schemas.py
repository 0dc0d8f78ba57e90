"""Inputs of the note services."""

from __future__ import annotations

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
