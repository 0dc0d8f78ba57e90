"""Rules of the service catalogue and the status set.

Also home of the small rules every reference-data domain shares: how names are cleaned and
compared (:func:`clean_name`, :func:`name_key`), which time zones exist (:func:`check_time_zone`)
and how slugs are made (:func:`slugify`).

Writes to the catalogue (services, priorities, activity types, categories, statuses) are for
administrators (and the system); reads are for everyone.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core import reference
from polydesk.core.actor import Actor
from polydesk.core.enums import PRIORITY_LEVELS, StatusCategory
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog import repository
from polydesk.domains.catalog.schemas import (
    ActivityTypeCreate,
    ActivityTypeUpdate,
    CategoryCreate,
    CategoryUpdate,
    ServiceCreate,
    ServiceUpdate,
    StatusCreate,
    StatusUpdate,
)
from polydesk.models import Category, Service, ServiceActivityType, ServicePriority, Status

DEFAULT_STATUSES: tuple[tuple[str, StatusCategory], ...] = (
    ("Open", StatusCategory.OPEN),
    ("In Progress", StatusCategory.IN_PROGRESS),
    ("Pending", StatusCategory.PENDING),
    ("Resolved", StatusCategory.RESOLVED),
    ("Closed", StatusCategory.CLOSED),
    ("Reopened", StatusCategory.OPEN),
    ("Duplicate", StatusCategory.CLOSED),
)
"""The statuses every instance has. The first is the default for new records; django-helpdesk's
status numbers 1–5 are Open, Reopened, Resolved, Closed and Duplicate."""

DEFAULT_PRIORITIES: tuple[str, ...] = (
    "Urgent",
    "V. Important",
    "Important",
    "Inconvenient",
    "Cosmetic",
)
"""GoToAssist's default names of priority levels 1–5, given to every new service."""

_T = TypeVar("_T")
_R = TypeVar("_R")

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX_LENGTH = 100
MAX_PAGE_SIZE = 1000


# Shared helpers ----------------------------------------------------------------------------


def name_key(name: str) -> str:
    """Names of reference data match case-insensitively and ignoring surrounding space."""
    return " ".join(name.split()).casefold()


def clean_name(value: str | None, *, field: str = "name", max_length: int = 200) -> str:
    """A name with runs of white space collapsed; refused when empty or too long."""
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise Invalid(f"The {field} must not be blank.", field=field, value=value)
    if len(cleaned) > max_length:
        raise Invalid(
            f"The {field} must be at most {max_length} characters long.", field=field, value=value
        )
    return cleaned


def clean_optional_text(value: str | None, *, field: str, max_length: int) -> str | None:
    """Trimmed text; blank becomes ``None``."""
    if value is None:
        return None
    cleaned = value.strip()
    if not cleaned:
        return None
    if len(cleaned) > max_length:
        raise Invalid(
            f"The {field} must be at most {max_length} characters long.", field=field, value=value
        )
    return cleaned


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_time_zone(value: str | None, *, field: str = "time_zone") -> str:
    """An IANA time zone name, exactly as the tz database spells it (``Europe/London``)."""
    name = (value or "").strip()
    if name not in _time_zones():
        raise Invalid(
            f"The {field} {value!r} is not a known IANA time zone name (e.g. 'Europe/London').",
            field=field,
            value=value,
        )
    return name


def slugify(value: str) -> str:
    """Lower-case ASCII words joined by hyphens (``Help Desk!`` → ``help-desk``)."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")


def check_page(offset: int, limit: int) -> None:
    """Paging bounds every list accepts: offset ≥ 0 and 1 ≤ limit ≤ 1000."""
    if offset < 0:
        raise Invalid("The offset must not be negative.", field="offset", value=offset)
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise Invalid(
            f"The limit must be between 1 and {MAX_PAGE_SIZE}.", field="limit", value=limit
        )


def _require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise Forbidden(f"Only administrators may {what}.")


def _email_address(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    address = value.strip().lower()
    local, at, domain = address.partition("@")
    if not at or not local or not domain or "@" in domain or any(c.isspace() for c in address):
        raise Invalid(
            f"The email_address {value!r} is not a valid e-mail address.",
            field="email_address",
            value=value,
        )
    if len(address) > 320:
        raise Invalid(
            "The email_address must be at most 320 characters long.",
            field="email_address",
            value=value,
        )
    return address


# Default statuses --------------------------------------------------------------------------


async def ensure_defaults(session: AsyncSession, actor: Actor | None = None) -> None:
    """Create the default statuses that are missing. Safe to run on every start.

    A re-created "Open" becomes the default only when no other status is the default, so that
    renaming or replacing the default never leaves two defaults behind.
    """
    actor = actor or Actor.system()
    has_default = await repository.get_default_status(session) is not None
    for position, (name, category) in enumerate(DEFAULT_STATUSES):
        if await repository.get_status_by_key(session, name_key(name)) is not None:
            continue
        is_default = position == 0 and not has_default
        status = Status(
            name=name,
            name_key=name_key(name),
            category=category.value,
            position=position,
            is_default=is_default,
        )
        await repository.add(session, status)
        has_default = has_default or is_default
        await audit.record(
            session,
            actor,
            "status.created",
            object_type="status",
            object_id=status.id,
            after={"name": name, "category": category.value},
        )


# Services ----------------------------------------------------------------------------------


def _service_state(service: Service) -> dict[str, Any]:
    return {
        "name": service.name,
        "slug": service.slug,
        "description": service.description,
        "email_address": service.email_address,
        "time_zone": service.time_zone,
        "is_active": service.is_active,
    }


def _check_slug(value: str) -> str:
    slug = value.strip()
    if len(slug) > SLUG_MAX_LENGTH or not SLUG_PATTERN.fullmatch(slug):
        raise Invalid(
            f"The slug {value!r} must be 1–{SLUG_MAX_LENGTH} lower-case letters, digits and "
            "single hyphens.",
            field="slug",
            value=value,
        )
    return slug


async def _free_slug(session: AsyncSession, name: str) -> str:
    base = slugify(name) or "service"
    taken = await repository.slugs_starting_with(session, base)
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1


async def create_service(session: AsyncSession, actor: Actor, data: ServiceCreate) -> Service:
    """Create a service with its five priorities (levels 1–5, GoToAssist's default names)."""
    _require_admin(actor, "create services")
    name = clean_name(data.name, max_length=200)
    key = name_key(name)
    if await repository.get_service_by_key(session, key) is not None:
        raise Conflict(f"A service named {name!r} already exists.", field="name", value=name)
    if data.slug is not None:
        slug = _check_slug(data.slug)
        if await repository.get_service_by_slug(session, slug) is not None:
            raise Conflict(f"The slug {slug!r} is already in use.", field="slug", value=slug)
    else:
        slug = await _free_slug(session, name)
    service = Service(
        name=name,
        name_key=key,
        slug=slug,
        description=clean_optional_text(data.description, field="description", max_length=10000),
        email_address=_email_address(data.email_address),
        time_zone=check_time_zone(data.time_zone),
        is_active=data.is_active,
    )
    if not await repository.add_unique(session, service):
        raise Conflict(f"A service named {name!r} already exists.", field="name", value=name)
    await audit.record(
        session,
        actor,
        "service.created",
        object_type="service",
        object_id=service.id,
        after=_service_state(service),
    )
    priorities = [
        ServicePriority(service_id=service.id, level=level, description=description)
        for level, description in zip(PRIORITY_LEVELS, DEFAULT_PRIORITIES, strict=True)
    ]
    await repository.add_all(session, priorities)
    for priority in priorities:
        await audit.record(
            session,
            actor,
            "service_priority.created",
            object_type="service_priority",
            object_id=priority.id,
            after={
                "service_id": service.id,
                "level": priority.level,
                "description": priority.description,
            },
        )
    return service


async def update_service(
    session: AsyncSession, actor: Actor, service_id: int, data: ServiceUpdate
) -> Service:
    _require_admin(actor, "change services")
    service = await get_service(session, service_id)
    given = data.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "name" in given:
        name = clean_name(given["name"], max_length=200)
        key = name_key(name)
        other = await repository.get_service_by_key(session, key)
        if other is not None and other.id != service.id:
            raise Conflict(f"A service named {name!r} already exists.", field="name", value=name)
        changes.update(name=name, name_key=key)
    if "slug" in given:
        if given["slug"] is None:
            raise Invalid("The slug must not be blank.", field="slug", value=None)
        slug = _check_slug(given["slug"])
        other = await repository.get_service_by_slug(session, slug)
        if other is not None and other.id != service.id:
            raise Conflict(f"The slug {slug!r} is already in use.", field="slug", value=slug)
        changes["slug"] = slug
    if "description" in given:
        changes["description"] = clean_optional_text(
            given["description"], field="description", max_length=10000
        )
    if "email_address" in given:
        changes["email_address"] = _email_address(given["email_address"])
    if "time_zone" in given:
        changes["time_zone"] = check_time_zone(given["time_zone"])
    if "is_active" in given:
        if given["is_active"] is None:
            raise Invalid("is_active must be true or false.", field="is_active", value=None)
        changes["is_active"] = given["is_active"]
    return await _apply(session, actor, service, "service", changes, _service_state)


async def get_service(session: AsyncSession, service_id: int) -> Service:
    service = await repository.get_service(session, service_id)
    if service is None:
        raise NotFound(f"No service with id {service_id}.", field="service_id", value=service_id)
    return service


async def service_exists(session: AsyncSession, service_id: int) -> bool:
    """Whether the service exists. A service the reference cache holds needs no read (and
    neither does the records service's check of the same reference in this unit of work):
    the record's foreign key refuses one deleted meanwhile by another process, and the
    creation is then a conflict. Any other id is looked up: a one-column read, once per unit
    of work."""
    known = await reference.cached(session, "services", lambda: _all_services(session))
    if service_id in known:
        repository.service_seen(session, service_id)
        return True
    return await repository.service_exists(session, service_id)


async def get_service_by_name(session: AsyncSession, name: str) -> Service | None:
    return await repository.get_service_by_key(session, name_key(name))


async def get_service_by_slug(session: AsyncSession, slug: str) -> Service | None:
    return await repository.get_service_by_slug(session, slug.strip())


async def list_services(
    session: AsyncSession,
    *,
    is_active: bool | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[Sequence[Service], int]:
    """A page of services by name, and the total matching."""
    check_page(offset, limit)
    return await repository.list_services(session, is_active=is_active, offset=offset, limit=limit)


async def services_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Service]:
    """For display: from the reference cache (core.reference), read only."""
    known = await reference.cached(session, "services", lambda: _all_services(session))
    found = {i: known[i] for i in ids if i in known}
    missing = [i for i in ids if i not in known]
    if missing:  # created by another process since the cache was filled
        found.update({s.id: s for s in await repository.services_by_ids(session, missing)})
    return found


async def _all_services(session: AsyncSession) -> dict[int, Service]:
    rows = reference.copies(await repository.all_services(session))
    return {s.id: s for s in rows}


# Priorities --------------------------------------------------------------------------------


async def get_priority(session: AsyncSession, service_id: int, level: int) -> ServicePriority:
    priority = await repository.get_priority_by_level(session, service_id, level)
    if priority is None:
        raise NotFound(
            f"Service {service_id} has no priority of level {level}.", field="level", value=level
        )
    return priority


async def get_priority_by_id(session: AsyncSession, priority_id: int) -> ServicePriority:
    priority = await repository.get_priority(session, priority_id)
    if priority is None:
        raise NotFound(
            f"No service priority with id {priority_id}.", field="priority_id", value=priority_id
        )
    return priority


async def list_priorities(session: AsyncSession, service_id: int) -> list[ServicePriority]:
    return list(await repository.priorities_for_services(session, [service_id]))


async def priorities_by_service(
    session: AsyncSession, service_ids: Sequence[int]
) -> dict[int, list[ServicePriority]]:
    """Every listed service's priorities by level; from the reference cache, read only."""
    return await _by_service(session, "priorities", repository.priorities_for_services, service_ids)


async def rename_priority(
    session: AsyncSession, actor: Actor, priority_id: int, description: str
) -> ServicePriority:
    """Priorities are the five levels of a service; only their names change."""
    _require_admin(actor, "rename priorities")
    priority = await get_priority_by_id(session, priority_id)
    changes = {"description": clean_name(description, field="description", max_length=100)}
    return await _apply(
        session,
        actor,
        priority,
        "service_priority",
        changes,
        lambda p: {"description": p.description},
    )


# Activity types ----------------------------------------------------------------------------


async def create_activity_type(
    session: AsyncSession, actor: Actor, service_id: int, data: ActivityTypeCreate
) -> ServiceActivityType:
    _require_admin(actor, "create activity types")
    service = await get_service(session, service_id)
    name = clean_name(data.name)
    key = name_key(name)
    if await repository.get_activity_type_by_key(session, service.id, key) is not None:
        raise _activity_type_taken(name)
    activity_type = ServiceActivityType(service_id=service.id, name=name, name_key=key)
    if not await repository.add_unique(session, activity_type):
        raise _activity_type_taken(name)
    await audit.record(
        session,
        actor,
        "activity_type.created",
        object_type="activity_type",
        object_id=activity_type.id,
        after={"service_id": service.id, "name": name},
    )
    return activity_type


def _activity_type_taken(name: str) -> Conflict:
    return Conflict(
        f"This service already has an activity type named {name!r}.", field="name", value=name
    )


async def update_activity_type(
    session: AsyncSession, actor: Actor, type_id: int, data: ActivityTypeUpdate
) -> ServiceActivityType:
    _require_admin(actor, "change activity types")
    activity_type = await get_activity_type(session, type_id)
    changes: dict[str, Any] = {}
    if "name" in data.model_fields_set:
        name = clean_name(data.name)
        key = name_key(name)
        other = await repository.get_activity_type_by_key(session, activity_type.service_id, key)
        if other is not None and other.id != activity_type.id:
            raise _activity_type_taken(name)
        changes.update(name=name, name_key=key)
    return await _apply(
        session, actor, activity_type, "activity_type", changes, lambda t: {"name": t.name}
    )


async def delete_activity_type(session: AsyncSession, actor: Actor, type_id: int) -> None:
    """Records that had this type keep no type (the foreign key sets null)."""
    _require_admin(actor, "delete activity types")
    activity_type = await get_activity_type(session, type_id)
    before = {"service_id": activity_type.service_id, "name": activity_type.name}
    await repository.delete(session, activity_type)
    await audit.record(
        session,
        actor,
        "activity_type.deleted",
        object_type="activity_type",
        object_id=type_id,
        before=before,
    )


async def get_activity_type(session: AsyncSession, type_id: int) -> ServiceActivityType:
    activity_type = await repository.get_activity_type(session, type_id)
    if activity_type is None:
        raise NotFound(f"No activity type with id {type_id}.", field="type_id", value=type_id)
    return activity_type


async def get_activity_type_by_name(
    session: AsyncSession, service_id: int, name: str
) -> ServiceActivityType | None:
    return await repository.get_activity_type_by_key(session, service_id, name_key(name))


async def list_activity_types(session: AsyncSession, service_id: int) -> list[ServiceActivityType]:
    return list(await repository.activity_types_for_services(session, [service_id]))


async def activity_types_by_service(
    session: AsyncSession, service_ids: Sequence[int]
) -> dict[int, list[ServiceActivityType]]:
    """Every listed service's activity types by name; from the reference cache, read only."""
    load = repository.activity_types_for_services
    return await _by_service(session, "activity_types", load, service_ids)


# Categories --------------------------------------------------------------------------------


def _category_taken(name: str, service_id: int | None) -> Conflict:
    where = "This service" if service_id is not None else "The global scope"
    return Conflict(f"{where} already has a category named {name!r}.", field="name", value=name)


async def create_category(session: AsyncSession, actor: Actor, data: CategoryCreate) -> Category:
    """A category is global (no service) or a service's own; names are unique per scope."""
    _require_admin(actor, "create categories")
    if data.service_id is not None:
        await get_service(session, data.service_id)
    name = clean_name(data.name)
    key = name_key(name)
    # Global categories have a null service id, which a unique constraint does not compare.
    if await repository.get_category_by_key(session, data.service_id, key) is not None:
        raise _category_taken(name, data.service_id)
    category = Category(service_id=data.service_id, name=name, name_key=key)
    if not await repository.add_unique(session, category):
        raise _category_taken(name, data.service_id)
    await audit.record(
        session,
        actor,
        "category.created",
        object_type="category",
        object_id=category.id,
        after={"service_id": data.service_id, "name": name},
    )
    return category


async def update_category(
    session: AsyncSession, actor: Actor, category_id: int, data: CategoryUpdate
) -> Category:
    _require_admin(actor, "change categories")
    category = await get_category(session, category_id)
    changes: dict[str, Any] = {}
    if "name" in data.model_fields_set:
        name = clean_name(data.name)
        key = name_key(name)
        other = await repository.get_category_by_key(session, category.service_id, key)
        if other is not None and other.id != category.id:
            raise _category_taken(name, category.service_id)
        changes.update(name=name, name_key=key)
    return await _apply(session, actor, category, "category", changes, lambda c: {"name": c.name})


async def delete_category(session: AsyncSession, actor: Actor, category_id: int) -> None:
    """Refused while a record is filed under the category."""
    _require_admin(actor, "delete categories")
    category = await get_category(session, category_id)
    if await repository.category_in_use(session, category.id):
        raise Conflict(
            f"The category {category.name!r} is in use by records and cannot be deleted.",
            field="category_id",
            value=category_id,
        )
    before = {"service_id": category.service_id, "name": category.name}
    await repository.delete(session, category)
    await audit.record(
        session,
        actor,
        "category.deleted",
        object_type="category",
        object_id=category_id,
        before=before,
    )


async def get_category(session: AsyncSession, category_id: int) -> Category:
    category = await repository.get_category(session, category_id)
    if category is None:
        raise NotFound(
            f"No category with id {category_id}.", field="category_id", value=category_id
        )
    return category


async def find_category(
    session: AsyncSession, name: str, *, service_id: int | None = None
) -> Category | None:
    """By name, ignoring case; a service's own category wins over a global one."""
    found = await repository.categories_named(session, name_key(name), service_id)
    own = [c for c in found if c.service_id is not None]
    if own:
        return own[0]
    return found[0] if found else None


async def categories_by_service(
    session: AsyncSession, service_ids: Sequence[int]
) -> dict[int, list[Category]]:
    """Every listed service's own categories by name (global ones come from
    :func:`list_categories` with no service); from the reference cache, read only."""
    return await _by_service(session, "categories", repository.categories_for_services, service_ids)


async def _by_service(
    session: AsyncSession,
    key: str,
    load: Callable[[AsyncSession, Iterable[int] | None], Awaitable[Sequence[_R]]],
    service_ids: Sequence[int],
) -> dict[int, list[_R]]:
    """Rows of a per-service reference table for ``service_ids``, grouped by service.

    The whole table is cached (core.reference); a service created by another process since
    the cache was filled is read from the table."""

    def grouped(rows: Iterable[_R]) -> dict[int, list[_R]]:
        out: dict[int, list[_R]] = defaultdict(list)
        for row in rows:
            service_id: int | None = getattr(row, "service_id", None)
            if service_id is not None:
                out[service_id].append(row)
        return dict(out)

    async def every_service() -> dict[int, list[_R]]:
        return grouped(reference.copies(await load(session, None)))

    known_services = await reference.cached(session, "services", lambda: _all_services(session))
    everything = await reference.cached(session, key, every_service)
    found = {i: list(everything[i]) for i in service_ids if i in everything}
    unknown = [i for i in service_ids if i not in known_services]
    if unknown:
        found.update(grouped(await load(session, unknown)))
    return found


async def list_categories(
    session: AsyncSession, *, service_id: int | None = None, include_global: bool = True
) -> list[Category]:
    """Global categories when ``service_id`` is ``None``; otherwise the service's own, plus
    the global ones unless ``include_global`` is false."""
    return list(
        await repository.list_categories(
            session, service_id=service_id, include_global=include_global
        )
    )


# Statuses ----------------------------------------------------------------------------------


def _status_state(status: Status) -> dict[str, Any]:
    return {
        "name": status.name,
        "category": status.category,
        "position": status.position,
        "is_default": status.is_default,
    }


def _status_taken(name: str) -> Conflict:
    return Conflict(f"A status named {name!r} already exists.", field="name", value=name)


async def create_status(session: AsyncSession, actor: Actor, data: StatusCreate) -> Status:
    _require_admin(actor, "create statuses")
    name = clean_name(data.name, max_length=100)
    key = name_key(name)
    if await repository.get_status_by_key(session, key) is not None:
        raise _status_taken(name)
    position = data.position
    if position is None:
        last = await repository.max_status_position(session)
        position = 0 if last is None else last + 1
    status = Status(
        name=name,
        name_key=key,
        category=StatusCategory(data.category).value,
        position=position,
        is_default=False,
    )
    if not await repository.add_unique(session, status):
        raise _status_taken(name)
    await audit.record(
        session,
        actor,
        "status.created",
        object_type="status",
        object_id=status.id,
        after=_status_state(status),
    )
    return status


async def update_status(
    session: AsyncSession, actor: Actor, status_id: int, data: StatusUpdate
) -> Status:
    """Rename, re-categorise, move, or make the default (the old default stops being it).

    A status keeps its category's last member: moving the only status of a category to
    another would leave the record rules without, say, a resolved status.
    """
    _require_admin(actor, "change statuses")
    status = await get_status(session, status_id)
    given = data.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "name" in given:
        name = clean_name(given["name"], max_length=100)
        key = name_key(name)
        other = await repository.get_status_by_key(session, key)
        if other is not None and other.id != status.id:
            raise _status_taken(name)
        changes.update(name=name, name_key=key)
    if "category" in given:
        if given["category"] is None:
            raise Invalid("The category must not be blank.", field="category", value=None)
        category = StatusCategory(given["category"]).value
        if category != status.category:
            await _keep_one_per_category(session, status, "move it to another category")
            if status.is_default and category != StatusCategory.OPEN.value:
                raise Conflict(
                    "The default status must be in the open category.",
                    field="category",
                    value=category,
                )
        changes["category"] = category
    if "position" in given:
        if given["position"] is None:
            raise Invalid("The position must be a number.", field="position", value=None)
        changes["position"] = given["position"]
    if "is_default" in given:
        if given["is_default"] is not True:
            raise Invalid(
                "Make another status the default instead of unsetting this one.",
                field="is_default",
                value=given["is_default"],
            )
        if changes.get("category", status.category) != StatusCategory.OPEN.value:
            raise Invalid(
                "The default status must be in the open category.",
                field="is_default",
                value=True,
            )
        if not status.is_default:
            previous = await repository.get_default_status(session)
            await repository.clear_default_status(session, keep_id=status.id)
            if previous is not None:
                await audit.record(
                    session,
                    actor,
                    "status.updated",
                    object_type="status",
                    object_id=previous.id,
                    before={"is_default": True},
                    after={"is_default": False},
                )
        changes["is_default"] = True
    return await _apply(session, actor, status, "status", changes, _status_state)


async def _keep_one_per_category(session: AsyncSession, status: Status, what: str) -> None:
    if await repository.count_statuses_in_category(session, status.category) <= 1:
        raise Conflict(
            f"The status {status.name!r} is the only one in the {status.category} category; "
            f"add another before you {what}.",
            field="status_id",
            value=status.id,
        )


async def reorder_statuses(
    session: AsyncSession, actor: Actor, status_ids: Sequence[int]
) -> list[Status]:
    """Give every status the position of its id in ``status_ids``, which must name each
    status exactly once."""
    _require_admin(actor, "reorder statuses")
    statuses = {s.id: s for s in await repository.list_statuses(session)}
    if len(set(status_ids)) != len(status_ids) or set(status_ids) != set(statuses):
        raise Invalid(
            "The new order must list every status exactly once.",
            field="status_ids",
            value=list(status_ids),
        )
    for position, status_id in enumerate(status_ids):
        await _apply(
            session,
            actor,
            statuses[status_id],
            "status",
            {"position": position},
            _status_state,
        )
    return [statuses[i] for i in status_ids]


async def delete_status(session: AsyncSession, actor: Actor, status_id: int) -> None:
    """Refused for the default status, the last status of a category, and a status in use."""
    _require_admin(actor, "delete statuses")
    status = await get_status(session, status_id)
    if status.is_default:
        raise Conflict(
            f"The status {status.name!r} is the default and cannot be deleted.",
            field="status_id",
            value=status_id,
        )
    await _keep_one_per_category(session, status, "delete it")
    if await repository.status_in_use(session, status.id):
        raise Conflict(
            f"The status {status.name!r} is in use by records and cannot be deleted.",
            field="status_id",
            value=status_id,
        )
    before = _status_state(status)
    await repository.delete(session, status)
    await audit.record(
        session, actor, "status.deleted", object_type="status", object_id=status_id, before=before
    )


async def get_status(session: AsyncSession, status_id: int) -> Status:
    status = await repository.get_status(session, status_id)
    if status is None:
        raise NotFound(f"No status with id {status_id}.", field="status_id", value=status_id)
    return status


async def status_to_show(session: AsyncSession, status_id: int) -> Status:
    """A status to render a record with: from the reference cache (read only), else read."""
    for status in await list_statuses(session):
        if status.id == status_id:
            return status
    return await get_status(session, status_id)


async def get_status_by_name(session: AsyncSession, name: str) -> Status | None:
    return await repository.get_status_by_key(session, name_key(name))


async def list_statuses(session: AsyncSession) -> list[Status]:
    """Every status, in display order; from the reference cache (core.reference), read only."""
    return list(await reference.cached(session, "statuses", lambda: _statuses(session)))


async def _statuses(session: AsyncSession) -> list[Status]:
    return reference.copies(await repository.list_statuses(session))


async def get_default_status(session: AsyncSession) -> Status:
    status = await repository.get_default_status(session)
    if status is None:
        raise NotFound("No default status is configured.", field="status_id", value=None)
    return status


async def first_status_of_category(session: AsyncSession, category: StatusCategory) -> Status:
    """The first status (in display order) that means ``category``, e.g. where "resolve" goes."""
    status = await repository.first_status_of_category(session, StatusCategory(category).value)
    if status is None:
        raise NotFound(
            f"No status is in the {category.value} category.", field="category", value=category
        )
    return status


# Shared update path ------------------------------------------------------------------------


async def _apply(
    session: AsyncSession,
    actor: Actor,
    obj: _T,
    object_type: str,
    changes: dict[str, Any],
    state: Callable[[_T], dict[str, Any]],
) -> _T:
    """Write only the changed columns and record ``<object_type>.updated`` with their old and
    new values; no change, no write and no event."""
    before_state = state(obj)
    current = {key: getattr(obj, key) for key in changes}
    changed = {key: value for key, value in changes.items() if current[key] != value}
    if not changed:
        return obj
    if not await repository.update_unique(session, obj, changed):
        raise Conflict(
            f"The {object_type.replace('_', ' ')} could not be saved: a name or key is taken.",
            field=next(iter(changed)),
            value=next(iter(changed.values())),
        )
    before, after = audit.diff(before_state, state(obj))
    if after:
        await audit.record(
            session,
            actor,
            f"{object_type}.updated",
            object_type=object_type,
            object_id=getattr(obj, "id", None),
            before=before,
            after=after,
        )
    return obj
