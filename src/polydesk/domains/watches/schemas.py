"""Inputs and outputs of the watch services."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from polydesk.models import User, Watch


class WatchUpdate(BaseModel):
    """The new watcher: a user or an outside address. Giving one replaces the other."""

    user_id: int | None = None
    external_email: str | None = None


@dataclass(frozen=True, slots=True)
class WatchEntry:
    watch: Watch
    user: User | None
    """The watching user; ``None`` for an outside address."""
