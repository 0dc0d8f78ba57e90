"""The record tally: list totals by kind and status come from it and always equal a count."""

from __future__ import annotations

from sqlalchemy import func, select

from polydesk.core.db import Database
from polydesk.core.enums import RecordKind
from polydesk.domains.records import repository, service
from polydesk.domains.records.schemas import RecordQuery, RecordUpdate
from polydesk.models import Record, RecordTally
from tests.domains.records.factories import SYSTEM, create, sql_statements, status_named
from tests.factories import make_record


async def _tallied(db: Database) -> dict[tuple[str, int], int]:
    async with db.unit_of_work() as session:
        rows = await session.execute(
            select(RecordTally.kind, RecordTally.status_id, func.sum(RecordTally.count))
            .group_by(RecordTally.kind, RecordTally.status_id)
            .having(func.sum(RecordTally.count) != 0)
        )
        return {(kind, status): int(n) for kind, status, n in rows}


async def _counted(db: Database) -> dict[tuple[str, int], int]:
    async with db.unit_of_work() as session:
        rows = await session.execute(
            select(Record.kind, Record.status_id, func.count()).group_by(
                Record.kind, Record.status_id
            )
        )
        return {(kind, status): int(n) for kind, status, n in rows}


async def test_tally_follows_creations_status_changes_and_deletions(db: Database) -> None:
    async with db.unit_of_work() as session:
        first = await create(session)
        second = await create(session)
        await create(session, kind=RecordKind.CHANGE)
        await make_record(session)  # inserted by the ORM directly, not through the service
        resolved = await status_named(session, "Resolved")
    assert await _tallied(db) == await _counted(db)
    async with db.unit_of_work() as session:
        await service.update_record(session, SYSTEM, first.id, RecordUpdate(status_id=resolved.id))
    assert await _tallied(db) == await _counted(db)
    async with db.unit_of_work() as session:
        await service.delete_record(session, SYSTEM, second.id)
    assert await _tallied(db) == await _counted(db)
    async with db.unit_of_work() as session:
        record = await session.get(Record, first.id)
        assert record is not None
        await session.delete(record)
    assert await _tallied(db) == await _counted(db)


async def test_a_rolled_back_creation_leaves_the_tally_as_it_was(db: Database) -> None:
    async with db.unit_of_work() as session:
        await create(session)
    before = await _tallied(db)
    async with db.sessionmaker() as session:
        await create(session)
        await session.rollback()
    assert await _tallied(db) == before == await _counted(db)


async def test_kind_and_status_totals_come_from_the_tally(db: Database) -> None:
    async with db.unit_of_work() as session:
        for _ in range(3):
            await create(session)
        await create(session, kind=RecordKind.PROBLEM)
        resolved = await status_named(session, "Resolved")
        done = await create(session)
        await service.update_record(session, SYSTEM, done.id, RecordUpdate(status_id=resolved.id))
    async with db.unit_of_work() as session:
        with sql_statements(db) as seen:
            page = await service.list_records(
                session, RecordQuery(kinds=[RecordKind.INCIDENT], limit=2)
            )
        assert page.total == 4 and len(page.items) == 2
        assert any("record_tally" in s for s in seen)
        assert not any("count(*)" in s.lower() for s in seen)
        page = await service.list_records(
            session, RecordQuery(kinds=[RecordKind.INCIDENT], status_ids=[resolved.id])
        )
        assert page.total == 1
        assert (await service.list_records(session, RecordQuery())).total == 5
        # Any other filter counts the records themselves.
        with sql_statements(db) as seen:
            page = await service.list_records(
                session, RecordQuery(kinds=[RecordKind.INCIDENT], title="printer")
            )
        assert page.total == 4
        assert not any("record_tally" in s for s in seen)
        assert await repository.count_records(session, RecordQuery(kinds=[RecordKind.PROBLEM])) == 1
