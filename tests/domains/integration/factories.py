"""Set-up helpers for the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import AccessLevel, Channel, Role
from polydesk.domains.integration import service
from polydesk.domains.integration.schemas import ApiClientCreate
from polydesk.models import ApiClient, Base, Event, User
from tests.factories import make_user

PASSWORD = "s3cret-Passw0rd"


def actor_for(user: User, channel: Channel = Channel.CLI) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), channel=channel)


async def make_admin(session: AsyncSession, **fields: Any) -> User:
    return await make_user(session, role=Role.ADMIN, password=PASSWORD, **fields)


async def make_client(
    session: AsyncSession,
    admin: User,
    *,
    name: str = "Integration",
    client_id: str | None = None,
    secret: str | None = None,
    access_level: AccessLevel = AccessLevel.ANY_USER,
    user_id: int | None = None,
) -> tuple[ApiClient, str]:
    return await service.create_client(
        session,
        actor_for(admin),
        ApiClientCreate(
            name=name,
            client_id=client_id,
            secret=secret,
            access_level=access_level,
            user_id=user_id,
        ),
    )


async def events(db: Database, action: str) -> list[Event]:
    async with db.unit_of_work() as session:
        rows = await session.scalars(select(Event).where(Event.action == action).order_by(Event.id))
        return list(rows.all())


async def count(db: Database, model: type[Any]) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def database_text(db: Database) -> str:
    """Every row of every table as text, to prove a secret is stored nowhere."""
    parts: list[str] = []
    async with db.unit_of_work() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(select(table))).all()
            parts.extend(repr(tuple(row)) for row in rows)
    return "\n".join(parts)


@contextmanager
def sql_statements(db: Database) -> Iterator[list[str]]:
    """The statements sent to the real database inside the block, transaction control
    excluded."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
