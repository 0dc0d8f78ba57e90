"""Inputs of the technician group services."""

from __future__ import annotations

from pydantic import BaseModel


class TechnicianGroupCreate(BaseModel):
    name: str
    description: str | None = None


class TechnicianGroupUpdate(BaseModel):
    name: str | None = None
    description: str | None = None
