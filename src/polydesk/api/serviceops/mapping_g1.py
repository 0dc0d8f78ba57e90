"""Pure conversions between the G1 wire models and the record core.

Priority: ``URGENT``/``HIGH``/``MEDIUM``/``LOW`` ↔ core levels 1/2/3/4 (level 5, "very low",
reads as ``LOW``). Impact: ``LOW``/``ONUSER``/``ONDEPARTMENT``/``ONBUSINESS`` ↔ the core's
impact values; urgency likewise. Custom values are keyed on the wire by field id and typed by
a code; in the core they are keyed by slug and typed by the field's definition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from polydesk.api.serviceops.schemas_g1 import (
    VALUE_MEMBERS,
    CustomFieldValue,
    G1Impact,
    G1Level,
)
from polydesk.core.enums import CustomFieldType, Impact, Urgency
from polydesk.core.errors import Invalid
from polydesk.models import CustomField

CUSTOM_KEY = "customFieldValueDetails"

_LEVEL_TO_PRIORITY = {G1Level.URGENT: 1, G1Level.HIGH: 2, G1Level.MEDIUM: 3, G1Level.LOW: 4}
_PRIORITY_TO_LEVEL = {1: G1Level.URGENT, 2: G1Level.HIGH, 3: G1Level.MEDIUM, 4: G1Level.LOW}
_IMPACTS = {
    G1Impact.LOW: Impact.LOW,
    G1Impact.ONUSER: Impact.ON_USER,
    G1Impact.ONDEPARTMENT: Impact.ON_DEPARTMENT,
    G1Impact.ONBUSINESS: Impact.ON_BUSINESS,
}
_IMPACTS_OUT = {core: wire for wire, core in _IMPACTS.items()}

TYPE_CODE_OF: dict[CustomFieldType, int] = {
    CustomFieldType.TEXT: 1,
    CustomFieldType.TEXTAREA: 10,
    CustomFieldType.NUMBER: 5,
    CustomFieldType.DECIMAL: 3,
    CustomFieldType.LIST: 1,
    CustomFieldType.MULTISELECT: 8,
    CustomFieldType.BOOLEAN: 4,
    CustomFieldType.DATE: 1,
    CustomFieldType.TIME: 1,
    CustomFieldType.DATETIME: 5,
    CustomFieldType.EMAIL: 1,
    CustomFieldType.URL: 1,
    CustomFieldType.IPADDRESS: 1,
    CustomFieldType.SLUG: 1,
}
"""The G1 type code each Polydesk field type is shown with. Dates and times are ISO strings;
date-times are epoch milliseconds (``longValue``), as ServiceOps sends them; multi-choice
values are string lists (``stringListValue``)."""


def priority_in(level: G1Level) -> int:
    return _LEVEL_TO_PRIORITY[level]


def priority_out(priority: int) -> G1Level:
    return _PRIORITY_TO_LEVEL.get(priority, G1Level.LOW)


def impact_in(value: G1Impact) -> Impact:
    return _IMPACTS[value]


def impact_out(value: str | None) -> G1Impact | None:
    return _IMPACTS_OUT[Impact(value)] if value else None


def urgency_in(value: G1Level) -> Urgency:
    return Urgency(value.value.lower())


def urgency_out(value: str | None) -> G1Level | None:
    return G1Level(value.upper()) if value else None


def type_code(field: CustomField) -> int:
    return TYPE_CODE_OF[CustomFieldType(field.field_type)]


# Custom values in ---------------------------------------------------------------------------


def _given_value(value: CustomFieldValue, where: str) -> object:
    """The value a client meant: the member named by ``type``, else the only member given."""
    members: dict[str, object] = {
        name: getattr(value, name)
        for name in value.model_fields_set
        if name != "type" and name.endswith("Value")
    }
    for name, extra in (value.model_extra or {}).items():
        if name.endswith("Value"):
            members[name] = extra
    if value.type is not None:
        member = VALUE_MEMBERS.get(value.type)
        if member is None:
            raise Invalid(
                f"Unknown custom field type code {value.type} (use 1, 2, 3, 4, 5, 7, 8 or 10).",
                field=f"{where}.type",
                value=value.type,
            )
        if member in members:
            return members[member]
    if not members:
        return None
    if len(members) > 1:
        raise Invalid(
            f"Give one value member (e.g. stringValue), not {', '.join(sorted(members))}.",
            field=where,
        )
    return next(iter(members.values()))


def _typed_for(field: CustomField, raw: object, where: str) -> object:
    """Adapt a wire value to what the field's validator takes."""
    kind = CustomFieldType(field.field_type)
    if kind is CustomFieldType.MULTISELECT:
        return raw  # a list of choices (``[]`` clears) or one choice; the service checks it
    if isinstance(raw, list):
        if len(raw) == 0:
            return None
        if len(raw) > 1:
            raise Invalid(
                f"The custom field {field.name!r} takes one value, not a list of {len(raw)}.",
                field=where,
                value=raw,
            )
        raw = raw[0]
    if (
        kind is CustomFieldType.DATETIME
        and isinstance(raw, int | float)
        and not isinstance(raw, bool)
    ):
        try:
            return datetime.fromtimestamp(raw / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            raise Invalid(
                f"The custom field {field.name!r} expects epoch milliseconds; {raw!r} is out "
                "of range.",
                field=where,
                value=raw,
            ) from None
    return raw


def custom_values_in(
    values: Mapping[str, CustomFieldValue], fields: Sequence[CustomField], kind: str
) -> dict[str, object]:
    """Wire ``customFieldValueDetails`` → values keyed by slug; ``None`` clears."""
    by_id = {str(f.id): f for f in fields}
    result: dict[str, object] = {}
    for key, value in values.items():
        where = f"{CUSTOM_KEY}.{key}"
        field = by_id.get(key.strip())
        if field is None:
            raise Invalid(
                f"There is no {kind} custom field with id {key!r}; "
                f"GET /api/ususer/form/{kind} lists them.",
                field=where,
                value=key,
            )
        result[field.slug] = _typed_for(field, _given_value(value, where), where)
    return result


# Custom values out --------------------------------------------------------------------------


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def custom_values_out(
    values: Mapping[str, object], fields: Sequence[CustomField]
) -> dict[str, dict[str, Any]]:
    """Values keyed by slug → ``{"<field id>": {"type": code, "<member>": value}}``, for the
    fields that hold a value."""
    result: dict[str, dict[str, Any]] = {}
    for field in fields:
        if field.slug not in values or values[field.slug] is None:
            continue
        code = type_code(field)
        result[str(field.id)] = {"type": code, VALUE_MEMBERS[code]: _plain(values[field.slug])}
    return result
