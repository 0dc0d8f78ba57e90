"""Alembic, driven from code: the CLI, the server and the tests share one configuration.

Alembic is imported only when a migration runs: a database already at :data:`HEAD` (every
start but the first after an upgrade) is recognised by one query, and the quarter second of
CPU that importing alembic (and mako) costs is not spent on each ``polydesk serve``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from polydesk.core.db import create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

HEAD = "0004"
"""The newest revision in ``migrations/versions`` (tests/core/test_migrations.py checks that it
is alembic's head): a new migration moves it."""


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(slug)s")
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def upgrade_unless_current(database_url: str) -> None:
    """Upgrade to the head, unless the database says it is there already."""
    if asyncio.run(current_revisions(database_url)) != [HEAD]:
        upgrade(database_url)


async def current_revisions(database_url: str) -> list[str]:
    """The revisions the database is at; none when it was never migrated. A database that
    cannot be reached raises, as the migration would."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            try:
                result = await connection.execute(text("SELECT version_num FROM alembic_version"))
            except DBAPIError:  # no such table: a database never migrated
                return []
            return sorted(result.scalars())
    finally:
        await engine.dispose()


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """Run migrations from async code (the env runs its own event loop, so use a thread)."""
    await asyncio.to_thread(upgrade, database_url, revision)


def check(database_url: str) -> None:
    """Raise if the models and the migrated schema differ."""
    from alembic import command

    command.check(alembic_config(database_url))
