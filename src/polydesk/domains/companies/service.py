"""Rules of companies: names unique ignoring case; staff create and change them, administrators
delete them, everyone reads.

Deleting a company leaves its customers and records without one (the foreign keys set null),
as the schema defines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.errors import Conflict, Forbidden, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog.service import (
    check_page,
    clean_name,
    clean_optional_text,
    name_key,
)
from polydesk.domains.companies import repository
from polydesk.domains.companies.schemas import CompanyCreate, CompanyUpdate
from polydesk.models import Company

_LIMITS = {"phone": 64, "address": 1000, "website": 500}


def _taken(name: str) -> Conflict:
    return Conflict(f"A company named {name!r} already exists.", field="name", value=name)


def _state(company: Company) -> dict[str, Any]:
    return {
        "name": company.name,
        "phone": company.phone,
        "address": company.address,
        "website": company.website,
    }


async def create_company(session: AsyncSession, actor: Actor, data: CompanyCreate) -> Company:
    if not actor.is_staff:
        raise Forbidden("Only staff may create companies.")
    name = clean_name(data.name)
    key = name_key(name)
    details = {
        field: clean_optional_text(getattr(data, field), field=field, max_length=limit)
        for field, limit in _LIMITS.items()
    }
    if await repository.get_by_key(session, key) is not None:
        raise _taken(name)
    company = Company(name=name, name_key=key, **details)
    if not await repository.add_unique(session, company):
        raise _taken(name)
    await audit.record(
        session,
        actor,
        "company.created",
        object_type="company",
        object_id=company.id,
        after=_state(company),
    )
    return company


async def update_company(
    session: AsyncSession, actor: Actor, company_id: int, data: CompanyUpdate
) -> Company:
    if not actor.is_staff:
        raise Forbidden("Only staff may change companies.")
    company = await get_company(session, company_id)
    given = data.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "name" in given:
        name = clean_name(given["name"])
        key = name_key(name)
        other = await repository.get_by_key(session, key)
        if other is not None and other.id != company.id:
            raise _taken(name)
        changes.update(name=name, name_key=key)
    for field, limit in _LIMITS.items():
        if field in given:
            changes[field] = clean_optional_text(given[field], field=field, max_length=limit)
    changed = {k: v for k, v in changes.items() if getattr(company, k) != v}
    if not changed:
        return company
    before_state = _state(company)
    if not await repository.update_unique(session, company, changed):
        raise _taken(changed.get("name", before_state["name"]))
    before, after = audit.diff(before_state, _state(company))
    if after:
        await audit.record(
            session,
            actor,
            "company.updated",
            object_type="company",
            object_id=company.id,
            before=before,
            after=after,
        )
    return company


async def delete_company(session: AsyncSession, actor: Actor, company_id: int) -> None:
    if not actor.is_admin:
        raise Forbidden("Only administrators may delete companies.")
    company = await get_company(session, company_id)
    before = _state(company)
    await repository.delete(session, company)
    await audit.record(
        session,
        actor,
        "company.deleted",
        object_type="company",
        object_id=company_id,
        before=before,
    )


async def get_company(session: AsyncSession, company_id: int) -> Company:
    company = await repository.get(session, company_id)
    if company is None:
        raise NotFound(f"No company with id {company_id}.", field="company_id", value=company_id)
    return company


async def get_or_none_by_name(session: AsyncSession, name: str) -> Company | None:
    """Case-insensitive lookup (ServiceOps' ``companyName``)."""
    return await repository.get_by_key(session, name_key(name))


async def list_companies(
    session: AsyncSession, *, query: str | None = None, offset: int = 0, limit: int = 100
) -> tuple[Sequence[Company], int]:
    """A page of companies by name, and the total matching; ``query`` matches part of the
    name, ignoring case."""
    check_page(offset, limit)
    key = name_key(query) if query else None
    return await repository.list_all(session, query=key or None, offset=offset, limit=limit)


async def companies_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Company]:
    return {c.id: c for c in await repository.by_ids(session, ids)}
