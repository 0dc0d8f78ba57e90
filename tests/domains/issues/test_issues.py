from __future__ import annotations

import pytest

from polydesk.core.db import Database
from polydesk.core.enums import RecordKind
from polydesk.core.errors import Forbidden, Invalid, NotFound
from polydesk.domains.issues import service
from polydesk.domains.issues.schemas import IssueCreate, IssueUpdate
from polydesk.models import Record, RecordIssue, User
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


async def _record(db: Database, kind: RecordKind = RecordKind.CHANGE) -> Record:
    async with db.unit_of_work() as session:
        return await make_record(session, kind=kind)


async def _technician(db: Database) -> User:
    async with db.unit_of_work() as session:
        return await make_technician(session)


@pytest.mark.parametrize("kind", [RecordKind.CHANGE, RecordKind.RELEASE])
async def test_raise_an_issue_on_a_change_or_release(db: Database, kind: RecordKind) -> None:
    record = await _record(db, kind)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        issue = await service.add_issue(
            session,
            actor_for(technician),
            record.id,
            IssueCreate(title=" Rollback  fails ", description=" On node 2 "),
        )
    assert (issue.title, issue.description, issue.status, issue.user_id) == (
        "Rollback fails",
        "On node 2",
        "open",
        technician.id,
    )
    (event,) = await events(db, "issue.created")
    assert event.record_id == record.id and event.object_id == issue.id
    assert event.after == {
        "record_id": record.id,
        "title": "Rollback fails",
        "description": "On node 2",
        "status": "open",
        "user_id": technician.id,
    }


async def test_stand_alone_issues(db: Database) -> None:
    async with db.unit_of_work() as session:
        issue = await service.add_issue(session, SYSTEM, None, IssueCreate(title="Loose"))
    assert issue.record_id is None and issue.user_id is None
    async with db.unit_of_work() as session:
        assert (await service.get_issue(session, issue.id)).title == "Loose"
        rows, total = await service.list_issues(session)
    assert total == 1 and rows[0].id == issue.id
    (event,) = await events(db, "issue.created")
    assert event.record_id is None


@pytest.mark.parametrize("kind", [RecordKind.INCIDENT, RecordKind.REQUEST, RecordKind.PROBLEM])
async def test_only_changes_and_releases_have_issues(db: Database, kind: RecordKind) -> None:
    record = await _record(db, kind)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_issue(session, SYSTEM, record.id, IssueCreate(title="x"))
    assert info.value.field == "record_id"
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.list_issues(session, record_id=record.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.add_issue(session, SYSTEM, 999999, IssueCreate(title="x"))
    assert await count(db, RecordIssue) == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (IssueCreate(title=""), "title"),
        (IssueCreate(title="x" * 501), "title"),
        (IssueCreate(title="x", status=" "), "status"),
        (IssueCreate(title="x", status="s" * 33), "status"),
        (
            IssueCreate(title="x", description="d" * (service.MAX_DESCRIPTION_LENGTH + 1)),
            "description",
        ),
        (IssueCreate(title="x", user_id=999999), "user_id"),
    ],
)
async def test_fields_are_checked(db: Database, data: IssueCreate, field: str) -> None:
    record = await _record(db)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.add_issue(session, SYSTEM, record.id, data)
    assert info.value.field == field


async def test_update_an_issue(db: Database) -> None:
    record = await _record(db)
    technician = await _technician(db)
    async with db.unit_of_work() as session:
        issue = await service.add_issue(
            session, SYSTEM, record.id, IssueCreate(title="t", user_id=technician.id)
        )
    async with db.unit_of_work() as session:
        await service.update_issue(
            session,
            SYSTEM,
            issue.id,
            IssueUpdate(status="resolved", description="fixed", user_id=None),
            record_id=record.id,
        )
        await service.update_issue(session, SYSTEM, issue.id, IssueUpdate(status="resolved"))
    async with db.unit_of_work() as session:
        stored = await service.get_issue(session, issue.id, record_id=record.id)
    assert (stored.status, stored.description, stored.user_id) == ("resolved", "fixed", None)
    assert stored.updated_at > stored.created_at
    (event,) = await events(db, "issue.updated")
    assert event.record_id == record.id
    assert event.before == {"status": "open", "description": None, "user_id": technician.id}
    assert event.after == {"status": "resolved", "description": "fixed", "user_id": None}
    for data in (IssueUpdate(title=None), IssueUpdate(status=None), IssueUpdate(user_id=999999)):
        with pytest.raises(Invalid):
            async with db.unit_of_work() as session:
                await service.update_issue(session, SYSTEM, issue.id, data)


async def test_delete_and_lookups_under_the_record(db: Database) -> None:
    record = await _record(db)
    other = await _record(db, RecordKind.RELEASE)
    async with db.unit_of_work() as session:
        issue = await service.add_issue(session, SYSTEM, record.id, IssueCreate(title="x"))
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.get_issue(session, issue.id, record_id=other.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.delete_issue(session, SYSTEM, issue.id, record_id=other.id)
    async with db.unit_of_work() as session:
        await service.delete_issue(session, SYSTEM, issue.id, record_id=record.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.get_issue(session, issue.id)
    (event,) = await events(db, "issue.deleted")
    assert event.record_id == record.id and event.before is not None
    assert event.before["title"] == "x"


async def test_only_staff_manage_issues(db: Database) -> None:
    record = await _record(db)
    async with db.unit_of_work() as session:
        requester = await make_requester(session)
        issue = await service.add_issue(session, SYSTEM, record.id, IssueCreate(title="x"))
    actor = actor_for(requester)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.add_issue(session, actor, None, IssueCreate(title="y"))
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.update_issue(session, actor, issue.id, IssueUpdate(title="y"))
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.delete_issue(session, actor, issue.id)
    assert await count(db, RecordIssue) == 1


async def test_lists_and_batch_reads(db: Database) -> None:
    records = [await _record(db) for _ in range(4)]
    async with db.unit_of_work() as session:
        await service.add_issue(session, SYSTEM, None, IssueCreate(title="loose"))
        for n, record in enumerate(records):
            for m in range(n):
                await service.add_issue(session, SYSTEM, record.id, IssueCreate(title=f"{n}.{m}"))
    async with db.unit_of_work() as session:
        rows, total = await service.list_issues(session, record_id=records[3].id, limit=2)
        assert total == 3 and [r.title for r in rows] == ["3.0", "3.1"]
        rows, total = await service.list_issues(session, offset=6)
        assert total == 7 and [r.title for r in rows] == ["3.2"]
        with pytest.raises(Invalid):
            await service.list_issues(session, offset=-1)
    ids = [r.id for r in records]
    for wanted in (ids[:1], ids):
        with sql_statements(db) as statements:
            async with db.unit_of_work() as session:
                grouped = await service.issues_for(session, wanted)
        assert len(statements) == 1
    assert [len(grouped[r.id]) for r in records] == [0, 1, 2, 3]


async def test_a_failed_call_rolls_back_the_whole_unit_of_work(db: Database) -> None:
    record = await _record(db)
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.add_issue(session, SYSTEM, record.id, IssueCreate(title="ok"))
            await service.add_issue(session, SYSTEM, record.id, IssueCreate(title=""))
    assert await count(db, RecordIssue) == 0
    assert await events(db, "issue.created") == []
