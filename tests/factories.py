"""Plain keyword-only factories for test set-up data.

They insert rows directly, so that a test of one domain does not depend on another domain's
services; the behaviour under test always goes through the services or over HTTP.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.enums import RecordKind, Role
from polydesk.core.security import hash_password
from polydesk.domains.records import repository as records_repository
from polydesk.models import Record, Service, Status, User

_counter = 0


def _next() -> int:
    global _counter
    _counter += 1
    return _counter


async def make_user(
    session: AsyncSession,
    *,
    email: str | None = None,
    role: Role = Role.TECHNICIAN,
    password: str | None = None,
    first_name: str = "Test",
    last_name: str = "User",
    username: str | None = None,
) -> User:
    n = _next()
    address = email or f"user{n}@example.com"
    user = User(
        email=address,
        email_key=address.lower(),
        username=username,
        username_key=username.lower() if username is not None else None,
        first_name=first_name,
        last_name=last_name,
        role=role.value,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    await session.flush()
    return user


async def make_service(session: AsyncSession, *, name: str | None = None) -> Service:
    n = _next()
    name = name or f"Service {n}"
    service = Service(name=name, name_key=name.casefold(), slug=f"service-{n}")
    session.add(service)
    await session.flush()
    return service


async def default_status(session: AsyncSession) -> Status:
    status = await session.scalar(select(Status).where(Status.is_default.is_(True)))
    assert status is not None, "default statuses are created by the clean_database fixture"
    return status


async def make_record(
    session: AsyncSession,
    *,
    kind: RecordKind = RecordKind.INCIDENT,
    title: str = "Printer on fire",
    **fields: object,
) -> Record:
    number = await records_repository.next_number(session, kind.value)
    status = await default_status(session)
    record = Record(kind=kind.value, number=number, title=title, status_id=status.id, **fields)
    session.add(record)
    await session.flush()
    return record
