"""Pure G2 mapping: names, enumerations, times, HTML, custom values, conversations, assets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from polydesk.api.serviceops import mapping
from polydesk.core.enums import CustomFieldType, Impact, NoteType, RecordKind, SupportLevel, Urgency
from polydesk.core.errors import Invalid


def test_record_names() -> None:
    assert mapping.record_name("incident", 12) == "INC-12"
    assert mapping.record_name("request", 47) == "SR-47"
    assert mapping.record_name("change", 2) == "CHG-2"
    assert mapping.record_name("problem", 1) == "PRB-1"
    assert mapping.record_name("release", 3) == "REL-3"
    assert mapping.parse_record_name(" inc-12 ") == (RecordKind.INCIDENT, 12)
    assert mapping.parse_record_name("SR-4") == (RecordKind.REQUEST, 4)
    assert mapping.parse_record_name("XYZ-4") is None
    assert mapping.parse_record_name("INC12") is None


def test_enumerations_in_any_case_and_spacing() -> None:
    assert [mapping.priority_level(n) for n in ("Urgent", "high", "MEDIUM", "low")] == [1, 2, 3, 4]
    assert mapping.impact_of("On User") is Impact.ON_USER
    assert mapping.impact_of("On Users") is Impact.ON_USER
    assert mapping.impact_of("on department") is Impact.ON_DEPARTMENT
    assert mapping.impact_of("ONBUSINESS") is Impact.ON_BUSINESS
    assert mapping.urgency_of("Urgent") is Urgency.URGENT
    assert mapping.support_level_of("Tier 4") is SupportLevel.TIER4
    assert mapping.support_level_of("tier2") is SupportLevel.TIER2
    assert mapping.support_level_of("tier0") is None
    assert mapping.support_level_name(None) == "tier0"
    assert mapping.choice_of("major", mapping.CHANGE_TYPES, "changeType") == "Major"
    assert mapping.PRIORITY_NAMES[5] == "Low"
    assert mapping.IMPACT_NAMES[Impact.ON_USER] == "On Users"


@pytest.mark.parametrize(
    ("convert", "value", "field"),
    [
        (mapping.priority_level, "Whenever", "priorityName"),
        (mapping.priority_level, 3, "priorityName"),
        (mapping.impact_of, "Galactic", "impactName"),
        (mapping.urgency_of, "Now", "urgencyName"),
        (mapping.support_level_of, "Tier5", "supportLevel"),
    ],
)
def test_invalid_enumerations_name_the_field(convert: object, value: object, field: str) -> None:
    with pytest.raises(Invalid) as info:
        convert(value)  # type: ignore[operator]
    assert info.value.field == field and repr(value) in info.value.message


def test_times() -> None:
    moment = datetime(2025, 8, 27, 14, 24, 36, 767000, tzinfo=UTC)
    assert mapping.to_epoch_ms(moment) == 1756304676767
    assert mapping.from_epoch_ms(1756304676767, "startDate") == moment
    assert mapping.from_epoch_ms(1756304676767.0, "startDate") == moment
    assert mapping.to_epoch_ms(None) is None
    for bad in ("tomorrow", True, -1, 1.5, mapping.MAX_EPOCH_MS + 1, None):
        with pytest.raises(Invalid) as info:
            mapping.from_epoch_ms(bad, "startDate")
        assert info.value.field == "startDate"


def test_plain_text() -> None:
    assert mapping.plain_text("<p>Incident Description</p>") == "Incident Description"
    assert mapping.plain_text("<p>a &amp; b</p><p>c</p>") == "a & b\nc"
    assert mapping.plain_text(None) == ""
    assert mapping.plain_text("no tags") == "no tags"


@dataclass
class Field:
    name: str
    slug: str
    field_type: str


FIELDS = [
    Field("New Text Input", "new_text_input", CustomFieldType.TEXT.value),
    Field("New Number", "new_number", CustomFieldType.DECIMAL.value),
    Field("Count", "count", CustomFieldType.NUMBER.value),
    Field("New Datetime", "new_datetime", CustomFieldType.DATETIME.value),
    Field("Day", "day", CustomFieldType.DATE.value),
    Field("At", "at", CustomFieldType.TIME.value),
    Field("Flag", "flag", CustomFieldType.BOOLEAN.value),
]


def test_custom_input() -> None:
    got = mapping.custom_input(
        {"new text input": "x", "New Datetime": 1756304676767, "day": 1756252800000, "Flag": 1},
        FIELDS,
    )
    assert got == {
        "new text input": "x",
        "New Datetime": datetime(2025, 8, 27, 14, 24, 36, 767000, tzinfo=UTC),
        "day": date(2025, 8, 27),
        "Flag": 1,
    }
    assert mapping.custom_input({"New Datetime": 0}, FIELDS) == {"New Datetime": None}
    for values, field in (
        ({"Nope": 1}, "customField.Nope"),
        ({"New Text Input": ["a"]}, "customField.New Text Input"),
        ({"New Datetime": -3}, "customField.New Datetime"),
    ):
        with pytest.raises(Invalid) as info:
            mapping.custom_input(values, FIELDS)
        assert info.value.field == field


def test_custom_output_holds_every_field() -> None:
    values: dict[str, object] = {
        "new_number": Decimal("110.1"),
        "count": 3,
        "new_datetime": datetime(2025, 8, 27, 14, 24, 36, 767000, tzinfo=UTC),
        "at": time(10, 30),
    }
    assert mapping.custom_output(FIELDS, values) == {
        "New Text Input": "",
        "New Number": 110.1,
        "Count": 3.0,
        "New Datetime": 1756304676767,
        "Day": 0,
        "At": "10:30:00",
        "Flag": False,
    }
    assert mapping.custom_value(CustomFieldType.DATE.value, date(2025, 8, 27)) == 1756252800000
    assert mapping.custom_value(CustomFieldType.BOOLEAN.value, True) is True


def test_conversations() -> None:
    for kind in mapping.CONVERSATION_TYPES:
        note_type, public = mapping.note_type_of(kind)
        assert mapping.conversation_type(note_type.value, public) == kind
    assert mapping.conversation_type(NoteType.RESOLUTION.value, False) == "note"
    assert mapping.conversation_type(NoteType.RESOLUTION.value, True) == "requestor_to_technician"
    moment = datetime(2025, 7, 16, 16, 33, tzinfo=UTC)
    assert mapping.conversation_time(moment) == "Wed, Jul 16, 2025 04:33 pm"


def test_assets() -> None:
    assert mapping.asset_model_of("HardwareAsset") == "asset_hardware"
    assert mapping.asset_model_of("softwareasset") == "asset_software"
    assert mapping.asset_type("asset_non_it") == "NonITAsset"
    assert mapping.asset_type(None) is None
    assert mapping.asset_name(1) == "AST-1"
    assert mapping.asset_type_path("hardware$computer") == ["hardware", "computer"]
    with pytest.raises(Invalid):
        mapping.asset_type_path("hardware$$x")
    with pytest.raises(Invalid) as info:
        mapping.asset_model_of("MagicAsset")
    assert info.value.field == "type"


def test_multi_choice_custom_values() -> None:
    fields = [*FIELDS, Field("New Checkbox", "new_checkbox", CustomFieldType.MULTISELECT.value)]
    assert mapping.custom_input({"New Checkbox": ["C", "B"]}, fields) == {
        "New Checkbox": ["C", "B"]
    }
    assert mapping.custom_input({"new checkbox": []}, fields) == {"new checkbox": []}
    assert mapping.custom_input({"New Checkbox": "A"}, fields) == {"New Checkbox": "A"}
    with pytest.raises(Invalid) as info:
        mapping.custom_input({"New Checkbox": {"A": 1}}, fields)
    assert info.value.field == "customField.New Checkbox"
    assert "array of choice names" in info.value.message
    output = mapping.custom_output(fields, {"new_checkbox": ["C", "B"]})
    assert output["New Checkbox"] == ["C", "B"]
    assert mapping.custom_output(fields, {})["New Checkbox"] == []
