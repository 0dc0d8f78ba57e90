"""Inputs of the issue services."""

from __future__ import annotations

from pydantic import BaseModel


class IssueCreate(BaseModel):
    title: str
    description: str | None = None
    status: str = "open"
    """Free text (``open``, ``resolved``, …), at most 32 characters."""
    user_id: int | None = None
    """Who raised it; the actor when omitted."""


class IssueUpdate(BaseModel):
    title: str | None = None
    description: str | None = None
    status: str | None = None
    user_id: int | None = None
