"""Objects embedded in every answer: user, customer, service, priority, activity type,
category, note and watch references, the ``*_link`` paths, dates, and the batch loader that
fetches what a page of records refers to in a fixed number of queries.

Links are root-relative and use the prefix the request came in on (``/v1`` or
``/external_api/v1``): build them with :class:`Links`, from ``links_for(request)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.requests import HTTPConnection

from polydesk.api.gotoassist.formats import context
from polydesk.core.db import Session
from polydesk.core.enums import NoteType, RecordKind
from polydesk.domains.catalog import service as catalog
from polydesk.domains.links import service as links_service
from polydesk.domains.links.schemas import LinkedRecord
from polydesk.domains.notes import service as notes_service
from polydesk.domains.time_entries import service as time_entries
from polydesk.domains.users import service as users_service
from polydesk.domains.watches import service as watches_service
from polydesk.domains.watches.schemas import WatchEntry
from polydesk.models import (
    Category,
    Company,
    Note,
    Record,
    Service,
    ServiceActivityType,
    ServicePriority,
    Status,
    User,
)

DEFAULT_PRIORITY_NAMES = {
    1: "Urgent",
    2: "V. Important",
    3: "Important",
    4: "Inconvenient",
    5: "Cosmetic",
}
"""GoToAssist's default incident priorities, for records without a service."""

KIND_SEGMENT = {
    RecordKind.INCIDENT: "incidents",
    RecordKind.REQUEST: "incidents",
    RecordKind.PROBLEM: "problems",
    RecordKind.CHANGE: "changes",
    RecordKind.RELEASE: "releases",
}
"""The path segment of each core kind. Service requests (from other dialects) are incidents
here: GoToAssist tells them apart by activity type, not by record type."""
KIND_NAME = {kind: segment[:-1] for kind, segment in KIND_SEGMENT.items()}
"""``incident``, ``problem``, ``change``, ``release``: wrappers and ``<kind>_link`` names."""

NOTE_COLLECTIONS = {
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
"""The plural collection of each note type (path segment and key of the nested array)."""


def kind_of(record: Record) -> RecordKind:
    return RecordKind(record.kind)


def stamp(value: datetime | None) -> str:
    """``2010-03-23T00:11:47Z``; ``""`` for no date, as in the guide's examples."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Links:
    prefix: str

    def user(self, user_id: int) -> str:
        return f"{self.prefix}/users/{user_id}"

    def customer(self, customer_id: int) -> str:
        return f"{self.prefix}/customers/{customer_id}"

    def company(self, company_id: int) -> str:
        return f"{self.prefix}/companies/{company_id}"

    def service(self, service_id: int) -> str:
        return f"{self.prefix}/services/{service_id}"

    def service_priority(self, service: Service, priority_id: int) -> str:
        return f"{self.prefix}/services/{service.slug}/service_priorities/{priority_id}"

    def activity_type(self, service_slug: str, type_id: int) -> str:
        return f"{self.prefix}/services/{service_slug}/service_activity_types/{type_id}"

    def record(self, kind: RecordKind, record_id: int) -> str:
        return f"{self.prefix}/{KIND_SEGMENT[kind]}/{record_id}"

    def note(self, kind: RecordKind, record_id: int, note_type: NoteType, note_id: int) -> str:
        return f"{self.record(kind, record_id)}/{NOTE_COLLECTIONS[note_type]}/{note_id}"

    def watch(self, kind: RecordKind, record_id: int, watch_id: int) -> str:
        return f"{self.record(kind, record_id)}/watches/{watch_id}"

    def link(self, host: RecordKind, host_id: int, other: RecordKind, other_id: int) -> str:
        return (
            f"{self.prefix}/links/{KIND_SEGMENT[host]}/{host_id}/{KIND_SEGMENT[other]}/{other_id}"
        )


def links_for(conn: HTTPConnection) -> Links:
    return Links(context(conn).prefix)


# References -----------------------------------------------------------------------------------


def full_name(user: User) -> str:
    return users_service.full_name(user)


def user_ref(links: Links, user: User | None) -> dict[str, Any] | None:
    """``{id, first_name, last_name, full_name, avatar, user_link}``; ``None`` for no user.
    Polydesk keeps no avatar images, so ``avatar`` is ``null``."""
    if user is None:
        return None
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "full_name": full_name(user),
        "avatar": None,
        "user_link": links.user(user.id),
    }


def customer_ref(links: Links, customer_id: int, user: User) -> dict[str, Any]:
    return {
        "id": customer_id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "full_name": full_name(user),
        "email": user.email,
        "avatar": None,
        "customer_link": links.customer(customer_id),
    }


def company_ref(links: Links, company: Company | None) -> dict[str, Any] | None:
    if company is None:
        return None
    return {"id": company.id, "name": company.name, "company_link": links.company(company.id)}


def service_ref(links: Links, service: Service | None) -> dict[str, Any] | None:
    if service is None:
        return None
    return {
        "id": service.id,
        "name": service.name,
        "avatar": None,
        "service_link": links.service(service.id),
    }


def priority_ref(
    links: Links, level: int, service: Service | None, priority: ServicePriority | None
) -> dict[str, Any]:
    """The service's name for the level; GoToAssist's default names when there is none."""
    if priority is None or service is None:
        return {
            "id": None,
            "level": level,
            "description": DEFAULT_PRIORITY_NAMES.get(level, str(level)),
            "service_priority_link": None,
        }
    return {
        "id": priority.id,
        "level": priority.level,
        "description": priority.description,
        "service_priority_link": links.service_priority(service, priority.id),
    }


def activity_type_ref(
    links: Links, activity_type: ServiceActivityType | None, service: Service | None
) -> dict[str, Any] | None:
    if activity_type is None:
        return None
    return {
        "id": activity_type.id,
        "name": activity_type.name,
        "service_activity_type_link": links.activity_type(
            service.slug if service is not None else str(activity_type.service_id),
            activity_type.id,
        ),
    }


def category_ref(category: Category | None) -> dict[str, Any] | None:
    if category is None:
        return None
    return {"id": category.id, "name": category.name}


def note_type_of(note: Note) -> NoteType:
    try:
        return NoteType(note.note_type)
    except ValueError:
        return NoteType.COMMENT


def note_object(links: Links, note: Note, author: User | None, kind: RecordKind) -> dict[str, Any]:
    """``{id, created_at, note, user, <type>_link}`` (guide: ``latest_note``)."""
    note_type = note_type_of(note)
    return {
        "id": note.id,
        "created_at": stamp(note.created_at),
        "note": note.body,
        "user": user_ref(links, author),
        f"{note_type.value}_link": links.note(kind, note.record_id, note_type, note.id),
    }


def watch_object(links: Links, entry: WatchEntry, kind: RecordKind) -> dict[str, Any]:
    """``{id, watched_by, watch_link}``; an outside watcher is ``{external_email}``."""
    watch = entry.watch
    watched_by: dict[str, Any] | None
    if entry.user is not None:
        watched_by = user_ref(links, entry.user)
    else:
        watched_by = {"external_email": watch.external_email}
    assert watch.record_id is not None
    return {
        "id": watch.id,
        "watched_by": watched_by,
        "watch_link": links.watch(kind, watch.record_id, watch.id),
    }


def link_entries(
    links: Links, host: Record, linked: Iterable[LinkedRecord], kind: RecordKind
) -> list[dict[str, Any]]:
    """The records of one kind linked to ``host``: ``[{"<kind>_id", "<kind>_link"}]``."""
    name = KIND_NAME[kind]
    return [
        {
            f"{name}_id": other.record_id,
            f"{name}_link": links.link(kind_of(host), host.id, kind, other.record_id),
        }
        for other in linked
        if KIND_SEGMENT[other.kind] == KIND_SEGMENT[kind]
    ]


# Batch loading --------------------------------------------------------------------------------


@dataclass
class Embeds:
    """Everything a set of records refers to, loaded in a fixed number of queries."""

    users: dict[int, User] = field(default_factory=dict)
    services: dict[int, Service] = field(default_factory=dict)
    priorities: dict[tuple[int, int], ServicePriority] = field(default_factory=dict)
    activity_types: dict[int, ServiceActivityType] = field(default_factory=dict)
    categories: dict[int, Category] = field(default_factory=dict)
    statuses: dict[int, Status] = field(default_factory=dict)
    watches: dict[int, list[WatchEntry]] = field(default_factory=dict)
    latest_notes: dict[int, Note] = field(default_factory=dict)
    notes: dict[int, list[Note]] = field(default_factory=dict)
    linked: dict[int, list[LinkedRecord]] = field(default_factory=dict)
    minutes: dict[int, int] = field(default_factory=dict)

    def user(self, user_id: int | None) -> User | None:
        return self.users.get(user_id) if user_id is not None else None


async def load_embeds(session: Session, records: Sequence[Record], *, full: bool) -> Embeds:
    """Users, services with their priorities and activity types, categories, statuses,
    watches and latest notes of ``records``; with ``full``, also every note, the linked
    records and the time spent."""
    embeds = Embeds()
    if not records:
        return embeds
    ids = [r.id for r in records]
    service_ids = sorted({r.service_id for r in records if r.service_id is not None})
    embeds.statuses = {s.id: s for s in await catalog.list_statuses(session)}
    if service_ids:
        embeds.services = await catalog.services_by_ids(session, service_ids)
        for service_id, priorities in (
            await catalog.priorities_by_service(session, service_ids)
        ).items():
            for priority in priorities:
                embeds.priorities[(service_id, priority.level)] = priority
        for types in (await catalog.activity_types_by_service(session, service_ids)).values():
            for activity_type in types:
                embeds.activity_types[activity_type.id] = activity_type
        for categories in (await catalog.categories_by_service(session, service_ids)).values():
            for category in categories:
                embeds.categories[category.id] = category
    if any(r.category_id is not None and r.category_id not in embeds.categories for r in records):
        for category in await catalog.list_categories(session):
            embeds.categories[category.id] = category
    embeds.watches = await watches_service.watches_for(session, ids)
    if full:
        embeds.notes = await notes_service.notes_for(session, ids)
        # notes_for orders each record's notes by creation: the newest is the last one.
        embeds.latest_notes = {rid: found[-1] for rid, found in embeds.notes.items() if found}
    else:
        embeds.latest_notes = await notes_service.latest_notes(session, ids)
    if full:
        embeds.linked = await links_service.links_for(session, ids)
        embeds.minutes = await time_entries.total_minutes(session, ids)
    user_ids: set[int] = set()
    for record in records:
        for user_id in (
            record.assignee_id,
            record.owner_id,
            record.closed_by_id,
            record.resolved_by_id,
            record.updated_by_id,
            record.created_by_id,
            record.requester_id,
        ):
            if user_id is not None:
                user_ids.add(user_id)
    for note in embeds.latest_notes.values():
        if note.author_id is not None:
            user_ids.add(note.author_id)
    for notes in embeds.notes.values():
        user_ids.update(n.author_id for n in notes if n.author_id is not None)
    if user_ids:
        embeds.users = await users_service.users_to_show(session, user_ids)
    return embeds
