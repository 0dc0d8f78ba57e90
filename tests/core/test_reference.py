"""The reference cache: statuses, services and custom field definitions read once, and never
older than the last committed change made through this process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from polydesk.core.db import Database
from polydesk.core.settings import Settings
from polydesk.domains.catalog import service as catalog
from polydesk.domains.catalog.schemas import ServiceUpdate, StatusUpdate
from tests.domains.records.factories import SYSTEM, sql_statements, status_named
from tests.factories import make_service


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def cached_db(settings: Settings) -> AsyncIterator[tuple[Database, Clock]]:
    """A second Database on the same database, as a second worker process has."""
    database = Database(settings.model_copy(update={"reference_cache_seconds": 5.0}))
    clock = Clock()
    database.reference.clock = clock
    yield database, clock
    await database.dispose()


async def _names(db: Database) -> list[str]:
    async with db.unit_of_work() as session:
        return [s.name for s in await catalog.list_statuses(session)]


async def test_read_once_then_from_the_cache(cached_db: tuple[Database, Clock]) -> None:
    db, _clock = cached_db
    first = await _names(db)
    with sql_statements(db) as seen:
        assert await _names(db) == first
    assert not seen


async def test_a_committed_change_is_seen_at_once(cached_db: tuple[Database, Clock]) -> None:
    db, _clock = cached_db
    await _names(db)
    async with db.unit_of_work() as session:
        status = await status_named(session, "Open")
        await catalog.update_status(session, SYSTEM, status.id, StatusUpdate(name="Opened"))
    assert "Opened" in await _names(db)


async def test_a_rolled_back_change_is_never_seen(cached_db: tuple[Database, Clock]) -> None:
    db, _clock = cached_db
    await _names(db)
    async with db.sessionmaker() as session:
        status = await status_named(session, "Open")
        await catalog.update_status(session, SYSTEM, status.id, StatusUpdate(name="Opened"))
        await session.rollback()
    names = await _names(db)
    assert "Open" in names and "Opened" not in names


async def test_the_writing_unit_of_work_reads_its_own_changes(
    cached_db: tuple[Database, Clock],
) -> None:
    db, _clock = cached_db
    async with db.unit_of_work() as session:
        service = await make_service(session, name="Printers")
    async with db.unit_of_work() as session:
        assert (await catalog.services_by_ids(session, [service.id]))[service.id].name == "Printers"
        await catalog.update_service(session, SYSTEM, service.id, ServiceUpdate(name="Print"))
        renamed = await catalog.services_by_ids(session, [service.id])
        assert renamed[service.id].name == "Print"


async def test_another_process_is_seen_within_the_ttl(
    cached_db: tuple[Database, Clock], db: Database
) -> None:
    mine, clock = cached_db
    assert "Open" in await _names(mine)
    # A change this process's engines never see (another worker's, say).
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE status SET name = 'Opened' WHERE name = 'Open'"))
    assert "Opened" not in await _names(mine)
    clock.now += 5.1
    assert "Opened" in await _names(mine)


async def test_a_service_unknown_to_the_cache_is_read_from_the_table(
    cached_db: tuple[Database, Clock], db: Database
) -> None:
    mine, _clock = cached_db
    async with mine.unit_of_work() as session:
        assert await catalog.services_by_ids(session, [1]) is not None
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO service (name, name_key, slug, description, time_zone, is_active,"
                " created_at, updated_at) VALUES ('Late', 'late', 'late', '', 'UTC', true,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        new_id = (
            await conn.execute(text("SELECT id FROM service WHERE slug = 'late'"))
        ).scalar_one()
    async with mine.unit_of_work() as session:
        found = await catalog.services_by_ids(session, [new_id])
    assert found[new_id].name == "Late"
