"""Engine and unit of work.

One ``AsyncSession`` per request or job: it commits once when the work succeeds and rolls back
when it fails. Services only ``flush()``. SQLite runs in WAL mode with foreign keys on and a
busy timeout, so that an acknowledged write survives a crash and concurrent writers wait
instead of failing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session as SyncSession
from sqlalchemy.pool import ConnectionPoolEntry

from polydesk.core import reference
from polydesk.core.settings import Settings

Session = AsyncSession
"""The unit-of-work type, named here so that surfaces never import SQLAlchemy."""


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_foreign_keys_off(
    dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry
) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Take the write lock at the start of the transaction: a deferred transaction that later
    # tries to write can fail with SQLITE_BUSY instead of waiting.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# JSON columns (tags, e-mail lists, event values, custom field choices) go through orjson: a page
# of records decodes hundreds of them.
_JSON = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}


def create_engine(
    database_url: str, *, pool_size: int = 10, echo: bool = False, foreign_keys: bool = True
) -> AsyncEngine:
    """``foreign_keys=False`` is for migrations only: SQLite alters a table by copying it and
    dropping the original, and with foreign keys enforced that drop would run the ``ON DELETE``
    actions of every row referring to it (customers of a user account deleted, records'
    requesters cleared). PostgreSQL always enforces them."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, echo=echo, **_JSON)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        if not foreign_keys:
            event.listen(engine.sync_engine, "connect", _sqlite_foreign_keys_off)

        @event.listens_for(engine.sync_engine, "connect")
        def _no_pysqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy issue BEGIN itself (see the "begin" hook below).
            dbapi_connection.isolation_level = None

        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        database_url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        **_JSON,
    )


class UnitOfWorkSession(SyncSession):
    """Holds every object it loads or adds until it closes.

    SQLAlchemy's identity map keeps objects only while something else refers to them, so a
    row read twice in one request (the caller's user: once to authenticate, once by the
    dialect) was fetched twice. A unit of work lives for one request or job, so keeping its
    objects costs little and turns the second read into an identity-map hit (SQLAlchemy's
    "strong reference session" recipe).
    """


def _keep(session: SyncSession, instance: object) -> None:
    session.info.setdefault("kept", set()).add(instance)


def _release(session: SyncSession, instance: object) -> None:
    kept = session.info.get("kept")
    if kept is not None:
        kept.discard(instance)


for _name in (
    "pending_to_persistent",
    "deleted_to_persistent",
    "detached_to_persistent",
    "loaded_as_persistent",
):
    event.listen(UnitOfWorkSession, _name, _keep)
for _name in ("persistent_to_detached", "persistent_to_deleted", "persistent_to_transient"):
    event.listen(UnitOfWorkSession, _name, _release)


def ensure_data_dir(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.attachments_dir.mkdir(parents=True, exist_ok=True)


class Database:
    """The engine and its session factory, created once per process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        ensure_data_dir(settings)
        self.engine = create_engine(settings.resolved_database_url, pool_size=settings.db_pool_size)
        self.reference = reference.ReferenceCache(settings.reference_cache_seconds)
        reference.watch(self.engine, UnitOfWorkSession)
        self.sessionmaker = async_sessionmaker(
            self.engine,
            expire_on_commit=False,
            sync_session_class=UnitOfWorkSession,
            info={reference.INFO_KEY: self.reference},
        )

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """Commit once on success, roll back on any error."""
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()
