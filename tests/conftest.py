"""Test fixtures: a real database (SQLite by default, PostgreSQL when
``POLYDESK_TEST_DATABASE_URL`` names one), migrated from empty once per run, emptied after
every test; and the application over an in-process ASGI transport."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from polydesk.app import create_app
from polydesk.core import migrate
from polydesk.core.db import Database, create_engine
from polydesk.core.enums import RecordKind
from polydesk.core.settings import Settings
from polydesk.domains.catalog import service as catalog
from polydesk.models import Base

TEST_DATABASE_URL = os.environ.get("POLYDESK_TEST_DATABASE_URL", "")


def _reset_postgres(url: str) -> None:
    async def reset() -> None:
        engine = create_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        finally:
            await engine.dispose()

    asyncio.run(reset())


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate an empty database to head. A named server that cannot be reached fails the run."""
    if TEST_DATABASE_URL:
        _reset_postgres(TEST_DATABASE_URL)
        url = TEST_DATABASE_URL
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def settings(database_url: str, data_dir: Path) -> Settings:
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough-for-hs256-signing",
        max_upload_bytes=64 * 1024,
        max_body_bytes=256 * 1024,
        # Every change in the tests goes through this process's engines, which invalidate the
        # reference cache at once; a long TTL keeps statement counts from depending on how
        # fast the machine is (tests/core/test_reference.py drives the TTL with a clock).
        reference_cache_seconds=300.0,
    )


@pytest.fixture(scope="session")
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings)
    yield database
    await database.dispose()


async def _empty_all_tables(database: Database) -> None:
    async with database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(table.delete())
        if conn.dialect.name == "postgresql":  # record numbers start at 1 again
            for kind in RecordKind:
                await conn.execute(text(f"ALTER SEQUENCE record_number_{kind.value} RESTART"))


@pytest.fixture(autouse=True)
async def clean_database(db: Database) -> AsyncIterator[None]:
    """Each test starts from a migrated database holding only the default reference data."""
    async with db.unit_of_work() as session:
        await catalog.ensure_defaults(session)
    yield
    await _empty_all_tables(db)


@pytest.fixture
def app_settings(settings: Settings) -> Iterator[Settings]:
    yield settings


@pytest.fixture
async def client(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    app.state.db = db
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
