"""Inputs of the location services."""

from __future__ import annotations

from pydantic import BaseModel


class LocationCreate(BaseModel):
    name: str
    parent_id: int | None = None


class LocationUpdate(BaseModel):
    name: str | None = None
    parent_id: int | None = None
    """``None`` (given) makes the location top-level."""
