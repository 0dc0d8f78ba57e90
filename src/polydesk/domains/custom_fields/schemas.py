"""Inputs and outputs of the custom field services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from polydesk.core.enums import CustomFieldType, RecordKind


class StoredValue(NamedTuple):
    """One stored custom value of a record, as read."""

    record_id: int
    field_id: int
    value_text: str | None
    value_number: float | None
    value_bool: bool | None


class CustomFieldCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: RecordKind
    name: str
    """The display name, unique per kind ignoring case (``New Dropdown``)."""
    slug: str | None = None
    """The machine name (django-helpdesk's ``custom_<slug>``); derived from the name when
    omitted: lower-case, every run of other characters than letters and digits becomes ``_``."""
    label: str | None = None
    """Shown on forms; the name when omitted."""
    field_type: CustomFieldType
    required: bool = False
    choices: list[str] | None = None
    """The allowed values of a ``list`` or ``multiselect`` field, in display order."""
    max_length: int | None = None
    """Longest text (text, textarea, email, url, slug) or most digits (decimal)."""
    decimal_places: int | None = None
    help_text: str | None = None
    position: int = 0
    staff_only: bool = False


class CustomFieldUpdate(BaseModel):
    """Every field optional; applied with ``exclude_unset``. The kind never changes, and the
    type only while no record holds a value of the field."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    slug: str | None = None
    label: str | None = None
    field_type: CustomFieldType | None = None
    required: bool | None = None
    choices: list[str] | None = None
    max_length: int | None = None
    decimal_places: int | None = None
    help_text: str | None = None
    position: int | None = None
    staff_only: bool | None = None


class CustomFieldRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: RecordKind
    name: str
    slug: str
    label: str
    field_type: CustomFieldType
    required: bool
    choices: list[str]
    max_length: int | None
    decimal_places: int | None
    help_text: str | None
    position: int
    staff_only: bool


@dataclass(frozen=True, slots=True)
class CleanValue:
    """A validated value in its stored form: ``value_text`` is the canonical text of every
    type; ``value_number`` and ``value_bool`` hold the typed value where the type has one."""

    value_text: str
    value_number: float | None = None
    value_bool: bool | None = None


@dataclass(slots=True)
class ValueChanges:
    """What :func:`set_values` changed, keyed ``custom:<slug>``, for the record's event."""

    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.after)
