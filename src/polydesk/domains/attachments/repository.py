"""All SQL of attachments, and the hook that defers file removal until a commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from polydesk.models import Attachment, Note, Record

_AFTER_COMMIT = "polydesk.attachments.after_commit"


async def add(session: AsyncSession, attachment: Attachment) -> None:
    session.add(attachment)
    await session.flush()


async def get(session: AsyncSession, attachment_id: int) -> Attachment | None:
    return await session.get(Attachment, attachment_id)


async def get_by_ref(session: AsyncSession, ref_name: str) -> Attachment | None:
    result: Attachment | None = await session.scalar(
        select(Attachment).where(Attachment.ref_name == ref_name)
    )
    return result


async def record_exists(session: AsyncSession, record_id: int) -> bool:
    return await session.scalar(select(Record.id).where(Record.id == record_id)) is not None


async def note_record_id(session: AsyncSession, note_id: int) -> int | None:
    """The record a note belongs to, or ``None`` when there is no such note."""
    result: int | None = await session.scalar(select(Note.record_id).where(Note.id == note_id))
    return result


async def claim(
    session: AsyncSession, attachment: Attachment, *, record_id: int, note_id: int | None
) -> bool:
    """Attach if still unattached, decided by the database so that of two concurrent
    claims one wins. The loaded object is updated in place on success."""
    result = await session.execute(
        update(Attachment)
        .where(
            Attachment.id == attachment.id,
            Attachment.record_id.is_(None),
            Attachment.note_id.is_(None),
        )
        .values(record_id=record_id, note_id=note_id)
        .execution_options(synchronize_session=False)
    )
    if int(cast(CursorResult[Any], result).rowcount) != 1:
        return False
    set_committed_value(attachment, "record_id", record_id)
    set_committed_value(attachment, "note_id", note_id)
    return True


async def list_for_record(
    session: AsyncSession, record_id: int, *, include_notes: bool
) -> Sequence[Attachment]:
    stmt = select(Attachment).where(Attachment.record_id == record_id)
    if not include_notes:
        stmt = stmt.where(Attachment.note_id.is_(None))
    return (await session.scalars(stmt.order_by(Attachment.id))).all()


async def list_for_records(
    session: AsyncSession, record_ids: Sequence[int]
) -> Sequence[Attachment]:
    """The records' own attachments (not their notes'), by id."""
    if not record_ids:
        return []
    stmt = (
        select(Attachment)
        .where(Attachment.record_id.in_(record_ids), Attachment.note_id.is_(None))
        .order_by(Attachment.id)
    )
    return (await session.scalars(stmt)).all()


_OF_NOTES = (
    select(Attachment)
    .where(Attachment.note_id.in_(bindparam("ids", expanding=True)))
    .order_by(Attachment.id)
)


async def list_for_notes(session: AsyncSession, note_ids: Sequence[int]) -> Sequence[Attachment]:
    if not note_ids:
        return []
    return (await session.scalars(_OF_NOTES, {"ids": list(note_ids)})).all()


async def list_of_notes_of_kinds(
    session: AsyncSession, kinds: Sequence[str], *, offset: int, limit: int
) -> tuple[Sequence[Attachment], int]:
    where = Attachment.note_id.is_not(None) & Attachment.record_id.in_(
        select(Record.id).where(Record.kind.in_(kinds))
    )
    rows = await session.scalars(
        select(Attachment)
        .where(where)
        .order_by(Attachment.real_name, Attachment.id)
        .offset(offset)
        .limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(Attachment).where(where))
    return rows.all(), int(total or 0)


async def count_sharing(session: AsyncSession, sha256: str, *, exclude_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(Attachment)
        .where(Attachment.sha256 == sha256, Attachment.id != exclude_id)
    )
    return int(await session.scalar(stmt) or 0)


async def referenced_hashes(session: AsyncSession, hashes: Iterable[str]) -> set[str]:
    """Which of ``hashes`` some attachment row names (queried in batches)."""
    pending = list(hashes)
    found: set[str] = set()
    for start in range(0, len(pending), 500):
        batch = pending[start : start + 500]
        rows = await session.scalars(
            select(Attachment.sha256).where(Attachment.sha256.in_(batch)).distinct()
        )
        found.update(rows.all())
    return found


async def delete(session: AsyncSession, attachment: Attachment) -> None:
    await session.delete(attachment)
    await session.flush()


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction commits; forget it on rollback.

    File removals wait for the commit: removing first and then rolling back would leave a row
    whose bytes are gone.
    """
    sync_session = session.sync_session
    callbacks: list[Callable[[], None]] | None = sync_session.info.get(_AFTER_COMMIT)
    if callbacks is None:
        callbacks = []
        sync_session.info[_AFTER_COMMIT] = callbacks

        def run(committed: Session) -> None:
            pending = list(callbacks)
            callbacks.clear()
            for pending_callback in pending:
                pending_callback()

        def forget(_rolled_back: Session) -> None:
            callbacks.clear()

        event.listen(sync_session, "after_commit", run)
        event.listen(sync_session, "after_rollback", forget)
    callbacks.append(callback)
