"""All SQL of notes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, inspect, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from polydesk.core.db import Reader, any_of, held_of_inserted, insert_row, inserted_here
from polydesk.domains.notes.schemas import FileBrief, NoteBrief
from polydesk.models import Attachment, Note, Record


async def record_kind(session: AsyncSession, record_id: int) -> str | None:
    """The record's kind; no query when this unit of work holds the record already (a note
    added right after the record was created or read)."""
    held = session.identity_map.get(identity_key(Record, record_id))
    if isinstance(held, Record) and not inspect(held).was_deleted:
        return held.kind
    kind: str | None = await session.scalar(select(Record.kind).where(Record.id == record_id))
    return kind


async def touch_record(session: AsyncSession, record_id: int, when: datetime) -> None:
    """Write only the two activity timestamps, so a concurrent edit of other fields stands.
    A record this unit of work created keeps those of its creation (a ticket's opening
    follow-up): nothing to write."""
    if inserted_here(session, Record, record_id):
        return
    await session.execute(
        update(Record).where(Record.id == record_id).values(last_active_at=when, updated_at=when)
    )


async def add(session: AsyncSession, values: dict[str, Any]) -> Note:
    """A new note of these columns, inserted at once (no ORM flush)."""
    return await insert_row(session, Note, values)


async def apply(session: AsyncSession, note: Note, changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        setattr(note, key, value)
    await session.flush()


async def delete(session: AsyncSession, note: Note) -> None:
    await session.delete(note)
    await session.flush()


async def get(session: AsyncSession, note_id: int) -> Note | None:
    return await session.get(Note, note_id)


def _filters(note_types: Sequence[str] | None, public_only: bool) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = true()
    if note_types is not None:
        condition = condition & Note.note_type.in_(note_types)
    if public_only:
        condition = condition & Note.public.is_(True)
    return condition


async def list_for_record(
    session: AsyncSession,
    record_id: int,
    *,
    note_types: Sequence[str] | None,
    public_only: bool,
    offset: int,
    limit: int,
) -> tuple[Sequence[Note], int]:
    where = (Note.record_id == record_id) & _filters(note_types, public_only)
    rows = await session.scalars(
        select(Note).where(where).order_by(Note.created_at, Note.id).offset(offset).limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(Note).where(where))
    return rows.all(), int(total or 0)


async def for_records(
    session: AsyncSession,
    record_ids: Iterable[int],
    *,
    note_types: Sequence[str] | None,
    public_only: bool,
) -> Sequence[Note]:
    wanted = sorted(set(record_ids))
    if not wanted:
        return []
    written = held_of_inserted(session, Note, Record, wanted)
    if written is not None:  # records created in this unit of work: their notes are held
        found = [
            n
            for n in written
            if n.record_id in wanted
            and (note_types is None or n.note_type in note_types)
            and (not public_only or n.public)
        ]
        return sorted(found, key=lambda n: (n.record_id, n.created_at, n.id))
    if note_types is None and not public_only:
        return (await session.scalars(_OF_RECORDS, {"ids": wanted})).all()
    rows = await session.scalars(
        select(Note)
        .where(Note.record_id.in_(wanted), _filters(note_types, public_only))
        .order_by(Note.record_id, Note.created_at, Note.id)
    )
    return rows.all()


# Built once: every note of the records shown, the common case.
_OF_RECORDS = (
    select(Note)
    .where(Note.record_id.in_(bindparam("ids", expanding=True)))
    .order_by(Note.record_id, Note.created_at, Note.id)
)
_WITH_FILES_OF_RECORDS = (
    select(Note, Attachment)
    .outerjoin(Attachment, Attachment.note_id == Note.id)
    .where(Note.record_id.in_(bindparam("ids", expanding=True)))
    .order_by(Note.record_id, Note.created_at, Note.id, Attachment.id)
)


async def with_files_for_records(
    session: AsyncSession, record_ids: Iterable[int]
) -> Sequence[tuple[Note, Attachment | None]]:
    """Every note of the records, oldest first, each with its attachments (one row per
    attachment, ``None`` for a note without any), in one statement."""
    wanted = sorted(set(record_ids))
    if not wanted:
        return []
    rows = await session.execute(_WITH_FILES_OF_RECORDS, {"ids": wanted})
    return [(note, attachment) for note, attachment in rows]


def _note_and_file(values: tuple[Any, ...]) -> tuple[NoteBrief, FileBrief | None]:
    """A row of a note joined with one of its attachments (``None`` when it has none)."""
    width = len(NoteBrief._fields)
    note = NoteBrief._make(values[:width])
    if values[width] is None:
        return note, None
    return note, FileBrief(values[width], note.id, *values[width + 1 :])


_BRIEFS_WITH_FILES = Reader(
    select(
        *(getattr(Note, name) for name in NoteBrief._fields),
        Attachment.id,
        Attachment.record_id,
        *(getattr(Attachment, name) for name in FileBrief._fields[3:]),
    )
    .outerjoin(Attachment, Attachment.note_id == Note.id)
    .where(any_of(Note.record_id, "ids"))
    .order_by(Note.record_id, Note.created_at, Note.id, Attachment.id),
    _note_and_file,
)


async def briefs_with_files_for_records(
    session: AsyncSession, record_ids: Iterable[int]
) -> list[tuple[NoteBrief, FileBrief | None]]:
    """As :func:`with_files_for_records`, as plain rows."""
    wanted = sorted(set(record_ids))
    return await _BRIEFS_WITH_FILES.all(session, ids=wanted) if wanted else []


async def latest_for_records(
    session: AsyncSession,
    record_ids: Iterable[int],
    *,
    note_types: Sequence[str] | None,
    public_only: bool,
) -> Sequence[Note]:
    """The newest note of each record, in one statement (a window over the record's notes)."""
    wanted = set(record_ids)
    if not wanted:
        return []
    ranked = (
        select(
            Note.id.label("id"),
            func.row_number()
            .over(partition_by=Note.record_id, order_by=(Note.created_at.desc(), Note.id.desc()))
            .label("rank"),
        )
        .where(Note.record_id.in_(wanted), _filters(note_types, public_only))
        .subquery()
    )
    rows = await session.scalars(
        select(Note).join(ranked, ranked.c.id == Note.id).where(ranked.c.rank == 1)
    )
    return rows.all()


async def list_for_kinds(
    session: AsyncSession,
    kinds: Sequence[str],
    *,
    note_types: Sequence[str] | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[Note], int]:
    """Notes of every record of the given kinds, oldest first, and the total matching."""
    where = Note.record_id.in_(select(Record.id).where(Record.kind.in_(kinds))) & _filters(
        note_types, False
    )
    rows = await session.scalars(
        select(Note).where(where).order_by(Note.created_at, Note.id).offset(offset).limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(Note).where(where))
    return rows.all(), int(total or 0)
