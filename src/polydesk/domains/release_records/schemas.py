"""Inputs of the release record services."""

from __future__ import annotations

from pydantic import BaseModel


class ReleaseRecordCreate(BaseModel):
    title: str
    note: str | None = None
    user_id: int | None = None
    """Who the entry is by; the actor when omitted."""


class ReleaseRecordUpdate(BaseModel):
    title: str | None = None
    note: str | None = None
    user_id: int | None = None
