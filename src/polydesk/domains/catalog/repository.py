"""All SQL of services, priorities, activity types, categories and statuses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import known_to_exist, row_exists
from polydesk.models import (
    Category,
    Note,
    Record,
    Service,
    ServiceActivityType,
    ServicePriority,
    Status,
)

# Writes ------------------------------------------------------------------------------------


async def add(session: AsyncSession, obj: object) -> None:
    session.add(obj)
    await session.flush()


async def add_all(session: AsyncSession, objs: Iterable[object]) -> None:
    session.add_all(list(objs))
    await session.flush()


async def add_unique(session: AsyncSession, obj: object) -> bool:
    """Insert in a savepoint; ``False`` (and nothing written) when a unique key is taken."""
    try:
        async with session.begin_nested():
            session.add(obj)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def update_unique(session: AsyncSession, obj: object, changes: Mapping[str, Any]) -> bool:
    """Apply ``changes`` in a savepoint; ``False`` (and nothing written) when a unique key is
    taken. Only the given columns are written."""
    try:
        async with session.begin_nested():
            for key, value in changes.items():
                setattr(obj, key, value)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def delete(session: AsyncSession, obj: object) -> None:
    await session.delete(obj)
    await session.flush()


# Services ----------------------------------------------------------------------------------


async def get_service(session: AsyncSession, service_id: int) -> Service | None:
    return await session.get(Service, service_id)


async def service_exists(session: AsyncSession, service_id: int) -> bool:
    return await row_exists(session, Service, service_id)


def service_seen(session: AsyncSession, service_id: int) -> None:
    """The service was found in the reference cache: :func:`service_exists` (and the records
    service's own check) need not read it again in this unit of work."""
    known_to_exist(session, Service, service_id)


async def get_service_by_key(session: AsyncSession, key: str) -> Service | None:
    result: Service | None = await session.scalar(select(Service).where(Service.name_key == key))
    return result


async def get_service_by_slug(session: AsyncSession, slug: str) -> Service | None:
    result: Service | None = await session.scalar(select(Service).where(Service.slug == slug))
    return result


async def slugs_starting_with(session: AsyncSession, prefix: str) -> set[str]:
    rows = await session.scalars(select(Service.slug).where(Service.slug.startswith(prefix)))
    return set(rows.all())


async def list_services(
    session: AsyncSession, *, is_active: bool | None, offset: int, limit: int
) -> tuple[Sequence[Service], int]:
    stmt = select(Service)
    count = select(func.count()).select_from(Service)
    if is_active is not None:
        stmt = stmt.where(Service.is_active.is_(is_active))
        count = count.where(Service.is_active.is_(is_active))
    rows = await session.scalars(
        stmt.order_by(Service.name_key, Service.id).offset(offset).limit(limit)
    )
    return rows.all(), int(await session.scalar(count) or 0)


async def all_services(session: AsyncSession) -> Sequence[Service]:
    return (await session.scalars(select(Service))).all()


async def services_by_ids(session: AsyncSession, ids: Iterable[int]) -> Sequence[Service]:
    wanted = set(ids)
    if not wanted:
        return []
    return (await session.scalars(select(Service).where(Service.id.in_(wanted)))).all()


# Priorities --------------------------------------------------------------------------------


async def get_priority(session: AsyncSession, priority_id: int) -> ServicePriority | None:
    return await session.get(ServicePriority, priority_id)


async def get_priority_by_level(
    session: AsyncSession, service_id: int, level: int
) -> ServicePriority | None:
    result: ServicePriority | None = await session.scalar(
        select(ServicePriority).where(
            ServicePriority.service_id == service_id, ServicePriority.level == level
        )
    )
    return result


async def priorities_for_services(
    session: AsyncSession, service_ids: Iterable[int] | None
) -> Sequence[ServicePriority]:
    """Those of the listed services; of every service with ``None``."""
    stmt = select(ServicePriority).order_by(ServicePriority.service_id, ServicePriority.level)
    if service_ids is not None:
        wanted = set(service_ids)
        if not wanted:
            return []
        stmt = stmt.where(ServicePriority.service_id.in_(wanted))
    return (await session.scalars(stmt)).all()


# Activity types ----------------------------------------------------------------------------


async def get_activity_type(session: AsyncSession, type_id: int) -> ServiceActivityType | None:
    return await session.get(ServiceActivityType, type_id)


async def get_activity_type_by_key(
    session: AsyncSession, service_id: int, key: str
) -> ServiceActivityType | None:
    result: ServiceActivityType | None = await session.scalar(
        select(ServiceActivityType).where(
            ServiceActivityType.service_id == service_id, ServiceActivityType.name_key == key
        )
    )
    return result


async def activity_types_for_services(
    session: AsyncSession, service_ids: Iterable[int] | None
) -> Sequence[ServiceActivityType]:
    """Those of the listed services; of every service with ``None``."""
    stmt = select(ServiceActivityType).order_by(
        ServiceActivityType.service_id, ServiceActivityType.name_key
    )
    if service_ids is not None:
        wanted = set(service_ids)
        if not wanted:
            return []
        stmt = stmt.where(ServiceActivityType.service_id.in_(wanted))
    return (await session.scalars(stmt)).all()


# Categories --------------------------------------------------------------------------------


async def get_category(session: AsyncSession, category_id: int) -> Category | None:
    return await session.get(Category, category_id)


async def get_category_by_key(
    session: AsyncSession, service_id: int | None, key: str
) -> Category | None:
    scope: ColumnElement[bool] = (
        Category.service_id.is_(None) if service_id is None else Category.service_id == service_id
    )
    result: Category | None = await session.scalar(
        select(Category).where(scope, Category.name_key == key).order_by(Category.id).limit(1)
    )
    return result


async def categories_named(
    session: AsyncSession, key: str, service_id: int | None
) -> Sequence[Category]:
    """The global category with that key and, for a service, the service's own one."""
    scope: ColumnElement[bool] = Category.service_id.is_(None)
    if service_id is not None:
        scope = or_(scope, Category.service_id == service_id)
    rows = await session.scalars(select(Category).where(Category.name_key == key, scope))
    return rows.all()


async def list_categories(
    session: AsyncSession, *, service_id: int | None, include_global: bool
) -> Sequence[Category]:
    scope: ColumnElement[bool]
    if service_id is None:
        scope = Category.service_id.is_(None)
    elif include_global:
        scope = or_(Category.service_id.is_(None), Category.service_id == service_id)
    else:
        scope = Category.service_id == service_id
    rows = await session.scalars(
        select(Category).where(scope).order_by(Category.name_key, Category.id)
    )
    return rows.all()


async def categories_for_services(
    session: AsyncSession, service_ids: Iterable[int] | None
) -> Sequence[Category]:
    """Those of the listed services; of every service with ``None``."""
    stmt = select(Category).order_by(Category.service_id, Category.name_key, Category.id)
    if service_ids is not None:
        wanted = set(service_ids)
        if not wanted:
            return []
        stmt = stmt.where(Category.service_id.in_(wanted))
    return (await session.scalars(stmt)).all()


async def category_in_use(session: AsyncSession, category_id: int) -> bool:
    found = await session.scalar(select(exists().where(Record.category_id == category_id)))
    return bool(found)


# Statuses ----------------------------------------------------------------------------------


async def list_statuses(session: AsyncSession) -> Sequence[Status]:
    result = await session.scalars(select(Status).order_by(Status.position, Status.id))
    return result.all()


async def get_status(session: AsyncSession, status_id: int) -> Status | None:
    return await session.get(Status, status_id)


async def get_status_by_key(session: AsyncSession, name_key: str) -> Status | None:
    result: Status | None = await session.scalar(select(Status).where(Status.name_key == name_key))
    return result


async def get_default_status(session: AsyncSession) -> Status | None:
    result: Status | None = await session.scalar(
        select(Status).where(Status.is_default.is_(True)).order_by(Status.id).limit(1)
    )
    return result


async def first_status_of_category(session: AsyncSession, category: str) -> Status | None:
    result: Status | None = await session.scalar(
        select(Status)
        .where(Status.category == category)
        .order_by(Status.position, Status.id)
        .limit(1)
    )
    return result


async def count_statuses_in_category(session: AsyncSession, category: str) -> int:
    stmt = select(func.count()).select_from(Status).where(Status.category == category)
    return int(await session.scalar(stmt) or 0)


async def max_status_position(session: AsyncSession) -> int | None:
    result: int | None = await session.scalar(select(func.max(Status.position)))
    return result


async def clear_default_status(session: AsyncSession, *, keep_id: int) -> None:
    await session.execute(
        update(Status)
        .where(Status.is_default.is_(True), Status.id != keep_id)
        .values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )


async def status_in_use(session: AsyncSession, status_id: int) -> bool:
    """Named by a record, or by a note that changed a record's status."""
    used = await session.scalar(
        select(
            or_(
                exists().where(Record.status_id == status_id),
                exists().where(Note.new_status_id == status_id),
            )
        )
    )
    return bool(used)
