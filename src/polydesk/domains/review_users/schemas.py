"""Inputs of the release review user services."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ReviewUserCreate(BaseModel):
    user_id: int
    status: str = "pending"
    """Free text (``pending``, ``approved``, ``rejected``, …), at most 32 characters."""
    note: str | None = None
    reviewed_at: datetime | None = None


class ReviewUserUpdate(BaseModel):
    user_id: int | None = None
    status: str | None = None
    note: str | None = None
    reviewed_at: datetime | None = None
