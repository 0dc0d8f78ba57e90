"""Resolve, close, reopen, merge and delete: their rules and their events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from polydesk.core.db import Database
from polydesk.core.enums import RecordKind
from polydesk.core.errors import Conflict, Invalid, NotFound
from polydesk.domains.records import service
from polydesk.models import (
    ChangeDetails,
    CustomFieldValue,
    Note,
    Record,
    Status,
)
from tests.domains.records.factories import (
    SYSTEM,
    actor_for,
    count,
    create,
    define,
    events,
    fetch,
    status_named,
)
from tests.factories import make_user


async def test_resolve_sets_status_resolution_and_stamps(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session)
        record = await create(session)
        resolved = await status_named(session, "Resolved")
        opened = record.status_id
    async with db.unit_of_work() as session:
        result = await service.resolve_record(
            session, actor_for(tech), record.id, resolution="Replaced the toner"
        )
    assert result.status_id == resolved.id and result.version == 2
    stored = await fetch(db, record.id)
    assert stored.status_id == resolved.id and stored.resolution == "Replaced the toner"
    assert stored.resolved_by_id == tech.id and stored.resolved_at is not None
    (event,) = await events(db, "record.resolved")
    assert event.before == {
        "status_id": opened,
        "resolved_at": None,
        "resolved_by_id": None,
        "resolution": None,
    }
    assert event.after is not None and event.after["status_id"] == resolved.id
    assert event.after["resolution"] == "Replaced the toner"


async def test_resolve_with_given_time_and_status(db: Database) -> None:
    async with db.unit_of_work() as session:
        custom = Status(name="Fixed", name_key="fixed", category="resolved", position=9)
        open_status = await status_named(session, "Open")
        session.add(custom)
        await session.flush()
        record = await create(session)
    when = datetime(2026, 3, 1, 12, 0)
    async with db.unit_of_work() as session:
        await service.resolve_record(
            session, SYSTEM, record.id, resolved_at=when, status_id=custom.id
        )
    stored = await fetch(db, record.id)
    assert stored.status_id == custom.id and stored.resolved_at == when.replace(tzinfo=UTC)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            other = await create(session)
            await service.resolve_record(session, SYSTEM, other.id, status_id=open_status.id)
    assert info.value.field == "status_id"


@pytest.mark.parametrize("state", ["Resolved", "Closed"])
async def test_resolve_refused_when_resolved_or_closed(db: Database, state: str) -> None:
    async with db.unit_of_work() as session:
        status = await status_named(session, state)
        record = await create(session, status_id=status.id)
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.resolve_record(session, SYSTEM, record.id)
    assert await events(db, "record.resolved") == []


async def test_close_from_open_and_from_resolved(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session)
        first = await create(session)
        second = await create(session)
        closed = await status_named(session, "Closed")
    async with db.unit_of_work() as session:
        await service.resolve_record(session, SYSTEM, second.id)
    async with db.unit_of_work() as session:
        await service.close_record(
            session, actor_for(tech), first.id, closure_code="0", closure_comment="Done"
        )
        await service.close_record(session, actor_for(tech), second.id)
    one, two = await fetch(db, first.id), await fetch(db, second.id)
    assert one.status_id == closed.id and one.closure_code == "0" and one.closure_comment == "Done"
    assert one.closed_by_id == tech.id and one.closed_at is not None and one.resolved_at is None
    assert two.status_id == closed.id and two.resolved_at is not None and two.closed_at is not None
    closes = await events(db, "record.closed")
    assert len(closes) == 2
    assert closes[0].after is not None and closes[0].after["closure_code"] == "0"


async def test_close_refused_when_closed_and_status_must_be_closed(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await create(session)
        pending = await status_named(session, "Pending")
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.close_record(session, SYSTEM, record.id, status_id=pending.id)
    async with db.unit_of_work() as session:
        await service.close_record(session, SYSTEM, record.id, closed_at=datetime(2026, 1, 2))
    assert (await fetch(db, record.id)).closed_at == datetime(2026, 1, 2, tzinfo=UTC)
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.close_record(session, SYSTEM, record.id)
    assert len(await events(db, "record.closed")) == 1


async def test_reopen_goes_to_reopened_and_clears_stamps(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await create(session)
        reopened = await status_named(session, "Reopened")
    async with db.unit_of_work() as session:
        await service.resolve_record(session, SYSTEM, record.id, resolution="Fixed")
        await service.close_record(session, SYSTEM, record.id, closure_code="0")
    async with db.unit_of_work() as session:
        result = await service.reopen_record(session, SYSTEM, record.id)
    assert result.version == 4
    stored = await fetch(db, record.id)
    assert stored.status_id == reopened.id
    assert stored.resolved_at is None and stored.closed_at is None
    assert stored.resolved_by_id is None and stored.closed_by_id is None
    assert stored.closure_code is None and stored.resolution == "Fixed"
    (event,) = await events(db, "record.reopened")
    assert event.after is not None
    assert set(event.after) == {"status_id", "resolved_at", "closed_at", "closure_code"}


async def test_reopen_without_reopened_status_uses_the_default(db: Database) -> None:
    async with db.unit_of_work() as session:
        reopened = await status_named(session, "Reopened")
        await session.delete(reopened)
        record = await create(session)
        default = record.status_id
    async with db.unit_of_work() as session:
        await service.resolve_record(session, SYSTEM, record.id)
        await service.reopen_record(session, SYSTEM, record.id)
    assert (await fetch(db, record.id)).status_id == default


async def test_reopen_only_from_resolved_or_closed(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await create(session)
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.reopen_record(session, SYSTEM, record.id)
    assert await events(db, "record.reopened") == []


async def test_merge(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session)
        source = await create(session, title="dup")
        target = await create(session, title="main")
        duplicate = await status_named(session, "Duplicate")
    async with db.unit_of_work() as session:
        merged = await service.merge_record(session, actor_for(tech), source.id, target.id)
    assert merged.merged_to_id == target.id
    src, tgt = await fetch(db, source.id), await fetch(db, target.id)
    assert src.merged_to_id == target.id and src.status_id == duplicate.id
    assert src.closed_at is not None and src.closed_by_id == tech.id and src.version == 2
    assert tgt.version == 1 and tgt.title == "main" and tgt.status_id == target.status_id
    assert tgt.updated_at == target.updated_at and tgt.last_active_at > target.last_active_at
    (event,) = await events(db, "record.merged")
    assert event.object_id == source.id and event.record_id == source.id
    assert event.after is not None and event.after["merged_to_id"] == target.id
    assert event.after["status_id"] == duplicate.id
    assert event.before is not None and event.before["merged_to_id"] is None

    with pytest.raises(Conflict):  # an already merged source
        async with db.unit_of_work() as session:
            other = await create(session)
            await service.merge_record(session, SYSTEM, source.id, other.id)
    with pytest.raises(Conflict):  # into a merged record
        async with db.unit_of_work() as session:
            other = await create(session)
            await service.merge_record(session, SYSTEM, other.id, source.id)
    with pytest.raises(Conflict):  # a merged record is not reopened
        async with db.unit_of_work() as session:
            await service.reopen_record(session, SYSTEM, source.id)
    assert len(await events(db, "record.merged")) == 1


async def test_merge_rules(db: Database) -> None:
    async with db.unit_of_work() as session:
        incident = await create(session)
        problem = await create(session, kind=RecordKind.PROBLEM)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.merge_record(session, SYSTEM, incident.id, incident.id)
    assert info.value.field == "target_id"
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.merge_record(session, SYSTEM, incident.id, problem.id)
    assert info.value.field == "target_id" and "problem" in info.value.message
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.merge_record(session, SYSTEM, incident.id, 999999)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.merge_record(session, SYSTEM, 999999, incident.id)
    stored = await fetch(db, incident.id)
    assert stored.merged_to_id is None and stored.version == 1
    assert await events(db, "record.merged") == []


async def test_merge_keeps_an_earlier_closed_at(db: Database) -> None:
    async with db.unit_of_work() as session:
        source = await create(session)
        target = await create(session)
    async with db.unit_of_work() as session:
        await service.close_record(session, SYSTEM, source.id, closed_at=datetime(2026, 1, 1))
    async with db.unit_of_work() as session:
        await service.merge_record(session, SYSTEM, source.id, target.id)
    assert (await fetch(db, source.id)).closed_at == datetime(2026, 1, 1, tzinfo=UTC)


async def test_delete_removes_everything_and_keeps_values_in_the_event(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Env", kind=RecordKind.CHANGE)
        record = await create(
            session, kind=RecordKind.CHANGE, title="Gone", risk="Low", custom_fields={"env": "x"}
        )
        merged = await create(session, kind=RecordKind.CHANGE, merged_to_id=record.id)
        session.add(Note(record_id=record.id, note_type="comment", body="hi"))
    async with db.unit_of_work() as session:
        await service.delete_record(session, SYSTEM, record.id)
    assert await count(db, ChangeDetails) == 1  # the merged one's
    assert await count(db, CustomFieldValue) == 0 and await count(db, Note) == 0
    assert await count(db, Record) == 1
    assert (await fetch(db, merged.id)).merged_to_id is None
    with pytest.raises(NotFound):
        await fetch(db, record.id)
    (event,) = await events(db, "record.deleted")
    assert event.object_id == record.id and event.record_id == record.id and event.after is None
    assert event.before is not None
    assert event.before["title"] == "Gone" and event.before["risk"] == "Low"
    assert event.before["kind"] == "change" and event.before["custom:env"] == "x"
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.delete_record(session, SYSTEM, record.id)


async def test_transitions_honour_expected_version(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await create(session)
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.resolve_record(session, SYSTEM, record.id, expected_version=2)
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.delete_record(session, SYSTEM, record.id, expected_version=3)
    async with db.unit_of_work() as session:
        await service.resolve_record(session, SYSTEM, record.id, expected_version=1)
    assert (await fetch(db, record.id)).version == 2
