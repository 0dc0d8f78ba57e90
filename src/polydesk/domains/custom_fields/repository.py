"""All SQL of custom field definitions and values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from polydesk.core.db import Reader, any_of, held, inserted_here
from polydesk.domains.custom_fields.schemas import StoredValue
from polydesk.models import CustomField, CustomFieldValue, Record


async def add(session: AsyncSession, *objs: object) -> None:
    session.add_all(objs)
    await session.flush()


async def flush(session: AsyncSession) -> None:
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


async def flush_unique(session: AsyncSession) -> bool:
    """Flush pending changes; ``False`` when a unique key is taken (a lost race after the
    service's own check). The transaction is then unusable and the caller must fail."""
    try:
        await session.flush()
    except IntegrityError:
        return False
    return True


async def get_field(session: AsyncSession, field_id: int) -> CustomField | None:
    return await session.get(CustomField, field_id)


async def all_fields(session: AsyncSession) -> Sequence[CustomField]:
    return (await session.scalars(select(CustomField))).all()


async def fields_by_ids(session: AsyncSession, ids: Sequence[int]) -> Sequence[CustomField]:
    return (await session.scalars(select(CustomField).where(CustomField.id.in_(ids)))).all()


async def list_fields(session: AsyncSession, kind: str) -> Sequence[CustomField]:
    result = await session.scalars(
        select(CustomField)
        .where(CustomField.kind == kind)
        .order_by(CustomField.position, CustomField.id)
    )
    return result.all()


async def clashing_fields(
    session: AsyncSession, kind: str, keys: Iterable[str], exclude_id: int | None
) -> Sequence[CustomField]:
    """Fields of ``kind`` whose name key or slug is one of ``keys``."""
    wanted = list(keys)
    stmt = select(CustomField).where(
        CustomField.kind == kind,
        or_(CustomField.name_key.in_(wanted), CustomField.slug.in_(wanted)),
    )
    if exclude_id is not None:
        stmt = stmt.where(CustomField.id != exclude_id)
    return (await session.scalars(stmt)).all()


async def field_has_values(session: AsyncSession, field_id: int) -> bool:
    found = await session.scalar(
        select(CustomFieldValue.id).where(CustomFieldValue.field_id == field_id).limit(1)
    )
    return found is not None


async def delete_field(session: AsyncSession, field: CustomField) -> None:
    await session.execute(
        delete(CustomFieldValue)
        .where(CustomFieldValue.field_id == field.id)
        .execution_options(synchronize_session=False)
    )
    await session.delete(field)
    await session.flush()


async def values_of_record(session: AsyncSession, record_id: int) -> Sequence[CustomFieldValue]:
    result = await session.scalars(
        select(CustomFieldValue).where(CustomFieldValue.record_id == record_id)
    )
    return result.all()


async def delete_value(session: AsyncSession, value: CustomFieldValue) -> None:
    await session.delete(value)
    await session.flush()


async def values_for(
    session: AsyncSession, record_ids: Sequence[int], *, include_staff_only: bool
) -> list[StoredValue]:
    """Every value of the given records, in display order (the definitions come from the
    reference cache), in one query."""
    if not record_ids:
        return []
    if all(inserted_here(session, Record, i) for i in record_ids):
        # Records created in this unit of work: their values are the ones it holds.
        values = _held_values(session, set(record_ids), include_staff_only)
        if values is not None:
            return values
    reader = _VALUES if include_staff_only else _PUBLIC_VALUES
    return await reader.all(session, ids=list(record_ids))


def _held_values(
    session: AsyncSession, record_ids: set[int], include_staff_only: bool
) -> list[StoredValue] | None:
    """The values of ``record_ids`` held by the unit of work, in display order; ``None`` when
    a field definition is not held either (then the caller reads)."""
    found = []
    for value in held(session, CustomFieldValue):
        if value.record_id not in record_ids:
            continue
        field = session.sync_session.identity_map.get(identity_key(CustomField, value.field_id))
        if not isinstance(field, CustomField):
            return None
        if include_staff_only or not field.staff_only:
            found.append((value.record_id, field.position, field.id, value))
    found.sort(key=lambda item: item[:3])
    return [
        StoredValue(v.record_id, v.field_id, v.value_text, v.value_number, v.value_bool)
        for *_, v in found
    ]


# Built once: read on every record shown.
_VALUES_OF_RECORDS = (
    select(
        CustomFieldValue.record_id,
        CustomFieldValue.field_id,
        CustomFieldValue.value_text,
        CustomFieldValue.value_number,
        CustomFieldValue.value_bool,
    )
    .join(CustomField, CustomField.id == CustomFieldValue.field_id)
    .where(any_of(CustomFieldValue.record_id, "ids"))
    .order_by(CustomFieldValue.record_id, CustomField.position, CustomField.id)
)
_VALUES = Reader(_VALUES_OF_RECORDS, StoredValue)
_PUBLIC_VALUES = Reader(_VALUES_OF_RECORDS.where(CustomField.staff_only.is_(False)), StoredValue)
