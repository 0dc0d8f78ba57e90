"""Storing values on records: keys, clearing, required and staff-only fields, reading back."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from polydesk.core.db import Database
from polydesk.core.enums import CustomFieldType as T
from polydesk.core.enums import RecordKind, Role
from polydesk.core.errors import Forbidden, Invalid
from polydesk.domains.custom_fields import service
from polydesk.domains.records import service as records
from polydesk.domains.records.schemas import RecordUpdate
from polydesk.models import CustomFieldValue, Record
from tests.domains.records.factories import (
    SYSTEM,
    actor_for,
    count,
    create,
    define,
    events,
    sql_statements,
)
from tests.factories import make_record, make_user


async def test_create_record_with_values_of_every_type(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "New Text Input")
        await define(session, "New Number", T.NUMBER)
        await define(session, "Amount", T.DECIMAL, decimal_places=2)
        await define(session, "New Dropdown", T.LIST, choices=["1", "2"])
        await define(session, "Flag", T.BOOLEAN)
        await define(session, "Seen on", T.DATE)
        await define(session, "New Datetime", T.DATETIME)
        record = await create(
            session,
            custom_fields={
                "New Text Input": "111",
                "new number": 110,
                "AMOUNT": "3.1",
                "new_dropdown": 1,
                "flag": "true",
                "seen_on": "2026-11-01",
                "New Datetime": "2026-07-15T13:04:00Z",
            },
        )
    async with db.unit_of_work() as session:
        values = await service.values_for(session, [record.id])
    assert values[record.id] == {
        "new_text_input": "111",
        "new_number": 110,
        "amount": Decimal("3.10"),
        "new_dropdown": "1",
        "flag": True,
        "seen_on": date(2026, 11, 1),
        "new_datetime": datetime(2026, 7, 15, 13, 4, tzinfo=UTC),
    }
    assert await count(db, CustomFieldValue) == 7
    (event,) = await events(db, "record.created")
    assert event.after is not None
    assert event.after["custom:amount"] == "3.10"
    assert event.after["custom:flag"] is True
    assert event.after["custom:new_datetime"] == "2026-07-15T13:04:00+00:00"


async def test_unknown_key_is_invalid_and_nothing_is_written(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Ref")
        await define(session, "Env", kind=RecordKind.CHANGE)
    for key in ("nope", "env"):  # env belongs to changes
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await create(session, custom_fields={"ref": "x", key: "y"})
        assert info.value.field == f"custom:{key}" and repr(key) in info.value.message
    assert await count(db, Record) == 0 and await count(db, CustomFieldValue) == 0


async def test_same_field_twice_is_invalid(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Customer Ref")
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await create(session, custom_fields={"Customer Ref": "a", "customer_ref": "b"})
    assert "given twice" in info.value.message


async def test_required_fields_on_create(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Ref", required=True)
        await define(session, "Change only", required=True, kind=RecordKind.CHANGE)
    for custom in (None, {}, {"ref": None}, {"ref": "  "}):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await create(session, custom_fields=custom)
        assert info.value.field == "custom:ref" and "required" in info.value.message
    assert await count(db, Record) == 0
    assert await events(db, "record.created") == []
    async with db.unit_of_work() as session:
        record = await create(session, custom_fields={"ref": "R1"})
    # On SQLite the failed attempts gave their numbers back; PostgreSQL's sequence does not.
    assert record.number == (5 if db.engine.dialect.name == "postgresql" else 1)


async def test_required_value_cannot_be_cleared_but_can_change(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Ref", required=True)
        record = await create(session, custom_fields={"ref": "R1"})
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await records.update_record(
                session, SYSTEM, record.id, RecordUpdate(custom_fields={"ref": None})
            )
    async with db.unit_of_work() as session:
        await records.update_record(
            session, SYSTEM, record.id, RecordUpdate(custom_fields={"ref": "R2"})
        )
        assert (await service.values_for(session, [record.id]))[record.id] == {"ref": "R2"}


async def test_none_and_blank_clear_a_value(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Ref")
        await define(session, "Score", T.NUMBER)
        record = await create(session, custom_fields={"ref": "x", "score": 1})
    async with db.unit_of_work() as session:
        await records.update_record(
            session, SYSTEM, record.id, RecordUpdate(custom_fields={"ref": None, "score": ""})
        )
    assert await count(db, CustomFieldValue) == 0
    (event,) = await events(db, "record.updated")
    assert event.before == {"custom:ref": "x", "custom:score": 1}
    assert event.after == {"custom:ref": None, "custom:score": None}
    async with db.unit_of_work() as session:  # clearing what is not set changes nothing
        await records.update_record(
            session, SYSTEM, record.id, RecordUpdate(custom_fields={"ref": None})
        )
    assert len(await events(db, "record.updated")) == 1


async def test_staff_only_fields(db: Database) -> None:
    async with db.unit_of_work() as session:
        requester = await make_user(session, role=Role.REQUESTER)
        tech = await make_user(session, role=Role.TECHNICIAN)
        await define(session, "Internal score", T.NUMBER, staff_only=True, required=True)
        await define(session, "Public")
    with pytest.raises(Forbidden) as info:
        async with db.unit_of_work() as session:
            await create(session, actor_for(requester), custom_fields={"internal score": 3})
    assert info.value.field == "custom:internal_score"
    async with db.unit_of_work() as session:
        # a required staff-only field is not asked of a requester
        by_requester = await create(session, actor_for(requester), custom_fields={"public": "p"})
        by_staff = await create(session, actor_for(tech), custom_fields={"internal_score": 3})
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await create(session, actor_for(tech))
    async with db.unit_of_work() as session:
        everything = await service.values_for(session, [by_requester.id, by_staff.id])
        public = await service.values_for(
            session, [by_requester.id, by_staff.id], include_staff_only=False
        )
    assert everything == {by_requester.id: {"public": "p"}, by_staff.id: {"internal_score": 3}}
    assert public == {by_requester.id: {"public": "p"}, by_staff.id: {}}


async def test_set_values_directly_returns_changes(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Ref")
        record = await make_record(session)
        changes = await service.set_values(session, SYSTEM, record, {"REF": "a"}, creating=False)
        assert changes.before == {"custom:ref": None} and changes.after == {"custom:ref": "a"}
        again = await service.set_values(session, SYSTEM, record, {"ref": "a"}, creating=False)
        assert not again


async def test_values_for_is_one_query_with_the_definitions_cached(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Ref")
        await define(session, "Score", T.NUMBER)
        ids = [
            (await create(session, custom_fields={"ref": f"r{n}", "score": n})).id for n in range(5)
        ]
    async with db.unit_of_work() as session:
        with sql_statements(db) as statements:
            values = await service.values_for(session, [*ids, 999999])
        # The values, and the definitions once (core.reference); then the values alone.
        assert len(statements) == 2
        with sql_statements(db) as statements:
            assert await service.values_for(session, [*ids, 999999]) == values
        assert len(statements) == 1
        with sql_statements(db) as statements:
            assert await service.values_for(session, []) == {}
        assert statements == []
    assert values[ids[3]] == {"ref": "r3", "score": 3}
    assert values[999999] == {}


async def test_deleting_a_record_deletes_its_values(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Ref")
        record = await create(session, custom_fields={"ref": "x"})
    async with db.unit_of_work() as session:
        await records.delete_record(session, SYSTEM, record.id)
    assert await count(db, CustomFieldValue) == 0
