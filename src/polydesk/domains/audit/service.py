"""The audit trail. Every write of every service calls :func:`record` in the same transaction,
so an event exists exactly when its change does."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.domains.audit import repository


def jsonable(value: Any) -> Any:
    """Event payloads are JSON: dates as ISO 8601, decimals as strings, enums as values."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


async def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    *,
    object_type: str,
    object_id: int | None,
    record_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    repository.add(
        session,
        {
            "actor_id": actor.user_id,
            "channel": actor.channel.value,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "record_id": record_id,
            "before": jsonable(before) if before is not None else None,
            "after": jsonable(after) if after is not None else None,
        },
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The keys whose values changed, as (before, after) dictionaries."""
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
