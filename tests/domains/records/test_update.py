"""Partial updates: only changed columns, version in SQL, optimistic locking, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from polydesk.core.db import Database
from polydesk.core.enums import CustomFieldType, Impact, RecordKind, Role
from polydesk.core.errors import Conflict, Invalid, NotFound
from polydesk.domains.records import repository, service
from polydesk.domains.records.schemas import RecordUpdate
from polydesk.models import ChangeDetails, Record
from tests.domains.records.factories import (
    SYSTEM,
    actor_for,
    create,
    define,
    events,
    fetch,
    is_postgres,
    sql_statements,
    status_named,
)
from tests.factories import make_record, make_user


async def test_update_writes_only_changed_columns_and_bumps_version(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session)
        record = await create(session, title="Old", description="same", priority=3)
    async with db.unit_of_work() as session:
        with sql_statements(db) as statements:
            updated = await service.update_record(
                session,
                actor_for(tech),
                record.id,
                RecordUpdate(title="New", description="same", priority=3),
            )
        assert updated.title == "New" and updated.version == 2
    (update,) = [s for s in statements if s.lstrip().upper().startswith("UPDATE RECORD ")]
    set_clause = update.upper().split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    assigned = sorted(part.split("=")[0].strip() for part in set_clause.split(","))
    assert assigned == ["LAST_ACTIVE_AT", "TITLE", "UPDATED_AT", "UPDATED_BY_ID", "VERSION"]
    assert "VERSION + " in set_clause.replace("RECORD.VERSION", "VERSION")

    stored = await fetch(db, record.id)
    assert stored.title == "New" and stored.version == 2 and stored.updated_by_id == tech.id
    assert stored.updated_at > record.updated_at and stored.last_active_at == stored.updated_at
    assert stored.created_at == record.created_at

    (event,) = await events(db, "record.updated")
    assert event.before == {"title": "Old"} and event.after == {"title": "New"}
    assert event.record_id == record.id and event.actor_id == tech.id


async def test_noop_update_changes_nothing(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Ref")
        record = await create(
            session, title="Same", tags=["a"], impact=Impact.LOW, custom_fields={"ref": "x"}
        )
    async with db.unit_of_work() as session:
        with sql_statements(db) as statements:
            result = await service.update_record(
                session,
                SYSTEM,
                record.id,
                RecordUpdate(
                    title=" Same ", tags=["a", "a"], impact=Impact.LOW, custom_fields={"Ref": "x"}
                ),
            )
        assert result.version == 1
    assert not [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    stored = await fetch(db, record.id)
    assert stored.version == 1 and stored.updated_at == record.updated_at
    assert await events(db, "record.updated") == []


async def test_empty_update_is_a_noop(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await create(session)
    async with db.unit_of_work() as session:
        await service.update_record(session, SYSTEM, record.id, RecordUpdate())
    assert (await fetch(db, record.id)).version == 1
    assert await events(db, "record.updated") == []


async def test_concurrent_updates_of_different_fields_both_persist(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await create(session, title="Original", description="original")

    first = db.sessionmaker()
    try:
        loaded = await service.get_record(first, record.id)
        assert loaded.title == "Original"
        if not is_postgres(db):
            # SQLite takes the write lock when a transaction begins: end the read so that the
            # other writer can run, keeping the (now stale) record in this session.
            await first.commit()

        async with db.unit_of_work() as second:
            await service.update_record(second, SYSTEM, record.id, RecordUpdate(title="By B"))

        await service.update_record(first, SYSTEM, record.id, RecordUpdate(description="By A"))
        await first.commit()
    finally:
        await first.close()

    stored = await fetch(db, record.id)
    assert stored.title == "By B" and stored.description == "By A"
    assert stored.version == 3
    before_after = [(e.before, e.after) for e in await events(db, "record.updated")]
    assert before_after == [
        ({"title": "Original"}, {"title": "By B"}),
        ({"description": "original"}, {"description": "By A"}),
    ]


async def test_expected_version_conflict(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await create(session, title="v1")
    async with db.unit_of_work() as session:
        await service.update_record(
            session, SYSTEM, record.id, RecordUpdate(title="v2"), expected_version=1
        )
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await service.update_record(
                session, SYSTEM, record.id, RecordUpdate(title="stale"), expected_version=1
            )
    assert info.value.field == "version"
    stored = await fetch(db, record.id)
    assert stored.title == "v2" and stored.version == 2
    assert len(await events(db, "record.updated")) == 1


async def test_expected_version_is_checked_by_the_update_itself(db: Database) -> None:
    """The UPDATE carries ``WHERE version = :expected``: a row that moved on after it was
    read is refused by the statement itself, and nothing is written."""
    async with db.unit_of_work() as session:
        record = await create(session, title="v1")
    async with db.unit_of_work() as session:
        loaded = await service.get_record(session, record.id)
        await session.execute(
            update(Record).where(Record.id == record.id).values(version=5, title="moved on")
        )
        written = await repository.update_columns(
            session, loaded, {"title": "mine"}, expected_version=1
        )
        assert not written
        assert await session.scalar(select(Record.title).where(Record.id == record.id)) == (
            "moved on"
        )
        assert await repository.update_columns(
            session, loaded, {"title": "mine"}, expected_version=5
        )
    stored = await fetch(db, record.id)
    assert stored.title == "mine" and stored.version == 6


async def test_stale_expected_version_refuses_custom_only_updates(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Ref")
        record = await create(session, title="v1")
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_record(
                session,
                SYSTEM,
                record.id,
                RecordUpdate(custom_fields={"ref": "x"}),
                expected_version=7,
            )
    async with db.unit_of_work() as session:
        loaded = await service.load_record(session, record.id)
    assert loaded.record.version == 1 and loaded.custom_fields == {}
    assert await events(db, "record.updated") == []


async def test_update_validates_like_create(db: Database) -> None:
    async with db.unit_of_work() as session:
        requester = await make_user(session, role=Role.REQUESTER)
        record = await create(session)
        problem = await create(session, kind=RecordKind.PROBLEM)
    cases: list[tuple[RecordUpdate, str]] = [
        (RecordUpdate(title=" "), "title"),
        (RecordUpdate(title=None), "title"),
        (RecordUpdate(status_id=None), "status_id"),
        (RecordUpdate(status_id=999999), "status_id"),
        (RecordUpdate(priority=None), "priority"),
        (RecordUpdate(priority=9), "priority"),
        (RecordUpdate(assignee_id=requester.id), "assignee_id"),
        (RecordUpdate(service_id=999999), "service_id"),
        (RecordUpdate(cc_emails=["x"]), "cc_emails"),
        (RecordUpdate(risk="High"), "risk"),
        (RecordUpdate(merged_to_id=record.id), "merged_to_id"),
        (RecordUpdate(merged_to_id=problem.id), "merged_to_id"),
    ]
    for data, field in cases:
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.update_record(session, SYSTEM, record.id, data)
        assert info.value.field == field, data
    assert (await fetch(db, record.id)).version == 1
    assert await events(db, "record.updated") == []


async def test_update_unknown_record(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await create(session)
        with pytest.raises(NotFound):
            await service.update_record(session, SYSTEM, 999999, RecordUpdate(title="x"))
        with pytest.raises(NotFound) as info:
            await service.update_record(
                session, SYSTEM, record.id, RecordUpdate(title="x"), kind=RecordKind.CHANGE
            )
        assert "No change found" in info.value.message


async def test_clearing_optional_fields(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session)
        record = await create(
            session,
            assignee_id=tech.id,
            due_date=datetime(2026, 1, 1, tzinfo=UTC),
            tags=["a"],
            description="text",
            source="Email",
        )
    async with db.unit_of_work() as session:
        await service.update_record(
            session,
            SYSTEM,
            record.id,
            RecordUpdate(assignee_id=None, due_date=None, tags=None, description=None, source=None),
        )
    stored = await fetch(db, record.id)
    assert stored.assignee_id is None and stored.due_date is None
    assert stored.tags == [] and stored.description == "" and stored.source == "External"
    (event,) = await events(db, "record.updated")
    assert event.after == {
        "assignee_id": None,
        "due_date": None,
        "tags": [],
        "description": "",
        "source": "External",
    }
    assert event.before is not None and event.before["assignee_id"] == tech.id
    assert event.before["due_date"] == "2026-01-01T00:00:00+00:00"


async def test_status_categories_drive_lifecycle_fields(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session)
        record = await create(session)
        resolved = await status_named(session, "Resolved")
        closed = await status_named(session, "Closed")
        pending = await status_named(session, "Pending")
    actor = actor_for(tech)

    async def set_status(status_id: int) -> Record:
        async with db.unit_of_work() as session:
            return await service.update_record(
                session, actor, record.id, RecordUpdate(status_id=status_id)
            )

    r = await set_status(resolved.id)
    assert r.resolved_at is not None and r.resolved_by_id == tech.id and r.closed_at is None
    resolved_at = r.resolved_at
    r = await set_status(closed.id)
    assert r.closed_at is not None and r.closed_by_id == tech.id
    assert r.resolved_at == resolved_at  # kept
    r = await set_status(resolved.id)
    assert r.resolved_at == resolved_at and r.closed_at is None and r.closed_by_id is None
    r = await set_status(pending.id)
    assert r.resolved_at is None and r.resolved_by_id is None and r.closed_at is None
    stored = await fetch(db, record.id)
    assert stored.status_id == pending.id and stored.resolved_at is None

    updates = await events(db, "record.updated")
    assert updates[0].after is not None
    assert set(updates[0].after) == {"status_id", "resolved_at", "resolved_by_id"}
    assert updates[-1].after == {
        "status_id": pending.id,
        "resolved_at": None,
        "resolved_by_id": None,
    }


async def test_update_detail_fields(db: Database) -> None:
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    async with db.unit_of_work() as session:
        record = await create(
            session,
            kind=RecordKind.CHANGE,
            risk="Low",
            planned_start=start,
            planned_end=start + timedelta(hours=1),
        )
    async with db.unit_of_work() as session:
        updated = await service.update_record(
            session, SYSTEM, record.id, RecordUpdate(risk="High", change_type="Major")
        )
        assert updated.change is not None and updated.change.risk == "High"
        assert updated.version == 2
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.update_record(
                session, SYSTEM, record.id, RecordUpdate(planned_end=start - timedelta(hours=1))
            )
    assert info.value.field == "planned_end"
    async with db.unit_of_work() as session:
        stored = await service.get_record(session, record.id)
        assert stored.change is not None
        assert stored.change.risk == "High" and stored.change.change_type == "Major"
        assert stored.change.planned_end == start + timedelta(hours=1)
        assert stored.version == 2
    (event,) = await events(db, "record.updated")
    assert event.before == {"risk": "Low", "change_type": None}
    assert event.after == {"risk": "High", "change_type": "Major"}


async def test_update_creates_missing_detail_row(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await make_record(session, kind=RecordKind.CHANGE)
    async with db.unit_of_work() as session:
        updated = await service.update_record(
            session, SYSTEM, record.id, RecordUpdate(target_environment="Test")
        )
        assert updated.change is not None and updated.change.target_environment == "Test"
    async with db.unit_of_work() as session:
        detail = await session.get(ChangeDetails, record.id)
        assert detail is not None and detail.target_environment == "Test"


async def test_update_custom_values_and_event(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Customer ref")
        await define(session, "Score", CustomFieldType.NUMBER)
        record = await create(session, custom_fields={"customer_ref": "A"})
    async with db.unit_of_work() as session:
        updated = await service.update_record(
            session,
            SYSTEM,
            record.id,
            RecordUpdate(priority=1, custom_fields={"Customer Ref": "B", "score": "7"}),
        )
        assert updated.version == 2
    async with db.unit_of_work() as session:
        loaded = await service.load_record(session, record.id)
    assert loaded.custom_fields == {"customer_ref": "B", "score": 7}
    (event,) = await events(db, "record.updated")
    assert event.before == {"priority": 3, "custom:customer_ref": "A", "custom:score": None}
    assert event.after == {"priority": 1, "custom:customer_ref": "B", "custom:score": 7}


async def test_custom_only_update_bumps_version(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Ref")
        record = await create(session)
    async with db.unit_of_work() as session:
        updated = await service.update_record(
            session, SYSTEM, record.id, RecordUpdate(custom_fields={"ref": "x"})
        )
    assert updated.version == 2
    (event,) = await events(db, "record.updated")
    assert event.before == {"custom:ref": None} and event.after == {"custom:ref": "x"}


async def test_failed_custom_value_rolls_back_the_whole_update(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Score", CustomFieldType.NUMBER)
        record = await create(session, title="before")
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.update_record(
                session,
                SYSTEM,
                record.id,
                RecordUpdate(title="after", custom_fields={"score": "many"}),
            )
    assert info.value.field == "custom:score"
    stored = await fetch(db, record.id)
    assert stored.title == "before" and stored.version == 1
    assert await events(db, "record.updated") == []
