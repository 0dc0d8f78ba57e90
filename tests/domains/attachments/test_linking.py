from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Channel, RecordKind, Role
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.core.settings import Settings
from polydesk.domains.attachments import service
from polydesk.domains.attachments.schemas import AttachmentRead, AttachmentUpdate
from polydesk.models import Attachment, Note, Record
from tests.domains.attachments.factories import (
    attachment_count,
    content_files,
    events,
    make_note,
)
from tests.factories import make_record, make_user


@pytest.fixture
def store(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"data_dir": tmp_path})


@pytest.fixture
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements sent while a test runs (counted on the real engine)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def _world(db: Database) -> tuple[Actor, Actor, Record, Record, Note]:
    async with db.unit_of_work() as session:
        tech = await make_user(session, role=Role.TECHNICIAN)
        requester = await make_user(session, role=Role.REQUESTER)
        record = await make_record(session)
        other = await make_record(session, title="Another")
        note = await make_note(session, record_id=record.id)
    return (
        Actor(user_id=tech.id, role=Role.TECHNICIAN, channel=Channel.SERVICEOPS),
        Actor(user_id=requester.id, role=Role.REQUESTER, channel=Channel.SERVICEOPS),
        record,
        other,
        note,
    )


async def _upload(db: Database, actor: Actor, store: Settings, data: bytes) -> Attachment:
    async with db.unit_of_work() as session:
        return await service.store_upload(
            session, actor, store, filename="f.txt", content_type=None, stream_or_bytes=data
        )


async def test_attach_to_record(db: Database, store: Settings) -> None:
    tech, _requester, record, other, _note = await _world(db)
    uploaded = await _upload(db, tech, store, b"log file")
    async with db.unit_of_work() as session:
        attached = await service.attach_to_record(session, tech, uploaded.ref_name, record.id)
        assert attached.record_id == record.id and attached.note_id is None
    async with db.unit_of_work() as session:
        stored = await service.get_by_ref(session, uploaded.ref_name)
        assert stored.record_id == record.id
        assert [a.id for a in await service.list_for_record(session, record.id)] == [uploaded.id]

    (attached_event,) = await events(db, "attachment.attached")
    assert attached_event.record_id == record.id
    assert attached_event.before == {"record_id": None, "note_id": None}
    assert attached_event.after == {"record_id": record.id, "note_id": None}

    # Again to the same record: nothing changes, nothing more is recorded.
    async with db.unit_of_work() as session:
        await service.attach_to_record(session, tech, uploaded.ref_name, record.id)
    assert len(await events(db, "attachment.attached")) == 1

    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await service.attach_to_record(session, tech, uploaded.ref_name, other.id)
    assert f"record {record.id}" in info.value.message
    async with db.unit_of_work() as session:
        assert (await service.get(session, uploaded.id)).record_id == record.id


async def test_attach_refuses_unknown_refs_and_targets(db: Database, store: Settings) -> None:
    tech, _requester, record, _other, note = await _world(db)
    uploaded = await _upload(db, tech, store, b"x")
    cases: list[tuple[Callable[[AsyncSession], Awaitable[Attachment]], str]] = [
        (lambda s: service.attach_to_record(s, tech, "nope", record.id), "ref_name"),
        (lambda s: service.attach_to_record(s, tech, uploaded.ref_name, 999_999), "record_id"),
        (lambda s: service.attach_to_note(s, tech, "nope", note.id), "ref_name"),
        (lambda s: service.attach_to_note(s, tech, uploaded.ref_name, 999_999), "note_id"),
    ]
    for call, field in cases:
        with pytest.raises(NotFound) as info:
            async with db.unit_of_work() as session:
                await call(session)
        assert info.value.field == field
    assert await events(db, "attachment.attached") == []


async def test_attach_to_note(db: Database, store: Settings) -> None:
    tech, _requester, record, _other, note = await _world(db)
    on_record = await _upload(db, tech, store, b"record level")
    on_note = await _upload(db, tech, store, b"note level")
    async with db.unit_of_work() as session:
        await service.attach_to_record(session, tech, on_record.ref_name, record.id)
        attached = await service.attach_to_note(session, tech, on_note.ref_name, note.id)
    assert (attached.record_id, attached.note_id) == (record.id, note.id)
    async with db.unit_of_work() as session:
        own = await service.list_for_record(session, record.id)
        everything = await service.list_for_record(session, record.id, include_notes=True)
    assert [a.id for a in own] == [on_record.id]
    assert [a.id for a in everything] == [on_record.id, on_note.id]
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.attach_to_record(session, tech, on_note.ref_name, record.id)


async def test_list_for_notes_is_one_query(
    db: Database, store: Settings, statements: list[str]
) -> None:
    tech, _requester, record, _other, _note = await _world(db)
    async with db.unit_of_work() as session:
        notes = [await make_note(session, record_id=record.id) for _ in range(5)]
    for n, note in enumerate(notes[:4]):
        for copy in range(2):
            uploaded = await _upload(db, tech, store, f"{n}-{copy}".encode())
            async with db.unit_of_work() as session:
                await service.attach_to_note(session, tech, uploaded.ref_name, note.id)
    note_ids = [n.id for n in notes]
    async with db.unit_of_work() as session:
        statements.clear()
        by_note = await service.list_for_notes(session, note_ids)
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1
    assert set(by_note) == set(note_ids)
    assert [len(by_note[i]) for i in note_ids] == [2, 2, 2, 2, 0]
    async with db.unit_of_work() as session:
        assert await service.list_for_notes(session, []) == {}


async def test_list_for_records_is_one_query(
    db: Database, store: Settings, statements: list[str]
) -> None:
    tech, _requester, record, other, note = await _world(db)
    own = await _upload(db, tech, store, b"own")
    on_note = await _upload(db, tech, store, b"on note")
    async with db.unit_of_work() as session:
        await service.attach_to_record(session, tech, own.ref_name, record.id)
        await service.attach_to_note(session, tech, on_note.ref_name, note.id)
    async with db.unit_of_work() as session:
        statements.clear()
        by_record = await service.list_for_records(session, [record.id, other.id])
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1
    assert [a.id for a in by_record[record.id]] == [own.id]
    assert by_record[other.id] == []
    async with db.unit_of_work() as session:
        assert await service.list_for_records(session, []) == {}


async def test_requesters_manage_only_their_own_uploads(db: Database, store: Settings) -> None:
    tech, requester, record, _other, _note = await _world(db)
    techs = await _upload(db, tech, store, b"tech")
    theirs = await _upload(db, requester, store, b"requester")
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.attach_to_record(session, requester, techs.ref_name, record.id)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.delete_attachment(session, requester, store, techs.id)
    async with db.unit_of_work() as session:
        await service.attach_to_record(session, requester, theirs.ref_name, record.id)
    assert await attachment_count(db) == 2


async def test_delete_removes_the_file_only_when_unshared_and_committed(
    db: Database, store: Settings
) -> None:
    tech, _requester, record, _other, _note = await _world(db)
    first = await _upload(db, tech, store, b"shared content")
    second = await _upload(db, tech, store, b"shared content")
    async with db.unit_of_work() as session:
        await service.attach_to_record(session, tech, first.ref_name, record.id)
    path = service.content_path(store, first.sha256)

    async with db.unit_of_work() as session:
        await service.delete_attachment(session, tech, store, first.id)
    assert path.exists(), "another row still names this content"
    (deleted,) = await events(db, "attachment.deleted")
    assert deleted.record_id == record.id and deleted.object_id == first.id
    assert deleted.before is not None and deleted.before["ref_name"] == first.ref_name

    # A delete that rolls back keeps both the row and the file.
    with pytest.raises(RuntimeError):
        async with db.unit_of_work() as session:
            await service.delete_attachment(session, tech, store, second.id)
            raise RuntimeError
    assert path.exists()
    assert await attachment_count(db) == 1

    async with db.unit_of_work() as session:
        await service.delete_attachment(session, tech, store, second.id)
        assert path.exists(), "the file waits for the commit"
    assert not path.exists()
    assert content_files(store) == []
    assert await attachment_count(db) == 0
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.delete_attachment(session, tech, store, second.id)


async def test_update_attachment(db: Database, store: Settings) -> None:
    tech, _requester, _record, _other, _note = await _world(db)
    uploaded = await _upload(db, tech, store, b"pdf bytes")
    async with db.unit_of_work() as session:
        updated = await service.update_attachment(
            session, tech, uploaded.id, AttachmentUpdate(real_name="../renamed.pdf")
        )
    assert updated.real_name == "renamed.pdf"
    assert updated.content_type == "text/plain"  # not given, so unchanged
    (changed,) = await events(db, "attachment.updated")
    assert changed.before == {"real_name": "f.txt"}
    assert changed.after == {"real_name": "renamed.pdf"}

    async with db.unit_of_work() as session:
        updated = await service.update_attachment(
            session, tech, uploaded.id, AttachmentUpdate(content_type="application/pdf")
        )
        # Nothing changed: nothing recorded.
        await service.update_attachment(
            session, tech, uploaded.id, AttachmentUpdate(real_name="renamed.pdf")
        )
    assert updated.content_type == "application/pdf"
    assert len(await events(db, "attachment.updated")) == 2
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.update_attachment(
                session, tech, uploaded.id, AttachmentUpdate(real_name=None)
            )
    async with db.unit_of_work() as session:
        read = AttachmentRead.model_validate(await service.get(session, uploaded.id))
    assert read.real_name == "renamed.pdf" and read.size == len(b"pdf bytes")


async def test_concurrent_attach_elsewhere_lets_exactly_one_win(
    db: Database, store: Settings
) -> None:
    tech, _requester, record, other, _note = await _world(db)
    uploaded = await _upload(db, tech, store, b"contested")

    async def attach(record_id: int) -> Attachment | Exception:
        try:
            async with db.unit_of_work() as session:
                return await service.attach_to_record(session, tech, uploaded.ref_name, record_id)
        except Conflict as exc:
            return exc

    results = await asyncio.gather(attach(record.id), attach(other.id))
    assert sum(isinstance(r, Attachment) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert len(await events(db, "attachment.attached")) == 1


async def test_list_note_attachments_by_name_for_records_of_a_kind(
    db: Database, store: Settings
) -> None:
    tech, _requester, record, _other, note = await _world(db)
    async with db.unit_of_work() as session:
        problem = await make_record(session, kind=RecordKind.PROBLEM)
        problem_note = await make_note(session, record_id=problem.id)
    names = {"b.txt": note.id, "a.txt": note.id, "c.txt": problem_note.id}
    ids: dict[str, int] = {}
    for name, note_id in names.items():
        async with db.unit_of_work() as session:
            uploaded = await service.store_upload(
                session, tech, store, filename=name, content_type=None, stream_or_bytes=b"x"
            )
            await service.attach_to_note(session, tech, uploaded.ref_name, note_id)
            ids[name] = uploaded.id
    async with db.unit_of_work() as session:
        unattached = await service.store_upload(
            session, tech, store, filename="0.txt", content_type=None, stream_or_bytes=b"y"
        )
        await service.attach_to_record(session, tech, unattached.ref_name, record.id)
    async with db.unit_of_work() as session:
        rows, total = await service.list_note_attachments(session, [RecordKind.INCIDENT])
        assert total == 2 and [a.id for a in rows] == [ids["a.txt"], ids["b.txt"]]
        rows, _ = await service.list_note_attachments(
            session, [RecordKind.INCIDENT], offset=1, limit=1
        )
        assert [a.id for a in rows] == [ids["b.txt"]]
        with pytest.raises(Invalid):
            await service.list_note_attachments(session, [RecordKind.INCIDENT], limit=0)
