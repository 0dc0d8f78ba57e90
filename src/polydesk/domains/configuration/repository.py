"""All SQL of config types, config items, relationship types and relationships."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import ConfigItem, ConfigRelationship, ConfigRelationshipType, ConfigType


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
    """Write only ``changes``, in a savepoint; ``False`` when a unique key is taken."""
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


async def update_item(session: AsyncSession, item: ConfigItem, changes: Mapping[str, Any]) -> bool:
    """Write only ``changes`` and bump ``version`` in SQL (so concurrent writers each count),
    in a savepoint; ``False`` when a foreign key no longer holds."""
    try:
        async with session.begin_nested():
            for key, value in changes.items():
                setattr(item, key, value)
            item.version = ConfigItem.version + 1
            await session.flush()
    except IntegrityError:
        return False
    await session.refresh(item, ["version"])
    return True


# Config types ------------------------------------------------------------------------------


async def get_type(session: AsyncSession, type_id: int) -> ConfigType | None:
    return await session.get(ConfigType, type_id)


async def get_type_by_key(
    session: AsyncSession, parent_id: int | None, key: str
) -> ConfigType | None:
    scope: ColumnElement[bool] = (
        ConfigType.parent_id.is_(None) if parent_id is None else ConfigType.parent_id == parent_id
    )
    result: ConfigType | None = await session.scalar(
        select(ConfigType).where(scope, ConfigType.name_key == key).order_by(ConfigType.id).limit(1)
    )
    return result


async def parent_of_type(session: AsyncSession, type_id: int) -> int | None:
    result: int | None = await session.scalar(
        select(ConfigType.parent_id).where(ConfigType.id == type_id)
    )
    return result


async def child_types(session: AsyncSession, parent_id: int | None) -> Sequence[ConfigType]:
    scope: ColumnElement[bool] = (
        ConfigType.parent_id.is_(None) if parent_id is None else ConfigType.parent_id == parent_id
    )
    rows = await session.scalars(
        select(ConfigType).where(scope).order_by(ConfigType.name_key, ConfigType.id)
    )
    return rows.all()


async def types_by_ids(session: AsyncSession, ids: Iterable[int]) -> Sequence[ConfigType]:
    wanted = set(ids)
    if not wanted:
        return []
    return (await session.scalars(select(ConfigType).where(ConfigType.id.in_(wanted)))).all()


async def type_has_children(session: AsyncSession, type_id: int) -> bool:
    return bool(await session.scalar(select(exists().where(ConfigType.parent_id == type_id))))


async def types_with_children(session: AsyncSession, ids: Iterable[int]) -> set[int]:
    wanted = set(ids)
    if not wanted:
        return set()
    rows = await session.scalars(
        select(ConfigType.parent_id).where(ConfigType.parent_id.in_(wanted)).distinct()
    )
    return {parent_id for parent_id in rows if parent_id is not None}


async def type_has_items(session: AsyncSession, type_id: int) -> bool:
    found = await session.scalar(select(exists().where(ConfigItem.config_type_id == type_id)))
    return bool(found)


# Config items ------------------------------------------------------------------------------


async def get_item(session: AsyncSession, item_id: int) -> ConfigItem | None:
    return await session.get(ConfigItem, item_id)


async def items_by_ids(session: AsyncSession, ids: Iterable[int]) -> Sequence[ConfigItem]:
    wanted = set(ids)
    if not wanted:
        return []
    return (await session.scalars(select(ConfigItem).where(ConfigItem.id.in_(wanted)))).all()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_items(
    session: AsyncSession,
    *,
    config_type_id: int | None,
    query: str | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[ConfigItem], int]:
    conditions: list[ColumnElement[bool]] = []
    if config_type_id is not None:
        conditions.append(ConfigItem.config_type_id == config_type_id)
    if query:
        pattern = f"%{_escape_like(query.lower())}%"
        conditions.append(func.lower(ConfigItem.name).like(pattern, escape="\\"))
    rows = await session.scalars(
        select(ConfigItem).where(*conditions).order_by(ConfigItem.id).offset(offset).limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(ConfigItem).where(*conditions))
    return rows.all(), int(total or 0)


# Relationship types ------------------------------------------------------------------------


async def get_relationship_type(
    session: AsyncSession, type_id: int
) -> ConfigRelationshipType | None:
    return await session.get(ConfigRelationshipType, type_id)


async def get_relationship_type_by_key(
    session: AsyncSession, key: str
) -> ConfigRelationshipType | None:
    result: ConfigRelationshipType | None = await session.scalar(
        select(ConfigRelationshipType).where(ConfigRelationshipType.name_key == key)
    )
    return result


async def list_relationship_types(session: AsyncSession) -> Sequence[ConfigRelationshipType]:
    rows = await session.scalars(
        select(ConfigRelationshipType).order_by(
            ConfigRelationshipType.name_key, ConfigRelationshipType.id
        )
    )
    return rows.all()


async def relationship_type_in_use(session: AsyncSession, type_id: int) -> bool:
    found = await session.scalar(
        select(exists().where(ConfigRelationship.relationship_type_id == type_id))
    )
    return bool(found)


# Relationships -----------------------------------------------------------------------------


async def get_relationship(
    session: AsyncSession, relationship_id: int
) -> ConfigRelationship | None:
    return await session.get(ConfigRelationship, relationship_id)


async def find_relationship(
    session: AsyncSession, type_id: int, source_id: int, target_id: int
) -> ConfigRelationship | None:
    result: ConfigRelationship | None = await session.scalar(
        select(ConfigRelationship).where(
            ConfigRelationship.relationship_type_id == type_id,
            ConfigRelationship.source_id == source_id,
            ConfigRelationship.target_id == target_id,
        )
    )
    return result


async def relationships_of(
    session: AsyncSession, item_id: int
) -> Sequence[tuple[ConfigRelationship, ConfigRelationshipType]]:
    """Both directions, with each relationship's type, in one query."""
    rows = await session.execute(
        select(ConfigRelationship, ConfigRelationshipType)
        .join(
            ConfigRelationshipType,
            ConfigRelationshipType.id == ConfigRelationship.relationship_type_id,
        )
        .where(
            or_(ConfigRelationship.source_id == item_id, ConfigRelationship.target_id == item_id)
        )
        .order_by(ConfigRelationship.id)
    )
    return [(row[0], row[1]) for row in rows.all()]
