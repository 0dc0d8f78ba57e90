"""Pure functions between the ServiceOps G2 wire (display names, epoch milliseconds, custom
fields keyed by display name) and the record core.

Nothing here touches the database: names of reference data (statuses, categories, locations,
…) are resolved by the routes through the domain services; these functions only translate the
enumerations the core keeps as values, the times, the custom values and the numbers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Protocol

from polydesk.core.enums import (
    CustomFieldType,
    Impact,
    NoteType,
    RecordKind,
    SupportLevel,
    Urgency,
)
from polydesk.core.errors import Invalid

# Names -------------------------------------------------------------------------------------

PREFIXES: dict[RecordKind, str] = {
    RecordKind.INCIDENT: "INC",
    RecordKind.REQUEST: "SR",
    RecordKind.PROBLEM: "PRB",
    RecordKind.CHANGE: "CHG",
    RecordKind.RELEASE: "REL",
}
"""``name`` prefixes: ``INC-12`` is incident number 12."""
_KIND_BY_PREFIX = {prefix: kind for kind, prefix in PREFIXES.items()}
_NAME = re.compile(r"\s*([A-Za-z]+)-([0-9]{1,9})\s*")


def record_name(kind: str, number: int) -> str:
    return f"{PREFIXES[RecordKind(kind)]}-{number}"


def parse_record_name(value: str) -> tuple[RecordKind, int] | None:
    """``"INC-12"`` → (incident, 12); ``None`` when the text is not such a name."""
    match = _NAME.fullmatch(value)
    if match is None:
        return None
    kind = _KIND_BY_PREFIX.get(match.group(1).upper())
    return (kind, int(match.group(2))) if kind is not None else None


# Enumerations ------------------------------------------------------------------------------


def _fold(value: str) -> str:
    """``"On  Users"``, ``"ONUSER"`` and ``"on_user"`` all fold to ``"onuser"``."""
    return re.sub(r"[\s_-]+", "", value).casefold()


PRIORITY_NAMES: dict[int, str] = {1: "Urgent", 2: "High", 3: "Medium", 4: "Low", 5: "Low"}
"""Core level → ``priorityName``. The core's level 5 (very low) has no ServiceOps name and
reads as ``Low``."""
_PRIORITY_LEVELS = {"urgent": 1, "critical": 1, "high": 2, "medium": 3, "low": 4}
PRIORITY_IDS: dict[int, int] = {1: 4, 2: 3, 3: 2, 4: 1, 5: 1}
"""Core level → the ServiceOps priority id used in qualifications (``low=1 … urgent=4``)."""

IMPACT_NAMES: dict[Impact, str] = {
    Impact.LOW: "Low",
    Impact.ON_USER: "On Users",
    Impact.ON_DEPARTMENT: "On Department",
    Impact.ON_BUSINESS: "On Business",
}
_IMPACTS = {
    "low": Impact.LOW,
    "onuser": Impact.ON_USER,
    "onusers": Impact.ON_USER,
    "ondepartment": Impact.ON_DEPARTMENT,
    "ondepartments": Impact.ON_DEPARTMENT,
    "onbusiness": Impact.ON_BUSINESS,
}
IMPACT_IDS: dict[Impact, int] = {
    Impact.LOW: 1,
    Impact.ON_USER: 2,
    Impact.ON_DEPARTMENT: 3,
    Impact.ON_BUSINESS: 4,
}
URGENCY_NAMES: dict[Urgency, str] = {
    Urgency.LOW: "Low",
    Urgency.MEDIUM: "Medium",
    Urgency.HIGH: "High",
    Urgency.URGENT: "Urgent",
}
URGENCY_IDS: dict[Urgency, int] = {
    Urgency.LOW: 1,
    Urgency.MEDIUM: 2,
    Urgency.HIGH: 3,
    Urgency.URGENT: 4,
}
NO_SUPPORT_LEVEL = "tier0"
"""What ServiceOps shows for a record without a support level; accepted as "none" on input."""

RISK_TYPES = ("Low", "Medium", "High")
CHANGE_TYPES = ("Minor", "Standard", "Significant", "Major", "Emergency")
TARGET_ENVIRONMENTS = ("Production", "Development", "Test")


def _expected(choices: Iterable[str]) -> str:
    return ", ".join(choices)


def _text_of(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{field} must be a string, not {value!r}.", field=field, value=value)
    return value


def priority_level(value: object, field: str = "priorityName") -> int:
    """``priorityName`` (any case) → core level; :class:`Invalid` naming the field otherwise."""
    level = _PRIORITY_LEVELS.get(_fold(_text_of(value, field)))
    if level is None:
        raise Invalid(
            f"Invalid {field} {value!r}: expected one of Low, Medium, High, Urgent.",
            field=field,
            value=value,
        )
    return level


def impact_of(value: object, field: str = "impactName") -> Impact:
    impact = _IMPACTS.get(_fold(_text_of(value, field)))
    if impact is None:
        raise Invalid(
            f"Invalid {field} {value!r}: expected one of {_expected(IMPACT_NAMES.values())}.",
            field=field,
            value=value,
        )
    return impact


def urgency_of(value: object, field: str = "urgencyName") -> Urgency:
    folded = _fold(_text_of(value, field))
    for urgency in Urgency:
        if urgency.value == folded:
            return urgency
    raise Invalid(
        f"Invalid {field} {value!r}: expected one of {_expected(URGENCY_NAMES.values())}.",
        field=field,
        value=value,
    )


def support_level_of(value: object, field: str = "supportLevel") -> SupportLevel | None:
    """``Tier1`` … ``Tier 4`` in any case and spacing; ``tier0`` (or blank) means none."""
    folded = _fold(_text_of(value, field))
    if folded in ("", NO_SUPPORT_LEVEL):
        return None
    for level in SupportLevel:
        if level.value == folded:
            return level
    raise Invalid(
        f"Invalid {field} {value!r}: expected one of Tier1, Tier2, Tier3, Tier4.",
        field=field,
        value=value,
    )


def support_level_name(value: str | None) -> str:
    return value or NO_SUPPORT_LEVEL


def choice_of(value: object, choices: Sequence[str], field: str) -> str:
    """One of a fixed list of display names, matched ignoring case and spacing; stored as
    the canonical display name."""
    folded = _fold(_text_of(value, field))
    for choice in choices:
        if _fold(choice) == folded:
            return choice
    raise Invalid(
        f"Invalid {field} {value!r}: expected one of {_expected(choices)}.",
        field=field,
        value=value,
    )


# Times -------------------------------------------------------------------------------------

MAX_EPOCH_MS = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z: later instants do not fit a datetime."""


def to_epoch_ms(value: datetime | None) -> int | None:
    if value is None:
        return None
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return int(aware.timestamp() * 1000)


def from_epoch_ms(value: object, field: str) -> datetime:
    """Epoch milliseconds (an integer, or a whole float) → aware UTC datetime."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(
            f"{field} must be a time in epoch milliseconds, not {value!r}.",
            field=field,
            value=value,
        )
    if isinstance(value, float) and not value.is_integer():
        raise Invalid(
            f"{field} must be a whole number of epoch milliseconds.", field=field, value=value
        )
    millis = int(value)
    if not 0 <= millis <= MAX_EPOCH_MS:
        raise Invalid(f"{field} is out of range: {value!r}.", field=field, value=value)
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


# Text --------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6])\s*/?\s*>", re.IGNORECASE)


def plain_text(value: str | None) -> str:
    """HTML as ServiceOps answers it: tags dropped, entities decoded, ends trimmed. The record
    keeps the HTML as sent; only this dialect shows it stripped."""
    if not value:
        return ""
    text = _BREAK.sub("\n", value)
    return html.unescape(_TAG.sub("", text)).strip()


# Custom fields -----------------------------------------------------------------------------


class FieldDefinition(Protocol):
    """What the mapping needs of a custom field definition (a ``CustomField`` row fits)."""

    @property
    def name(self) -> str: ...

    @property
    def slug(self) -> str: ...

    @property
    def field_type(self) -> str: ...


def custom_input(
    values: Mapping[str, object], definitions: Sequence[FieldDefinition], field: str = "customField"
) -> dict[str, object]:
    """Wire values → domain values, keyed as given (display name or slug).

    Dates and date-times arrive as epoch milliseconds (an ISO string is passed on as is);
    multi-choice (``multiselect``) fields take an array of choice names (``["A","C"]``; ``[]``
    clears); everything else goes to the custom fields service, which validates it against
    the definition. A list is refused for every other type, and an object for every type.
    """
    by_key: dict[str, FieldDefinition] = {}
    for definition in definitions:
        by_key[definition.name.casefold()] = definition
        by_key[definition.slug.casefold()] = definition
    result: dict[str, object] = {}
    for key, value in values.items():
        if not isinstance(key, str) or not key.strip():
            raise Invalid(f"{field} keys must be field names.", field=field, value=key)
        found = by_key.get(key.strip().casefold())
        if found is None:
            raise Invalid(
                f"Invalid {field}: there is no custom field named {key!r}.",
                field=f"{field}.{key}",
                value=value,
            )
        kind = CustomFieldType(found.field_type)
        if kind is CustomFieldType.MULTISELECT and isinstance(value, list):
            result[key] = value
            continue
        if isinstance(value, list | dict):
            expected = (
                "an array of choice names"
                if kind is CustomFieldType.MULTISELECT
                else "a single value"
            )
            raise Invalid(
                f"Invalid {field} {key!r}: expected {expected}, not {value!r}.",
                field=f"{field}.{key}",
                value=value,
            )
        if kind in (CustomFieldType.DATETIME, CustomFieldType.DATE) and isinstance(
            value, int | float
        ):
            if not isinstance(value, bool) and value == 0:
                result[key] = None  # ServiceOps' "unset" date-time
                continue
            moment = from_epoch_ms(value, f"{field}.{key}")
            result[key] = moment.date() if kind is CustomFieldType.DATE else moment
        else:
            result[key] = value
    return result


_EMPTY: dict[CustomFieldType, object] = {
    CustomFieldType.NUMBER: 0.0,
    CustomFieldType.DECIMAL: 0.0,
    CustomFieldType.BOOLEAN: False,
    CustomFieldType.DATE: 0,
    CustomFieldType.DATETIME: 0,
}
"""ServiceOps' value of an unset field, by type; text otherwise, and ``[]`` for
``multiselect``."""


def custom_value(field_type: str, value: object) -> object:
    """A typed core value as ServiceOps shows it: numbers as doubles, dates and date-times
    as epoch milliseconds, times as ``HH:MM:SS``, multi-choice values as an array of
    strings, the rest as text."""
    kind = CustomFieldType(field_type)
    if kind is CustomFieldType.MULTISELECT:
        return [str(item) for item in value] if isinstance(value, list | tuple) else []
    if value is None:
        return _EMPTY.get(kind, "")
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal | float):
        return float(value)
    if isinstance(value, datetime):
        return to_epoch_ms(value)
    if isinstance(value, date):
        return to_epoch_ms(datetime.combine(value, time(), tzinfo=UTC))
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def custom_output(
    definitions: Sequence[FieldDefinition], values: Mapping[str, object]
) -> dict[str, object]:
    """Every field of the form by display name, unset ones with ServiceOps' empty value
    (``""``, ``0.0``, ``false``, ``0``, ``[]``). ``values`` are keyed by slug."""
    return {
        definition.name: custom_value(definition.field_type, values.get(definition.slug))
        for definition in definitions
    }


# Conversations -----------------------------------------------------------------------------

CONVERSATION_TYPES = ("note", "collaborate", "requestor_to_technician")
CONVERSATION_STATES = ("published",)


def note_type_of(conversation_type: str) -> tuple[NoteType, bool]:
    """``conversationType`` → (note type, public). A note is an internal comment, a
    collaboration an internal follow-up, a requester ↔ technician message a public comment."""
    match conversation_type:
        case "collaborate":
            return NoteType.FOLLOWUP, False
        case "requestor_to_technician":
            return NoteType.COMMENT, True
        case _:
            return NoteType.COMMENT, False


def conversation_type(note_type: str, public: bool) -> str:
    """The inverse of :func:`note_type_of`; notes written through other surfaces read as
    ``requestor_to_technician`` when public and ``note`` otherwise."""
    if public:
        return "requestor_to_technician"
    if note_type == NoteType.FOLLOWUP:
        return "collaborate"
    return "note"


def conversation_time(value: datetime) -> str:
    """``Wed, Jul 16, 2025 04:33 pm`` (UTC), the display string ServiceOps answers with."""
    moment = value.astimezone(UTC)
    return moment.strftime("%a, %b %d, %Y %I:%M ") + moment.strftime("%p").lower()


# Assets ------------------------------------------------------------------------------------

ASSET_MODELS: dict[str, str] = {
    "HardwareAsset": "asset_hardware",
    "SoftwareAsset": "asset_software",
    "NonITAsset": "asset_non_it",
}
"""Asset ``type`` ↔ the config item's ``asset_model`` (the ``assetModel`` of ``linkAssetIds``)."""
_ASSET_TYPES = {model: kind for kind, model in ASSET_MODELS.items()}


def asset_model_of(value: object, field: str = "type") -> str:
    name = choice_of(value, tuple(ASSET_MODELS), field)
    return ASSET_MODELS[name]


def asset_type(model: str | None) -> str | None:
    return _ASSET_TYPES.get(model or "")


def asset_name(item_id: int) -> str:
    return f"AST-{item_id}"


def asset_type_path(value: object, field: str = "assetTypeName") -> list[str]:
    """``hardware$computer`` → ``["hardware", "computer"]``."""
    parts = [part.strip() for part in _text_of(value, field).split("$")]
    if not all(parts):
        raise Invalid(f"Invalid {field} {value!r}.", field=field, value=value)
    return parts
