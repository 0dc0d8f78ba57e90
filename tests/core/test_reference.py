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
from polydesk.domains.users import service as users
from polydesk.models import User
from tests.domains.records.factories import SYSTEM, sql_statements, status_named
from tests.factories import make_service, make_user


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


async def _services(db: Database, service_id: int) -> list[str]:
    async with db.unit_of_work(read_only=True) as session:
        found = await catalog.services_by_ids(session, [service_id])
    return sorted(s.name for s in found.values())


async def test_an_unchanged_catalog_is_checked_not_read_again(
    cached_db: tuple[Database, Clock],
) -> None:
    db, clock = cached_db
    async with db.unit_of_work() as session:
        service_id = (await make_service(session, name="Printers")).id
    names, services = await _names(db), await _services(db, service_id)
    assert services == ["Printers"]
    clock.now += 5.1
    # Loaded for the first time without the digest: read again once, with it.
    assert await _names(db) == names and await _services(db, service_id) == services
    clock.now += 5.1
    with sql_statements(db) as seen:
        assert await _names(db) == names
        assert await _services(db, service_id) == services
    if db.settings.is_sqlite:  # no digest there: each expired entry is read again
        assert len(seen) == 2 and not any("md5" in s for s in seen)
    else:
        # One digest, equal to the one the entries were loaded under, renews them all.
        assert len(seen) == 1 and "md5" in seen[0]
    with sql_statements(db) as seen:
        assert await _names(db) == names
    assert not seen


async def test_a_catalog_change_by_another_process_after_a_check_is_seen(
    cached_db: tuple[Database, Clock], db: Database
) -> None:
    mine, clock = cached_db
    await _names(mine)
    clock.now += 5.1
    assert "Open" in await _names(mine)  # checked (PostgreSQL) or read again: renewed
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE status SET name = 'Opened' WHERE name = 'Open'"))
    assert "Opened" not in await _names(mine)
    clock.now += 5.1
    assert "Opened" in await _names(mine)
    async with db.engine.begin() as conn:  # and back: a digest seen before is no reason to keep
        await conn.execute(text("UPDATE status SET name = 'Open' WHERE name = 'Opened'"))
    clock.now += 5.1
    names = await _names(mine)
    assert "Open" in names and "Opened" not in names


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


# Users ---------------------------------------------------------------------------------------


async def _shown(db: Database, user_id: int) -> User | None:
    async with db.unit_of_work() as session:
        return (await users.users_to_show(session, [user_id])).get(user_id)


async def test_users_to_show_are_read_once(cached_db: tuple[Database, Clock]) -> None:
    db, _clock = cached_db
    async with db.unit_of_work() as session:
        user = await make_user(session, email="Ann@acme.com")
    assert (shown := await _shown(db, user.id)) is not None and shown.email == "Ann@acme.com"
    with sql_statements(db) as seen:
        assert await _shown(db, user.id) is not None
        assert await _shown(db, 999_999) is None  # unknown: read, left out
    assert len(seen) == 1


async def test_a_user_changed_through_this_process_is_seen_at_once(
    cached_db: tuple[Database, Clock],
) -> None:
    db, _clock = cached_db
    async with db.unit_of_work() as session:
        user = await make_user(session, email="bob@acme.com")
    assert (await _shown(db, user.id)).is_active  # type: ignore[union-attr]
    async with db.unit_of_work() as session:
        await users.deactivate_user(session, SYSTEM, user.id)
    assert not (await _shown(db, user.id)).is_active  # type: ignore[union-attr]


async def test_a_user_changed_by_another_process_is_seen_within_the_ttl(
    cached_db: tuple[Database, Clock], db: Database
) -> None:
    mine, clock = cached_db
    async with mine.unit_of_work() as session:
        user = await make_user(session, email="cy@acme.com")
    assert (await _shown(mine, user.id)).is_active  # type: ignore[union-attr]
    async with db.engine.begin() as conn:
        await conn.execute(text(f"UPDATE user_account SET is_active = false WHERE id = {user.id}"))
    assert (await _shown(mine, user.id)).is_active  # type: ignore[union-attr]
    clock.now += 5.1
    assert not (await _shown(mine, user.id)).is_active  # type: ignore[union-attr]


async def test_the_cache_holds_a_bounded_number_of_keys(
    cached_db: tuple[Database, Clock],
) -> None:
    db, _clock = cached_db
    db.reference.max_entries = 3
    async with db.unit_of_work() as session:
        made = [await make_user(session, email=f"u{i}@acme.com") for i in range(5)]
    async with db.unit_of_work() as session:
        shown = await users.users_to_show(session, [u.id for u in made])
    assert sorted(shown) == sorted(u.id for u in made)
    assert len(db.reference._entries) <= 3
