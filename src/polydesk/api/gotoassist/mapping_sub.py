"""Pure mapping between GoToAssist wire objects and the domains, for the resources that hang off
records and for configuration: notes, watches, change testers, issues, release review users,
release records, time entries, links, config types, relationship types and config items.

Outgoing: each ``*_to_wire`` function takes the domain object and what the route loaded beside
it (embedded user objects already rendered, the link prefix) and returns the spec's field dict,
keys in the order the spec lists them. Incoming: each ``*_from`` function takes the inner object
of a request body (the wrapper already removed) and returns the domain schema, coercing the
tolerant wire forms (ids as numbers or numeric strings, booleans as ``true``/``1``/``"yes"``,
``""`` for an empty date). A value of the wrong type is :class:`~polydesk.core.errors.Invalid`
with a Rails-style message (``minutes is not a number``), so that the surface answers
``[E400] …``. Unknown keys and read-only ones (``id``, ``*_link``, embedded objects such as
``user`` or ``config_type``) are ignored, so that re-sending an object read from a Show call
works.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from polydesk.core.enums import NoteType, RecordKind
from polydesk.core.errors import Invalid
from polydesk.domains.change_testers.schemas import ChangeTesterCreate, ChangeTesterUpdate
from polydesk.domains.configuration.schemas import (
    ConfigItemCreate,
    ConfigItemUpdate,
    RelatedItem,
)
from polydesk.domains.issues.schemas import IssueCreate, IssueUpdate
from polydesk.domains.notes.schemas import NoteCreate, NoteUpdate
from polydesk.domains.release_records.schemas import ReleaseRecordCreate, ReleaseRecordUpdate
from polydesk.domains.review_users.schemas import ReviewUserCreate, ReviewUserUpdate
from polydesk.domains.time_entries.schemas import TimeEntryCreate, TimeEntryUpdate
from polydesk.models import (
    ChangeTester,
    ConfigItem,
    ConfigRelationshipType,
    ConfigType,
    Note,
    RecordIssue,
    ReleaseRecord,
    ReleaseReviewUser,
    TimeEntry,
    Watch,
)

Wire = dict[str, Any]

MAX_ID = 2**63 - 1
"""Ids are 64-bit: anything larger names nothing (and must never reach the database)."""

MAX_WIRE_INT = 2**31 - 1
"""Bound for plain integer fields (minutes, hours) before the domain's own limits apply."""

# Values --------------------------------------------------------------------------------------


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_id(value: object, field: str) -> int | None:
    """An id given as a JSON number or a numeric string; ``None``/``""`` are absent. Ids outside
    1..2**63-1 are refused here, before any query sees them."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise Invalid(f"{field} is invalid", field=field, value=value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdigit():
            raise Invalid(f"{field} is invalid", field=field, value=value)
        value = int(text)
    if not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise Invalid(f"{field} is invalid", field=field, value=value)
    return value


def as_int(value: object, field: str) -> int | None:
    """A whole number given as a JSON number or a numeric string."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise Invalid(f"{field} is not a number", field=field, value=value)
    if isinstance(value, float):
        if not value.is_integer():
            raise Invalid(f"{field} must be an integer", field=field, value=value)
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
            raise Invalid(f"{field} is not a number", field=field, value=value)
        value = sign * int(digits)
    if not isinstance(value, int):
        raise Invalid(f"{field} is not a number", field=field, value=value)
    if abs(value) > MAX_WIRE_INT:
        raise Invalid(f"{field} is too large", field=field, value=value)
    return value


def as_number(value: object, field: str) -> float | None:
    """A number (hours may be fractional) given as a JSON number or a numeric string."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise Invalid(f"{field} is not a number", field=field, value=value)
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError as exc:
            raise Invalid(f"{field} is not a number", field=field, value=value) from exc
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(f"{field} is not a number", field=field, value=value)
    if abs(value) > MAX_WIRE_INT:
        raise Invalid(f"{field} is too large", field=field, value=value)
    return float(value)


def as_text(value: object, field: str) -> str | None:
    """Text; numbers are taken as their decimal form (form-encoded and XML bodies carry only
    text, JSON clients sometimes send numbers)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise Invalid(f"{field} is invalid", field=field, value=value)
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        raise Invalid(f"{field} is invalid", field=field, value=value)
    return value


_TRUE = frozenset({"true", "1", "yes", "on", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "off", "f", "n", ""})


def as_bool(value: object, field: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise Invalid(f"{field} is invalid", field=field, value=value)


def as_datetime(value: object, field: str) -> datetime | None:
    """ISO 8601; a time without an offset is UTC; ``""`` clears."""
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise Invalid(f"{field} is invalid", field=field, value=value)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise Invalid(f"{field} is invalid", field=field, value=value) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def as_date(value: object, field: str) -> date | None:
    """An ISO date, or the date (UTC) of an ISO datetime."""
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise Invalid(f"{field} is invalid", field=field, value=value)
    text = value.strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise Invalid(f"{field} is invalid", field=field, value=value) from exc
    moment = as_datetime(text, field)
    assert moment is not None
    return moment.astimezone(UTC).date()


def iso(moment: datetime | None) -> str:
    """``2010-03-23T00:11:47Z``: seconds, UTC, as in the guide's examples; ``""`` for no date
    (the guide's ``"closed at": ""``)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def first(body: Mapping[str, Any], *keys: str) -> tuple[str, Any] | None:
    """The first of ``keys`` present in ``body`` (aliases, in order of preference)."""
    for key in keys:
        if key in body:
            return key, body[key]
    return None


def _id_of(value: object, field: str) -> int | None:
    """An id given bare, or as an embedded object read from a Show call (``{"id": 20, …}``)."""
    if isinstance(value, Mapping):
        return as_id(value.get("id"), field)
    return as_id(value, field)


# Paths ---------------------------------------------------------------------------------------

KIND_SEGMENTS: dict[RecordKind, str] = {
    RecordKind.INCIDENT: "incidents",
    RecordKind.REQUEST: "incidents",
    RecordKind.PROBLEM: "problems",
    RecordKind.CHANGE: "changes",
    RecordKind.RELEASE: "releases",
}
"""The collection a record is reached through. Service requests are GoToAssist incidents."""


def kind_name(kind: RecordKind | str) -> str:
    """The singular GoToAssist name of a record kind (``incident``, ``change``, …)."""
    return KIND_SEGMENTS[RecordKind(kind)][:-1]


def record_path(base: str, kind: RecordKind | str, record_id: int) -> str:
    return f"{base}/{KIND_SEGMENTS[RecordKind(kind)]}/{record_id}"


def parent_ref(base: str, kind: RecordKind | str | None, record_id: int | None) -> Wire:
    """``{"change_id": 5, "change_link": "…/changes/5"}`` for the record a sub-resource
    belongs to; nothing for none."""
    if kind is None or record_id is None:
        return {}
    name = kind_name(kind)
    return {f"{name}_id": record_id, f"{name}_link": record_path(base, kind, record_id)}


# Notes ---------------------------------------------------------------------------------------

NOTE_COLLECTIONS: dict[NoteType, str] = {
    NoteType.COMMENT: "comments",
    NoteType.SYMPTOM: "symptoms",
    NoteType.RESOLUTION: "resolutions",
    NoteType.WORKAROUND: "workarounds",
    NoteType.ROOT_CAUSE: "root_causes",
    NoteType.DESCRIPTION: "descriptions",
    NoteType.REASON: "reasons",
    NoteType.BUILD_INSTRUCTION: "build_instructions",
    NoteType.BUILD_PROGRESS_NOTE: "build_progress_notes",
    NoteType.TEST_PLAN: "test_plans",
    NoteType.COMPONENT: "components",
    NoteType.INSTRUCTION: "instructions",
    NoteType.BACKOUT: "backouts",
    NoteType.FOLLOWUP: "followups",
}
"""The path segment (and plural key) of each note type."""

_NOTE_ALIASES: dict[str, NoteType] = {
    "release_component": NoteType.COMPONENT,
    "release_components": NoteType.COMPONENT,
    "backout_plan": NoteType.BACKOUT,
    "backout_plans": NoteType.BACKOUT,
    "root_causes": NoteType.ROOT_CAUSE,
}


def note_type_from(value: object) -> NoteType | None:
    """A note type named singular or plural (``comment``, ``comments``), any case, with the
    aliases clients use (``release_component``); ``None`` when it names none."""
    if not isinstance(value, str):
        return None
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key in _NOTE_ALIASES:
        return _NOTE_ALIASES[key]
    for note_type, plural in NOTE_COLLECTIONS.items():
        if key in (note_type.value, plural):
            return note_type
    return None


def note_link(base: str, parent_path: str, note: Note) -> str:
    """``…/incidents/1024/symptoms/2``: the note under its record, by its own type."""
    return f"{parent_path}/{NOTE_COLLECTIONS[NoteType(note.note_type)]}/{note.id}"


def note_to_wire(note: Note, *, user: Wire | None, parent_path: str) -> Wire:
    """The note object of spec §4.7. ``parent_path`` is the record's own link."""
    note_type = NoteType(note.note_type)
    return {
        "id": note.id,
        "created_at": iso(note.created_at),
        "updated_at": iso(note.updated_at),
        "note": note.body,
        "note_type": note_type.value,
        "customer_viewable": note.public,
        "user": user,
        f"{note_type.value}_link": note_link("", parent_path, note),
    }


def _note_visibility(body: Mapping[str, Any]) -> bool | None:
    viewable = as_bool(body.get("customer_viewable"), "customer_viewable")
    if viewable is not None:
        return viewable
    hidden = as_bool(body.get("hidden"), "hidden")
    return None if hidden is None else not hidden


def note_text(body: Mapping[str, Any]) -> object:
    """The text of a note body: ``note``, or ``body``/``text``/``description`` as aliases."""
    found = first(body, "note", "body", "text", "description")
    return None if found is None else found[1]


def note_create_from(body: Mapping[str, Any], note_type: NoteType) -> NoteCreate:
    text = as_text(note_text(body), "note")
    if _blank(text):
        raise Invalid("note can't be blank", field="note", value=text)
    assert text is not None
    data = NoteCreate(body=text, note_type=note_type)
    public = _note_visibility(body)
    if public is not None:
        data.public = public
    author = _id_of(body.get("user_id"), "user_id")
    if author is not None:
        data.author_id = author
    return data


def note_update_from(body: Mapping[str, Any], note_type: NoteType | None) -> NoteUpdate:
    """Only what is given changes; a ``note_type`` (from the query) moves the note to that
    collection (clients update a symptom through ``/comments/{id}?note_type=symptom``, so the
    type only changes when the note is not already of it — the route decides)."""
    fields: dict[str, Any] = {}
    if note_text(body) is not None:
        text = as_text(note_text(body), "note")
        if _blank(text):
            raise Invalid("note can't be blank", field="note", value=text)
        fields["body"] = text
    public = _note_visibility(body)
    if public is not None:
        fields["public"] = public
    if note_type is not None:
        fields["note_type"] = note_type
    return NoteUpdate(**fields)


# Watches -------------------------------------------------------------------------------------


def watch_link(parent_path: str, watch: Watch) -> str:
    return f"{parent_path}/watches/{watch.id}"


def watch_to_wire(watch: Watch, *, watched_by: Wire | None, parent_path: str) -> Wire:
    """The watch object of spec §4.8, as records embed it: ``watched_by`` is the user
    reference, or ``{"external_email": …}`` for an outside address."""
    return {
        "id": watch.id,
        "watched_by": watched_by
        if watch.external_email is None
        else {"external_email": watch.external_email},
        "watch_link": watch_link(parent_path, watch),
    }


def watch_target_from(body: Mapping[str, Any]) -> tuple[int | None, int | None, str | None]:
    """``(user id, customer id, e-mail address)`` named by a watch body; at most one is set.

    ``watched_by`` is a user id, or an embedded object: a customer reference (one with a
    ``customer_link``, as clients copy it from a record) names a customer, any other a user.
    """
    email = as_text(body.get("external_email", body.get("email")), "external_email")
    raw = first(body, "watched_by", "watched_by_id", "user_id")
    if raw is not None and not _blank(raw[1]):
        if isinstance(raw[1], Mapping):
            if raw[1].get("customer_link") is not None or raw[1].get("customer_id") is not None:
                customer = as_id(raw[1].get("customer_id", raw[1].get("id")), "watched_by")
                return None, customer, None
            return _id_of(raw[1], "watched_by"), None, None
        return as_id(raw[1], "watched_by"), None, None
    if email is not None and email.strip():
        return None, None, email.strip()
    raise Invalid("watched_by can't be blank", field="watched_by", value=None)


# Change testers and release review users -----------------------------------------------------


def tester_to_wire(tester: ChangeTester, *, user: Wire | None, base: str) -> Wire:
    change_path = record_path(base, RecordKind.CHANGE, tester.record_id)
    return {
        "id": tester.id,
        "tester": user,
        "status": tester.status,
        "note": tester.note,
        "tested_at": iso(tester.tested_at),
        "created_at": iso(tester.created_at),
        "change_id": tester.record_id,
        "change_link": change_path,
        "tester_link": f"{change_path}/testers/{tester.id}",
    }


_TESTER_USER_KEYS = ("user_id", "tester_id", "tested_by")
_REVIEWER_USER_KEYS = ("user_id", "review_user_id", "reviewer_id", "reviewed_by")


_StaffCreate = TypeVar("_StaffCreate", ChangeTesterCreate, ReviewUserCreate)
_StaffUpdate = TypeVar("_StaffUpdate", ChangeTesterUpdate, ReviewUserUpdate)


def _staff_fields(
    body: Mapping[str, Any], user_keys: Sequence[str], moment_keys: Sequence[str]
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    found = first(body, *user_keys)
    if found is not None:
        fields["user_id"] = _id_of(found[1], "user_id")
    if "status" in body:
        status = body["status"]
        fields["status"] = as_text(
            status.get("name") if isinstance(status, Mapping) else status, "status"
        )
    found = first(body, "note", "comment", "notes")
    if found is not None:
        fields["note"] = as_text(found[1], "note")
    found = first(body, *moment_keys)
    if found is not None:
        fields["moment"] = as_datetime(found[1], found[0])
    return fields


def _staff_create(
    body: Mapping[str, Any], user_keys: Sequence[str], moment_key: str, model: type[_StaffCreate]
) -> _StaffCreate:
    """A tester or review user to add: ``user_id`` required; status, note and the moment of
    the test or review (``moment_key``) when given."""
    fields = _staff_fields(body, user_keys, (moment_key,))
    if fields.get("user_id") is None:
        raise Invalid("user_id can't be blank", field="user_id", value=None)
    given: dict[str, Any] = {"user_id": fields["user_id"]}
    if fields.get("status") is not None:
        given["status"] = fields["status"]
    if "note" in fields:
        given["note"] = fields["note"]
    if "moment" in fields:
        given[moment_key] = fields["moment"]
    return model(**given)


def _staff_update(
    body: Mapping[str, Any], user_keys: Sequence[str], moment_key: str, model: type[_StaffUpdate]
) -> _StaffUpdate:
    """The fields given, and only those (applied with ``exclude_unset``)."""
    fields = _staff_fields(body, user_keys, (moment_key,))
    given: dict[str, Any] = {}
    if fields.get("user_id") is not None:
        given["user_id"] = fields["user_id"]
    if "status" in fields:
        given["status"] = fields["status"]
    if "note" in fields:
        given["note"] = fields["note"]
    if "moment" in fields:
        given[moment_key] = fields["moment"]
    return model(**given)


def tester_create_from(body: Mapping[str, Any]) -> ChangeTesterCreate:
    return _staff_create(body, _TESTER_USER_KEYS, "tested_at", ChangeTesterCreate)


def tester_update_from(body: Mapping[str, Any]) -> ChangeTesterUpdate:
    return _staff_update(body, _TESTER_USER_KEYS, "tested_at", ChangeTesterUpdate)


def review_user_to_wire(reviewer: ReleaseReviewUser, *, user: Wire | None, base: str) -> Wire:
    release_path = record_path(base, RecordKind.RELEASE, reviewer.record_id)
    return {
        "id": reviewer.id,
        "user": user,
        "status": reviewer.status,
        "note": reviewer.note,
        "reviewed_at": iso(reviewer.reviewed_at),
        "created_at": iso(reviewer.created_at),
        "release_id": reviewer.record_id,
        "release_link": release_path,
        "review_user_link": f"{release_path}/review_users/{reviewer.id}",
    }


def review_user_create_from(body: Mapping[str, Any]) -> ReviewUserCreate:
    return _staff_create(body, _REVIEWER_USER_KEYS, "reviewed_at", ReviewUserCreate)


def review_user_update_from(body: Mapping[str, Any]) -> ReviewUserUpdate:
    return _staff_update(body, _REVIEWER_USER_KEYS, "reviewed_at", ReviewUserUpdate)


# Issues --------------------------------------------------------------------------------------


def issue_to_wire(
    issue: RecordIssue, *, user: Wire | None, base: str, parent_kind: RecordKind | str | None
) -> Wire:
    """``issue_link`` is always the top-level ``…/issues/{id}``, which reaches every issue."""
    return {
        "id": issue.id,
        "title": issue.title,
        "description": issue.description,
        "status": issue.status,
        "user": user,
        "created_at": iso(issue.created_at),
        "updated_at": iso(issue.updated_at),
        **parent_ref(base, parent_kind, issue.record_id),
        "issue_link": f"{base}/issues/{issue.id}",
    }


def _issue_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    found = first(body, "title", "name", "summary")
    if found is not None:
        fields["title"] = as_text(found[1], "title")
    found = first(body, "description", "note")
    if found is not None:
        fields["description"] = as_text(found[1], "description")
    if "status" in body:
        status = body["status"]
        fields["status"] = as_text(
            status.get("name") if isinstance(status, Mapping) else status, "status"
        )
    found = first(body, "user_id")
    if found is not None:
        fields["user_id"] = _id_of(found[1], "user_id")
    return fields


def issue_create_from(body: Mapping[str, Any]) -> IssueCreate:
    fields = _issue_fields(body)
    if _blank(fields.get("title")):
        raise Invalid("title can't be blank", field="title", value=None)
    data = IssueCreate(title=fields["title"])
    if fields.get("description") is not None:
        data.description = fields["description"]
    if fields.get("status") is not None:
        data.status = fields["status"]
    if fields.get("user_id") is not None:
        data.user_id = fields["user_id"]
    return data


def issue_update_from(body: Mapping[str, Any]) -> IssueUpdate:
    fields = _issue_fields(body)
    if "title" in fields and _blank(fields["title"]):
        raise Invalid("title can't be blank", field="title", value=fields["title"])
    if "status" in fields and _blank(fields["status"]):
        raise Invalid("status can't be blank", field="status", value=fields["status"])
    if "user_id" in fields and fields["user_id"] is None:
        del fields["user_id"]
    return IssueUpdate(**fields)


PARENT_ID_KEYS: dict[str, RecordKind] = {
    "incident_id": RecordKind.INCIDENT,
    "problem_id": RecordKind.PROBLEM,
    "change_id": RecordKind.CHANGE,
    "release_id": RecordKind.RELEASE,
}


def parent_from(
    body: Mapping[str, Any], allowed: Iterable[RecordKind]
) -> tuple[RecordKind, int] | None:
    """The record a top-level create names: ``change_id: 5``, or ``parent_type: "changes"``
    with ``parent_id: 5``; ``None`` when none is named."""
    allowed = set(allowed)
    for key, kind in PARENT_ID_KEYS.items():
        if kind in allowed and not _blank(body.get(key)):
            record_id = as_id(body[key], key)
            assert record_id is not None
            return kind, record_id
    parent_type = body.get("parent_type", body.get("beetil_type"))
    if _blank(parent_type):
        return None
    text = as_text(parent_type, "parent_type") or ""
    name = text.strip().lower().removesuffix("s")
    kinds = {kind_name(k): k for k in allowed}
    if name not in kinds:
        raise Invalid("parent_type is invalid", field="parent_type", value=parent_type)
    record_id = as_id(body.get("parent_id", body.get("beetil_id")), "parent_id")
    if record_id is None:
        raise Invalid("parent_id can't be blank", field="parent_id", value=None)
    return kinds[name], record_id


# Release records -----------------------------------------------------------------------------


def release_record_to_wire(entry: ReleaseRecord, *, user: Wire | None, base: str) -> Wire:
    release_path = record_path(base, RecordKind.RELEASE, entry.record_id)
    return {
        "id": entry.id,
        "title": entry.title,
        "note": entry.note,
        "user": user,
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.updated_at),
        "release_id": entry.record_id,
        "release_link": release_path,
        "release_record_link": f"{release_path}/release_records/{entry.id}",
    }


def _release_record_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    found = first(body, "title", "name")
    if found is not None:
        fields["title"] = as_text(found[1], "title")
    found = first(body, "note", "description")
    if found is not None:
        fields["note"] = as_text(found[1], "note")
    found = first(body, "user_id")
    if found is not None:
        fields["user_id"] = _id_of(found[1], "user_id")
    return fields


def release_record_create_from(body: Mapping[str, Any]) -> ReleaseRecordCreate:
    fields = _release_record_fields(body)
    if _blank(fields.get("title")):
        raise Invalid("title can't be blank", field="title", value=None)
    data = ReleaseRecordCreate(title=fields["title"])
    if fields.get("note") is not None:
        data.note = fields["note"]
    if fields.get("user_id") is not None:
        data.user_id = fields["user_id"]
    return data


def release_record_update_from(body: Mapping[str, Any]) -> ReleaseRecordUpdate:
    fields = _release_record_fields(body)
    if "title" in fields and _blank(fields["title"]):
        raise Invalid("title can't be blank", field="title", value=fields["title"])
    if "user_id" in fields and fields["user_id"] is None:
        del fields["user_id"]
    return ReleaseRecordUpdate(**fields)


# Time entries --------------------------------------------------------------------------------


def time_entry_to_wire(
    entry: TimeEntry, *, user: Wire | None, base: str, parent_kind: RecordKind | str
) -> Wire:
    """``time_entry_link`` is the entry under its record; ``…/time_entries/{id}`` reaches it
    too."""
    parent = record_path(base, parent_kind, entry.record_id)
    return {
        "id": entry.id,
        "minutes": entry.minutes,
        "hours": round(entry.minutes / 60, 2),
        "note": entry.note,
        "spent_on": entry.spent_on.isoformat(),
        "user": user,
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.updated_at),
        **parent_ref(base, parent_kind, entry.record_id),
        "time_entry_link": f"{parent}/time_entries/{entry.id}",
    }


def _minutes(body: Mapping[str, Any]) -> tuple[bool, int | None]:
    """``(given, minutes)`` from ``minutes``, ``time_spent`` (minutes) or ``hours``."""
    found = first(body, "minutes", "time_spent")
    if found is not None:
        return True, as_int(found[1], found[0])
    if "hours" in body:
        hours = as_number(body["hours"], "hours")
        return True, None if hours is None else round(hours * 60)
    return False, None


def _time_entry_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    given, minutes = _minutes(body)
    if given:
        if minutes is None:
            raise Invalid("minutes can't be blank", field="minutes", value=None)
        if minutes < 0:
            raise Invalid(
                "minutes must be greater than or equal to 0", field="minutes", value=minutes
            )
        fields["minutes"] = minutes
    found = first(body, "note", "description", "comment")
    if found is not None:
        fields["note"] = as_text(found[1], "note")
    found = first(body, "spent_on", "date", "started_at")
    if found is not None:
        spent_on = as_date(found[1], found[0])
        if spent_on is not None:
            fields["spent_on"] = spent_on
    found = first(body, "user_id")
    if found is not None:
        user_id = _id_of(found[1], "user_id")
        if user_id is not None:
            fields["user_id"] = user_id
    return fields


def time_entry_create_from(body: Mapping[str, Any]) -> TimeEntryCreate:
    fields = _time_entry_fields(body)
    if "minutes" not in fields:
        raise Invalid("minutes can't be blank", field="minutes", value=None)
    return TimeEntryCreate(**fields)


def time_entry_update_from(body: Mapping[str, Any]) -> TimeEntryUpdate:
    return TimeEntryUpdate(**_time_entry_fields(body))


# Links ---------------------------------------------------------------------------------------

LINK_KINDS: tuple[RecordKind, ...] = (
    RecordKind.INCIDENT,
    RecordKind.CHANGE,
    RecordKind.PROBLEM,
    RecordKind.RELEASE,
)
"""The four arrays of Show Links, in the order the Beetil page documents their keys."""


def links_to_wire(
    base: str, host_kind: RecordKind | str, host_id: int, linked: Mapping[RecordKind, list[int]]
) -> Wire:
    """``{"incidents": [{"incident_id", "incident_link"}], "changes": …, "problems": …,
    "releases": …}``; each link points at the link resource itself
    (``…/links/<host type>/<host ref>/<linked type>/<linked ref>``). Service requests are
    listed with the incidents."""
    host = f"{base}/links/{KIND_SEGMENTS[RecordKind(host_kind)]}/{host_id}"
    result: Wire = {}
    for kind in LINK_KINDS:
        segment = KIND_SEGMENTS[kind]
        ids = sorted(
            {
                record_id
                for other_kind, record_ids in linked.items()
                if KIND_SEGMENTS[RecordKind(other_kind)] == segment
                for record_id in record_ids
            }
        )
        name = kind_name(kind)
        result[segment] = [
            {f"{name}_id": record_id, f"{name}_link": f"{host}/{segment}/{record_id}"}
            for record_id in ids
        ]
    return result


def link_targets_from(body: Mapping[str, Any]) -> list[tuple[RecordKind, int]]:
    """The records a Create (or Delete) Link names by ``incident_id``, ``change_id``,
    ``problem_id`` or ``release_id`` (unwrapped, as the Beetil page documents; a ``link``
    wrapper is tolerated by the caller). Several may be given; none is an error."""
    targets: list[tuple[RecordKind, int]] = []
    for key, kind in PARENT_ID_KEYS.items():
        record_id = as_id(body.get(key), key)
        if record_id is not None:
            targets.append((kind, record_id))
    if not targets:
        raise Invalid(
            "incident_id, change_id, problem_id or release_id can't be blank",
            field="incident_id",
            value=None,
        )
    return targets


# Configuration -------------------------------------------------------------------------------


def config_type_ref(base: str, config_type: ConfigType) -> Wire:
    return {
        "id": config_type.id,
        "name": config_type.name,
        "config_type_link": f"{base}/config_types/{config_type.id}",
    }


def config_type_summary(
    base: str, config_type: ConfigType, *, has_children: bool | None = None
) -> Wire:
    """An item of Show Top-Level Config Types."""
    summary: Wire = {
        "id": config_type.id,
        "name": config_type.name,
        "description": config_type.description,
        "parent_id": config_type.parent_id,
    }
    if has_children is not None:
        summary["has_children"] = has_children
    summary["config_type_link"] = f"{base}/config_types/{config_type.id}"
    return summary


def attribute_to_wire(position: int, definition: Mapping[str, Any]) -> Wire:
    """One attribute definition; its id is its 1-based position in the type's list."""
    return {
        "id": position,
        "name": definition.get("name"),
        "field_type": definition.get("field_type"),
        "required": bool(definition.get("required", False)),
        "choices": definition.get("choices"),
    }


def config_item_ref(base: str, item: ConfigItem) -> Wire:
    return {
        "id": item.id,
        "name": item.name,
        "config_item_link": f"{base}/config_items/{item.id}",
    }


def config_type_to_wire(
    base: str,
    config_type: ConfigType,
    *,
    parent: ConfigType | None,
    children: Sequence[ConfigType],
    items: Sequence[ConfigItem],
    items_total: int,
) -> Wire:
    """Show Config Type. Nested arrays are per-item wrapped (spec §3.4)."""
    return {
        "id": config_type.id,
        "name": config_type.name,
        "description": config_type.description,
        "parent": None if parent is None else config_type_ref(base, parent),
        "child_types": [{"config_type": config_type_ref(base, child)} for child in children],
        "attributes": [
            {"attribute": attribute_to_wire(i, definition)}
            for i, definition in enumerate(config_type.attributes or [], start=1)
        ],
        "config_items": [{"config_item": config_item_ref(base, item)} for item in items],
        "config_items_count": items_total,
        "config_type_link": f"{base}/config_types/{config_type.id}",
    }


def relationship_type_to_wire(base: str, rtype: ConfigRelationshipType) -> Wire:
    return {
        "id": rtype.id,
        "name": rtype.name,
        "reverse_name": rtype.reverse_name,
        "strength": rtype.strength,
        "config_relationship_type_link": f"{base}/config_relationship_types/{rtype.id}",
    }


def relationship_to_wire(base: str, related: RelatedItem) -> Wire:
    return {
        "id": related.relationship.id,
        "name": related.label,
        "direction": related.direction.value,
        "relationship_type": {
            "id": related.relationship_type.id,
            "name": related.relationship_type.name,
            "reverse_name": related.relationship_type.reverse_name,
            "strength": related.relationship_type.strength,
        },
        "related_config_item": config_item_ref(base, related.item),
    }


def config_item_to_wire(
    base: str,
    item: ConfigItem,
    *,
    config_type: ConfigType | None,
    relationships: Sequence[RelatedItem],
    watches: Sequence[Wire],
    linked: Mapping[RecordKind, list[int]],
) -> Wire:
    """Show Config Item. ``watches`` are rendered watch objects; ``linked`` the records
    linked to the item, by kind (listed flat as ``{<type>_id, <type>_link}``, as records list
    their linked records)."""
    wire: Wire = {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "asset_model": item.asset_model,
        "config_type_id": item.config_type_id,
        "config_type": None if config_type is None else config_type_ref(base, config_type),
        "attributes": dict(item.attributes or {}),
        "relationships": [
            {"relationship": relationship_to_wire(base, related)} for related in relationships
        ],
        "watches": [{"watch": watch} for watch in watches],
    }
    for kind in LINK_KINDS:
        segment = KIND_SEGMENTS[kind]
        name = kind_name(kind)
        ids = sorted(
            {
                record_id
                for other_kind, record_ids in linked.items()
                if KIND_SEGMENTS[RecordKind(other_kind)] == segment
                for record_id in record_ids
            }
        )
        wire[segment] = [
            {f"{name}_id": record_id, f"{name}_link": f"{base}/{segment}/{record_id}"}
            for record_id in ids
        ]
    wire["version"] = item.version
    wire["created_at"] = iso(item.created_at)
    wire["updated_at"] = iso(item.updated_at)
    wire["config_item_link"] = f"{base}/config_items/{item.id}"
    return wire


def _attributes(body: Mapping[str, Any]) -> dict[str, Any] | None:
    found = first(body, "attributes", "additional_values", "attribute_values")
    if found is None or found[1] is None:
        return None
    value = found[1]
    if isinstance(value, list):
        # The read shape of a type's attributes, or [{"name": …, "value": …}] pairs.
        pairs: dict[str, Any] = {}
        for entry in value:
            inner = entry.get("attribute", entry) if isinstance(entry, Mapping) else None
            if not isinstance(inner, Mapping) or not isinstance(inner.get("name"), str):
                raise Invalid(f"{found[0]} is invalid", field=found[0], value=value)
            pairs[inner["name"]] = inner.get("value")
        return pairs
    if not isinstance(value, Mapping):
        raise Invalid(f"{found[0]} is invalid", field=found[0], value=value)
    return {str(k): v for k, v in value.items()}


def _config_item_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "name" in body:
        fields["name"] = as_text(body["name"], "name")
    if "config_type_id" in body:
        fields["config_type_id"] = _id_of(body["config_type_id"], "config_type_id")
    if "description" in body:
        fields["description"] = as_text(body["description"], "description")
    if "asset_model" in body:
        fields["asset_model"] = as_text(body["asset_model"], "asset_model")
    attributes = _attributes(body)
    if attributes is not None:
        fields["attributes"] = attributes
    return fields


def config_item_create_from(
    body: Mapping[str, Any], *, config_type_id: int | None = None
) -> ConfigItemCreate:
    """``config_type_id`` from the path (``POST …/config_types/{tid}/config_items``) wins."""
    fields = _config_item_fields(body)
    if config_type_id is not None:
        fields["config_type_id"] = config_type_id
    if _blank(fields.get("name")):
        raise Invalid("name can't be blank", field="name", value=None)
    if fields.get("config_type_id") is None:
        raise Invalid("config_type_id can't be blank", field="config_type_id", value=None)
    return ConfigItemCreate(**fields)


def config_item_update_from(body: Mapping[str, Any]) -> ConfigItemUpdate:
    fields = _config_item_fields(body)
    if "name" in fields and _blank(fields["name"]):
        raise Invalid("name can't be blank", field="name", value=fields["name"])
    if "config_type_id" in fields and fields["config_type_id"] is None:
        del fields["config_type_id"]
    return ConfigItemUpdate(**fields)


def relationships_from(body: Mapping[str, Any]) -> list[tuple[int, int]]:
    """``(relationship type id, related item id)`` pairs to add from the item outwards.

    Each entry is ``{"config_relationship_type_id", "related_config_item_id"}`` (aliases
    ``relationship_type_id`` / ``config_item_id`` / ``target_id``) or the read shape
    ``{"relationship": {"relationship_type": {...}, "related_config_item": {...}}}``; read
    entries seen from the other end (``direction: incoming``) are skipped.
    """
    value = body.get("relationships")
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid("relationships is invalid", field="relationships", value=value)
    pairs: list[tuple[int, int]] = []
    for entry in value:
        inner = entry.get("relationship", entry) if isinstance(entry, Mapping) else None
        if not isinstance(inner, Mapping):
            raise Invalid("relationships is invalid", field="relationships", value=entry)
        if inner.get("direction") == "incoming":
            continue
        type_found = first(
            inner, "config_relationship_type_id", "relationship_type_id", "relationship_type"
        )
        item_found = first(
            inner, "related_config_item_id", "config_item_id", "target_id", "related_config_item"
        )
        type_id = None if type_found is None else _id_of(type_found[1], "relationship_type_id")
        item_id = None if item_found is None else _id_of(item_found[1], "related_config_item_id")
        if type_id is None:
            raise Invalid(
                "config_relationship_type_id can't be blank",
                field="config_relationship_type_id",
                value=None,
            )
        if item_id is None:
            raise Invalid(
                "related_config_item_id can't be blank",
                field="related_config_item_id",
                value=None,
            )
        pairs.append((type_id, item_id))
    return pairs
