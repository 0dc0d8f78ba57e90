"""Rules of departments: names unique ignoring case; administrators write, everyone reads.

Deleting a department leaves the people and records filed under it without one (the foreign
keys set null), as the schema defines.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.errors import Conflict, Forbidden, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog.service import check_page, clean_name, name_key
from polydesk.domains.departments import repository
from polydesk.domains.departments.schemas import DepartmentCreate, DepartmentUpdate
from polydesk.models import Department


def _require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise Forbidden(f"Only administrators may {what}.")


def _taken(name: str) -> Conflict:
    return Conflict(f"A department named {name!r} already exists.", field="name", value=name)


async def create_department(
    session: AsyncSession, actor: Actor, data: DepartmentCreate
) -> Department:
    _require_admin(actor, "create departments")
    name = clean_name(data.name)
    key = name_key(name)
    if await repository.get_by_key(session, key) is not None:
        raise _taken(name)
    department = Department(name=name, name_key=key)
    if not await repository.add_unique(session, department):
        raise _taken(name)
    await audit.record(
        session,
        actor,
        "department.created",
        object_type="department",
        object_id=department.id,
        after={"name": name},
    )
    return department


async def update_department(
    session: AsyncSession, actor: Actor, department_id: int, data: DepartmentUpdate
) -> Department:
    _require_admin(actor, "change departments")
    department = await get_department(session, department_id)
    if "name" not in data.model_fields_set:
        return department
    name = clean_name(data.name)
    key = name_key(name)
    other = await repository.get_by_key(session, key)
    if other is not None and other.id != department.id:
        raise _taken(name)
    if name == department.name:
        return department
    before = {"name": department.name}
    if not await repository.update_unique(session, department, {"name": name, "name_key": key}):
        raise _taken(name)
    await audit.record(
        session,
        actor,
        "department.updated",
        object_type="department",
        object_id=department.id,
        before=before,
        after={"name": name},
    )
    return department


async def delete_department(session: AsyncSession, actor: Actor, department_id: int) -> None:
    _require_admin(actor, "delete departments")
    department = await get_department(session, department_id)
    before = {"name": department.name}
    await repository.delete(session, department)
    await audit.record(
        session,
        actor,
        "department.deleted",
        object_type="department",
        object_id=department_id,
        before=before,
    )


async def get_department(session: AsyncSession, department_id: int) -> Department:
    department = await repository.get(session, department_id)
    if department is None:
        raise NotFound(
            f"No department with id {department_id}.", field="department_id", value=department_id
        )
    return department


async def get_or_none_by_name(session: AsyncSession, name: str) -> Department | None:
    """Case-insensitive lookup, as ServiceOps' ``departmentName`` needs."""
    return await repository.get_by_key(session, name_key(name))


async def list_departments(
    session: AsyncSession, *, offset: int = 0, limit: int = 100
) -> tuple[Sequence[Department], int]:
    """A page of departments by name, and the total."""
    check_page(offset, limit)
    return await repository.list_all(session, offset=offset, limit=limit)


async def departments_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Department]:
    return {d.id: d for d in await repository.by_ids(session, ids)}
