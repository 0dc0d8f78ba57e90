"""Pure conversions between Polydesk's domain objects and django-helpdesk's wire shapes.

- A ticket is a record of kind incident; its id is the record id, its queue the service id.
- Status numbers 1..5 are the statuses named Open, Reopened, Resolved, Closed and Duplicate.
  Other statuses read as the number of their category (open, in progress and pending → 1,
  resolved → 3, closed → 4).
- Priorities 1..5 are Polydesk's levels 1 (critical) … 5 (very low).
- A follow-up is a note; its attachments are the note's attachments.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import quote

from polydesk.core import security
from polydesk.core.enums import CustomFieldType, StatusCategory
from polydesk.domains.catalog.service import name_key
from polydesk.models import CustomField, Service, Status, User

STATUS_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "Open"),
    (2, "Reopened"),
    (3, "Resolved"),
    (4, "Closed"),
    (5, "Duplicate"),
)
PRIORITY_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "1. Critical"),
    (2, "2. High"),
    (3, "3. Normal"),
    (4, "4. Low"),
    (5, "5. Very Low"),
)
STATUS_LABELS = dict(STATUS_CHOICES)
OPEN, REOPENED, RESOLVED, CLOSED, DUPLICATE = 1, 2, 3, 4, 5
_BY_CATEGORY = {
    StatusCategory.OPEN.value: OPEN,
    StatusCategory.IN_PROGRESS.value: OPEN,
    StatusCategory.PENDING.value: OPEN,
    StatusCategory.RESOLVED.value: RESOLVED,
    StatusCategory.CLOSED.value: CLOSED,
}
_CATEGORY_OF = {
    OPEN: StatusCategory.OPEN,
    REOPENED: StatusCategory.OPEN,
    RESOLVED: StatusCategory.RESOLVED,
    CLOSED: StatusCategory.CLOSED,
    DUPLICATE: StatusCategory.CLOSED,
}

CUSTOM_PREFIX = "custom_"
MEDIA_PREFIX = "/media/helpdesk/attachments/"


class TicketFacts(Protocol):
    """What the shapes read of a record: an ORM ``Record`` or a ``RecordBrief`` row."""

    @property
    def id(self) -> int: ...
    @property
    def service_id(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def resolution(self) -> str | None: ...
    @property
    def submitter_email(self) -> str | None: ...
    @property
    def assignee_id(self) -> int | None: ...
    @property
    def status_id(self) -> int: ...
    @property
    def on_hold(self) -> bool: ...
    @property
    def priority(self) -> int: ...
    @property
    def due_date(self) -> datetime | None: ...
    @property
    def merged_to_id(self) -> int | None: ...
    @property
    def created_at(self) -> datetime: ...


class FollowupFacts(Protocol):
    """What the shapes read of a note: an ORM ``Note`` or a ``NoteBrief`` row."""

    @property
    def id(self) -> int: ...
    @property
    def record_id(self) -> int: ...
    @property
    def author_id(self) -> int | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def body(self) -> str: ...
    @property
    def public(self) -> bool: ...
    @property
    def new_status_id(self) -> int | None: ...
    @property
    def time_spent_seconds(self) -> int | None: ...
    @property
    def created_at(self) -> datetime: ...


class FileFacts(Protocol):
    """What the shapes read of an attachment: an ORM ``Attachment`` or a ``FileBrief`` row."""

    @property
    def id(self) -> int: ...
    @property
    def note_id(self) -> int | None: ...
    @property
    def record_id(self) -> int | None: ...
    @property
    def real_name(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def size(self) -> int: ...


@dataclass(frozen=True, slots=True)
class StatusMap:
    """Polydesk statuses ↔ django-helpdesk numbers, built from the configured statuses."""

    number_of: Mapping[int, int]
    status_of: Mapping[int, int]

    @classmethod
    def build(cls, statuses: Sequence[Status]) -> StatusMap:
        by_key = {s.name_key: s for s in statuses}
        number_of: dict[int, int] = {}
        status_of: dict[int, int] = {}
        for number, label in STATUS_CHOICES:
            named = by_key.get(name_key(label))
            if named is not None:
                status_of[number] = named.id
                number_of[named.id] = number
        for status in statuses:
            number_of.setdefault(status.id, _BY_CATEGORY.get(status.category, OPEN))
        for number, category in _CATEGORY_OF.items():
            if number not in status_of:
                match = [s for s in statuses if s.category == category.value]
                if match:
                    status_of[number] = match[0].id
        return cls(number_of=number_of, status_of=status_of)

    def number(self, status_id: int | None) -> int | None:
        if status_id is None:
            return None
        return self.number_of.get(status_id, OPEN)


def secret_key(signing_key: str, record_id: int) -> str:
    """django-helpdesk's per-ticket ``secret_key`` (a UUID): derived from the server key and
    the ticket id, so it is stable, needs no column, and cannot be guessed from the id."""
    digest = security.keyed_digest(signing_key, "helpdesk-ticket", str(record_id))
    return str(uuid.UUID(hex=digest[:32], version=4))


def iso_datetime(value: datetime | None) -> str | None:
    """DRF's output: UTC with ``Z``, microseconds only when non-zero."""
    if value is None:
        return None
    text = value.isoformat()
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


def duration_text(seconds: int | None) -> str | None:
    """DRF's ``DurationField`` output: ``HH:MM:SS`` or ``D HH:MM:SS``."""
    if seconds is None:
        return None
    delta = timedelta(seconds=seconds)
    days, rest = delta.days, delta.seconds
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days} {text}" if days else text


def custom_key(field: CustomField) -> str:
    return CUSTOM_PREFIX + field.slug


CustomColumn = tuple[str, str, CustomFieldType]
"""``(wire key, slug, type)`` of a custom field: what a ticket's shape needs of its definition,
read once per response rather than once per ticket."""


def custom_columns(fields: Sequence[CustomField] | None) -> list[CustomColumn]:
    return [(custom_key(f), f.slug, CustomFieldType(f.field_type)) for f in fields or ()]


def typed_output(kind: CustomFieldType, value: object) -> Any:
    """The wire form of a custom value: integers as numbers, booleans as booleans, dates as
    ``YYYY-MM-DD``, times as ``HH:MM:SS``, datetimes as ``YYYY-MM-DDTHH:MM`` (UTC),
    multi-choice values as a list of strings, decimals and everything else as text; unset as
    ``null``."""
    if value is None:
        return None
    match kind:
        case CustomFieldType.MULTISELECT:
            return [str(item) for item in value] if isinstance(value, list | tuple) else [value]
        case CustomFieldType.NUMBER:
            return int(value) if isinstance(value, int | float | Decimal | str) else value
        case CustomFieldType.BOOLEAN:
            return bool(value)
        case CustomFieldType.DATE if isinstance(value, date):
            return value.strftime("%Y-%m-%d")
        case CustomFieldType.TIME if isinstance(value, time):
            return value.strftime("%H:%M:%S")
        case CustomFieldType.DATETIME if isinstance(value, datetime):
            return value.strftime("%Y-%m-%dT%H:%M")
        case CustomFieldType.DECIMAL:
            return str(value)
        case _:
            return str(value)


@dataclass(frozen=True, slots=True)
class Context:
    """What the shapes need beyond the objects themselves."""

    origin: Callable[[], str]
    """``scheme://host`` of the request, for absolute file URLs: asked for only when a file is
    shown, since working it out (Starlette parses and checks the request's URL) cost about 6 %
    of the CPU of a ticket read that shows none."""
    signing_key: str
    statuses: StatusMap
    services: Mapping[int, Service]
    users: Mapping[int, User]


def attachment_dir(ctx: Context, record: TicketFacts) -> str:
    service = ctx.services.get(record.service_id) if record.service_id is not None else None
    slug = service.slug if service is not None else "ticket"
    return f"{slug}-{record.id}-{secret_key(ctx.signing_key, record.id)}"


def attachment_url(ctx: Context, record: TicketFacts, attachment: FileFacts) -> str:
    return (
        f"{ctx.origin()}{MEDIA_PREFIX}{attachment_dir(ctx, record)}/{attachment.note_id}/"
        f"{quote(attachment.real_name)}"
    )


def attachment_out(ctx: Context, record: TicketFacts, attachment: FileFacts) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "followup": attachment.note_id,
        "file": attachment_url(ctx, record, attachment),
        "filename": attachment.real_name,
        "mime_type": attachment.content_type,
        "size": attachment.size,
    }


def email_recipients(ctx: Context, record: TicketFacts, note: FollowupFacts) -> list[str]:
    """Who Polydesk notifies of a follow-up: the submitter for a public one, and the
    assignee unless they wrote it."""
    recipients: list[str] = []
    if note.public and record.submitter_email:
        recipients.append(record.submitter_email)
    assignee = ctx.users.get(record.assignee_id) if record.assignee_id is not None else None
    if assignee is not None and assignee.id != note.author_id:
        if assignee.email not in recipients:
            recipients.append(assignee.email)
    return recipients


def followup_out(
    ctx: Context, record: TicketFacts, note: FollowupFacts, attachments: Sequence[FileFacts]
) -> dict[str, Any]:
    ordered = sorted(attachments, key=lambda a: (a.real_name, a.id))
    return {
        "id": note.id,
        "ticket": note.record_id,
        "user": note.author_id,
        "title": note.title,
        "comment": note.body,
        "public": note.public,
        "new_status": ctx.statuses.number(note.new_status_id),
        "time_spent": duration_text(note.time_spent_seconds),
        "followupattachment_set": [attachment_out(ctx, record, a) for a in ordered],
        "date": iso_datetime(note.created_at),
        "message_id": None,
        "email_recipients": email_recipients(ctx, record, note),
    }


def ticket_out(
    ctx: Context,
    record: TicketFacts,
    columns: Sequence[CustomColumn],
    values: Mapping[str, object],
    followups: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": record.id,
        "queue": record.service_id,
        "title": record.title,
        "description": record.description,
        "resolution": record.resolution,
        "submitter_email": record.submitter_email or "",
        "assigned_to": record.assignee_id,
        "status": ctx.statuses.number(record.status_id),
        "on_hold": record.on_hold,
        "priority": record.priority,
        "due_date": iso_datetime(record.due_date),
        "merged_to": record.merged_to_id,
        "followup_set": list(followups),
    }
    for key, slug, kind in columns:
        value = values.get(slug)
        out[key] = None if value is None else typed_output(kind, value)
    return out


def status_display(number: int | None, record: TicketFacts) -> str:
    text = STATUS_LABELS.get(number or OPEN, "Open")
    if record.on_hold:
        text += " - On Hold"
    return text


def user_ticket_out(
    ctx: Context,
    record: TicketFacts,
    columns: Sequence[CustomColumn],
    values: Mapping[str, object],
) -> dict[str, Any]:
    """``PublicTicketListingSerializer``; ``columns`` is empty on the detail route, which
    (as in django-helpdesk 2.6.1) shows no custom values."""
    service = ctx.services.get(record.service_id) if record.service_id is not None else None
    slug = service.slug if service is not None else "ticket"
    out: dict[str, Any] = {
        "ticket": f"{record.id} [{slug}-{record.id}]",
        "id": record.id,
        "title": record.title,
        "queue": {"title": service.name, "id": service.id} if service is not None else None,
        "status": status_display(ctx.statuses.number(record.status_id), record),
        "created": iso_datetime(record.created_at),
        "due_date": iso_datetime(record.due_date),
        "submitter": record.submitter_email or "",
        "kbitem": "",
        "secret_key": secret_key(ctx.signing_key, record.id),
    }
    for key, slug, kind in columns:
        value = values.get(slug)
        out[key] = None if value is None else typed_output(kind, value)
    return out
