"""Rules of records: creation with per-kind numbers, validated references and custom values;
partial updates that write only what changed; and the life-cycle transitions.

Every write bumps ``version`` in SQL (``version + 1``), so two updates of different fields
both persist, and an update given the version its caller read fails with :class:`Conflict`
when the record has moved on. Status categories drive the life-cycle fields: entering
*resolved* stamps ``resolved_at``/``resolved_by``, entering *closed* stamps ``closed_at``/
``closed_by``, and going back to open, in progress or pending clears them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.core.enums import PRIORITY_LEVELS, RecordKind, Role, StatusCategory
from polydesk.core.errors import Conflict, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog import service as catalog
from polydesk.domains.catalog.service import name_key
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.records import repository
from polydesk.domains.records.schemas import (
    ALL_DETAIL_FIELDS,
    DETAIL_FIELDS,
    LoadedRecord,
    Page,
    RecordBrief,
    RecordCreate,
    RecordQuery,
    RecordUpdate,
    StatusRef,
    Submitter,
    as_utc,
)
from polydesk.models import (
    Category,
    ChangeDetails,
    Company,
    Department,
    Location,
    ProblemDetails,
    Record,
    ReleaseDetails,
    Service,
    ServiceActivityType,
    Status,
    TechnicianGroup,
    User,
)
from polydesk.models.base import Base

MAX_TITLE_LENGTH = 500
MAX_SOURCE_LENGTH = 64
MAX_TAG_LENGTH = 100
MAX_CLOSURE_CODE_LENGTH = 100
DEFAULT_SOURCE = "External"
STAFF_ROLES = frozenset({Role.ADMIN.value, Role.TECHNICIAN.value})
REOPENED_STATUS = "Reopened"
DUPLICATE_STATUS = "Duplicate"

RECORD_COLUMNS = (
    "title",
    "description",
    "status_id",
    "priority",
    "impact",
    "urgency",
    "support_level",
    "category_id",
    "service_id",
    "activity_type_id",
    "requester_id",
    "submitter_email",
    "assignee_id",
    "technician_group_id",
    "owner_id",
    "company_id",
    "location_id",
    "department_id",
    "merged_to_id",
    "source",
    "spam",
    "on_hold",
    "due_date",
    "due_to_escalate_at",
    "resolution",
    "closure_code",
    "closure_comment",
    "tags",
    "cc_emails",
)
"""The columns a caller writes; the rest are kept by the services."""
LIFECYCLE_COLUMNS = ("resolved_at", "resolved_by_id", "closed_at", "closed_by_id")

_REFERENCES: dict[str, tuple[type[Base], str]] = {
    "status_id": (Status, "status"),
    "service_id": (Service, "service"),
    "category_id": (Category, "category"),
    "activity_type_id": (ServiceActivityType, "activity type"),
    "requester_id": (User, "user"),
    "owner_id": (User, "user"),
    "technician_group_id": (TechnicianGroup, "technician group"),
    "company_id": (Company, "company"),
    "location_id": (Location, "location"),
    "department_id": (Department, "department"),
}
_NOT_CLEARABLE = frozenset({"title", "status_id", "priority"})
_DETAIL_MODELS: dict[
    RecordKind, tuple[str, type[ChangeDetails | ReleaseDetails | ProblemDetails]]
] = {
    RecordKind.CHANGE: ("change", ChangeDetails),
    RecordKind.RELEASE: ("release", ReleaseDetails),
    RecordKind.PROBLEM: ("problem", ProblemDetails),
}
_DETAIL_LENGTHS = {"risk": 32, "change_type": 100, "target_environment": 100, "release_type": 100}
_DETAIL_KINDS = {
    name: [kind.value + "s" for kind, names in DETAIL_FIELDS.items() if name in names]
    for name in ALL_DETAIL_FIELDS
}


# Helpers -----------------------------------------------------------------------------------


def _label(kind: str | None) -> str:
    return kind or "record"


def _detail(record: Record) -> ChangeDetails | ReleaseDetails | ProblemDetails | None:
    spec = _DETAIL_MODELS.get(RecordKind(record.kind))
    return getattr(record, spec[0]) if spec is not None else None


def _state(record: Record) -> dict[str, Any]:
    """The caller-visible fields of a record, its detail fields included."""
    state = {column: getattr(record, column) for column in RECORD_COLUMNS + LIFECYCLE_COLUMNS}
    detail = _detail(record)
    if detail is not None:
        for name in DETAIL_FIELDS[RecordKind(record.kind)]:
            state[name] = getattr(detail, name)
    return state


def _optional_text(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    return text or None


def _limited(value: str | None, field: str, limit: int) -> str | None:
    text = _optional_text(value)
    if text is not None and len(text) > limit:
        raise Invalid(
            f"The {field} must be at most {limit} characters long.", field=field, value=value
        )
    return text


def _title(value: str | None) -> str:
    title = (value or "").strip()
    if not title:
        raise Invalid("The title must not be blank.", field="title", value=value)
    if len(title) > MAX_TITLE_LENGTH:
        raise Invalid(
            f"The title must be at most {MAX_TITLE_LENGTH} characters long.",
            field="title",
            value=value,
        )
    return title


def _priority(value: int) -> int:
    if isinstance(value, bool) or value not in PRIORITY_LEVELS:
        raise Invalid(
            f"The priority must be a level from 1 (critical) to 5 (very low); {value!r} is not.",
            field="priority",
            value=value,
        )
    return value


def _tags(values: list[str] | None) -> list[str]:
    tags: list[str] = []
    for value in values or []:
        tag = value.strip() if isinstance(value, str) else ""
        if not tag:
            raise Invalid("A tag must be a non-empty string.", field="tags", value=value)
        if len(tag) > MAX_TAG_LENGTH:
            raise Invalid(
                f"A tag must be at most {MAX_TAG_LENGTH} characters long.", field="tags", value=tag
            )
        if tag not in tags:
            tags.append(tag)
    return tags


def _email_as_given(value: str, field: str) -> str:
    """Checked, but kept as given (trimmed): django-helpdesk matches submitter e-mails
    exactly, so the case of either part of the address is never changed."""
    custom_fields.email_address(value, field=field)
    return value.strip()


def _cc_emails(values: list[str] | None) -> list[str]:
    """Kept as given, in order; a second spelling of an address (ignoring case) is dropped."""
    emails: list[str] = []
    keys: set[str] = set()
    for value in values or []:
        email = _email_as_given(value, "cc_emails")
        if email.lower() not in keys:
            keys.add(email.lower())
            emails.append(email)
    return emails


def _submitter_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return _email_as_given(value, "submitter_email")


def _source(value: str | None) -> str:
    return _limited(value, "source", MAX_SOURCE_LENGTH) or DEFAULT_SOURCE


def _clean_columns(values: dict[str, Any]) -> dict[str, Any]:
    """Normalise the record columns given; reference ids are checked separately."""
    for key in _NOT_CLEARABLE & values.keys():
        if values[key] is None:
            raise Invalid(f"The {key} cannot be cleared.", field=key)
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key not in RECORD_COLUMNS:
            continue
        match key:
            case "title":
                clean[key] = _title(value)
            case "description":
                clean[key] = value or ""
            case "priority":
                clean[key] = _priority(value)
            case "impact" | "urgency" | "support_level":
                clean[key] = value.value if value is not None else None
            case "submitter_email":
                clean[key] = _submitter_email(value)
            case "source":
                clean[key] = _source(value)
            case "spam" | "on_hold":
                clean[key] = bool(value)
            case "resolution" | "closure_comment":
                clean[key] = value if value is None or value.strip() else None
            case "closure_code":
                clean[key] = _limited(value, "closure_code", MAX_CLOSURE_CODE_LENGTH)
            case "tags":
                clean[key] = _tags(value)
            case "cc_emails":
                clean[key] = _cc_emails(value)
            case _:
                clean[key] = value
    return clean


def _clean_details(kind: RecordKind, values: dict[str, Any]) -> dict[str, Any]:
    """The detail fields given; a field of another kind is refused unless it is empty."""
    own = DETAIL_FIELDS.get(kind, ())
    clean: dict[str, Any] = {}
    for key in ALL_DETAIL_FIELDS & values.keys():
        value = values[key]
        if key not in own:
            if value is None:
                continue
            raise Invalid(
                f"The field {key} applies only to {' and '.join(_DETAIL_KINDS[key])}, not to "
                f"{kind.value}s.",
                field=key,
                value=value,
            )
        if key in _DETAIL_LENGTHS:
            clean[key] = _limited(value, key, _DETAIL_LENGTHS[key])
        elif key == "known_error":
            clean[key] = bool(value)
        elif key in ("root_cause", "workaround"):
            clean[key] = value if value is None or value.strip() else None
        else:
            clean[key] = value
    return clean


def _check_plan(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise Invalid(
            "The planned end must not be before the planned start.",
            field="planned_end",
            value=end,
        )


async def _default_status(session: AsyncSession) -> StatusRef | None:
    """The status a new record takes, from the statuses as a read sees them (the reference
    cache): a creation applies the definitions, it names no status to check."""
    for status in await catalog.list_statuses(session):
        if status.is_default:
            return StatusRef(status.id, status.name, status.category)
    return await repository.default_status_ref(session)


async def _check_references(
    session: AsyncSession, kind: str, values: dict[str, Any], record_id: int | None
) -> StatusRef | None:
    """Every referenced row must exist; the new status (if one is given) comes back."""
    status: StatusRef | None = None
    for key, (model, what) in _REFERENCES.items():
        ref = values.get(key)
        if ref is None:
            continue
        if model is Status:
            status = await repository.status_ref(session, ref)
            found = status is not None
        elif model is Service:
            found = await catalog.service_exists(session, ref)
        else:
            found = await repository.exists(session, model, ref)
        if not found:
            raise Invalid(f"No {what} with id {ref}.", field=key, value=ref)
    assignee_id = values.get("assignee_id")
    if assignee_id is not None:
        user = await repository.get_row(session, User, assignee_id)
        if user is None:
            raise Invalid(f"No user with id {assignee_id}.", field="assignee_id", value=assignee_id)
        if not user.is_active or user.role not in STAFF_ROLES:
            raise Invalid(
                f"User {assignee_id} cannot be assigned: the assignee must be an active "
                "technician or administrator.",
                field="assignee_id",
                value=assignee_id,
            )
    target_id = values.get("merged_to_id")
    if target_id is not None:
        target = await repository.get_row(session, Record, target_id)
        _check_merge_target(kind, record_id, target, target_id, field="merged_to_id")
    return status


def _check_merge_target(
    kind: str, source_id: int | None, target: Record | None, target_id: int, *, field: str
) -> Record:
    if target_id == source_id:
        raise Invalid("A record cannot be merged into itself.", field=field, value=target_id)
    if target is None:
        raise Invalid(f"No {kind} with id {target_id}.", field=field, value=target_id)
    if target.kind != kind:
        raise Invalid(
            f"A {kind} can be merged only into another {kind}; record {target_id} is a "
            f"{target.kind}.",
            field=field,
            value=target_id,
        )
    if target.merged_to_id is not None:
        raise Conflict(
            f"{target.kind.capitalize()} {target_id} is itself merged into record "
            f"{target.merged_to_id}; merge into that one instead.",
            field=field,
            value=target_id,
        )
    return target


def _lifecycle(state: dict[str, Any], category: str, actor: Actor, now: datetime) -> dict[str, Any]:
    """The life-cycle fields implied by entering a status of ``category``."""
    if category == StatusCategory.RESOLVED:
        values: dict[str, Any] = {"closed_at": None, "closed_by_id": None}
        if state.get("resolved_at") is None:
            values |= {"resolved_at": now, "resolved_by_id": actor.user_id}
        return values
    if category == StatusCategory.CLOSED:
        if state.get("closed_at") is None:
            return {"closed_at": now, "closed_by_id": actor.user_id}
        return {}
    return {key: None for key in LIFECYCLE_COLUMNS}


async def _locked(session: AsyncSession, record_id: int, kind: RecordKind | None) -> Record:
    record = await repository.get(session, record_id, for_update=True)
    if record is None or (kind is not None and record.kind != kind.value):
        label = _label(kind.value if kind else None)
        raise NotFound(f"No {label} found with id {record_id}.", field="id", value=record_id)
    return record


async def _status_of(session: AsyncSession, record: Record) -> Status:
    status = await repository.get_row(session, Status, record.status_id)
    assert status is not None, "record.status_id is a foreign key"
    return status


async def _write(
    session: AsyncSession,
    actor: Actor,
    record: Record,
    changes: dict[str, Any],
    *,
    expected_version: int | None,
    now: datetime,
) -> None:
    """UPDATE the changed columns with the bookkeeping ones; Conflict on a stale version."""
    values = changes | {"updated_at": now, "updated_by_id": actor.user_id, "last_active_at": now}
    if not await repository.update_columns(
        session, record, values, expected_version=expected_version
    ):
        raise Conflict(
            f"{record.kind.capitalize()} {record.id} was changed by someone else (it is no "
            f"longer at version {expected_version}); reload it and try again.",
            field="version",
            value=expected_version,
        )


def _check_version(record: Record, expected_version: int | None) -> None:
    if expected_version is not None and record.version != expected_version:
        raise Conflict(
            f"{record.kind.capitalize()} {record.id} is at version {record.version}, not "
            f"{expected_version}; reload it and try again.",
            field="version",
            value=expected_version,
        )


async def _event(
    session: AsyncSession,
    actor: Actor,
    action: str,
    record_id: int,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    await audit.record(
        session,
        actor,
        action,
        object_type="record",
        object_id=record_id,
        record_id=record_id,
        before=before,
        after=after,
    )


# Create ------------------------------------------------------------------------------------


async def create_record(session: AsyncSession, actor: Actor, data: RecordCreate) -> Record:
    """Create a record of any kind with its number, detail row and custom values.

    The number comes from the kind's counter in this transaction: a creation that fails
    leaves no gap-free number taken and no event.
    """
    kind = data.kind
    given = data.model_dump(exclude_unset=True, exclude={"kind", "custom_fields"})
    given["title"] = data.title
    columns = _clean_columns(given)
    details = _clean_details(kind, given)
    _check_plan(details.get("planned_start"), details.get("planned_end"))
    status = await _check_references(session, kind.value, columns, None)
    if status is None:
        status = await _default_status(session)
        if status is None:
            raise Conflict("No default status is configured.", field="status_id")
    now = utcnow()
    columns = {
        "description": "",
        "priority": 3,
        "source": DEFAULT_SOURCE,
        "spam": False,
        "on_hold": False,
        "tags": [],
        "cc_emails": [],
        **columns,
        "status_id": status.id,
    }
    columns |= {k: v for k, v in _lifecycle({}, status.category, actor, now).items() if v}

    record = await repository.insert_record(
        session,
        {
            "kind": kind.value,
            **columns,
            "created_at": now,
            "updated_at": now,
            "last_active_at": now,
            "created_by_id": actor.user_id,
            "updated_by_id": actor.user_id,
            "version": 1,
        },
    )
    if record is None:
        raise Conflict(
            f"The {_label(kind.value)} could not be created: a status, service or person it "
            "refers to was removed meanwhile. Try again.",
        )
    number = record.number
    spec = _DETAIL_MODELS.get(kind)
    detail = None
    if spec is not None:
        detail = spec[1](record_id=record.id, **details)
        await repository.add(session, detail)
    repository.attach_details(record, detail)
    custom = await custom_fields.set_values(
        session, actor, record, data.custom_fields or {}, creating=True
    )
    after = {"kind": kind.value, "number": number}
    after |= {k: v for k, v in _state(record).items() if v is not None}
    after |= custom.after
    await _event(session, actor, "record.created", record.id, after=after)
    return record


# Read --------------------------------------------------------------------------------------


async def get_record(
    session: AsyncSession, record_id: int, *, kind: RecordKind | None = None
) -> Record:
    """The record with its detail row; NotFound names the kind (``No incident found …``)."""
    record = await repository.get(session, record_id, kind=kind.value if kind else None)
    if record is None or (kind is not None and record.kind != kind.value):
        label = _label(kind.value if kind else None)
        raise NotFound(f"No {label} found with id {record_id}.", field="id", value=record_id)
    return record


async def get_record_by_number(session: AsyncSession, kind: RecordKind, number: int) -> Record:
    record = await repository.get_by_number(session, kind.value, number)
    if record is None:
        raise NotFound(f"No {kind.value} found with number {number}.", field="number", value=number)
    return record


async def count_records(session: AsyncSession, query: RecordQuery) -> int:
    """How many records match ``query``, whatever its offset and limit."""
    return await repository.count_records(session, query)


async def get_brief_with_values(
    session: AsyncSession, record_id: int, *, kind: RecordKind
) -> tuple[RecordBrief, dict[str, object]]:
    """The shown columns of a record of ``kind`` as a plain row, and its typed custom values
    keyed by slug (staff-only ones included), read in one statement; NotFound as
    :func:`get_record`."""
    found = await repository.brief_with_values(session, record_id, kind.value)
    if found is None:
        label = _label(kind.value)
        raise NotFound(f"No {label} found with id {record_id}.", field="id", value=record_id)
    brief, stored = found
    values = await custom_fields.typed_values(session, [brief.id], stored)
    return brief, values[brief.id]


async def list_briefs(session: AsyncSession, query: RecordQuery) -> Page[RecordBrief]:
    """One page of :func:`list_records` as plain rows (no detail rows), and the total: two
    queries."""
    items, total = await repository.list_briefs(session, query)
    return Page(items=items, total=total, offset=query.offset, limit=query.limit)


async def records_by_ids(session: AsyncSession, record_ids: Sequence[int]) -> dict[int, Record]:
    """Records (with detail rows) by id, in one query; unknown ids are left out."""
    return {r.id: r for r in await repository.get_many(session, list(record_ids))}


async def load_records(
    session: AsyncSession, record_ids: list[int], *, include_staff_only: bool = True
) -> list[LoadedRecord]:
    """Records with detail rows and custom values, in the order of ``record_ids`` (unknown ids
    are left out), in two queries whatever their number."""
    by_id = {r.id: r for r in await repository.get_many(session, record_ids)}
    present = [i for i in dict.fromkeys(record_ids) if i in by_id]
    values = await custom_fields.values_for(session, present, include_staff_only=include_staff_only)
    return [LoadedRecord(by_id[i], values[i]) for i in present]


async def load_record(
    session: AsyncSession,
    record_id: int,
    *,
    kind: RecordKind | None = None,
    include_staff_only: bool = True,
) -> LoadedRecord:
    record = await get_record(session, record_id, kind=kind)
    values = await custom_fields.values_for(
        session, [record.id], include_staff_only=include_staff_only
    )
    return LoadedRecord(record, values[record.id])


def is_submitted_by(record: Record, submitter: Submitter) -> bool:
    """Whether ``record`` is the submitter's by the rule of ``RecordQuery.submitted_by``."""
    if record.submitter_email:
        return record.submitter_email == submitter.email
    return record.requester_id == submitter.user_id


async def list_records(session: AsyncSession, query: RecordQuery) -> Page[Record]:
    """One page of records (detail rows loaded) and the total: two queries. Custom values of
    a page come from :func:`polydesk.domains.custom_fields.service.values_for` in one more."""
    items, total = await repository.list_records(session, query)
    return Page(items=items, total=total, offset=query.offset, limit=query.limit)


# Update ------------------------------------------------------------------------------------


async def update_record(
    session: AsyncSession,
    actor: Actor,
    record_id: int,
    data: RecordUpdate,
    *,
    expected_version: int | None = None,
    kind: RecordKind | None = None,
) -> Record:
    """Apply the fields given. Only columns whose value changes are written; an update that
    changes nothing writes nothing, bumps nothing and records no event."""
    record = await _locked(session, record_id, kind)
    _check_version(record, expected_version)
    record_kind = RecordKind(record.kind)
    given = data.model_dump(exclude_unset=True, exclude={"custom_fields"})
    columns = _clean_columns(given)
    details = _clean_details(record_kind, given)
    status = await _check_references(session, record.kind, columns, record.id)
    now = utcnow()

    before_state = _state(record)
    changes = {k: v for k, v in columns.items() if before_state[k] != v}
    if "status_id" in changes and status is not None:
        implied = _lifecycle(before_state, status.category, actor, now)
        changes |= {k: v for k, v in implied.items() if before_state[k] != v}
    detail_changes = {k: v for k, v in details.items() if before_state.get(k) != v}
    if detail_changes:
        _check_plan(
            detail_changes.get("planned_start", before_state.get("planned_start")),
            detail_changes.get("planned_end", before_state.get("planned_end")),
        )

    custom = (
        await custom_fields.set_values(session, actor, record, data.custom_fields, creating=False)
        if data.custom_fields
        else None
    )
    if not changes and not detail_changes and not custom:
        return record

    if detail_changes:
        await _write_details(session, record, record_kind, detail_changes)
    await _write(session, actor, record, changes, expected_version=expected_version, now=now)
    before = {k: before_state.get(k) for k in (changes | detail_changes)}
    after = changes | detail_changes
    if custom:
        before |= custom.before
        after |= custom.after
    await _event(session, actor, "record.updated", record.id, before=before, after=after)
    return record


async def _write_details(
    session: AsyncSession, record: Record, kind: RecordKind, changes: dict[str, Any]
) -> None:
    detail = _detail(record)
    if detail is None:
        detail = _DETAIL_MODELS[kind][1](record_id=record.id, **changes)
        await repository.add(session, detail)
        repository.attach_details(record, detail)
        return
    for key, value in changes.items():
        setattr(detail, key, value)
    await repository.flush(session)


# Transitions -------------------------------------------------------------------------------


def _stamp(value: datetime | None, now: datetime) -> datetime:
    """A given time (naive = UTC) or now."""
    return as_utc(value) or now


async def _target_status(
    session: AsyncSession, status_id: int | None, categories: set[str], what: str
) -> Status | None:
    if status_id is None:
        return None
    status = await repository.get_row(session, Status, status_id)
    if status is None:
        raise Invalid(f"No status with id {status_id}.", field="status_id", value=status_id)
    if status.category not in categories:
        raise Invalid(
            f"The status {status.name!r} is not {what}.", field="status_id", value=status_id
        )
    return status


async def _first_status(session: AsyncSession, category: StatusCategory) -> Status:
    status = await repository.first_status(session, category.value)
    if status is None:
        raise Conflict(f"No status of category {category.value} is configured.", field="status_id")
    return status


async def _transition(
    session: AsyncSession,
    actor: Actor,
    record: Record,
    action: str,
    changes: dict[str, Any],
    *,
    expected_version: int | None,
    now: datetime,
) -> Record:
    before_state = _state(record)
    changed = {k: v for k, v in changes.items() if before_state[k] != v}
    await _write(session, actor, record, changed, expected_version=expected_version, now=now)
    await _event(
        session,
        actor,
        action,
        record.id,
        before={k: before_state[k] for k in changed},
        after=changed,
    )
    return record


async def resolve_record(
    session: AsyncSession,
    actor: Actor,
    record_id: int,
    *,
    resolution: str | None = None,
    resolved_at: datetime | None = None,
    status_id: int | None = None,
    expected_version: int | None = None,
    kind: RecordKind | None = None,
) -> Record:
    """Resolve an open, in-progress or pending record: the given status of category
    resolved, or the first one."""
    record = await _locked(session, record_id, kind)
    _check_version(record, expected_version)
    current = await _status_of(session, record)
    if current.category in (StatusCategory.RESOLVED, StatusCategory.CLOSED):
        raise Conflict(
            f"{record.kind.capitalize()} {record.id} is already {current.category} "
            f"({current.name}).",
            field="status_id",
            value=current.id,
        )
    status = await _target_status(
        session, status_id, {StatusCategory.RESOLVED.value}, "a resolved status"
    ) or await _first_status(session, StatusCategory.RESOLVED)
    now = utcnow()
    changes: dict[str, Any] = {
        "status_id": status.id,
        "resolved_at": _stamp(resolved_at, now),
        "resolved_by_id": actor.user_id,
    }
    if resolution is not None and resolution.strip():
        changes["resolution"] = resolution
    return await _transition(
        session,
        actor,
        record,
        "record.resolved",
        changes,
        expected_version=expected_version,
        now=now,
    )


async def close_record(
    session: AsyncSession,
    actor: Actor,
    record_id: int,
    *,
    closure_code: str | None = None,
    closure_comment: str | None = None,
    closed_at: datetime | None = None,
    status_id: int | None = None,
    expected_version: int | None = None,
    kind: RecordKind | None = None,
) -> Record:
    """Close a record that is not closed yet (resolved or not): the given status of
    category closed, or the first one."""
    record = await _locked(session, record_id, kind)
    _check_version(record, expected_version)
    current = await _status_of(session, record)
    if current.category == StatusCategory.CLOSED:
        raise Conflict(
            f"{record.kind.capitalize()} {record.id} is already closed ({current.name}).",
            field="status_id",
            value=current.id,
        )
    status = await _target_status(
        session, status_id, {StatusCategory.CLOSED.value}, "a closed status"
    ) or await _first_status(session, StatusCategory.CLOSED)
    now = utcnow()
    changes: dict[str, Any] = {
        "status_id": status.id,
        "closed_at": _stamp(closed_at, now),
        "closed_by_id": actor.user_id,
    }
    code = _limited(closure_code, "closure_code", MAX_CLOSURE_CODE_LENGTH)
    if code is not None:
        changes["closure_code"] = code
    if closure_comment is not None and closure_comment.strip():
        changes["closure_comment"] = closure_comment
    return await _transition(
        session, actor, record, "record.closed", changes, expected_version=expected_version, now=now
    )


async def reopen_record(
    session: AsyncSession,
    actor: Actor,
    record_id: int,
    *,
    status_id: int | None = None,
    expected_version: int | None = None,
    kind: RecordKind | None = None,
) -> Record:
    """Reopen a resolved or closed record that is not merged: status "Reopened" if it exists,
    else the default (or the given open, in-progress or pending status); the resolved and
    closed stamps and the closure code and comment are cleared. The resolution text stays."""
    record = await _locked(session, record_id, kind)
    _check_version(record, expected_version)
    current = await _status_of(session, record)
    if current.category not in (StatusCategory.RESOLVED, StatusCategory.CLOSED):
        raise Conflict(
            f"{record.kind.capitalize()} {record.id} is not resolved or closed "
            f"({current.name}); only those can be reopened.",
            field="status_id",
            value=current.id,
        )
    if record.merged_to_id is not None:
        raise Conflict(
            f"{record.kind.capitalize()} {record.id} is merged into record "
            f"{record.merged_to_id} and cannot be reopened.",
            field="merged_to_id",
            value=record.merged_to_id,
        )
    open_categories = {
        StatusCategory.OPEN.value,
        StatusCategory.IN_PROGRESS.value,
        StatusCategory.PENDING.value,
    }
    status = await _target_status(session, status_id, open_categories, "an open status")
    if status is None:
        status = await repository.status_by_key(session, name_key(REOPENED_STATUS))
        if status is None or status.category not in open_categories:
            status = await repository.default_status(session)
        if status is None:
            raise Conflict("No default status is configured.", field="status_id")
    changes: dict[str, Any] = {key: None for key in LIFECYCLE_COLUMNS}
    changes |= {"status_id": status.id, "closure_code": None, "closure_comment": None}
    return await _transition(
        session,
        actor,
        record,
        "record.reopened",
        changes,
        expected_version=expected_version,
        now=utcnow(),
    )


async def merge_record(
    session: AsyncSession,
    actor: Actor,
    source_id: int,
    target_id: int,
    *,
    expected_version: int | None = None,
) -> Record:
    """Merge ``source`` into ``target`` (same kind; the target not merged itself; the source
    not merged already). The source gets ``merged_to_id``, the "Duplicate" status (or the
    first closed one) and is closed; the target only becomes active now."""
    if source_id == target_id:
        raise Invalid("A record cannot be merged into itself.", field="target_id", value=target_id)
    # Lock in id order, so that two merges of the same pair cannot deadlock.
    first, second = sorted((source_id, target_id))
    locked = {
        first: await repository.get(session, first, for_update=True),
        second: await repository.get(session, second, for_update=True),
    }
    source = locked[source_id]
    if source is None:
        raise NotFound(f"No record found with id {source_id}.", field="id", value=source_id)
    _check_version(source, expected_version)
    if source.merged_to_id is not None:
        raise Conflict(
            f"{source.kind.capitalize()} {source.id} is already merged into record "
            f"{source.merged_to_id}.",
            field="merged_to_id",
            value=source.merged_to_id,
        )
    target = _check_merge_target(
        source.kind, source.id, locked[target_id], target_id, field="target_id"
    )
    status = await repository.status_by_key(session, name_key(DUPLICATE_STATUS))
    if status is None or status.category != StatusCategory.CLOSED:
        status = await _first_status(session, StatusCategory.CLOSED)
    now = utcnow()
    changes: dict[str, Any] = {"merged_to_id": target.id, "status_id": status.id}
    if source.closed_at is None:
        changes |= {"closed_at": now, "closed_by_id": actor.user_id}
    await _transition(
        session,
        actor,
        source,
        "record.merged",
        changes,
        expected_version=expected_version,
        now=now,
    )
    await repository.touch(session, target, now)
    return source


async def delete_record(
    session: AsyncSession,
    actor: Actor,
    record_id: int,
    *,
    expected_version: int | None = None,
    kind: RecordKind | None = None,
) -> None:
    """Delete a record and everything that hangs off it; the event keeps its last values.
    Records merged into it keep existing, with ``merged_to_id`` cleared by the database."""
    record = await _locked(session, record_id, kind)
    _check_version(record, expected_version)
    values = await custom_fields.values_for(session, [record.id])
    before = {"kind": record.kind, "number": record.number}
    before |= {k: v for k, v in _state(record).items() if v is not None}
    before |= {f"custom:{slug}": value for slug, value in values[record.id].items()}
    await repository.delete_record(session, record)
    await _event(session, actor, "record.deleted", record_id, before=before)
