"""Reference data named on the wire, resolved against the core's reference data.

ServiceOps clients name everything by display name (``locationName``, ``departmentName``,
``categoryName``, ``statusName``, ``priorityName`` …). Names match ignoring case and
surrounding white space (the domains' ``name_key``). An unknown name is a 400 naming the field
and the value, in the vendor's own words where it has them ("Location Must Exist with same
name"). ``None`` and blank strings resolve to ``None``: on an update they clear the value.

Every resolver takes the wire ``field`` name so that the error names what the client sent.
"""

from __future__ import annotations

import re

from polydesk.api.serviceops.errors import shown
from polydesk.core.actor import Actor
from polydesk.core.db import Session
from polydesk.core.enums import Impact, Urgency
from polydesk.core.errors import Invalid
from polydesk.domains.catalog import service as catalog
from polydesk.domains.companies import service as companies
from polydesk.domains.departments import service as departments
from polydesk.domains.locations import service as locations
from polydesk.domains.technician_groups import service as technician_groups
from polydesk.domains.users import service as users
from polydesk.models import User


def _blank(name: str | None) -> bool:
    return name is None or not name.strip()


def _must_exist(what: str, field: str, name: str) -> Invalid:
    return Invalid(f"{what} Must Exist with same name: {shown(name)}.", field=field, value=name)


async def location_id(
    session: Session, name: str | None, field: str = "locationName"
) -> int | None:
    if name is None or _blank(name):
        return None
    location = await locations.get_or_none_by_name(session, name)
    if location is None:
        raise _must_exist("Location", field, name)
    return location.id


async def department_id(
    session: Session, name: str | None, field: str = "departmentName"
) -> int | None:
    if name is None or _blank(name):
        return None
    department = await departments.get_or_none_by_name(session, name)
    if department is None:
        raise _must_exist("Department", field, name)
    return department.id


async def category_id(
    session: Session,
    name: str | None,
    field: str = "categoryName",
    *,
    service_id: int | None = None,
) -> int | None:
    if name is None or _blank(name):
        return None
    category = await catalog.find_category(session, name, service_id=service_id)
    if category is None:
        raise _must_exist("Category", field, name)
    return category.id


async def status_id(session: Session, name: str | None, field: str = "statusName") -> int | None:
    """A status by name. ``None`` stays ``None`` (the caller decides whether that clears)."""
    if name is None or _blank(name):
        return None
    status = await catalog.get_status_by_name(session, name)
    if status is None:
        known = ", ".join(s.name for s in await catalog.list_statuses(session))
        raise Invalid(
            f"Status Must Exist with same name: {shown(name)} (known statuses: {known}).",
            field=field,
            value=name,
        )
    return status.id


async def service_id(session: Session, name: str | None, field: str = "serviceName") -> int | None:
    if name is None or _blank(name):
        return None
    service = await catalog.get_service_by_name(session, name)
    if service is None:
        raise _must_exist("Service", field, name)
    return service.id


async def company_id(session: Session, name: str | None, field: str = "companyName") -> int | None:
    if name is None or _blank(name):
        return None
    company = await companies.get_or_none_by_name(session, name)
    if company is None:
        raise _must_exist("Company", field, name)
    return company.id


async def technician_group_id(
    session: Session, name: str | None, field: str = "technicianGroupName"
) -> int | None:
    if name is None or _blank(name):
        return None
    group = await technician_groups.get_or_none_by_name(session, name)
    if group is None:
        raise _must_exist("Technician Group", field, name)
    return group.id


async def requester(
    session: Session,
    actor: Actor,
    email: str | None,
    *,
    name: str | None = None,
    field: str = "requesterEmail",
) -> User | None:
    """The user an e-mail address (or, as ServiceOps accepts, a login name) names; an unknown
    e-mail address creates a requester named ``name``. An unknown login name that is not an
    e-mail address is a 400."""
    if email is None or _blank(email):
        return None
    existing = await users.get_user_by_login(session, email)
    if existing is not None:
        return existing
    if "@" not in email:
        raise Invalid(
            f"Requester Must Exist with same login name, or be given as an e-mail address: "
            f"{shown(email)}.",
            field=field,
            value=email,
        )
    try:
        return await users.ensure_requester(session, actor, email.strip(), name=name)
    except Invalid as exc:
        raise Invalid(exc.message, field=field, value=email) from exc


async def staff_user_id(
    session: Session, email: str | None, field: str = "assigneeEmail"
) -> int | None:
    """A technician or administrator by e-mail or login name (the record rules check that
    they are active staff)."""
    if email is None or _blank(email):
        return None
    user = await users.get_user_by_login(session, email)
    if user is None:
        raise Invalid(f"User Must Exist with same email: {shown(email)}.", field=field, value=email)
    return user.id


def full_name(user: User) -> str:
    return users.full_name(user)


# Levels by display name (G2) ---------------------------------------------------------------

_FOLD = re.compile(r"[\s_-]+")


def _fold(name: str) -> str:
    return _FOLD.sub("", name).casefold()


PRIORITY_NAMES: dict[int, str] = {1: "Urgent", 2: "High", 3: "Medium", 4: "Low", 5: "Low"}
"""Core priority level → ServiceOps ``priorityName``."""
_PRIORITY_LEVELS = {"urgent": 1, "high": 2, "medium": 3, "low": 4}
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
URGENCY_NAMES: dict[Urgency, str] = {
    Urgency.LOW: "Low",
    Urgency.MEDIUM: "Medium",
    Urgency.HIGH: "High",
    Urgency.URGENT: "Urgent",
}


def priority_level(name: str | None, field: str = "priorityName") -> int | None:
    """``Low``/``Medium``/``High``/``Urgent`` (any case, spaces ignored) → core level 4…1."""
    if name is None or _blank(name):
        return None
    level = _PRIORITY_LEVELS.get(_fold(name))
    if level is None:
        raise Invalid(
            f"Priority Must Exist with same name: {shown(name)} (Low, Medium, High or Urgent).",
            field=field,
            value=name,
        )
    return level


def impact(name: str | None, field: str = "impactName") -> Impact | None:
    """``Low``/``On User(s)``/``On Department``/``On Business`` (any case or spacing)."""
    if name is None or _blank(name):
        return None
    value = _IMPACTS.get(_fold(name))
    if value is None:
        raise Invalid(
            f"Impact Must Exist with same name: {shown(name)} (Low, On Users, On Department or "
            "On Business).",
            field=field,
            value=name,
        )
    return value


def urgency(name: str | None, field: str = "urgencyName") -> Urgency | None:
    """``Low``/``Medium``/``High``/``Urgent`` (any case)."""
    if name is None or _blank(name):
        return None
    try:
        return Urgency(_fold(name))
    except ValueError:
        raise Invalid(
            f"Urgency Must Exist with same name: {shown(name)} (Low, Medium, High or Urgent).",
            field=field,
            value=name,
        ) from None
