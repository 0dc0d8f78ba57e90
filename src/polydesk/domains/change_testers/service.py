"""Rules of change testers.

Testers belong to records of kind ``change`` only. A tester is an existing staff user
(administrator or technician), at most once per change. The status is free text, ``pending``
until someone says otherwise. Staff manage testers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.enums import RecordKind, Role
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog.service import clean_name, clean_optional_text
from polydesk.domains.change_testers import repository
from polydesk.domains.change_testers.schemas import ChangeTesterCreate, ChangeTesterUpdate
from polydesk.domains.users import service as users
from polydesk.models import ChangeTester

MAX_STATUS_LENGTH = 32
MAX_NOTE_LENGTH = 10_000
STAFF_ROLES = frozenset({Role.ADMIN.value, Role.TECHNICIAN.value})

_STATE_FIELDS = ("record_id", "user_id", "status", "note", "tested_at")


def _state(tester: ChangeTester) -> dict[str, Any]:
    return {name: getattr(tester, name) for name in _STATE_FIELDS}


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden("Only staff may manage change testers.")


async def _require_change(session: AsyncSession, record_id: int) -> None:
    kind = await repository.record_kind(session, record_id)
    if kind is None:
        raise NotFound(f"No record with id {record_id}.", field="record_id", value=record_id)
    if kind != RecordKind.CHANGE.value:
        raise Invalid(
            f"Only changes have testers; record {record_id} is of kind {kind}.",
            field="record_id",
            value=record_id,
        )


async def _check_tester(session: AsyncSession, user_id: int | None) -> int:
    if user_id is None:
        raise Invalid("A tester needs a user.", field="user_id", value=None)
    try:
        user = await users.get_user(session, user_id)
    except NotFound as exc:
        raise Invalid(exc.message, field="user_id", value=user_id) from exc
    if user.role not in STAFF_ROLES:
        raise Invalid(
            f"{user.email} is a requester; only administrators and technicians test changes.",
            field="user_id",
            value=user_id,
        )
    return user_id


def _status(value: str | None) -> str:
    return clean_name(value, field="status", max_length=MAX_STATUS_LENGTH)


def _note(value: str | None) -> str | None:
    return clean_optional_text(value, field="note", max_length=MAX_NOTE_LENGTH)


def _moment(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise Invalid(
            "The tested_at time must carry a time zone offset.", field="tested_at", value=value
        )
    return value.astimezone(UTC)


def _already_testing(user_id: int) -> Conflict:
    return Conflict(
        f"User {user_id} is already a tester of this change.", field="user_id", value=user_id
    )


async def add_tester(
    session: AsyncSession, actor: Actor, record_id: int, data: ChangeTesterCreate
) -> ChangeTester:
    _require_staff(actor)
    await _require_change(session, record_id)
    user_id = await _check_tester(session, data.user_id)
    tester = ChangeTester(
        record_id=record_id,
        user_id=user_id,
        status=_status(data.status),
        note=_note(data.note),
        tested_at=_moment(data.tested_at),
    )
    if await repository.find(session, record_id, user_id) is not None:
        raise _already_testing(user_id)
    if not await repository.add_unique(session, tester):
        raise _already_testing(user_id)
    await audit.record(
        session,
        actor,
        "change_tester.created",
        object_type="change_tester",
        object_id=tester.id,
        record_id=record_id,
        after=_state(tester),
    )
    return tester


async def update_tester(
    session: AsyncSession,
    actor: Actor,
    tester_id: int,
    data: ChangeTesterUpdate,
    *,
    record_id: int | None = None,
) -> ChangeTester:
    """Change the given fields; ``note`` or ``tested_at`` given as ``None`` clears them."""
    _require_staff(actor)
    tester = await get_tester(session, tester_id, record_id=record_id)
    fields = data.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "user_id" in fields and data.user_id != tester.user_id:
        changes["user_id"] = await _check_tester(session, data.user_id)
    if "status" in fields:
        changes["status"] = _status(data.status)
    if "note" in fields:
        changes["note"] = _note(data.note)
    if "tested_at" in fields:
        changes["tested_at"] = _moment(data.tested_at)
    changed = {k: v for k, v in changes.items() if getattr(tester, k) != v}
    if not changed:
        return tester
    if "user_id" in changed and await repository.find(
        session, tester.record_id, changed["user_id"]
    ):
        raise _already_testing(changed["user_id"])
    before_state = _state(tester)
    if not await repository.update_unique(session, tester, changed):
        raise _already_testing(changed["user_id"])
    before, after = audit.diff(before_state, _state(tester))
    await audit.record(
        session,
        actor,
        "change_tester.updated",
        object_type="change_tester",
        object_id=tester.id,
        record_id=tester.record_id,
        before=before,
        after=after,
    )
    return tester


async def delete_tester(
    session: AsyncSession, actor: Actor, tester_id: int, *, record_id: int | None = None
) -> None:
    _require_staff(actor)
    tester = await get_tester(session, tester_id, record_id=record_id)
    before = _state(tester)
    await repository.delete(session, tester)
    await audit.record(
        session,
        actor,
        "change_tester.deleted",
        object_type="change_tester",
        object_id=tester_id,
        record_id=before["record_id"],
        before=before,
    )


async def get_tester(
    session: AsyncSession, tester_id: int, *, record_id: int | None = None
) -> ChangeTester:
    """The tester; not found when it belongs to another change than ``record_id``."""
    tester = await repository.get(session, tester_id)
    if tester is None or (record_id is not None and tester.record_id != record_id):
        where = f" on change {record_id}" if record_id is not None else ""
        raise NotFound(
            f"No change tester with id {tester_id}{where}.", field="tester_id", value=tester_id
        )
    return tester


async def list_testers(session: AsyncSession, record_id: int) -> list[ChangeTester]:
    """The change's testers in the order they were added."""
    await _require_change(session, record_id)
    return (await testers_for(session, [record_id]))[record_id]


async def testers_for(
    session: AsyncSession, record_ids: Sequence[int]
) -> dict[int, list[ChangeTester]]:
    """The testers of many changes, in one query; every id asked for is a key."""
    grouped: dict[int, list[ChangeTester]] = {record_id: [] for record_id in record_ids}
    for tester in await repository.for_records(session, record_ids):
        grouped[tester.record_id].append(tester)
    return grouped
