"""All SQL of links."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import Select, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import Reader, already_loaded, any_of, held_of_inserted
from polydesk.models import ConfigItem, Link, Record


async def record_kinds(session: AsyncSession, record_ids: Iterable[int]) -> dict[int, str]:
    wanted = set(record_ids)
    rows = await session.execute(select(Record.id, Record.kind).where(Record.id.in_(wanted)))
    return {int(record_id): kind for record_id, kind in rows.all()}


async def add_unique(session: AsyncSession, link: Link) -> bool:
    """Insert in a savepoint; ``False`` (and nothing written) when the link exists."""
    try:
        async with session.begin_nested():
            session.add(link)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def delete(session: AsyncSession, link: Link) -> None:
    await session.delete(link)
    await session.flush()


async def find_record_link(session: AsyncSession, source_id: int, target_id: int) -> Link | None:
    result: Link | None = await session.scalar(
        select(Link).where(Link.source_id == source_id, Link.target_record_id == target_id)
    )
    return result


async def find_config_item_link(
    session: AsyncSession, record_id: int, config_item_id: int
) -> Link | None:
    result: Link | None = await session.scalar(
        select(Link).where(
            Link.source_id == record_id, Link.target_config_item_id == config_item_id
        )
    )
    return result


async def linked_records(
    session: AsyncSession, record_ids: Iterable[int]
) -> Sequence[tuple[int, int, str]]:
    """``(record id, other record id, other kind)`` for every record link of the records, in
    either direction, in one statement; by record, then kind, then id."""
    wanted = set(record_ids)
    if not wanted:
        return []
    held = _held_linked(session, wanted)
    if held is not None:
        return held
    return await _LINKED.all(session, ids=sorted(wanted))


class _Linked(NamedTuple):
    host: int
    other: int
    kind: str


def _linked() -> Select[int, int, str]:
    forward = select(Link.source_id.label("host"), Link.target_record_id.label("other")).where(
        any_of(Link.source_id, "ids"), Link.target_record_id.is_not(None)
    )
    backward = select(Link.target_record_id.label("host"), Link.source_id.label("other")).where(
        any_of(Link.target_record_id, "ids")
    )
    pairs = union_all(forward, backward).subquery()
    return (
        select(pairs.c.host, pairs.c.other, Record.kind)
        .join(Record, Record.id == pairs.c.other)
        .order_by(pairs.c.host, Record.kind, Record.id)
    )


# Built once: building the union and its subquery cost a quarter of the CPU of a GoToAssist
# record read, more than running it.
_LINKED = Reader(_linked(), _Linked)


def _held_linked(session: AsyncSession, wanted: set[int]) -> list[tuple[int, int, str]] | None:
    """:func:`linked_records` of records created in this unit of work, from what it holds;
    ``None`` when a linked record is not held (then the caller reads)."""
    written = held_of_inserted(session, Link, Record, wanted)
    if written is None:
        return None
    pairs = []
    for link in written:
        if link.source_id in wanted and link.target_record_id is not None:
            pairs.append((link.source_id, link.target_record_id))
        if link.target_record_id in wanted:
            pairs.append((link.target_record_id, link.source_id))
    others, missing = already_loaded(session, Record, {other for _, other in pairs})
    if missing:
        return None
    kinds = {r.id: r.kind for r in others}
    rows = [(host, other, kinds[other]) for host, other in pairs]
    return sorted(rows, key=lambda row: (row[0], row[2], row[1]))


async def config_items_of(
    session: AsyncSession, record_ids: Iterable[int]
) -> Sequence[tuple[int, ConfigItem]]:
    wanted = set(record_ids)
    if not wanted:
        return []
    rows = await session.execute(
        select(Link.source_id, ConfigItem)
        .join(ConfigItem, ConfigItem.id == Link.target_config_item_id)
        .where(Link.source_id.in_(wanted))
        .order_by(Link.source_id, ConfigItem.id)
    )
    return [(int(row[0]), row[1]) for row in rows.all()]


async def records_of_config_item(
    session: AsyncSession, config_item_id: int
) -> Sequence[tuple[int, str]]:
    rows = await session.execute(
        select(Record.id, Record.kind)
        .join(Link, Link.source_id == Record.id)
        .where(Link.target_config_item_id == config_item_id)
        .order_by(Record.kind, Record.id)
    )
    return [(int(record_id), kind) for record_id, kind in rows.all()]
