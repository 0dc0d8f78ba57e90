"""Pure mapping between GoToAssist records and the record core: the record objects of
answers, and request fields into the record services' inputs.

A record's ``id`` and ``reference_num`` are both the core record id, so a path, a link or a
body carrying either names exactly one record, whichever dialect created it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.embed import (
    KIND_NAME,
    NOTE_COLLECTIONS,
    Embeds,
    Links,
    activity_type_ref,
    category_ref,
    kind_of,
    link_entries,
    note_object,
    note_type_of,
    priority_ref,
    service_ref,
    stamp,
    user_ref,
    watch_object,
)
from polydesk.api.gotoassist.envelope import invalid
from polydesk.core.enums import NoteType, RecordKind
from polydesk.models import Record

NOTE_TYPES_BY_KIND: dict[RecordKind, tuple[NoteType, ...]] = {
    RecordKind.INCIDENT: (NoteType.COMMENT, NoteType.SYMPTOM, NoteType.RESOLUTION),
    RecordKind.REQUEST: (NoteType.COMMENT, NoteType.SYMPTOM, NoteType.RESOLUTION),
    RecordKind.PROBLEM: (
        NoteType.COMMENT,
        NoteType.SYMPTOM,
        NoteType.WORKAROUND,
        NoteType.ROOT_CAUSE,
        NoteType.RESOLUTION,
    ),
    RecordKind.CHANGE: (
        NoteType.COMMENT,
        NoteType.DESCRIPTION,
        NoteType.REASON,
        NoteType.BUILD_INSTRUCTION,
        NoteType.BUILD_PROGRESS_NOTE,
        NoteType.TEST_PLAN,
    ),
    RecordKind.RELEASE: (
        NoteType.COMMENT,
        NoteType.COMPONENT,
        NoteType.INSTRUCTION,
        NoteType.BACKOUT,
    ),
}
"""The note collections every full record of a kind shows (empty arrays kept)."""

CREATE_NOTE_FIELDS: dict[RecordKind, dict[str, NoteType]] = {
    RecordKind.INCIDENT: {"symptom": NoteType.SYMPTOM},
    RecordKind.PROBLEM: {"symptom": NoteType.SYMPTOM},
    RecordKind.CHANGE: {
        "description": NoteType.DESCRIPTION,
        "reason": NoteType.REASON,
        "build_instruction": NoteType.BUILD_INSTRUCTION,
        "build_progress_note": NoteType.BUILD_PROGRESS_NOTE,
        "test_plan": NoteType.TEST_PLAN,
    },
    RecordKind.RELEASE: {
        "component": NoteType.COMPONENT,
        "release_component": NoteType.COMPONENT,
        "instruction": NoteType.INSTRUCTION,
        "backout": NoteType.BACKOUT,
    },
}
"""Body keys that become notes of the new (or updated) record, e.g. an incident's ``symptom``."""


def plain(value: object) -> Any:
    """Custom values as JSON: dates and times in ISO 8601, decimals as strings."""
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


# Output ---------------------------------------------------------------------------------------


def record_object(
    record: Record,
    embeds: Embeds,
    links: Links,
    *,
    full: bool = False,
    custom_values: Mapping[str, Any] | None = None,
    customer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A record as GoToAssist shows it: the list item, and with ``full`` the Show answer."""
    kind = kind_of(record)
    name = KIND_NAME[kind]
    service = embeds.services.get(record.service_id) if record.service_id is not None else None
    priority = (
        embeds.priorities.get((record.service_id, record.priority))
        if record.service_id is not None
        else None
    )
    activity_type = (
        embeds.activity_types.get(record.activity_type_id)
        if record.activity_type_id is not None
        else None
    )
    category = embeds.categories.get(record.category_id) if record.category_id is not None else None
    status = embeds.statuses.get(record.status_id)
    latest = embeds.latest_notes.get(record.id)
    out: dict[str, Any] = {
        "id": record.id,
        "reference_num": record.id,
        "title": record.title,
        f"{name}_link": links.record(kind, record.id),
        "status": status.name if status is not None else None,
        "created_at": stamp(record.created_at),
        "last_active_at": stamp(record.last_active_at),
        "due_date": stamp(record.due_date),
        "due_to_escalate_at": stamp(record.due_to_escalate_at),
        "resolved_at": stamp(record.resolved_at),
        "closed_at": stamp(record.closed_at),
        "service": service_ref(links, service),
        "priority": priority_ref(links, record.priority, service, priority),
        "category": category_ref(category),
        "service_activity_type": activity_type_ref(links, activity_type, service),
        "interesting": 0,
        "owner": user_ref(links, embeds.user(record.owner_id)),
        "assigned_user": user_ref(links, embeds.user(record.assignee_id)),
        "closed_by_user": user_ref(links, embeds.user(record.closed_by_id)),
        "resolved_by_user": user_ref(links, embeds.user(record.resolved_by_id)),
        "updated_by_user": user_ref(links, embeds.user(record.updated_by_id)),
        "latest_note": (
            note_object(links, latest, embeds.user(latest.author_id), kind)
            if latest is not None
            else None
        ),
        "watches": [
            {"watch": watch_object(links, entry, kind)}
            for entry in embeds.watches.get(record.id, [])
        ],
    }
    if not full:
        return out
    out |= {
        "type": out["service_activity_type"],
        "description": record.description,
        "occurred_at": stamp(record.created_at),
        "time_zone": service.time_zone if service is not None else "UTC",
        "closure_code": record.closure_code,
        "closure_comment": record.closure_comment,
        "resolution": record.resolution,
        "customer": customer,
        "created_by_user": user_ref(links, embeds.user(record.created_by_id)),
        "total_time_spent": embeds.minutes.get(record.id, 0),
        "additional_values": {k: plain(v) for k, v in (custom_values or {}).items()},
    }
    out |= _details(record, kind)
    notes = embeds.notes.get(record.id, [])
    shown = list(NOTE_TYPES_BY_KIND[kind])
    shown += [t for t in dict.fromkeys(note_type_of(n) for n in notes) if t not in shown]
    for note_type in shown:
        out[NOTE_COLLECTIONS[note_type]] = [
            {note_type.value: note_object(links, n, embeds.user(n.author_id), kind)}
            for n in notes
            if note_type_of(n) is note_type
        ]
    if kind is RecordKind.RELEASE:
        out["release_components"] = [
            {"release_component": item["component"]} for item in out["components"]
        ]
    linked = embeds.linked.get(record.id, [])
    for other in (RecordKind.INCIDENT, RecordKind.PROBLEM, RecordKind.CHANGE, RecordKind.RELEASE):
        out[f"{KIND_NAME[other]}s"] = link_entries(links, record, linked, other)
    return out


def _details(record: Record, kind: RecordKind) -> dict[str, Any]:
    if kind is RecordKind.CHANGE and record.change is not None:
        detail = record.change
        return {
            "change_type": detail.change_type,
            "risk": detail.risk,
            "target_environment": detail.target_environment,
            "planned_start": stamp(detail.planned_start),
            "planned_end": stamp(detail.planned_end),
        }
    if kind is RecordKind.RELEASE and record.release is not None:
        release = record.release
        return {
            "release_type": release.release_type,
            "planned_start": stamp(release.planned_start),
            "planned_end": stamp(release.planned_end),
        }
    if kind is RecordKind.PROBLEM and record.problem is not None:
        problem = record.problem
        return {
            "root_cause": problem.root_cause,
            "workaround": problem.workaround,
            "known_error": problem.known_error,
        }
    return {}


# Input ----------------------------------------------------------------------------------------


@dataclass
class RecordInput:
    """Request fields sorted for the record services: plain column values (``values``, as
    for ``RecordCreate``/``RecordUpdate``), references to resolve (``priority_id``,
    ``customer_id``), notes to add, and the life-cycle fields."""

    values: dict[str, Any] = field(default_factory=dict)
    priority_id: int | params._Unset | None = params.UNSET
    customer_id: int | params._Unset | None = params.UNSET
    status_name: str | params._Unset | None = params.UNSET
    notes: list[tuple[NoteType, str]] = field(default_factory=list)
    closed_at: datetime | params._Unset | None = params.UNSET
    resolved_at: datetime | params._Unset | None = params.UNSET
    closure_code: str | params._Unset | None = params.UNSET
    closure_comment: str | params._Unset | None = params.UNSET


def _set(values: dict[str, Any], key: str, value: object) -> None:
    if value is not params.UNSET:
        values[key] = value


def record_input(kind: RecordKind, fields: Mapping[str, Any]) -> RecordInput:
    """Known keys are read and checked; read-only keys (``id``, ``*_link``, nested objects
    from a Show answer) and unknown keys are ignored."""
    data = RecordInput()
    values = data.values
    _set(values, "title", params.text(fields, "title"))
    _set(
        values,
        "description",
        params.text(fields, "description") if kind is not RecordKind.CHANGE else params.UNSET,
    )
    _set(values, "service_id", params.ref_id(fields, "service_id"))
    _set(values, "assignee_id", params.ref_id(fields, "assigned_user_id"))
    _set(values, "owner_id", params.ref_id(fields, "owner_id"))
    _set(values, "category_id", params.ref_id(fields, "category_id"))
    for key in ("service_activity_type_id", "type_id"):
        if key in fields:
            _set(values, "activity_type_id", params.ref_id(fields, key))
            break
    if kind is not RecordKind.CHANGE and isinstance(fields.get("type"), dict | int):
        _set(values, "activity_type_id", params.ref_id(fields, "type"))
    _set(values, "due_date", params.date_time(fields, "due_date"))
    _set(values, "due_to_escalate_at", params.date_time(fields, "due_to_escalate_at"))
    level = params.integer(fields, "priority_level")
    if level is not params.UNSET:
        if level is None:
            raise invalid("priority_level can't be blank")
        if not 1 <= level <= 5:
            raise invalid("priority_level must be between 1 and 5")
        values["priority"] = level
    data.priority_id = params.ref_id(fields, "priority_id")
    data.customer_id = params.ref_id(fields, "customer_id")
    status = fields.get("status")
    if isinstance(status, str) and status.strip():
        data.status_name = status.strip()
    additional = fields.get("additional_values", fields.get("custom_fields"))
    if additional not in (None, ""):
        if not isinstance(additional, dict):
            raise invalid("additional_values must be an object")
        values["custom_fields"] = dict(additional)
    if kind is RecordKind.CHANGE:
        change_type = params.text(fields, "change_type")
        if change_type is params.UNSET and not isinstance(fields.get("type"), dict | int):
            change_type = params.text(fields, "type")
        _set(values, "change_type", change_type)
        _set(values, "risk", params.text(fields, "risk"))
        _set(values, "target_environment", params.text(fields, "target_environment"))
    if kind in (RecordKind.CHANGE, RecordKind.RELEASE):
        _set(values, "planned_start", params.date_time(fields, "planned_start"))
        _set(values, "planned_end", params.date_time(fields, "planned_end"))
    if kind is RecordKind.RELEASE:
        _set(values, "release_type", params.text(fields, "release_type"))
    if kind is RecordKind.PROBLEM:
        _set(values, "root_cause", params.text(fields, "root_cause"))
        _set(values, "workaround", params.text(fields, "workaround"))
        known = params.boolean(fields, "known_error")
        _set(values, "known_error", known)
    for key, note_type in CREATE_NOTE_FIELDS.get(kind, {}).items():
        body = params.text(fields, key)
        if isinstance(body, str) and body.strip():
            data.notes.append((note_type, body))
    data.closed_at = params.date_time(fields, "closed_at")
    data.resolved_at = params.date_time(fields, "resolved_at")
    data.closure_code = params.text(fields, "closure_code")
    data.closure_comment = params.text(fields, "closure_comment")
    for key in ("notify_watchlisted", "notify_customer", "interesting"):
        params.boolean(fields, key)  # checked, then accepted without effect
    return data
