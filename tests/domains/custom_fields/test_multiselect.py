"""Multi-choice (``multiselect``) fields: definitions, validation, storage and clearing."""

from __future__ import annotations

from typing import Any

import pytest

from polydesk.core.db import Database
from polydesk.core.enums import CustomFieldType as T
from polydesk.core.errors import Invalid
from polydesk.domains.custom_fields import service
from polydesk.domains.custom_fields.schemas import CleanValue
from polydesk.domains.records import service as records
from polydesk.domains.records.schemas import RecordUpdate
from polydesk.models import CustomField, CustomFieldValue, Record
from tests.domains.records.factories import SYSTEM, count, create, define, events


def multi(choices: list[str]) -> CustomField:
    return CustomField(
        kind="incident",
        name="New Checkbox",
        name_key="new checkbox",
        slug="new_checkbox",
        label="New Checkbox",
        field_type=T.MULTISELECT.value,
        required=False,
        choices=choices,
    )


@pytest.mark.parametrize(
    ("raw", "stored", "typed"),
    [
        (["A", "C"], '["A","C"]', ["A", "C"]),
        (["C", "B"], '["C","B"]', ["C", "B"]),  # order kept
        ([" b ", "a"], '["B","A"]', ["B", "A"]),  # matched ignoring case and spaces
        ("A", '["A"]', ["A"]),  # one choice counts as a list of one
        (("A",), '["A"]', ["A"]),
    ],
)
def test_valid_values(raw: Any, stored: str, typed: list[str]) -> None:
    field = multi(["A", "B", "C"])
    clean = service.validate_value(field, raw)
    assert clean == CleanValue(stored)
    assert service.typed_value(field, clean) == typed


def test_numbers_match_their_choice_text() -> None:
    field = multi(["1", "2"])
    assert service.typed_value(field, service.validate_value(field, [2, 1.0])) == ["2", "1"]


def test_non_ascii_choices_round_trip() -> None:
    field = multi(["Größe", "Ünit"])
    clean = service.validate_value(field, ["ünit", "Größe"])
    assert clean.value_text == '["Ünit","Größe"]'
    assert service.typed_value(field, clean) == ["Ünit", "Größe"]


@pytest.mark.parametrize(
    ("raw", "bad", "expected"),
    [
        (["A", "D"], "D", "'D' is not a valid choice"),
        (["A", None], None, "None is not a valid choice"),
        (["A", ["B"]], ["B"], "['B'] is not a valid choice"),
        (["A", True], True, "True is not a valid choice"),
        ({"A": 1}, {"A": 1}, "is not a valid choice"),
        (["A", "a"], "a", "'a' is given twice"),
        (["B", "B"], "B", "'B' is given twice"),
    ],
)
def test_invalid_values_name_the_field_and_the_item(raw: Any, bad: Any, expected: str) -> None:
    with pytest.raises(Invalid) as info:
        service.validate_value(multi(["A", "B", "C"]), raw)
    assert info.value.field == "custom:new_checkbox"
    assert info.value.value == bad
    assert "'New Checkbox'" in info.value.message and expected in info.value.message


@pytest.mark.parametrize("raw", [[], (), None, "", "  "])
def test_empty_list_and_blank_clear(raw: Any) -> None:
    field = multi(["A"])
    assert service.clears(field, raw)
    with pytest.raises(Invalid, match="needs a value"):
        service.validate_value(field, raw)


def test_an_empty_list_does_not_clear_other_types() -> None:
    text = multi(["A"])
    text.field_type = T.TEXT.value
    text.choices = []
    assert not service.clears(text, [])
    with pytest.raises(Invalid):
        service.validate_value(text, [])


async def test_definition_needs_choices(db: Database) -> None:
    for choices in (None, [], ["A", " A "]):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await define(session, "Tags", T.MULTISELECT, choices=choices)
        assert info.value.field == "choices"
    async with db.unit_of_work() as session:
        field = await define(session, "Tags", T.MULTISELECT, choices=[" A ", "B"])
    assert field.choices == ["A", "B"] and field.field_type == "multiselect"


async def test_store_update_clear_and_events(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "New Multi-Select Dropdown", T.MULTISELECT, choices=["A", "B", "C"])
        record = await create(session, custom_fields={"New Multi-Select Dropdown": ["A", "C"]})
    async with db.unit_of_work() as session:
        values = await service.values_for(session, [record.id])
    assert values[record.id] == {"new_multi_select_dropdown": ["A", "C"]}
    (created,) = await events(db, "record.created")
    assert created.after is not None
    assert created.after["custom:new_multi_select_dropdown"] == ["A", "C"]

    async with db.unit_of_work() as session:  # the same choices change nothing
        await records.update_record(
            session,
            SYSTEM,
            record.id,
            RecordUpdate(custom_fields={"new_multi_select_dropdown": ["a", "c"]}),
        )
    assert await events(db, "record.updated") == []

    async with db.unit_of_work() as session:  # another order is a change
        await records.update_record(
            session,
            SYSTEM,
            record.id,
            RecordUpdate(custom_fields={"new_multi_select_dropdown": ["C", "A", "B"]}),
        )
    async with db.unit_of_work() as session:
        values = await service.values_for(session, [record.id])
    assert values[record.id] == {"new_multi_select_dropdown": ["C", "A", "B"]}
    (updated,) = await events(db, "record.updated")
    assert updated.before == {"custom:new_multi_select_dropdown": ["A", "C"]}
    assert updated.after == {"custom:new_multi_select_dropdown": ["C", "A", "B"]}

    async with db.unit_of_work() as session:
        await records.update_record(
            session,
            SYSTEM,
            record.id,
            RecordUpdate(custom_fields={"new_multi_select_dropdown": []}),
        )
    assert await count(db, CustomFieldValue) == 0
    assert (await events(db, "record.updated"))[-1].after == {
        "custom:new_multi_select_dropdown": None
    }


async def test_a_bad_item_writes_nothing(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Tags", T.MULTISELECT, choices=["A", "B"])
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await create(session, custom_fields={"tags": ["A", "Z"]})
    assert info.value.field == "custom:tags" and info.value.value == "Z"
    assert await count(db, Record) == 0 and await count(db, CustomFieldValue) == 0


async def test_required_multiselect_refuses_an_empty_list(db: Database) -> None:
    async with db.unit_of_work() as session:
        await define(session, "Tags", T.MULTISELECT, choices=["A"], required=True)
    with pytest.raises(Invalid, match="is required"):
        async with db.unit_of_work() as session:
            await create(session, custom_fields={"tags": []})
    assert await count(db, Record) == 0
