"""Defining, changing and deleting custom fields."""

from __future__ import annotations

from typing import Any

import pytest

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Channel, CustomFieldType, RecordKind, Role
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.custom_fields import service
from polydesk.domains.custom_fields.schemas import (
    CustomFieldCreate,
    CustomFieldRead,
    CustomFieldUpdate,
)
from polydesk.models import CustomField, CustomFieldValue
from tests.domains.records.factories import SYSTEM, count, create, define, events

TEXT = CustomFieldType.TEXT
LIST = CustomFieldType.LIST
DECIMAL = CustomFieldType.DECIMAL


async def test_define_field_derives_slug_and_label(db: Database) -> None:
    async with db.unit_of_work() as session:
        field = await define(session, "  New Dropdown  ", LIST, choices=[" A ", "B", "1"])
    assert field.name == "New Dropdown" and field.name_key == "new dropdown"
    assert field.slug == "new_dropdown" and field.label == "New Dropdown"
    assert field.choices == ["A", "B", "1"] and field.kind == "incident"
    assert not field.required and not field.staff_only
    read = CustomFieldRead.model_validate(field)
    assert read.field_type is LIST and read.kind is RecordKind.INCIDENT
    (event,) = await events(db, "custom_field.created")
    assert event.object_type == "custom_field" and event.object_id == field.id
    assert event.after is not None
    assert event.after["slug"] == "new_dropdown" and event.after["choices"] == ["A", "B", "1"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Count of WSR Sent", "count_of_wsr_sent"),
        ("Delivery Ticket -- ID!", "delivery_ticket_id"),
        ("Größe (cm)", "grosse_cm"),
        ("Café", "cafe"),
        ("_x_", "x"),
    ],
)
async def test_slug_derivation(db: Database, name: str, slug: str) -> None:
    async with db.unit_of_work() as session:
        field = await define(session, name)
    assert field.slug == slug


async def test_given_slug_and_label(db: Database) -> None:
    async with db.unit_of_work() as session:
        field = await define(
            session,
            "Customer reference",
            slug=" Customer-Ref ",
            label="Your reference",
            help_text="As on the invoice",
            position=3,
            staff_only=True,
            required=True,
            max_length=20,
        )
    assert field.slug == "customer-ref" and field.label == "Your reference"
    assert field.help_text == "As on the invoice" and field.position == 3
    assert field.staff_only and field.required and field.max_length == 20


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"name": "!!!"}, "slug"),
        ({"slug": "bad slug"}, "slug"),
        ({"slug": "_lead"}, "slug"),
        ({"label": "l" * 201}, "label"),
        ({"field_type": LIST}, "choices"),
        ({"field_type": LIST, "choices": []}, "choices"),
        ({"field_type": LIST, "choices": ["a", " "]}, "choices"),
        ({"field_type": LIST, "choices": ["a", "b", " a"]}, "choices"),
        ({"choices": ["a"]}, "choices"),
        ({"field_type": CustomFieldType.NUMBER, "max_length": 5}, "max_length"),
        ({"max_length": 0}, "max_length"),
        ({"decimal_places": 2}, "decimal_places"),
        ({"field_type": DECIMAL, "decimal_places": -1}, "decimal_places"),
        ({"field_type": DECIMAL, "decimal_places": 21}, "decimal_places"),
        ({"field_type": DECIMAL, "decimal_places": 4, "max_length": 3}, "decimal_places"),
    ],
)
async def test_invalid_definitions(db: Database, options: dict[str, Any], field: str) -> None:
    values: dict[str, Any] = {"kind": RecordKind.INCIDENT, "name": "Field", "field_type": TEXT}
    values |= options
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.define_field(session, SYSTEM, CustomFieldCreate(**values))
    assert info.value.field == field
    assert await count(db, CustomField) == 0
    assert await events(db, "custom_field.created") == []


async def test_names_and_slugs_are_unique_per_kind_ignoring_case(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Customer Ref", slug="cref")
        same_name_other_kind = await define(session, "customer ref", kind=RecordKind.CHANGE)
    assert same_name_other_kind.slug == "customer_ref"
    clashes: list[tuple[str, str | None, str]] = [
        ("CUSTOMER  ref", None, "name"),  # the same name, ignoring case and spacing
        ("Other", "CREF", "slug"),  # the same slug
        ("cref", "other", "name"),  # a name equal to another field's slug
        ("Something", "customer ref", "slug"),  # invalid slug is caught first
    ]
    for name, slug, field in clashes:
        with pytest.raises((Conflict, Invalid)) as info:
            async with db.unit_of_work() as session:
                await define(session, name, slug=slug)
        assert info.value.field == field, name
    with pytest.raises(Conflict):  # a slug equal to another field's name key
        async with db.unit_of_work() as session:
            await define(session, "Another", slug="x")
            await define(session, "Third", slug="another")
    assert await count(db, CustomField) == 2


async def test_only_admins_define_fields(db: Database) -> None:
    technician = Actor(user_id=None, role=Role.TECHNICIAN, channel=Channel.WEB)
    async with db.unit_of_work() as session:
        field = await define(session, "Ref")
        with pytest.raises(Forbidden):
            await service.define_field(
                session,
                technician,
                CustomFieldCreate(kind=RecordKind.INCIDENT, name="X", field_type=TEXT),
            )
        with pytest.raises(Forbidden):
            await service.update_field(session, technician, field.id, CustomFieldUpdate(label="y"))
        with pytest.raises(Forbidden):
            await service.delete_field(session, technician, field.id)


async def test_list_and_lookup(db: Database) -> None:
    async with db.unit_of_work() as session:
        second = await define(session, "Second", position=2)
        first = await define(session, "First", position=1, slug="one")
        also_first = await define(session, "Also first", position=1)
        await define(session, "Elsewhere", kind=RecordKind.CHANGE)
    async with db.unit_of_work() as session:
        fields = await service.list_fields(session, RecordKind.INCIDENT)
        assert [f.id for f in fields] == [first.id, also_first.id, second.id]
        for key in ("First", "FIRST", " first ", "one", "ONE"):
            assert (await service.get_field_by_name(session, RecordKind.INCIDENT, key)).id == (
                first.id
            )
        assert (await service.get_field_by_name(session, RecordKind.INCIDENT, "also_first")).id
        with pytest.raises(NotFound):
            await service.get_field_by_name(session, RecordKind.INCIDENT, "Elsewhere")
        with pytest.raises(NotFound):
            await service.get_field(session, 999999)


async def test_update_field(db: Database) -> None:
    async with db.unit_of_work() as session:
        field = await define(session, "Colour", LIST, choices=["Red", "Blue"])
    async with db.unit_of_work() as session:
        updated = await service.update_field(
            session,
            SYSTEM,
            field.id,
            CustomFieldUpdate(name="Color", choices=["Red", "Blue", "Green"], required=True),
        )
    assert updated.name == "Color" and updated.name_key == "color"
    assert updated.slug == "colour"  # machine names stay stable
    assert updated.label == "Colour" and updated.required
    (event,) = await events(db, "custom_field.updated")
    assert event.before == {"name": "Colour", "required": False, "choices": ["Red", "Blue"]}
    assert event.after == {"name": "Color", "required": True, "choices": ["Red", "Blue", "Green"]}

    async with db.unit_of_work() as session:  # no change, no event
        await service.update_field(
            session, SYSTEM, field.id, CustomFieldUpdate(name="Color", position=0)
        )
    assert len(await events(db, "custom_field.updated")) == 1


async def test_update_field_rules(db: Database) -> None:
    async with db.unit_of_work() as session:
        field = await define(session, "Score", CustomFieldType.NUMBER)
        await define(session, "Other")
    cases: list[tuple[CustomFieldUpdate, type[Exception], str]] = [
        (CustomFieldUpdate(name=None), Invalid, "name"),
        (CustomFieldUpdate(name="other"), Conflict, "name"),
        (CustomFieldUpdate(slug="other"), Conflict, "slug"),
        (CustomFieldUpdate(choices=["a"]), Invalid, "choices"),
        (CustomFieldUpdate(field_type=LIST), Invalid, "choices"),
        (CustomFieldUpdate(max_length=3), Invalid, "max_length"),
    ]
    for data, error, name in cases:
        with pytest.raises(error) as info:
            async with db.unit_of_work() as session:
                await service.update_field(session, SYSTEM, field.id, data)
        assert getattr(info.value, "field", None) == name, data
    async with db.unit_of_work() as session:
        changed = await service.update_field(
            session, SYSTEM, field.id, CustomFieldUpdate(field_type=DECIMAL, decimal_places=2)
        )
    assert changed.field_type == "decimal"
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.update_field(session, SYSTEM, 999999, CustomFieldUpdate(label="x"))


async def test_type_cannot_change_while_values_exist(db: Database) -> None:
    async with db.unit_of_work() as session:
        field = await define(session, "Score", CustomFieldType.NUMBER)
        await create(session, custom_fields={"score": 3})
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await service.update_field(
                session, SYSTEM, field.id, CustomFieldUpdate(field_type=TEXT)
            )
    assert info.value.field == "field_type"


async def test_delete_field_deletes_its_values(db: Database) -> None:
    async with db.unit_of_work() as session:
        field = await define(session, "Score", CustomFieldType.NUMBER)
        keep = await define(session, "Keep")
        await create(session, custom_fields={"score": 3, "keep": "k"})
    async with db.unit_of_work() as session:
        await service.delete_field(session, SYSTEM, field.id)
    assert await count(db, CustomField) == 1 and await count(db, CustomFieldValue) == 1
    (event,) = await events(db, "custom_field.deleted")
    assert event.object_id == field.id and event.after is None
    assert event.before is not None and event.before["slug"] == "score"
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.delete_field(session, SYSTEM, field.id)
    assert keep.id
