"""A django-helpdesk world: an admin, a technician and a requester with passwords, and one
queue (a service), as the upstream tests set it up."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.db import Database
from polydesk.core.enums import Role
from polydesk.core.security import hash_password
from polydesk.models import Attachment, Event, Note, Record, User
from tests.factories import make_service, make_user

PASSWORD = "correct-horse-battery"


@lru_cache(maxsize=1)
def password_hash() -> str:
    """Hashed once per run: argon2 is slow on purpose."""
    return hash_password(PASSWORD)


async def make_account(session: AsyncSession, *, role: Role, username: str, email: str) -> User:
    user = await make_user(session, role=role, username=username, email=email)
    user.password_hash = password_hash()
    await session.flush()
    return user


@dataclass(frozen=True)
class World:
    admin: User
    staff: User
    plain: User
    queue_id: int
    queue_slug: str

    @property
    def admin_auth(self) -> tuple[str, str]:
        return ("admin", PASSWORD)

    @property
    def staff_auth(self) -> tuple[str, str]:
        return ("staff", PASSWORD)

    @property
    def plain_auth(self) -> tuple[str, str]:
        return ("plain", PASSWORD)


@pytest.fixture
async def world(db: Database) -> World:
    async with db.unit_of_work() as session:
        admin = await make_account(
            session, role=Role.ADMIN, username="admin", email="admin@example.com"
        )
        staff = await make_account(
            session, role=Role.TECHNICIAN, username="staff", email="staff@example.com"
        )
        plain = await make_account(
            session, role=Role.REQUESTER, username="plain", email="plain@example.com"
        )
        queue = await make_service(session, name="Test Queue")
    return World(admin, staff, plain, queue.id, queue.slug)


@dataclass(frozen=True)
class Counts:
    records: int
    notes: int
    attachments: int
    events: int
    users: int


async def counts(db: Database) -> Counts:
    async with db.unit_of_work() as session:

        async def n(model: type) -> int:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)

        return Counts(
            await n(Record), await n(Note), await n(Attachment), await n(Event), await n(User)
        )


async def create_ticket(
    client: httpx.AsyncClient, world: World, **fields: object
) -> dict[str, object]:
    body: dict[str, object] = {
        "queue": world.queue_id,
        "title": "Test Ticket",
        "description": "Some description",
        "submitter_email": "test@mail.com",
        "priority": 4,
    }
    body.update(fields)
    response = await client.post("/api/tickets/", json=body, auth=world.staff_auth)
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data
