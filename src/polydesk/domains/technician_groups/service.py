"""Rules of technician groups: names unique ignoring case; members are staff (administrators
or technicians). Administrators manage groups and their members; everyone reads them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.enums import Role
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog.service import (
    check_page,
    clean_name,
    clean_optional_text,
    name_key,
)
from polydesk.domains.technician_groups import repository
from polydesk.domains.technician_groups.schemas import (
    TechnicianGroupCreate,
    TechnicianGroupUpdate,
)
from polydesk.domains.users import service as users
from polydesk.models import TechnicianGroup, TechnicianGroupMember, User

STAFF_ROLES = frozenset({Role.ADMIN.value, Role.TECHNICIAN.value})


def _require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise Forbidden(f"Only administrators may {what}.")


def _taken(name: str) -> Conflict:
    return Conflict(f"A technician group named {name!r} already exists.", field="name", value=name)


def _state(group: TechnicianGroup) -> dict[str, Any]:
    return {"name": group.name, "description": group.description}


async def create_group(
    session: AsyncSession, actor: Actor, data: TechnicianGroupCreate
) -> TechnicianGroup:
    _require_admin(actor, "create technician groups")
    name = clean_name(data.name)
    key = name_key(name)
    description = clean_optional_text(data.description, field="description", max_length=1000)
    if await repository.get_by_key(session, key) is not None:
        raise _taken(name)
    group = TechnicianGroup(name=name, name_key=key, description=description)
    if not await repository.add_unique(session, group):
        raise _taken(name)
    await audit.record(
        session,
        actor,
        "technician_group.created",
        object_type="technician_group",
        object_id=group.id,
        after=_state(group),
    )
    return group


async def update_group(
    session: AsyncSession, actor: Actor, group_id: int, data: TechnicianGroupUpdate
) -> TechnicianGroup:
    _require_admin(actor, "change technician groups")
    group = await get_group(session, group_id)
    changes: dict[str, Any] = {}
    if "name" in data.model_fields_set:
        name = clean_name(data.name)
        key = name_key(name)
        other = await repository.get_by_key(session, key)
        if other is not None and other.id != group.id:
            raise _taken(name)
        changes.update(name=name, name_key=key)
    if "description" in data.model_fields_set:
        changes["description"] = clean_optional_text(
            data.description, field="description", max_length=1000
        )
    changed = {k: v for k, v in changes.items() if getattr(group, k) != v}
    if not changed:
        return group
    before_state = _state(group)
    if not await repository.update_unique(session, group, changed):
        raise _taken(changed.get("name", before_state["name"]))
    before, after = audit.diff(before_state, _state(group))
    if after:
        await audit.record(
            session,
            actor,
            "technician_group.updated",
            object_type="technician_group",
            object_id=group.id,
            before=before,
            after=after,
        )
    return group


async def delete_group(session: AsyncSession, actor: Actor, group_id: int) -> None:
    """Memberships go with the group; records assigned to it keep no group (set null)."""
    _require_admin(actor, "delete technician groups")
    group = await get_group(session, group_id)
    before = _state(group)
    await repository.delete(session, group)
    await audit.record(
        session,
        actor,
        "technician_group.deleted",
        object_type="technician_group",
        object_id=group_id,
        before=before,
    )


async def get_group(session: AsyncSession, group_id: int) -> TechnicianGroup:
    group = await repository.get(session, group_id)
    if group is None:
        raise NotFound(f"No technician group with id {group_id}.", field="group_id", value=group_id)
    return group


async def get_or_none_by_name(session: AsyncSession, name: str) -> TechnicianGroup | None:
    """Case-insensitive lookup (ServiceOps' ``technicianGroupName``)."""
    return await repository.get_by_key(session, name_key(name))


async def list_groups(
    session: AsyncSession, *, offset: int = 0, limit: int = 100
) -> tuple[Sequence[TechnicianGroup], int]:
    """A page of groups by name, and the total."""
    check_page(offset, limit)
    return await repository.list_all(session, offset=offset, limit=limit)


async def groups_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, TechnicianGroup]:
    return {g.id: g for g in await repository.by_ids(session, ids)}


async def add_member(
    session: AsyncSession, actor: Actor, group_id: int, user_id: int
) -> TechnicianGroupMember:
    """Add a staff member; adding someone already in the group is a conflict."""
    _require_admin(actor, "change technician group members")
    group = await get_group(session, group_id)
    try:
        user = await users.get_user(session, user_id)
    except NotFound as exc:
        raise Invalid(exc.message, field="user_id", value=user_id) from exc
    if user.role not in STAFF_ROLES:
        raise Invalid(
            f"{user.email} is a requester; only administrators and technicians can be "
            "members of technician groups.",
            field="user_id",
            value=user_id,
        )
    if await repository.get_membership(session, group.id, user.id) is not None:
        raise _already_member(user)
    member = TechnicianGroupMember(group_id=group.id, user_id=user.id)
    if not await repository.add_unique(session, member):
        raise _already_member(user)
    await audit.record(
        session,
        actor,
        "technician_group.member_added",
        object_type="technician_group",
        object_id=group.id,
        after={"user_id": user.id},
    )
    return member


def _already_member(user: User) -> Conflict:
    return Conflict(
        f"{user.email} is already a member of this group.", field="user_id", value=user.id
    )


async def remove_member(session: AsyncSession, actor: Actor, group_id: int, user_id: int) -> None:
    _require_admin(actor, "change technician group members")
    group = await get_group(session, group_id)
    member = await repository.get_membership(session, group.id, user_id)
    if member is None:
        raise NotFound(
            f"User {user_id} is not a member of this group.", field="user_id", value=user_id
        )
    await repository.delete(session, member)
    await audit.record(
        session,
        actor,
        "technician_group.member_removed",
        object_type="technician_group",
        object_id=group.id,
        before={"user_id": user_id},
    )


async def list_members(session: AsyncSession, group_id: int) -> list[User]:
    await get_group(session, group_id)
    return [user for _, user in await repository.members_of(session, [group_id])]


async def members_by_group(
    session: AsyncSession, group_ids: Sequence[int]
) -> dict[int, list[User]]:
    """The members of every listed group, in one query."""
    grouped: dict[int, list[User]] = defaultdict(list)
    for group_id, user in await repository.members_of(session, group_ids):
        grouped[group_id].append(user)
    return dict(grouped)


async def groups_of_user(session: AsyncSession, user_id: int) -> list[TechnicianGroup]:
    return list(await repository.groups_of(session, user_id))
