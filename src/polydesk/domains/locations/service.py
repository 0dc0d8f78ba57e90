"""Rules of locations: names unique ignoring case, a tree without cycles; administrators write,
everyone reads.

Deleting a location makes its children top-level and leaves the people and records filed under
it without one (the foreign keys set null), as the schema defines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog.service import check_page, clean_name, name_key
from polydesk.domains.locations import repository
from polydesk.domains.locations.schemas import LocationCreate, LocationUpdate
from polydesk.models import Location

MAX_DEPTH = 64
"""Deeper trees are refused; it also bounds the walk that looks for cycles."""


def _require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise Forbidden(f"Only administrators may {what}.")


def _taken(name: str) -> Conflict:
    return Conflict(f"A location named {name!r} already exists.", field="name", value=name)


async def _check_parent(session: AsyncSession, parent_id: int, moving_id: int | None) -> None:
    """The parent exists, and (when moving a location) is not the location or below it."""
    if await repository.get(session, parent_id) is None:
        raise Invalid(f"No location with id {parent_id}.", field="parent_id", value=parent_id)
    current: int | None = parent_id
    for _ in range(MAX_DEPTH):
        if current is None:
            return
        if current == moving_id:
            raise Invalid(
                "A location cannot be placed under itself or one of its own sub-locations.",
                field="parent_id",
                value=parent_id,
            )
        current = await repository.parent_of(session, current)
    raise Invalid(
        f"Locations may be nested at most {MAX_DEPTH} levels deep.",
        field="parent_id",
        value=parent_id,
    )


async def create_location(session: AsyncSession, actor: Actor, data: LocationCreate) -> Location:
    _require_admin(actor, "create locations")
    name = clean_name(data.name)
    key = name_key(name)
    if data.parent_id is not None:
        await _check_parent(session, data.parent_id, None)
    if await repository.get_by_key(session, key) is not None:
        raise _taken(name)
    location = Location(name=name, name_key=key, parent_id=data.parent_id)
    if not await repository.add_unique(session, location):
        raise _taken(name)
    await audit.record(
        session,
        actor,
        "location.created",
        object_type="location",
        object_id=location.id,
        after={"name": name, "parent_id": data.parent_id},
    )
    return location


async def update_location(
    session: AsyncSession, actor: Actor, location_id: int, data: LocationUpdate
) -> Location:
    _require_admin(actor, "change locations")
    location = await get_location(session, location_id)
    changes: dict[str, Any] = {}
    if "name" in data.model_fields_set:
        name = clean_name(data.name)
        key = name_key(name)
        other = await repository.get_by_key(session, key)
        if other is not None and other.id != location.id:
            raise _taken(name)
        changes.update(name=name, name_key=key)
    if "parent_id" in data.model_fields_set:
        if data.parent_id is not None:
            await _check_parent(session, data.parent_id, location.id)
        changes["parent_id"] = data.parent_id
    before: dict[str, Any] = {"name": location.name, "parent_id": location.parent_id}
    changed = {k: v for k, v in changes.items() if getattr(location, k) != v}
    if not changed:
        return location
    if not await repository.update_unique(session, location, changed):
        raise _taken(str(changed.get("name", before["name"])))
    old, new = audit.diff(before, {"name": location.name, "parent_id": location.parent_id})
    if new:
        await audit.record(
            session,
            actor,
            "location.updated",
            object_type="location",
            object_id=location.id,
            before=old,
            after=new,
        )
    return location


async def delete_location(session: AsyncSession, actor: Actor, location_id: int) -> None:
    _require_admin(actor, "delete locations")
    location = await get_location(session, location_id)
    before = {"name": location.name, "parent_id": location.parent_id}
    await repository.delete(session, location)
    await audit.record(
        session,
        actor,
        "location.deleted",
        object_type="location",
        object_id=location_id,
        before=before,
    )


async def get_location(session: AsyncSession, location_id: int) -> Location:
    location = await repository.get(session, location_id)
    if location is None:
        raise NotFound(
            f"No location with id {location_id}.", field="location_id", value=location_id
        )
    return location


async def get_or_none_by_name(session: AsyncSession, name: str) -> Location | None:
    """Case-insensitive lookup, as ServiceOps' ``locationName`` ("Location Must Exist with same
    name") needs."""
    return await repository.get_by_key(session, name_key(name))


async def list_locations(
    session: AsyncSession,
    *,
    parent_id: int | None = None,
    top_level: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> tuple[Sequence[Location], int]:
    """A page of locations by name, and the total: all of them, the top-level ones, or the
    children of ``parent_id``."""
    check_page(offset, limit)
    return await repository.list_all(
        session, parent_id=parent_id, top_level=top_level, offset=offset, limit=limit
    )


async def locations_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Location]:
    return {loc.id: loc for loc in await repository.by_ids(session, ids)}
