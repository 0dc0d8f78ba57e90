"""Inputs of the catalogue services: services, priorities, activity types, categories, statuses."""

from __future__ import annotations

from pydantic import BaseModel

from polydesk.core.enums import StatusCategory


class ServiceCreate(BaseModel):
    name: str
    slug: str | None = None
    """Derived from the name when omitted (``Help Desk`` → ``help-desk``, then ``help-desk-2``…)."""
    description: str | None = None
    email_address: str | None = None
    time_zone: str = "UTC"
    is_active: bool = True


class ServiceUpdate(BaseModel):
    name: str | None = None
    slug: str | None = None
    description: str | None = None
    email_address: str | None = None
    time_zone: str | None = None
    is_active: bool | None = None


class ActivityTypeCreate(BaseModel):
    name: str


class ActivityTypeUpdate(BaseModel):
    name: str | None = None


class CategoryCreate(BaseModel):
    name: str
    service_id: int | None = None
    """``None`` for a global category, offered by every service."""


class CategoryUpdate(BaseModel):
    name: str | None = None


class StatusCreate(BaseModel):
    name: str
    category: StatusCategory
    position: int | None = None
    """Placed after every existing status when omitted."""


class StatusUpdate(BaseModel):
    name: str | None = None
    category: StatusCategory | None = None
    position: int | None = None
    is_default: bool | None = None
    """Only ``True`` is accepted: a status stops being the default when another one becomes it."""
