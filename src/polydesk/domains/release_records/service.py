"""Rules of release records.

Release records belong to records of kind ``release`` only. Each has a title and may have a
note and a user (the actor unless another existing user is named). Staff manage them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.core.enums import RecordKind
from polydesk.core.errors import Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog.service import check_page, clean_name, clean_optional_text
from polydesk.domains.release_records import repository
from polydesk.domains.release_records.schemas import ReleaseRecordCreate, ReleaseRecordUpdate
from polydesk.domains.users import service as users
from polydesk.models import ReleaseRecord

MAX_TITLE_LENGTH = 500
MAX_NOTE_LENGTH = 100_000

_STATE_FIELDS = ("record_id", "title", "note", "user_id")


def _state(entry: ReleaseRecord) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in _STATE_FIELDS}


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden("Only staff may manage release records.")


async def _require_release(session: AsyncSession, record_id: int) -> None:
    kind = await repository.record_kind(session, record_id)
    if kind is None:
        raise NotFound(f"No record with id {record_id}.", field="record_id", value=record_id)
    if kind != RecordKind.RELEASE.value:
        raise Invalid(
            f"Only releases have release records; record {record_id} is of kind {kind}.",
            field="record_id",
            value=record_id,
        )


async def _check_user(session: AsyncSession, user_id: int) -> int:
    try:
        await users.get_user(session, user_id)
    except NotFound as exc:
        raise Invalid(exc.message, field="user_id", value=user_id) from exc
    return user_id


def _title(value: str | None) -> str:
    return clean_name(value, field="title", max_length=MAX_TITLE_LENGTH)


def _note(value: str | None) -> str | None:
    return clean_optional_text(value, field="note", max_length=MAX_NOTE_LENGTH)


async def add_release_record(
    session: AsyncSession, actor: Actor, record_id: int, data: ReleaseRecordCreate
) -> ReleaseRecord:
    _require_staff(actor)
    await _require_release(session, record_id)
    entry = ReleaseRecord(
        record_id=record_id,
        title=_title(data.title),
        note=_note(data.note),
        user_id=actor.user_id if data.user_id is None else await _check_user(session, data.user_id),
    )
    await repository.add(session, entry)
    await audit.record(
        session,
        actor,
        "release_record.created",
        object_type="release_record",
        object_id=entry.id,
        record_id=record_id,
        after=_state(entry),
    )
    return entry


async def update_release_record(
    session: AsyncSession,
    actor: Actor,
    release_record_id: int,
    data: ReleaseRecordUpdate,
    *,
    record_id: int | None = None,
) -> ReleaseRecord:
    """Change the given fields; ``note`` or ``user_id`` given as ``None`` clears them."""
    _require_staff(actor)
    entry = await get_release_record(session, release_record_id, record_id=record_id)
    fields = data.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "title" in fields:
        changes["title"] = _title(data.title)
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
        "release_record.updated",
        object_type="release_record",
        object_id=entry.id,
        record_id=entry.record_id,
        before=before,
        after=after,
    )
    return entry


async def delete_release_record(
    session: AsyncSession, actor: Actor, release_record_id: int, *, record_id: int | None = None
) -> None:
    """GoToAssist has no such operation; the console and clean-ups use it."""
    _require_staff(actor)
    entry = await get_release_record(session, release_record_id, record_id=record_id)
    before = _state(entry)
    await repository.delete(session, entry)
    await audit.record(
        session,
        actor,
        "release_record.deleted",
        object_type="release_record",
        object_id=release_record_id,
        record_id=before["record_id"],
        before=before,
    )


async def get_release_record(
    session: AsyncSession, release_record_id: int, *, record_id: int | None = None
) -> ReleaseRecord:
    """The entry; not found when it belongs to another release than ``record_id``."""
    entry = await repository.get(session, release_record_id)
    if entry is None or (record_id is not None and entry.record_id != record_id):
        where = f" on release {record_id}" if record_id is not None else ""
        raise NotFound(
            f"No release record with id {release_record_id}{where}.",
            field="release_record_id",
            value=release_record_id,
        )
    return entry


async def list_release_records(
    session: AsyncSession, *, record_id: int | None = None, offset: int = 0, limit: int = 100
) -> tuple[Sequence[ReleaseRecord], int]:
    """A page of one release's entries (or of all entries), oldest first, and the total."""
    check_page(offset, limit)
    if record_id is not None:
        await _require_release(session, record_id)
    return await repository.list_entries(session, record_id=record_id, offset=offset, limit=limit)


async def release_records_for(
    session: AsyncSession, record_ids: Sequence[int]
) -> dict[int, list[ReleaseRecord]]:
    """The entries of many releases, in one query; every id asked for is a key."""
    grouped: dict[int, list[ReleaseRecord]] = {record_id: [] for record_id in record_ids}
    for entry in await repository.for_records(session, record_ids):
        grouped[entry.record_id].append(entry)
    return grouped
