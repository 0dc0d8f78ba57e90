"""Outputs of the set-up services."""

from __future__ import annotations

from dataclasses import dataclass

from polydesk.models import User


@dataclass(frozen=True, slots=True)
class AdminCreated:
    user: User
    generated_password: str | None
    """The password made up for the administrator, shown once; ``None`` when it was given."""
