"""Rules of time entries.

Staff log time on any record, for themselves or for another existing user, in whole minutes
(0 to 100 000, about ten weeks, per entry). A record's total (GoToAssist's
``total_time_spent``) is always summed from its entries, so it is right after every change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.core.errors import Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog.service import check_page, clean_optional_text
from polydesk.domains.time_entries import repository
from polydesk.domains.time_entries.schemas import TimeEntryCreate, TimeEntryUpdate
from polydesk.domains.users import service as users
from polydesk.models import TimeEntry

MAX_MINUTES = 100_000
MAX_NOTE_LENGTH = 10_000

_STATE_FIELDS = ("record_id", "user_id", "minutes", "spent_on", "note")


def _state(entry: TimeEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in _STATE_FIELDS}


def _require_staff(actor: Actor, what: str) -> None:
    if not actor.is_staff:
        raise Forbidden(f"Only staff may {what} time entries.")


def _check_minutes(value: int | None) -> int:
    if value is None or isinstance(value, bool) or not 0 <= value <= MAX_MINUTES:
        raise Invalid(
            f"The minutes must be a whole number between 0 and {MAX_MINUTES}.",
            field="minutes",
            value=value,
        )
    return value


def _check_spent_on(value: date | None) -> date:
    if value is None:
        raise Invalid("The spent_on date must not be empty.", field="spent_on", value=None)
    return value


async def _check_user(session: AsyncSession, user_id: int) -> int:
    try:
        await users.get_user(session, user_id)
    except NotFound as exc:
        raise Invalid(exc.message, field="user_id", value=user_id) from exc
    return user_id


def _note(value: str | None) -> str | None:
    return clean_optional_text(value, field="note", max_length=MAX_NOTE_LENGTH)


async def add_time_entry(
    session: AsyncSession, actor: Actor, record_id: int, data: TimeEntryCreate
) -> TimeEntry:
    _require_staff(actor, "log")
    if await repository.record_kind(session, record_id) is None:
        raise NotFound(f"No record with id {record_id}.", field="record_id", value=record_id)
    user_id = actor.user_id if data.user_id is None else await _check_user(session, data.user_id)
    entry = TimeEntry(
        record_id=record_id,
        user_id=user_id,
        minutes=_check_minutes(data.minutes),
        spent_on=data.spent_on or utcnow().date(),
        note=_note(data.note),
    )
    await repository.add(session, entry)
    await audit.record(
        session,
        actor,
        "time_entry.created",
        object_type="time_entry",
        object_id=entry.id,
        record_id=record_id,
        after=_state(entry),
    )
    return entry


async def update_time_entry(
    session: AsyncSession,
    actor: Actor,
    entry_id: int,
    data: TimeEntryUpdate,
    *,
    record_id: int | None = None,
) -> TimeEntry:
    """Change the given fields; ``user_id`` given as ``None`` leaves the entry without a user."""
    _require_staff(actor, "change")
    entry = await get_time_entry(session, entry_id, record_id=record_id)
    fields = data.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "minutes" in fields:
        changes["minutes"] = _check_minutes(data.minutes)
    if "spent_on" in fields:
        changes["spent_on"] = _check_spent_on(data.spent_on)
    if "note" in fields:
        changes["note"] = _note(data.note)
    if "user_id" in fields and data.user_id != entry.user_id:
        changes["user_id"] = (
            None if data.user_id is None else await _check_user(session, data.user_id)
        )
    changed = {k: v for k, v in changes.items() if getattr(entry, k) != v}
    if not changed:
        return entry
    before_state = _state(entry)
    await repository.apply(session, entry, {**changed, "updated_at": utcnow()})
    before, after = audit.diff(before_state, _state(entry))
    await audit.record(
        session,
        actor,
        "time_entry.updated",
        object_type="time_entry",
        object_id=entry.id,
        record_id=entry.record_id,
        before=before,
        after=after,
    )
    return entry


async def delete_time_entry(
    session: AsyncSession, actor: Actor, entry_id: int, *, record_id: int | None = None
) -> None:
    _require_staff(actor, "delete")
    entry = await get_time_entry(session, entry_id, record_id=record_id)
    before = _state(entry)
    await repository.delete(session, entry)
    await audit.record(
        session,
        actor,
        "time_entry.deleted",
        object_type="time_entry",
        object_id=entry_id,
        record_id=before["record_id"],
        before=before,
    )


async def get_time_entry(
    session: AsyncSession, entry_id: int, *, record_id: int | None = None
) -> TimeEntry:
    """The entry; not found when it belongs to another record than ``record_id``."""
    entry = await repository.get(session, entry_id)
    if entry is None or (record_id is not None and entry.record_id != record_id):
        where = f" on record {record_id}" if record_id is not None else ""
        raise NotFound(
            f"No time entry with id {entry_id}{where}.", field="time_entry_id", value=entry_id
        )
    return entry


async def list_time_entries(
    session: AsyncSession,
    *,
    record_id: int | None = None,
    user_id: int | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[Sequence[TimeEntry], int]:
    """A page of entries by day, then as logged, and the total matching. A record that does
    not exist is not found; an unknown user simply has no entries."""
    check_page(offset, limit)
    if record_id is not None and await repository.record_kind(session, record_id) is None:
        raise NotFound(f"No record with id {record_id}.", field="record_id", value=record_id)
    return await repository.list_entries(
        session, record_id=record_id, user_id=user_id, offset=offset, limit=limit
    )


async def total_minutes(session: AsyncSession, record_ids: Sequence[int]) -> dict[int, int]:
    """Minutes logged per record, in one query; every id asked for is a key (0 when none)."""
    totals = await repository.minutes_by_record(session, record_ids)
    return {record_id: totals.get(record_id, 0) for record_id in record_ids}
