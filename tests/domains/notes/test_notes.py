from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from polydesk.core.db import Database
from polydesk.core.enums import NoteType, RecordKind
from polydesk.core.errors import Forbidden, Invalid, NotFound
from polydesk.domains.catalog import service as catalog
from polydesk.domains.notes import service
from polydesk.domains.notes.schemas import NoteCreate, NoteUpdate
from polydesk.models import Note, Record, User
from tests.domains.users.factories import (
    SYSTEM,
    actor_for,
    count,
    events,
    make_requester,
    make_technician,
    sql_statements,
)
from tests.factories import make_record

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


async def _record(db: Database, kind: RecordKind = RecordKind.INCIDENT) -> Record:
    async with db.unit_of_work() as session:
        return await make_record(session, kind=kind, last_active_at=LONG_AGO, updated_at=LONG_AGO)


async def _people(db: Database) -> tuple[User, User]:
    async with db.unit_of_work() as session:
        return await make_technician(session), await make_requester(session)


async def _stored_record(db: Database, record_id: int) -> Record:
    async with db.unit_of_work() as session:
        found = await session.get(Record, record_id)
        assert found is not None
        return found


async def _stored_note(db: Database, note_id: int) -> Note:
    async with db.unit_of_work() as session:
        found = await session.get(Note, note_id)
        assert found is not None
        return found


async def test_add_note_writes_as_the_actor_and_marks_the_record_active(db: Database) -> None:
    record = await _record(db)
    technician, _ = await _people(db)
    async with db.unit_of_work() as session:
        note = await service.add_note(
            session,
            actor_for(technician),
            record.id,
            NoteCreate(body="Rebooted it", title="  First  ", time_spent_seconds=0),
        )
    assert note.author_id == technician.id and note.public is True
    assert note.note_type == "comment" and note.title == "First"
    reloaded = await _stored_record(db, record.id)
    assert reloaded.last_active_at == note.created_at == reloaded.updated_at
    (event,) = await events(db, "note.created")
    assert event.record_id == record.id and event.object_id == note.id
    assert event.actor_id == technician.id
    assert event.after is not None
    assert event.after["body"] == "Rebooted it" and event.after["author_id"] == technician.id


async def test_unknown_record_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.add_note(session, SYSTEM, 999999, NoteCreate(body="x"))
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.list_notes(session, 999999)


@pytest.mark.parametrize("body", ["", "   \n\t", "x" * (service.MAX_BODY_LENGTH + 1)])
async def test_body_is_required_and_bounded(db: Database, body: str) -> None:
    record = await _record(db)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_note(session, SYSTEM, record.id, NoteCreate(body=body))
    assert info.value.field == "body"
    assert await count(db, Note) == 0


async def test_body_at_the_limit_and_blank_title(db: Database) -> None:
    record = await _record(db)
    async with db.unit_of_work() as session:
        note = await service.add_note(
            session,
            SYSTEM,
            record.id,
            NoteCreate(body="x" * service.MAX_BODY_LENGTH, title="   "),
        )
    assert note.title is None and note.author_id is None
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_note(
                session, SYSTEM, record.id, NoteCreate(body="b", title="t" * 501)
            )
    assert info.value.field == "title"


@pytest.mark.parametrize("seconds", [-1, service.MAX_TIME_SPENT_SECONDS + 1])
async def test_time_spent_is_bounded(db: Database, seconds: int) -> None:
    record = await _record(db)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_note(
                session, SYSTEM, record.id, NoteCreate(body="b", time_spent_seconds=seconds)
            )
    assert info.value.field == "time_spent_seconds"


async def test_new_status_must_exist_and_is_only_stored(db: Database) -> None:
    record = await _record(db)
    async with db.unit_of_work() as session:
        status = await catalog.get_status_by_name(session, "Resolved")
    assert status is not None
    resolved = status.id
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_note(
                session, SYSTEM, record.id, NoteCreate(body="b", new_status_id=999999)
            )
    assert info.value.field == "new_status_id"
    async with db.unit_of_work() as session:
        note = await service.add_note(
            session, SYSTEM, record.id, NoteCreate(body="Fixed", new_status_id=resolved)
        )
    assert note.new_status_id == resolved
    reloaded = await _stored_record(db, record.id)
    assert reloaded.status_id == record.status_id


async def test_requesters_write_only_public_comments_and_followups_as_themselves(
    db: Database,
) -> None:
    record = await _record(db)
    technician, requester = await _people(db)
    actor = actor_for(requester)
    refused = [
        NoteCreate(body="b", public=False),
        NoteCreate(body="b", note_type=NoteType.SYMPTOM),
        NoteCreate(body="b", note_type=NoteType.RESOLUTION),
        NoteCreate(body="b", author_id=technician.id),
    ]
    for data in refused:
        with pytest.raises(Forbidden):
            async with db.unit_of_work() as session:
                await service.add_note(session, actor, record.id, data)
    async with db.unit_of_work() as session:
        comment = await service.add_note(
            session, actor, record.id, NoteCreate(body="Still broken", author_id=requester.id)
        )
        followup = await service.add_note(
            session, actor, record.id, NoteCreate(body="Any news?", note_type=NoteType.FOLLOWUP)
        )
    assert comment.author_id == followup.author_id == requester.id
    assert await count(db, Note) == 2


async def test_staff_write_on_behalf_of_an_existing_user(db: Database) -> None:
    record = await _record(db)
    technician, requester = await _people(db)
    async with db.unit_of_work() as session:
        note = await service.add_note(
            session,
            actor_for(technician),
            record.id,
            NoteCreate(body="By phone", public=False, author_id=requester.id),
        )
    assert note.author_id == requester.id and note.public is False
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_note(
                session, actor_for(technician), record.id, NoteCreate(body="b", author_id=999999)
            )
    assert info.value.field == "author_id"


async def test_get_note_checks_its_record_and_type(db: Database) -> None:
    record = await _record(db)
    other = await _record(db)
    async with db.unit_of_work() as session:
        note = await service.add_note(
            session, SYSTEM, record.id, NoteCreate(body="b", note_type=NoteType.SYMPTOM)
        )
    async with db.unit_of_work() as session:
        found = await service.get_note(
            session, note.id, record_id=record.id, note_type=NoteType.SYMPTOM
        )
        assert found.id == note.id
        with pytest.raises(NotFound):
            await service.get_note(session, note.id, record_id=other.id)
        with pytest.raises(NotFound):
            await service.get_note(session, note.id, note_type=NoteType.COMMENT)
        with pytest.raises(NotFound):
            await service.get_note(session, 999999)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.update_note(
                session, SYSTEM, note.id, NoteUpdate(body="x"), record_id=other.id
            )
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.delete_note(session, SYSTEM, note.id, record_id=other.id)
    assert await count(db, Note) == 1


async def test_update_writes_the_changes_and_marks_the_record_active(db: Database) -> None:
    record = await _record(db)
    technician, requester = await _people(db)
    async with db.unit_of_work() as session:
        note = await service.add_note(session, SYSTEM, record.id, NoteCreate(body="old"))
    async with db.unit_of_work() as session:
        await session.execute(
            update(Record)
            .where(Record.id == record.id)
            .values(last_active_at=LONG_AGO, updated_at=LONG_AGO)
        )
    async with db.unit_of_work() as session:
        updated = await service.update_note(
            session,
            actor_for(technician),
            note.id,
            NoteUpdate(body="new", public=False, note_type=NoteType.WORKAROUND, title="old"),
        )
        assert updated.title == "old"
        await service.update_note(
            session, actor_for(technician), note.id, NoteUpdate(author_id=requester.id)
        )
    reloaded = await _stored_record(db, record.id)
    assert reloaded.last_active_at > LONG_AGO
    assert reloaded.updated_at == reloaded.last_active_at
    stored = await _stored_note(db, note.id)
    assert (stored.body, stored.public, stored.note_type) == ("new", False, "workaround")
    assert stored.author_id == requester.id and stored.updated_at > stored.created_at
    first, second = await events(db, "note.updated")
    assert first.record_id == record.id
    assert first.before == {"body": "old", "public": True, "note_type": "comment", "title": None}
    assert first.after == {
        "body": "new",
        "public": False,
        "note_type": "workaround",
        "title": "old",
    }
    assert second.after == {"author_id": requester.id}
    async with db.unit_of_work() as session:
        await service.update_note(session, SYSTEM, note.id, NoteUpdate(body="new"))
        await service.update_note(session, SYSTEM, note.id, NoteUpdate(author_id=None))
    assert len(await events(db, "note.updated")) == 3


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (NoteUpdate(body=""), "body"),
        (NoteUpdate(body=None), "body"),
        (NoteUpdate(note_type=None), "note_type"),
        (NoteUpdate(public=None), "public"),
        (NoteUpdate(time_spent_seconds=-5), "time_spent_seconds"),
        (NoteUpdate(new_status_id=999999), "new_status_id"),
        (NoteUpdate(author_id=999999), "author_id"),
    ],
)
async def test_update_validates(db: Database, data: NoteUpdate, field: str) -> None:
    record = await _record(db)
    async with db.unit_of_work() as session:
        note = await service.add_note(session, SYSTEM, record.id, NoteCreate(body="b"))
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.update_note(session, SYSTEM, note.id, data)
    assert info.value.field == field
    assert await events(db, "note.updated") == []


async def test_requesters_change_and_delete_only_their_own_public_notes(db: Database) -> None:
    record = await _record(db)
    technician, requester = await _people(db)
    actor = actor_for(requester)
    async with db.unit_of_work() as session:
        theirs = await service.add_note(session, actor, record.id, NoteCreate(body="mine"))
        staff_note = await service.add_note(
            session, actor_for(technician), record.id, NoteCreate(body="staff")
        )
    for note_id, data in [
        (staff_note.id, NoteUpdate(body="x")),
        (theirs.id, NoteUpdate(public=False)),
        (theirs.id, NoteUpdate(note_type=NoteType.RESOLUTION)),
        (theirs.id, NoteUpdate(author_id=technician.id)),
    ]:
        with pytest.raises(Forbidden):
            async with db.unit_of_work() as session:
                await service.update_note(session, actor, note_id, data)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.delete_note(session, actor, staff_note.id)
    async with db.unit_of_work() as session:
        await service.update_note(session, actor, theirs.id, NoteUpdate(body="edited"))
        await service.delete_note(session, actor, theirs.id)
    assert await count(db, Note) == 1
    (deleted,) = await events(db, "note.deleted")
    assert deleted.record_id == record.id and deleted.object_id == theirs.id
    assert deleted.before is not None and deleted.before["body"] == "edited"


async def test_list_notes_pages_and_filters(db: Database) -> None:
    record = await _record(db)
    other = await _record(db)
    async with db.unit_of_work() as session:
        for n in range(5):
            await service.add_note(
                session,
                SYSTEM,
                record.id,
                NoteCreate(
                    body=f"n{n}",
                    public=n % 2 == 0,
                    note_type=NoteType.SYMPTOM if n == 4 else NoteType.COMMENT,
                ),
            )
        await service.add_note(session, SYSTEM, other.id, NoteCreate(body="elsewhere"))
    async with db.unit_of_work() as session:
        page, total = await service.list_notes(session, record.id, offset=1, limit=2)
        assert total == 5 and [n.body for n in page] == ["n1", "n2"]
        public, total = await service.list_notes(session, record.id, public_only=True)
        assert total == 3 and [n.body for n in public] == ["n0", "n2", "n4"]
        symptoms, total = await service.list_notes(
            session, record.id, note_types=[NoteType.SYMPTOM]
        )
        assert total == 1 and symptoms[0].body == "n4"
        for offset, limit in ((-1, 10), (0, 0), (0, 1001)):
            with pytest.raises(Invalid):
                await service.list_notes(session, record.id, offset=offset, limit=limit)


async def test_notes_of_many_records_cost_one_query(db: Database) -> None:
    records = [await _record(db) for _ in range(6)]
    async with db.unit_of_work() as session:
        for n, record in enumerate(records[:5]):
            for m in range(n + 1):
                await service.add_note(
                    session, SYSTEM, record.id, NoteCreate(body=f"{n}.{m}", public=m == 0)
                )
    ids = [r.id for r in records]
    for wanted in (ids[:1], ids):
        with sql_statements(db) as statements:
            async with db.unit_of_work() as session:
                latest = await service.latest_notes(session, wanted)
                everything = await service.notes_for(session, wanted)
        assert len(statements) == 2
        assert set(everything) == set(wanted)
    assert {rid: n.body for rid, n in latest.items()} == {
        r.id: f"{i}.{i}" for i, r in enumerate(records[:5])
    }
    assert [len(everything[r.id]) for r in records] == [1, 2, 3, 4, 5, 0]
    assert [n.body for n in everything[records[2].id]] == ["2.0", "2.1", "2.2"]
    async with db.unit_of_work() as session:
        public_latest = await service.latest_notes(session, ids, public_only=True)
        public_all = await service.notes_for(session, ids, public_only=True)
        none = await service.latest_notes(session, [])
    assert {n.body for n in public_latest.values()} == {f"{i}.0" for i in range(5)}
    assert sum(len(v) for v in public_all.values()) == 5 and none == {}


async def test_a_failed_call_rolls_back_the_whole_unit_of_work(db: Database) -> None:
    record = await _record(db)
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.add_note(session, SYSTEM, record.id, NoteCreate(body="ok"))
            await service.add_note(session, SYSTEM, record.id, NoteCreate(body=" "))
    assert await count(db, Note) == 0
    assert await events(db, "note.created") == []
    reloaded = await _stored_record(db, record.id)
    assert reloaded.last_active_at == LONG_AGO


async def test_a_followup_may_have_an_empty_body_other_types_may_not(db: Database) -> None:
    record = await _record(db)
    technician, _ = await _people(db)
    async with db.unit_of_work() as session:
        note = await service.add_note(
            session,
            actor_for(technician),
            record.id,
            NoteCreate(body="  ", note_type=NoteType.FOLLOWUP),
        )
        assert note.body == ""
        with pytest.raises(Invalid):
            await service.add_note(session, actor_for(technician), record.id, NoteCreate(body=""))
    async with db.unit_of_work() as session:
        changed = await service.update_note(
            session, actor_for(technician), note.id, NoteUpdate(body="")
        )
        assert changed.body == ""
        with pytest.raises(Invalid):
            await service.update_note(
                session,
                actor_for(technician),
                note.id,
                NoteUpdate(body="", note_type=NoteType.COMMENT),
            )


async def test_list_notes_of_kinds_pages_every_record_of_those_kinds(db: Database) -> None:
    incident = await _record(db)
    other = await _record(db)
    problem = await _record(db, RecordKind.PROBLEM)
    technician, _ = await _people(db)
    actor = actor_for(technician)
    async with db.unit_of_work() as session:
        first = await service.add_note(session, actor, incident.id, NoteCreate(body="one"))
        second = await service.add_note(session, actor, other.id, NoteCreate(body="two"))
        await service.add_note(session, actor, problem.id, NoteCreate(body="three"))
    async with db.unit_of_work() as session:
        notes, total = await service.list_notes_of_kinds(session, [RecordKind.INCIDENT], limit=1)
        assert total == 2 and [n.id for n in notes] == [first.id]
        notes, _ = await service.list_notes_of_kinds(
            session, [RecordKind.INCIDENT], offset=1, limit=5
        )
        assert [n.id for n in notes] == [second.id]
