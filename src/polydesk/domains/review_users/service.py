"""Rules of release review users.

Review users belong to records of kind ``release`` only. A review user is an existing staff user
(administrator or technician), at most once per release. The status is free text, ``pending``
until someone says otherwise. Staff manage review users.
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
from polydesk.domains.review_users import repository
from polydesk.domains.review_users.schemas import ReviewUserCreate, ReviewUserUpdate
from polydesk.domains.users import service as users
from polydesk.models import ReleaseReviewUser

MAX_STATUS_LENGTH = 32
MAX_NOTE_LENGTH = 10_000
STAFF_ROLES = frozenset({Role.ADMIN.value, Role.TECHNICIAN.value})

_STATE_FIELDS = ("record_id", "user_id", "status", "note", "reviewed_at")


def _state(reviewer: ReleaseReviewUser) -> dict[str, Any]:
    return {name: getattr(reviewer, name) for name in _STATE_FIELDS}


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden("Only staff may manage release review users.")


async def _require_release(session: AsyncSession, record_id: int) -> None:
    kind = await repository.record_kind(session, record_id)
    if kind is None:
        raise NotFound(f"No record with id {record_id}.", field="record_id", value=record_id)
    if kind != RecordKind.RELEASE.value:
        raise Invalid(
            f"Only releases have review users; record {record_id} is of kind {kind}.",
            field="record_id",
            value=record_id,
        )


async def _check_reviewer(session: AsyncSession, user_id: int | None) -> int:
    if user_id is None:
        raise Invalid("A review user needs a user.", field="user_id", value=None)
    try:
        user = await users.get_user(session, user_id)
    except NotFound as exc:
        raise Invalid(exc.message, field="user_id", value=user_id) from exc
    if user.role not in STAFF_ROLES:
        raise Invalid(
            f"{user.email} is a requester; only administrators and technicians review releases.",
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
            "The reviewed_at time must carry a time zone offset.", field="reviewed_at", value=value
        )
    return value.astimezone(UTC)


def _already_reviewing(user_id: int) -> Conflict:
    return Conflict(
        f"User {user_id} is already a review user of this release.", field="user_id", value=user_id
    )


async def add_review_user(
    session: AsyncSession, actor: Actor, record_id: int, data: ReviewUserCreate
) -> ReleaseReviewUser:
    _require_staff(actor)
    await _require_release(session, record_id)
    user_id = await _check_reviewer(session, data.user_id)
    reviewer = ReleaseReviewUser(
        record_id=record_id,
        user_id=user_id,
        status=_status(data.status),
        note=_note(data.note),
        reviewed_at=_moment(data.reviewed_at),
    )
    if await repository.find(session, record_id, user_id) is not None:
        raise _already_reviewing(user_id)
    if not await repository.add_unique(session, reviewer):
        raise _already_reviewing(user_id)
    await audit.record(
        session,
        actor,
        "release_review_user.created",
        object_type="release_review_user",
        object_id=reviewer.id,
        record_id=record_id,
        after=_state(reviewer),
    )
    return reviewer


async def update_review_user(
    session: AsyncSession,
    actor: Actor,
    review_user_id: int,
    data: ReviewUserUpdate,
    *,
    record_id: int | None = None,
) -> ReleaseReviewUser:
    """Change the given fields; ``note`` or ``reviewed_at`` given as ``None`` clears them."""
    _require_staff(actor)
    reviewer = await get_review_user(session, review_user_id, record_id=record_id)
    fields = data.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "user_id" in fields and data.user_id != reviewer.user_id:
        changes["user_id"] = await _check_reviewer(session, data.user_id)
    if "status" in fields:
        changes["status"] = _status(data.status)
    if "note" in fields:
        changes["note"] = _note(data.note)
    if "reviewed_at" in fields:
        changes["reviewed_at"] = _moment(data.reviewed_at)
    changed = {k: v for k, v in changes.items() if getattr(reviewer, k) != v}
    if not changed:
        return reviewer
    if "user_id" in changed and await repository.find(
        session, reviewer.record_id, changed["user_id"]
    ):
        raise _already_reviewing(changed["user_id"])
    before_state = _state(reviewer)
    if not await repository.update_unique(session, reviewer, changed):
        raise _already_reviewing(changed["user_id"])
    before, after = audit.diff(before_state, _state(reviewer))
    await audit.record(
        session,
        actor,
        "release_review_user.updated",
        object_type="release_review_user",
        object_id=reviewer.id,
        record_id=reviewer.record_id,
        before=before,
        after=after,
    )
    return reviewer


async def delete_review_user(
    session: AsyncSession, actor: Actor, review_user_id: int, *, record_id: int | None = None
) -> None:
    _require_staff(actor)
    reviewer = await get_review_user(session, review_user_id, record_id=record_id)
    before = _state(reviewer)
    await repository.delete(session, reviewer)
    await audit.record(
        session,
        actor,
        "release_review_user.deleted",
        object_type="release_review_user",
        object_id=review_user_id,
        record_id=before["record_id"],
        before=before,
    )


async def get_review_user(
    session: AsyncSession, review_user_id: int, *, record_id: int | None = None
) -> ReleaseReviewUser:
    """The review user; not found when it belongs to another release than ``record_id``."""
    reviewer = await repository.get(session, review_user_id)
    if reviewer is None or (record_id is not None and reviewer.record_id != record_id):
        where = f" on release {record_id}" if record_id is not None else ""
        raise NotFound(
            f"No release review user with id {review_user_id}{where}.",
            field="review_user_id",
            value=review_user_id,
        )
    return reviewer


async def list_review_users(session: AsyncSession, record_id: int) -> list[ReleaseReviewUser]:
    """The release's review users in the order they were added."""
    await _require_release(session, record_id)
    return (await review_users_for(session, [record_id]))[record_id]


async def review_users_for(
    session: AsyncSession, record_ids: Sequence[int]
) -> dict[int, list[ReleaseReviewUser]]:
    """The review users of many releases, in one query; every id asked for is a key."""
    grouped: dict[int, list[ReleaseReviewUser]] = {record_id: [] for record_id in record_ids}
    for reviewer in await repository.for_records(session, record_ids):
        grouped[reviewer.record_id].append(reviewer)
    return grouped
