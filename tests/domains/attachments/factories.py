"""Set-up helpers for the attachment tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import Database
from polydesk.core.enums import NoteType
from polydesk.core.settings import Settings
from polydesk.models import Attachment, Event, Note


async def make_note(session: AsyncSession, *, record_id: int, body: str = "A note") -> Note:
    note = Note(record_id=record_id, note_type=NoteType.COMMENT.value, body=body)
    session.add(note)
    await session.flush()
    return note


def content_files(settings: Settings) -> list[Path]:
    """Files under the content tree (``ab/cd/<sha>``), temporary files excluded."""
    root = settings.attachments_dir
    if not root.exists():
        return []
    return sorted(p for p in root.glob("??/??/*") if p.is_file())


def temp_files(settings: Settings) -> list[Path]:
    tmp = settings.attachments_dir / "tmp"
    return sorted(tmp.iterdir()) if tmp.exists() else []


async def attachment_count(db: Database) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(Attachment)) or 0)


async def events(db: Database, action: str) -> list[Event]:
    async with db.unit_of_work() as session:
        rows = await session.scalars(select(Event).where(Event.action == action).order_by(Event.id))
        return list(rows.all())
