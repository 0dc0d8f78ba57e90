"""Inputs and outputs of the record services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, NamedTuple, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from polydesk.core.enums import Impact, RecordKind, StatusCategory, SupportLevel, Urgency
from polydesk.models import Record


def as_utc(value: datetime | None) -> datetime | None:
    """Naive datetimes are taken as UTC; aware ones are converted to UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]

CHANGE_FIELDS = ("risk", "change_type", "target_environment", "planned_start", "planned_end")
RELEASE_FIELDS = ("release_type", "planned_start", "planned_end")
PROBLEM_FIELDS = ("root_cause", "workaround", "known_error")
DETAIL_FIELDS: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.CHANGE: CHANGE_FIELDS,
    RecordKind.RELEASE: RELEASE_FIELDS,
    RecordKind.PROBLEM: PROBLEM_FIELDS,
}
"""The fields kept in each kind's detail table; other kinds have none."""
ALL_DETAIL_FIELDS = frozenset(CHANGE_FIELDS + RELEASE_FIELDS + PROBLEM_FIELDS)


class _RecordFields(BaseModel):
    """What both create and update accept; ``None`` means "no value"."""

    model_config = ConfigDict(extra="forbid")

    description: str | None = None
    status_id: int | None = None
    priority: int | None = None
    """Core level 1 (critical) … 5 (very low); 3 when omitted on create."""
    impact: Impact | None = None
    urgency: Urgency | None = None
    support_level: SupportLevel | None = None
    category_id: int | None = None
    service_id: int | None = None
    activity_type_id: int | None = None
    requester_id: int | None = None
    submitter_email: str | None = None
    assignee_id: int | None = None
    """An active administrator or technician."""
    technician_group_id: int | None = None
    owner_id: int | None = None
    company_id: int | None = None
    location_id: int | None = None
    department_id: int | None = None
    merged_to_id: int | None = None
    source: str | None = None
    spam: bool | None = None
    on_hold: bool | None = None
    due_date: UtcDateTime | None = None
    due_to_escalate_at: UtcDateTime | None = None
    resolution: str | None = None
    closure_code: str | None = None
    closure_comment: str | None = None
    tags: list[str] | None = None
    cc_emails: list[str] | None = None

    # change
    risk: str | None = None
    change_type: str | None = None
    target_environment: str | None = None
    # change and release
    planned_start: UtcDateTime | None = None
    planned_end: UtcDateTime | None = None
    # release
    release_type: str | None = None
    # problem
    root_cause: str | None = None
    workaround: str | None = None
    known_error: bool | None = None

    custom_fields: dict[str, Any] | None = None
    """Values keyed by field name or slug (any case); ``None`` or ``""`` clears a value."""


class RecordCreate(_RecordFields):
    kind: RecordKind
    title: str


class RecordUpdate(_RecordFields):
    """Every field optional; only the fields given are applied (``exclude_unset``)."""

    title: str | None = None


OrderField = Literal["created_at", "updated_at", "due_date", "last_active_at", "priority", "id"]


class Submitter(BaseModel):
    """A user as django-helpdesk's submitter: a record is theirs when its submitter e-mail is
    their address exactly (case matters, as upstream), or when it has no submitter e-mail and
    they are its requester (records created through the other dialects name a requester)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: int
    email: str


class RecordQuery(BaseModel):
    """Filters are ANDed; a list filter matches any of its values. ``None`` = no filter."""

    model_config = ConfigDict(extra="forbid")

    kinds: list[RecordKind] | None = None
    ids: list[int] | None = None
    exclude_ids: list[int] | None = None
    status_ids: list[int] | None = None
    status_categories: list[StatusCategory] | None = None
    service_ids: list[int] | None = None
    category_ids: list[int] | None = None
    assignee_id: int | None = None
    assignee_or_watcher_id: int | None = None
    """Records assigned to this user or watched by them (each record once)."""
    requester_id: int | None = None
    requester_email: str | None = None
    """The requester's e-mail or the record's submitter e-mail, ignoring case."""
    submitted_by: Submitter | None = None
    """The records that are this user's by :class:`Submitter`'s rule."""
    technician_group_id: int | None = None
    owner_id: int | None = None
    company_id: int | None = None
    priorities: list[int] | None = None
    numbers: list[int] | None = None
    """Per-kind numbers (``INC-12`` is number 12); usually given with ``kinds``."""
    impacts: list[Impact] | None = None
    urgencies: list[Urgency] | None = None
    support_levels: list[SupportLevel] | None = None
    location_ids: list[int] | None = None
    department_ids: list[int] | None = None
    title: str | None = None
    """Case-insensitive substring of the title only."""
    created_from: UtcDateTime | None = None
    created_to: UtcDateTime | None = None
    """Exclusive upper bound, as is ``updated_to``."""
    updated_from: UtcDateTime | None = None
    updated_to: UtcDateTime | None = None
    text: str | None = None
    """Case-insensitive substring of the title or the description."""
    spam: bool | None = None
    """``False``: no spam; ``True``: spam only; ``None``: both."""
    merged: bool | None = None
    """``False``: not merged into another record; ``True``: merged only; ``None``: both."""
    order_by: OrderField = "id"
    descending: bool = False
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=25, ge=1, le=10_000)


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    """Every match of the filters, whatever the offset and limit."""
    offset: int
    limit: int


class StatusRef(NamedTuple):
    """What a write needs of a status: its id and category (and its name for messages)."""

    id: int
    name: str
    category: str


class RecordBrief(NamedTuple):
    """The columns of a record that a ticket shape shows, read as a plain row (no ORM
    object): what the hottest reads load."""

    id: int
    kind: str
    title: str
    description: str
    status_id: int
    priority: int
    service_id: int | None
    submitter_email: str | None
    assignee_id: int | None
    on_hold: bool
    due_date: datetime | None
    resolution: str | None
    merged_to_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LoadedRecord:
    """A record with its detail row loaded (``record.change`` / ``.release`` / ``.problem``)
    and its custom values, typed and keyed by slug."""

    record: Record
    custom_fields: dict[str, object] = field(default_factory=dict)
