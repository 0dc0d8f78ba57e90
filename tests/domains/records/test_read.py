"""Reading records: one, many (bounded queries) and filtered, ordered pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from polydesk.core.db import Database
from polydesk.core.enums import (
    CustomFieldType,
    Impact,
    RecordKind,
    Role,
    StatusCategory,
    SupportLevel,
    Urgency,
)
from polydesk.core.errors import NotFound
from polydesk.domains.records import service
from polydesk.domains.records.schemas import RecordQuery, Submitter
from polydesk.domains.watches import service as watches
from polydesk.models import Department, Location, Record, TechnicianGroup
from tests.domains.records.factories import (
    SYSTEM,
    create,
    define,
    sql_statements,
    status_named,
)
from tests.factories import make_service, make_user


async def test_get_record_and_not_found_names_the_kind(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await create(session)
    async with db.unit_of_work() as session:
        assert (await service.get_record(session, record.id)).id == record.id
        assert (await service.get_record(session, record.id, kind=RecordKind.INCIDENT)).id
        with pytest.raises(NotFound) as info:
            await service.get_record(session, record.id, kind=RecordKind.CHANGE)
        assert info.value.message == f"No change found with id {record.id}."
        with pytest.raises(NotFound) as info:
            await service.get_record(session, 424242)
        assert info.value.message == "No record found with id 424242."
        with pytest.raises(NotFound) as info:
            await service.get_record(session, 424242, kind=RecordKind.INCIDENT)
        assert "No incident found" in info.value.message


async def test_load_records_costs_two_queries_whatever_their_number(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Customer ref")
        await define(session, "Score", CustomFieldType.NUMBER)
        await define(session, "Env", kind=RecordKind.CHANGE)
        ids = []
        for n in range(6):
            kind = [RecordKind.INCIDENT, RecordKind.CHANGE, RecordKind.PROBLEM][n % 3]
            custom: dict[str, Any] = (
                {"Customer ref": f"C{n}", "score": n} if kind is RecordKind.INCIDENT else {}
            )
            if kind is RecordKind.CHANGE:
                custom = {"env": "prod"}
            record = await create(session, kind=kind, title=f"r{n}", custom_fields=custom)
            ids.append(record.id)

    async with db.unit_of_work() as session:  # the definitions are cached (core.reference)
        await service.load_records(session, ids)
    for wanted in (ids[:1], ids):
        async with db.unit_of_work() as session:
            with sql_statements(db) as statements:
                loaded = await service.load_records(session, [*reversed(wanted), 999999])
                for item in loaded:  # detail rows are loaded: no lazy query, no error
                    _ = (item.record.change, item.record.release, item.record.problem)
            assert len(statements) == 2
            assert [item.record.id for item in loaded] == list(reversed(wanted))

    by_id = {item.record.id: item for item in loaded}
    assert by_id[ids[0]].custom_fields == {"customer_ref": "C0", "score": 0}
    assert by_id[ids[1]].custom_fields == {"env": "prod"}
    assert by_id[ids[1]].record.change is not None
    assert by_id[ids[2]].record.problem is not None and by_id[ids[2]].custom_fields == {}


async def test_load_record(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Customer ref")
        record = await create(session, custom_fields={"customer_ref": "X1"})
    async with db.unit_of_work() as session:
        loaded = await service.load_record(session, record.id, kind=RecordKind.INCIDENT)
        assert loaded.custom_fields == {"customer_ref": "X1"}
        with pytest.raises(NotFound):
            await service.load_record(session, record.id, kind=RecordKind.REQUEST)


async def _titles(db: Database, **query: Any) -> list[str]:
    async with db.unit_of_work() as session:
        page = await service.list_records(session, RecordQuery(**query))
    return [r.title for r in page.items]


async def test_list_filters(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session)
        other = await make_user(session)
        requester = await make_user(session, role=Role.REQUESTER, email="Req@Example.com")
        svc = await make_service(session)
        svc2 = await make_service(session)
        group = TechnicianGroup(name="Desk", name_key="desk")
        session.add(group)
        await session.flush()
        resolved = await status_named(session, "Resolved")
        pending = await status_named(session, "Pending")
        target = await create(session, title="target", service_id=svc.id, assignee_id=tech.id)
        await create(
            session,
            title="Mail is DOWN",
            description="smtp 100% broken_here",
            requester_id=requester.id,
            status_id=pending.id,
            technician_group_id=group.id,
            priority=1,
        )
        await create(
            session,
            title="Spam offer",
            spam=True,
            service_id=svc2.id,
            submitter_email="rEQ@example.com",
        )
        await create(session, title="merged", merged_to_id=target.id, assignee_id=other.id)
        await create(session, kind=RecordKind.CHANGE, title="change", status_id=resolved.id)
        await create(session, kind=RecordKind.REQUEST, title="request", service_id=svc.id)

    everything = await _titles(db)
    assert len(everything) == 6
    assert await _titles(db, kinds=[RecordKind.CHANGE, RecordKind.REQUEST]) == [
        "change",
        "request",
    ]
    assert await _titles(db, status_ids=[pending.id]) == ["Mail is DOWN"]
    assert await _titles(db, status_categories=[StatusCategory.RESOLVED]) == ["change"]
    assert await _titles(db, status_categories=[StatusCategory.OPEN]) == [
        "target",
        "Spam offer",
        "merged",
        "request",
    ]
    assert await _titles(db, service_ids=[svc.id]) == ["target", "request"]
    assert await _titles(db, assignee_id=tech.id) == ["target"]
    assert await _titles(db, requester_id=requester.id) == ["Mail is DOWN"]
    assert await _titles(db, requester_email="REQ@example.com") == ["Mail is DOWN", "Spam offer"]
    assert await _titles(db, technician_group_id=group.id) == ["Mail is DOWN"]
    assert await _titles(db, priorities=[1]) == ["Mail is DOWN"]
    assert await _titles(db, text="mail is down") == ["Mail is DOWN"]
    assert await _titles(db, text="SMTP") == ["Mail is DOWN"]
    assert await _titles(db, text="100%") == ["Mail is DOWN"]
    assert await _titles(db, text="n_h") == ["Mail is DOWN"]
    assert await _titles(db, text="%") == ["Mail is DOWN"]
    assert await _titles(db, spam=False, kinds=[RecordKind.INCIDENT]) == [
        "target",
        "Mail is DOWN",
        "merged",
    ]
    assert await _titles(db, spam=True) == ["Spam offer"]
    assert await _titles(db, merged=True) == ["merged"]
    assert "merged" not in await _titles(db, merged=False)
    assert await _titles(db, ids=[target.id]) == ["target"]
    assert "target" not in await _titles(db, exclude_ids=[target.id])
    assert await _titles(db, kinds=[RecordKind.INCIDENT], service_ids=[svc.id]) == ["target"]


async def test_submitted_by_matches_the_address_exactly_or_the_requester_without_one(
    db: Database,
) -> None:
    async with db.unit_of_work() as session:
        dana = await make_user(session, role=Role.REQUESTER, email="Dana@Example.com")
        other = await make_user(session, role=Role.REQUESTER)
        await create(session, title="exact", submitter_email="Dana@Example.com")
        await create(session, title="other case", submitter_email="dana@example.com")
        await create(session, title="requester only", requester_id=dana.id)
        await create(
            session,
            title="requester, other submitter",
            requester_id=dana.id,
            submitter_email="someone@example.com",
        )
        await create(session, title="someone else's", requester_id=other.id)

    submitter = Submitter(user_id=dana.id, email="Dana@Example.com")
    assert await _titles(db, submitted_by=submitter) == ["exact", "requester only"]
    async with db.unit_of_work() as session:
        page = await service.list_records(session, RecordQuery(limit=100))
    assert [r.title for r in page.items if service.is_submitted_by(r, submitter)] == [
        "exact",
        "requester only",
    ]
    assert await _titles(db, requester_email="dana@EXAMPLE.com") == [
        "exact",
        "other case",
        "requester only",
        "requester, other submitter",
    ]


async def test_list_filters_by_number_impact_urgency_level_place_and_title(db: Database) -> None:
    async with db.unit_of_work() as session:
        north = Location(name="North", name_key="north")
        it = Department(name="IT", name_key="it")
        session.add_all([north, it])
        await session.flush()
        await create(
            session,
            title="Laptop 10% slow",
            impact=Impact.ON_USER,
            urgency=Urgency.HIGH,
            support_level=SupportLevel.TIER2,
            location_id=north.id,
        )
        await create(session, title="Mail", description="laptop", department_id=it.id)
        await create(session, kind=RecordKind.CHANGE, title="Upgrade")

    assert await _titles(db, numbers=[2], kinds=[RecordKind.INCIDENT]) == ["Mail"]
    assert await _titles(db, numbers=[1]) == ["Laptop 10% slow", "Upgrade"]
    assert await _titles(db, impacts=[Impact.ON_USER, Impact.LOW]) == ["Laptop 10% slow"]
    assert await _titles(db, urgencies=[Urgency.LOW]) == []
    assert await _titles(db, urgencies=[Urgency.HIGH]) == ["Laptop 10% slow"]
    assert await _titles(db, support_levels=[SupportLevel.TIER2]) == ["Laptop 10% slow"]
    assert await _titles(db, location_ids=[north.id]) == ["Laptop 10% slow"]
    assert await _titles(db, department_ids=[it.id]) == ["Mail"]
    assert await _titles(db, title="LAPTOP") == ["Laptop 10% slow"]
    assert await _titles(db, title="0%") == ["Laptop 10% slow"]
    assert await _titles(db, text="laptop") == ["Laptop 10% slow", "Mail"]


async def test_list_time_ranges(db: Database) -> None:
    async with db.unit_of_work() as session:
        old = await create(session, title="old")
        new = await create(session, title="new")
    base = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.unit_of_work() as session:
        for record, days in ((old, 0), (new, 10)):
            stored = await session.get(Record, record.id)
            assert stored is not None
            stored.created_at = base + timedelta(days=days)
            stored.updated_at = base + timedelta(days=days + 1)
    assert await _titles(db, created_from=base + timedelta(days=5)) == ["new"]
    assert await _titles(db, created_to=base + timedelta(days=5)) == ["old"]
    assert await _titles(db, created_to=base) == []
    assert await _titles(db, updated_from=base + timedelta(days=1)) == ["old", "new"]
    assert await _titles(db, updated_to=datetime(2026, 1, 5)) == ["old"]


async def test_list_ordering_paging_and_total(db: Database) -> None:
    async with db.unit_of_work() as session:
        due = datetime(2026, 6, 1, tzinfo=UTC)
        a = await create(session, title="a", priority=2, due_date=due + timedelta(days=2))
        b = await create(session, title="b", priority=1)
        c = await create(session, title="c", priority=2, due_date=due)
        d = await create(session, title="d", priority=5, due_date=due + timedelta(days=1))
    base = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.unit_of_work() as session:
        for record, minutes in ((a, 3), (b, 1), (c, 1), (d, 2)):
            stored = await session.get(Record, record.id)
            assert stored is not None
            stored.created_at = base + timedelta(minutes=minutes)
            stored.updated_at = base + timedelta(minutes=10 - minutes)
            stored.last_active_at = base + timedelta(minutes=minutes * 2)

    assert await _titles(db) == ["a", "b", "c", "d"]
    assert await _titles(db, descending=True) == ["d", "c", "b", "a"]
    # id breaks ties, in the same direction
    assert await _titles(db, order_by="created_at") == ["b", "c", "d", "a"]
    assert await _titles(db, order_by="created_at", descending=True) == ["a", "d", "c", "b"]
    assert await _titles(db, order_by="updated_at") == ["a", "d", "b", "c"]
    assert await _titles(db, order_by="last_active_at", descending=True) == ["a", "d", "c", "b"]
    assert await _titles(db, order_by="priority") == ["b", "a", "c", "d"]
    assert await _titles(db, order_by="priority", descending=True) == ["d", "c", "a", "b"]
    # records without a due date come last either way
    assert await _titles(db, order_by="due_date") == ["c", "d", "a", "b"]
    assert await _titles(db, order_by="due_date", descending=True) == ["a", "d", "c", "b"]

    async with db.unit_of_work() as session:
        with sql_statements(db) as statements:
            page = await service.list_records(
                session, RecordQuery(order_by="created_at", offset=1, limit=2)
            )
        assert len(statements) == 2
        assert [r.title for r in page.items] == ["c", "d"]
        assert (page.total, page.offset, page.limit) == (4, 1, 2)
        beyond = await service.list_records(session, RecordQuery(offset=10, limit=2))
        assert beyond.items == [] and beyond.total == 4


async def test_assignee_or_watcher_lists_assigned_and_watched_records_once(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session)
        other = await make_user(session)
        assigned = await create(session, title="assigned", assignee_id=tech.id)
        both = await create(session, title="both", assignee_id=tech.id)
        watched = await create(session, title="watched", assignee_id=other.id)
        await create(session, title="someone else's", assignee_id=other.id)
        change = await create(session, kind=RecordKind.CHANGE, title="watched change")
        for record in (both, watched, change):
            await watches.add_watch(session, SYSTEM, record_id=record.id, user_id=tech.id)
        await watches.add_watch(session, SYSTEM, record_id=assigned.id, user_id=other.id)
        await watches.add_watch(session, SYSTEM, record_id=both.id, external_email="x@a.example")

    assert await _titles(db, assignee_or_watcher_id=tech.id) == [
        "assigned",
        "both",
        "watched",
        "watched change",
    ]
    assert await _titles(
        db, assignee_or_watcher_id=tech.id, kinds=[RecordKind.INCIDENT], limit=2, offset=1
    ) == ["both", "watched"]
    assert await _titles(db, assignee_or_watcher_id=other.id) == [
        "assigned",
        "watched",
        "someone else's",
    ]

    async with db.unit_of_work() as session:
        with sql_statements(db) as statements:
            page = await service.list_records(
                session, RecordQuery(assignee_or_watcher_id=tech.id, limit=3)
            )
        # Each record counted once however many watches it has, in two statements.
        assert page.total == 4 and len(page.items) == 3
        assert len(statements) == 2
