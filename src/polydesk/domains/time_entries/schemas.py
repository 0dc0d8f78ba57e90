"""Inputs of the time entry services."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class TimeEntryCreate(BaseModel):
    minutes: int
    user_id: int | None = None
    """Whose time it is; the actor's when omitted."""
    spent_on: date | None = None
    """The day the time was spent; today (UTC) when omitted."""
    note: str | None = None


class TimeEntryUpdate(BaseModel):
    minutes: int | None = None
    user_id: int | None = None
    spent_on: date | None = None
    note: str | None = None
