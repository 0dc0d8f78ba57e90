"""Inputs of the change tester services."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ChangeTesterCreate(BaseModel):
    user_id: int
    status: str = "pending"
    """Free text (``pending``, ``passed``, ``failed``, …), at most 32 characters."""
    note: str | None = None
    tested_at: datetime | None = None


class ChangeTesterUpdate(BaseModel):
    user_id: int | None = None
    status: str | None = None
    note: str | None = None
    tested_at: datetime | None = None
