from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import (
    Channel,
    CustomFieldType,
    Impact,
    RecordKind,
    Role,
    StatusCategory,
    SupportLevel,
    Urgency,
)
from polydesk.core.errors import Conflict, Invalid
from polydesk.domains.catalog import service as catalog
from polydesk.domains.catalog.schemas import StatusCreate, StatusUpdate
from polydesk.domains.records import service
from polydesk.domains.records.schemas import RecordCreate
from polydesk.models import (
    Category,
    ChangeDetails,
    Company,
    Department,
    Location,
    ProblemDetails,
    Record,
    ReleaseDetails,
    ServiceActivityType,
    TechnicianGroup,
)
from tests.domains.records.factories import (
    SYSTEM,
    actor_for,
    count,
    create,
    define,
    events,
    fetch,
    is_postgres,
    status_named,
)
from tests.factories import default_status, make_service, make_user


async def test_create_incident_with_defaults(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session)
        actor = actor_for(tech, Channel.SERVICEOPS)
        record = await create(session, actor, title="  Printer on fire  ")
        default = await default_status(session)
    assert record.id > 0 and record.number == 1
    assert record.kind == "incident" and record.title == "Printer on fire"
    assert record.status_id == default.id
    assert record.priority == 3 and record.source == "External"
    assert record.description == "" and record.tags == [] and record.cc_emails == []
    assert not record.spam and not record.on_hold and record.version == 1
    assert record.created_by_id == tech.id and record.updated_by_id == tech.id
    assert record.created_at == record.updated_at == record.last_active_at
    assert record.created_at.tzinfo is not None
    assert record.resolved_at is None and record.closed_at is None
    assert record.change is None and record.release is None and record.problem is None

    stored = await fetch(db, record.id)
    assert stored.title == "Printer on fire" and stored.number == 1

    (event,) = await events(db, "record.created")
    assert event.object_type == "record" and event.object_id == record.id
    assert event.record_id == record.id and event.actor_id == tech.id
    assert event.channel == "serviceops" and event.before is None
    assert event.after is not None
    assert event.after["kind"] == "incident" and event.after["number"] == 1
    assert event.after["title"] == "Printer on fire"
    assert event.after["status_id"] == default.id and event.after["priority"] == 3
    assert "resolved_at" not in event.after


async def test_create_with_every_reference_and_field(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session)
        requester = await make_user(session, role=Role.REQUESTER)
        owner = await make_user(session)
        svc = await make_service(session)
        category = Category(name="Hardware", name_key="hardware", service_id=svc.id)
        activity = ServiceActivityType(service_id=svc.id, name="Incident", name_key="incident")
        group = TechnicianGroup(name="Desk", name_key="desk")
        company = Company(name="Acme", name_key="acme")
        location = Location(name="Ahmedabad", name_key="ahmedabad")
        department = Department(name="IT", name_key="it")
        session.add_all([category, activity, group, company, location, department])
        await session.flush()
        pending = await status_named(session, "Pending")
        due = datetime(2026, 12, 1, 10, 0)
        record = await create(
            session,
            actor_for(tech),
            title="Need a keyboard",
            description="Wireless please",
            status_id=pending.id,
            priority=1,
            impact=Impact.ON_USER,
            urgency=Urgency.HIGH,
            support_level=SupportLevel.TIER2,
            category_id=category.id,
            service_id=svc.id,
            activity_type_id=activity.id,
            requester_id=requester.id,
            submitter_email=" Tim@Example.COM ",
            assignee_id=tech.id,
            technician_group_id=group.id,
            owner_id=owner.id,
            company_id=company.id,
            location_id=location.id,
            department_id=department.id,
            source="Email",
            spam=True,
            on_hold=True,
            due_date=due,
            tags=[" mouse ", "keyboard", "mouse", "vpn"],
            cc_emails=["A@Example.com", "b@example.com", "a@example.com"],
        )
    stored = await fetch(db, record.id)
    assert stored.status_id == pending.id and stored.priority == 1
    assert (stored.impact, stored.urgency, stored.support_level) == ("on_user", "high", "tier2")
    assert stored.category_id == category.id and stored.activity_type_id == activity.id
    assert stored.requester_id == requester.id and stored.assignee_id == tech.id
    assert stored.owner_id == owner.id and stored.technician_group_id == group.id
    assert stored.company_id == company.id and stored.location_id == location.id
    assert stored.department_id == department.id and stored.service_id == svc.id
    assert stored.submitter_email == "Tim@Example.COM"
    assert stored.source == "Email" and stored.spam and stored.on_hold
    assert stored.due_date == due.replace(tzinfo=UTC)
    assert stored.tags == ["mouse", "keyboard", "vpn"]
    assert stored.cc_emails == ["A@Example.com", "b@example.com"]


@pytest.mark.parametrize(
    "field",
    [
        "status_id",
        "service_id",
        "category_id",
        "activity_type_id",
        "requester_id",
        "assignee_id",
        "technician_group_id",
        "owner_id",
        "company_id",
        "location_id",
        "department_id",
        "merged_to_id",
    ],
)
async def test_unknown_reference_is_invalid_and_writes_nothing(db: Database, field: str) -> None:
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            fields: dict[str, Any] = {field: 987654}
            await create(session, **fields)
    assert info.value.field == field
    assert "987654" in info.value.message
    assert await count(db, Record) == 0
    assert await events(db, "record.created") == []


@pytest.mark.parametrize(
    ("role", "active"), [(Role.REQUESTER, True), (Role.TECHNICIAN, False), (Role.ADMIN, False)]
)
async def test_assignee_must_be_active_staff(db: Database, role: Role, active: bool) -> None:
    async with db.unit_of_work() as session:
        user = await make_user(session, role=role)
        user.is_active = active
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await create(session, assignee_id=user.id)
    assert info.value.field == "assignee_id"
    assert "active technician or administrator" in info.value.message


async def test_admin_can_be_assignee(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_user(session, role=Role.ADMIN)
        record = await create(session, assignee_id=admin.id)
    assert record.assignee_id == admin.id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"priority": 0}, "priority"),
        ({"priority": 6}, "priority"),
        ({"tags": ["ok", "  "]}, "tags"),
        ({"tags": ["x" * 101]}, "tags"),
        ({"cc_emails": ["not-an-address"]}, "cc_emails"),
        ({"submitter_email": "nobody"}, "submitter_email"),
        ({"source": "s" * 65}, "source"),
        ({"closure_code": "c" * 101}, "closure_code"),
    ],
)
async def test_invalid_fields(db: Database, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await create(session, **fields)
    assert info.value.field == field
    assert await count(db, Record) == 0


async def test_title_of_500_characters_is_accepted(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await create(session, title="t" * 500)
    assert len(record.title) == 500


async def test_unknown_enum_values_are_refused_by_the_schema() -> None:
    with pytest.raises(ValidationError):
        RecordCreate.model_validate({"kind": "ticket", "title": "x"})
    with pytest.raises(ValidationError):
        RecordCreate.model_validate({"kind": "incident", "title": "x", "impact": "huge"})
    with pytest.raises(ValidationError):
        RecordCreate.model_validate({"kind": "incident", "title": "x", "colour": "red"})


async def test_create_change_with_details(db: Database) -> None:
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    async with db.unit_of_work() as session:
        record = await create(
            session,
            kind=RecordKind.CHANGE,
            title="Upgrade the mail server",
            risk="Low",
            change_type="Standard",
            target_environment="Production",
            planned_start=start,
            planned_end=start + timedelta(hours=2),
        )
    assert isinstance(record.change, ChangeDetails)
    async with db.unit_of_work() as session:
        stored = await service.get_record(session, record.id, kind=RecordKind.CHANGE)
        assert stored.change is not None
        assert stored.change.risk == "Low" and stored.change.change_type == "Standard"
        assert stored.change.target_environment == "Production"
        assert stored.change.planned_start == start
        assert stored.change.planned_end == start + timedelta(hours=2)
    (event,) = await events(db, "record.created")
    assert event.after is not None and event.after["risk"] == "Low"
    assert event.after["planned_start"] == start.isoformat()


async def test_create_release_and_problem_with_details(db: Database) -> None:
    async with db.unit_of_work() as session:
        release = await create(
            session,
            kind=RecordKind.RELEASE,
            release_type="Minor",
            planned_start=datetime(2026, 12, 1, 8, 0),
        )
        problem = await create(
            session,
            kind=RecordKind.PROBLEM,
            root_cause="Bad cable",
            workaround="Wiggle it",
            known_error=True,
        )
    assert isinstance(release.release, ReleaseDetails) and release.release.release_type == "Minor"
    assert release.release.planned_start == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert isinstance(problem.problem, ProblemDetails)
    assert problem.problem.root_cause == "Bad cable" and problem.problem.known_error


async def test_detail_row_exists_even_without_detail_fields(db: Database) -> None:
    async with db.unit_of_work() as session:
        change = await create(session, kind=RecordKind.CHANGE)
    assert await count(db, ChangeDetails) == 1
    assert change.change is not None and change.change.risk is None


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        (RecordKind.INCIDENT, {"risk": "High"}, "risk"),
        (RecordKind.REQUEST, {"planned_start": datetime(2026, 1, 1, tzinfo=UTC)}, "planned_start"),
        (RecordKind.PROBLEM, {"change_type": "Major"}, "change_type"),
        (RecordKind.CHANGE, {"root_cause": "x"}, "root_cause"),
        (RecordKind.RELEASE, {"target_environment": "Test"}, "target_environment"),
        (RecordKind.CHANGE, {"release_type": "Major"}, "release_type"),
        (RecordKind.INCIDENT, {"known_error": True}, "known_error"),
    ],
)
async def test_detail_field_of_another_kind_is_invalid(
    db: Database, kind: RecordKind, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await create(session, kind=kind, **fields)
    assert info.value.field == field
    assert "applies only to" in info.value.message
    assert await count(db, Record) == 0


async def test_detail_field_of_another_kind_given_empty_is_ignored(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await create(session, risk=None, planned_start=None)
    assert record.change is None


@pytest.mark.parametrize("kind", [RecordKind.CHANGE, RecordKind.RELEASE])
async def test_planned_end_not_before_start(db: Database, kind: RecordKind) -> None:
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await create(
                session, kind=kind, planned_start=start, planned_end=start - timedelta(minutes=1)
            )
    assert info.value.field == "planned_end"
    async with db.unit_of_work() as session:
        same = await create(session, kind=kind, planned_start=start, planned_end=start)
    assert same.id


async def test_create_in_resolved_or_closed_status_stamps_lifecycle(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session)
        resolved = await status_named(session, "Resolved")
        closed = await status_named(session, "Closed")
        first = await create(session, actor_for(tech), status_id=resolved.id)
        second = await create(session, actor_for(tech), status_id=closed.id)
    assert first.resolved_at is not None and first.resolved_by_id == tech.id
    assert first.closed_at is None
    assert second.closed_at is not None and second.closed_by_id == tech.id
    assert second.resolved_at is None


async def test_created_merged_record_must_target_same_kind(db: Database) -> None:
    async with db.unit_of_work() as session:
        target = await create(session)
        problem = await create(session, kind=RecordKind.PROBLEM)
        merged = await create(session, merged_to_id=target.id)
    assert merged.merged_to_id == target.id
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await create(session, merged_to_id=problem.id)
    assert info.value.field == "merged_to_id"


async def test_system_actor_creates_without_user(db: Database) -> None:
    async with db.unit_of_work() as session:
        record = await create(session, Actor.system())
    assert record.created_by_id is None
    (event,) = await events(db, "record.created")
    assert event.actor_id is None and event.channel == "system"


async def test_numbers_count_per_kind_and_ids_share_one_sequence(db: Database) -> None:
    async with db.unit_of_work() as session:
        inc1 = await create(session)
        req1 = await create(session, kind=RecordKind.REQUEST)
        inc2 = await create(session)
        chg1 = await create(session, kind=RecordKind.CHANGE)
    assert (inc1.number, inc2.number, req1.number, chg1.number) == (1, 2, 1, 1)
    assert len({inc1.id, req1.id, inc2.id, chg1.id}) == 4
    assert inc1.id < req1.id < inc2.id < chg1.id


async def test_counter_starts_after_numbers_already_in_use(db: Database) -> None:
    """SQLite creates a kind's counter row on first use, after the numbers already there
    (PostgreSQL's sequences start after them when migration 0004 creates them)."""
    if is_postgres(db):
        pytest.skip("PostgreSQL numbers come from sequences")
    async with db.unit_of_work() as session:
        for number in (1, 2):
            status = await status_named(session, "Open")
            session.add(Record(kind="incident", number=number, title="old", status_id=status.id))
        await session.flush()
        record = await create(session, SYSTEM)
    assert record.number == 3


async def _changed_by_another_process(db: Database, *statements: str) -> None:
    """Statements run on an engine of their own: the reference cache of ``db`` does not hear
    of them, as it would not hear of another worker's changes before they expire."""
    other = create_async_engine(db.settings.resolved_database_url)
    try:
        async with other.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await other.dispose()


async def test_a_default_status_removed_by_another_process_is_a_conflict(db: Database) -> None:
    async with db.unit_of_work() as session:
        old = await default_status(session)
        replacement = await catalog.create_status(
            session, SYSTEM, StatusCreate(name="New", category=StatusCategory.OPEN)
        )
    async with db.unit_of_work() as session:
        await catalog.list_statuses(session)  # the statuses, cached with "Open" the default
    await _changed_by_another_process(
        db,
        f"UPDATE status SET is_default = (id = {replacement.id})",
        f"DELETE FROM status WHERE id = {old.id}",
    )
    with pytest.raises(Conflict, match="removed meanwhile"):
        async with db.unit_of_work() as session:
            await create(session)
    assert await count(db, Record) == 0 and await events(db, "record.created") == []


async def test_a_creation_takes_the_default_status_and_required_fields_as_read(
    db: Database,
) -> None:
    """The definitions a creation applies by itself come from the reference cache: one
    statement fewer each, and what this process changes is seen at once."""
    async with db.unit_of_work() as session:
        first = await create(session)
    async with db.unit_of_work() as session:
        moved = await catalog.create_status(
            session, SYSTEM, StatusCreate(name="New", category=StatusCategory.OPEN)
        )
        await catalog.update_status(session, SYSTEM, moved.id, StatusUpdate(is_default=True))
    async with db.unit_of_work() as session:
        await define(session, "Asset tag", CustomFieldType.TEXT, required=True)
    with pytest.raises(Invalid, match="Asset tag"):
        async with db.unit_of_work() as session:
            await create(session)
    async with db.unit_of_work() as session:
        second = await create(session, custom_fields={"asset_tag": "A-1"})
    assert second.status_id == moved.id != first.status_id


async def test_a_service_removed_by_another_process_is_a_conflict(db: Database) -> None:
    async with db.unit_of_work() as session:
        service = await make_service(session, name="Gone soon")
    async with db.unit_of_work() as session:
        assert await catalog.service_exists(session, service.id)  # now in the cache
    await _changed_by_another_process(db, f"DELETE FROM service WHERE id = {service.id}")
    with pytest.raises(Conflict, match="removed meanwhile"):
        async with db.unit_of_work() as session:
            await create(session, service_id=service.id)
    assert await count(db, Record) == 0 and await events(db, "record.created") == []
    # A service the cache does not hold is looked up: an unknown one is invalid.
    with pytest.raises(Invalid, match="No service"):
        async with db.unit_of_work() as session:
            await create(session, service_id=service.id + 1000)
