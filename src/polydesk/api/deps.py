"""Request dependencies shared by every surface, as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from polydesk.core.db import Database, Session
from polydesk.core.settings import Settings


def database_of(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_database(request: Request) -> Database:
    # Dependencies are ``async def``: FastAPI runs a plain ``def`` in a worker thread.
    return database_of(request)


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SESSION_STATE = "polydesk_session"
"""``request.state`` attribute holding the request's unit of work."""

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One unit of work per request: commit on success, roll back on any error. The commit
    happens before the response is sent (``scope="function"``), so an acknowledged write is a
    committed one and a failed commit is answered as an error, never as a success. A GET, HEAD
    or OPTIONS request gets a read-only unit of work (:meth:`Database.unit_of_work`)."""
    read_only = request.method in READ_ONLY_METHODS
    async with database_of(request).unit_of_work(read_only=read_only) as session:
        setattr(request.state, SESSION_STATE, session)
        yield session


async def discard_writes(request: Request) -> None:
    """Roll back the request's unit of work, if it has one.

    A surface's route class that renders an error as an ordinary response must call this first:
    the dependency above sees no exception then, and would commit whatever the route wrote
    before it failed."""
    session: Session | None = getattr(request.state, SESSION_STATE, None)
    if session is not None:
        await session.rollback()


DbSession = Annotated[Session, Depends(get_session, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]
AppDatabase = Annotated[Database, Depends(get_database)]
