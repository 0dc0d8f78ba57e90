"""Set-up and inspection helpers shared by the people, catalogue and configuration tests."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Channel, Role
from polydesk.models import Event, User
from tests.factories import make_user

PASSWORD = "correct horse battery"

Attempt = Callable[[AsyncSession], Awaitable[object]]
"""A service call to try inside a unit of work (for permission tests)."""

SYSTEM = Actor.system()
WEB_ADMIN = Actor(user_id=None, role=Role.ADMIN, channel=Channel.WEB)


def actor_for(user: User, channel: Channel = Channel.WEB) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), channel=channel)


async def make_admin(session: AsyncSession, **fields: Any) -> User:
    return await make_user(session, role=Role.ADMIN, password=PASSWORD, **fields)


async def make_technician(session: AsyncSession, **fields: Any) -> User:
    return await make_user(session, role=Role.TECHNICIAN, password=PASSWORD, **fields)


async def make_requester(session: AsyncSession, **fields: Any) -> User:
    return await make_user(session, role=Role.REQUESTER, password=PASSWORD, **fields)


async def events(db: Database, action: str | None = None) -> list[Event]:
    async with db.unit_of_work() as session:
        stmt = select(Event).order_by(Event.id)
        if action is not None:
            stmt = stmt.where(Event.action == action)
        return list((await session.scalars(stmt)).all())


async def count(db: Database, model: type[Any]) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def events_text(db: Database) -> str:
    """Every event as JSON text, to prove a secret appears in none."""
    rows = await events(db)
    return "\n".join(
        json.dumps([e.action, e.before, e.after], default=str, sort_keys=True) for e in rows
    )


@contextmanager
def sql_statements(db: Database) -> Iterator[list[str]]:
    """The statements sent to the database inside the block, transaction control excluded."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
