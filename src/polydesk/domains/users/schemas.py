"""Inputs and outputs of the user services. Passwords are write-only: no output carries one."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from polydesk.core.enums import Role


class UserCreate(BaseModel):
    email: str
    username: str | None = None
    role: Role = Role.REQUESTER
    password: str | None = None
    """``None`` for an account that cannot sign in with a password (a requester known only by
    e-mail). At least 8 characters, except when the system or the CLI creates the user."""
    first_name: str = ""
    last_name: str = ""
    phone: str | None = None
    time_zone: str = "UTC"
    department_id: int | None = None
    location_id: int | None = None
    is_active: bool = True


class UserUpdate(BaseModel):
    email: str | None = None
    username: str | None = None
    """``None`` (given) removes the username."""
    role: Role | None = None
    password: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    time_zone: str | None = None
    department_id: int | None = None
    location_id: int | None = None
    is_active: bool | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    username: str | None
    first_name: str
    last_name: str
    role: Role
    is_active: bool
    phone: str | None
    time_zone: str
    department_id: int | None
    location_id: int | None
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None
