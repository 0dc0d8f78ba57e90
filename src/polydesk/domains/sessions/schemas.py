"""Outputs of the session services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StartedSession:
    """A new session: ``token`` goes into the cookie and is never stored (only its digest);
    ``csrf_token`` must come back with every unsafe request made with the cookie."""

    token: str
    csrf_token: str
    user_id: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ActiveSession:
    user_id: int
    csrf_token: str
    expires_at: datetime
