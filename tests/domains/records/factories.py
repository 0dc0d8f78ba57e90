"""Set-up helpers for the record and custom field tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Channel, CustomFieldType, RecordKind, Role
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.custom_fields.schemas import CustomFieldCreate
from polydesk.domains.records import service
from polydesk.domains.records.schemas import RecordCreate
from polydesk.models import CustomField, Event, Record, Status, User
from tests.factories import make_user

SYSTEM = Actor.system()


def actor_for(user: User, channel: Channel = Channel.WEB) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), channel=channel)


async def make_admin(session: AsyncSession) -> User:
    return await make_user(session, role=Role.ADMIN)


async def create(
    session: AsyncSession,
    actor: Actor = SYSTEM,
    *,
    kind: RecordKind = RecordKind.INCIDENT,
    title: str = "Printer on fire",
    **fields: Any,
) -> Record:
    return await service.create_record(
        session, actor, RecordCreate(kind=kind, title=title, **fields)
    )


async def define(
    session: AsyncSession,
    name: str,
    field_type: CustomFieldType = CustomFieldType.TEXT,
    *,
    kind: RecordKind = RecordKind.INCIDENT,
    **options: Any,
) -> CustomField:
    return await custom_fields.define_field(
        session,
        SYSTEM,
        CustomFieldCreate(kind=kind, name=name, field_type=field_type, **options),
    )


async def status_named(session: AsyncSession, name: str) -> Status:
    status = await session.scalar(select(Status).where(Status.name == name))
    assert status is not None
    return status


async def events(db: Database, action: str | None = None) -> list[Event]:
    async with db.unit_of_work() as session:
        stmt = select(Event).order_by(Event.id)
        if action is not None:
            stmt = stmt.where(Event.action == action)
        return list((await session.scalars(stmt)).all())


async def count(db: Database, model: type[Any]) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def fetch(db: Database, record_id: int) -> Record:
    async with db.unit_of_work() as session:
        return await service.get_record(session, record_id)


def is_postgres(db: Database) -> bool:
    return db.engine.dialect.name == "postgresql"


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
