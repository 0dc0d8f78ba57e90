"""Rules of watches.

A watch has exactly one parent (a record or a configuration item) and exactly one watcher: an
active user, or an outside e-mail address (stored lower-cased). The same watcher watches a
parent once. Staff manage every watch; a requester adds and removes only their own. Creating a
watch notifies nobody by itself.

Who may see the parent is decided by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.configuration import service as configuration
from polydesk.domains.users import service as users
from polydesk.domains.watches import repository
from polydesk.domains.watches.schemas import WatchEntry, WatchUpdate
from polydesk.models import User, Watch


def _state(watch: Watch) -> dict[str, Any]:
    return {
        "record_id": watch.record_id,
        "config_item_id": watch.config_item_id,
        "user_id": watch.user_id,
        "external_email": watch.external_email,
    }


async def _check_parent(
    session: AsyncSession, record_id: int | None, config_item_id: int | None
) -> None:
    if (record_id is None) == (config_item_id is None):
        raise Invalid(
            "A watch belongs to exactly one record or one config item.",
            field="record_id" if record_id is not None else "config_item_id",
            value=record_id if record_id is not None else config_item_id,
        )
    if record_id is not None:
        if await repository.record_kind(session, record_id) is None:
            raise NotFound(f"No record with id {record_id}.", field="record_id", value=record_id)
    else:
        assert config_item_id is not None
        await configuration.get_config_item(session, config_item_id)


async def _check_watcher(
    session: AsyncSession, user_id: int | None, external_email: str | None
) -> tuple[int | None, str | None]:
    """``(user id, None)`` or ``(None, lower-cased address)``."""
    if user_id is not None and external_email is not None:
        raise Invalid(
            "A watch has one watcher: give either a user or an external e-mail address.",
            field="external_email",
            value=external_email,
        )
    if user_id is None and external_email is None:
        raise Invalid(
            "A watch needs a watcher: give a user (watched_by) or an external e-mail address.",
            field="user_id",
            value=None,
        )
    if external_email is not None:
        return None, users.normalise_email(external_email, field="external_email")
    assert user_id is not None
    try:
        user = await users.get_user(session, user_id)
    except NotFound as exc:
        raise Invalid(exc.message, field="user_id", value=user_id) from exc
    if not user.is_active:
        raise Invalid(
            f"User {user_id} is deactivated and cannot watch.", field="user_id", value=user_id
        )
    return user_id, None


def _check_own(actor: Actor, user_id: int | None, what: str) -> None:
    if actor.is_staff:
        return
    if actor.user_id is None or user_id != actor.user_id:
        raise Forbidden(f"Requesters may only {what} their own watches.")


def _already_watching(user_id: int | None, external_email: str | None) -> Conflict:
    who = f"User {user_id}" if user_id is not None else external_email
    return Conflict(
        f"{who} is already watching.",
        field="user_id" if user_id is not None else "external_email",
        value=user_id if user_id is not None else external_email,
    )


async def add_watch(
    session: AsyncSession,
    actor: Actor,
    *,
    record_id: int | None = None,
    config_item_id: int | None = None,
    user_id: int | None = None,
    external_email: str | None = None,
) -> Watch:
    await _check_parent(session, record_id, config_item_id)
    user_id, external_email = await _check_watcher(session, user_id, external_email)
    _check_own(actor, user_id, "add")
    existing = await repository.find(
        session,
        record_id=record_id,
        config_item_id=config_item_id,
        user_id=user_id,
        external_email=external_email,
    )
    if existing is not None:
        raise _already_watching(user_id, external_email)
    watch = Watch(
        record_id=record_id,
        config_item_id=config_item_id,
        user_id=user_id,
        external_email=external_email,
    )
    if not await repository.add_unique(session, watch):
        raise _already_watching(user_id, external_email)
    await audit.record(
        session,
        actor,
        "watch.created",
        object_type="watch",
        object_id=watch.id,
        record_id=record_id,
        after=_state(watch),
    )
    return watch


async def update_watch(
    session: AsyncSession,
    actor: Actor,
    watch_id: int,
    data: WatchUpdate,
    *,
    record_id: int | None = None,
    config_item_id: int | None = None,
) -> Watch:
    """Change the watcher (staff only). Nothing given leaves the watch as it is."""
    if not actor.is_staff:
        raise Forbidden("Only staff may change a watch.")
    watch = await get_watch(session, watch_id, record_id=record_id, config_item_id=config_item_id)
    fields = data.model_dump(exclude_unset=True)
    if not fields:
        return watch
    user_id, external_email = await _check_watcher(
        session, fields.get("user_id"), fields.get("external_email")
    )
    if (user_id, external_email) == (watch.user_id, watch.external_email):
        return watch
    existing = await repository.find(
        session,
        record_id=watch.record_id,
        config_item_id=watch.config_item_id,
        user_id=user_id,
        external_email=external_email,
    )
    if existing is not None:
        raise _already_watching(user_id, external_email)
    before_state = _state(watch)
    changes = {"user_id": user_id, "external_email": external_email}
    if not await repository.update_unique(session, watch, changes):
        raise _already_watching(user_id, external_email)
    before, after = audit.diff(before_state, _state(watch))
    await audit.record(
        session,
        actor,
        "watch.updated",
        object_type="watch",
        object_id=watch.id,
        record_id=watch.record_id,
        before=before,
        after=after,
    )
    return watch


async def remove_watch(
    session: AsyncSession,
    actor: Actor,
    watch_id: int,
    *,
    record_id: int | None = None,
    config_item_id: int | None = None,
) -> None:
    watch = await get_watch(session, watch_id, record_id=record_id, config_item_id=config_item_id)
    _check_own(actor, watch.user_id, "remove")
    before = _state(watch)
    await repository.delete(session, watch)
    await audit.record(
        session,
        actor,
        "watch.deleted",
        object_type="watch",
        object_id=watch_id,
        record_id=before["record_id"],
        before=before,
    )


async def get_watch(
    session: AsyncSession,
    watch_id: int,
    *,
    record_id: int | None = None,
    config_item_id: int | None = None,
) -> Watch:
    """The watch; not found when it belongs to another parent than the one given."""
    watch = await repository.get(session, watch_id)
    if (
        watch is None
        or (record_id is not None and watch.record_id != record_id)
        or (config_item_id is not None and watch.config_item_id != config_item_id)
    ):
        raise NotFound(f"No watch with id {watch_id} here.", field="watch_id", value=watch_id)
    return watch


def _entries(rows: Sequence[tuple[Watch, User | None]]) -> list[WatchEntry]:
    return [WatchEntry(watch=watch, user=user) for watch, user in rows]


async def list_watches(
    session: AsyncSession, *, record_id: int | None = None, config_item_id: int | None = None
) -> list[WatchEntry]:
    """Every watch of one parent, oldest first, each with its user (GoToAssist lists watches
    without paging)."""
    await _check_parent(session, record_id, config_item_id)
    if record_id is not None:
        rows = await repository.with_users(session, record_ids=[record_id])
    else:
        assert config_item_id is not None
        rows = await repository.with_users(session, config_item_ids=[config_item_id])
    return _entries(rows)


async def watches_for(
    session: AsyncSession, record_ids: Sequence[int]
) -> dict[int, list[WatchEntry]]:
    """The watches of many records with their users, in one query; every id asked for is a
    key."""
    grouped: dict[int, list[WatchEntry]] = {record_id: [] for record_id in record_ids}
    for entry in _entries(await repository.with_users(session, record_ids=record_ids)):
        assert entry.watch.record_id is not None
        grouped[entry.watch.record_id].append(entry)
    return grouped


async def watches_for_config_items(
    session: AsyncSession, config_item_ids: Sequence[int]
) -> dict[int, list[WatchEntry]]:
    """As :func:`watches_for`, for configuration items."""
    grouped: dict[int, list[WatchEntry]] = {item_id: [] for item_id in config_item_ids}
    rows = await repository.with_users(session, config_item_ids=config_item_ids)
    for entry in _entries(rows):
        assert entry.watch.config_item_id is not None
        grouped[entry.watch.config_item_id].append(entry)
    return grouped
