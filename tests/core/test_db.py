"""Units of work: read-only ones (GET requests) and what a unit of work knows of the rows it
inserted or holds."""

from __future__ import annotations

from contextlib import nullcontext

import pytest
from sqlalchemy import func, select, text

from polydesk.core.db import Database, ReadOnlyUnitOfWork, already_loaded, held, inserted_here
from polydesk.core.enums import Role
from polydesk.domains.ratelimit import service as ratelimit
from polydesk.models import RateCounter, User
from tests.factories import make_user


async def _users(db: Database) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def test_a_read_only_unit_of_work_refuses_to_flush_changes(db: Database) -> None:
    before = await _users(db)
    postgres = db.engine.dialect.name == "postgresql"
    with pytest.raises(ReadOnlyUnitOfWork) if postgres else nullcontext():
        async with db.unit_of_work(read_only=True) as session:
            await make_user(session, email="ro@acme.com")
    # On SQLite a read-only unit of work is an ordinary transaction: the user is written.
    assert await _users(db) == (before if postgres else before + 1)


async def test_a_single_statement_write_of_a_read_only_unit_of_work_stands_on_postgresql(
    db: Database,
) -> None:
    """A rate counter counted by a request that then fails: on PostgreSQL the statement
    committed by itself; on SQLite the unit of work's transaction rolls it back."""
    with pytest.raises(RuntimeError):
        async with db.unit_of_work(read_only=True) as session:
            await ratelimit.hit(session, "test:key", 10)
            raise RuntimeError("the request failed")
    async with db.unit_of_work() as session:
        counted = await session.scalar(select(func.count()).select_from(RateCounter))
    assert counted == (1 if db.engine.dialect.name == "postgresql" else 0)


async def test_reads_see_committed_rows_outside_a_transaction(db: Database) -> None:
    async with db.unit_of_work() as session:
        user = await make_user(session, email="seen@acme.com", role=Role.REQUESTER)
    async with db.unit_of_work(read_only=True) as session:
        found = await session.get(User, user.id)
        assert found is not None and found.email == "seen@acme.com"
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


async def test_a_unit_of_work_knows_what_it_inserted_and_holds(db: Database) -> None:
    async with db.unit_of_work() as session:
        old = await make_user(session, email="old@acme.com")
    async with db.unit_of_work() as session:
        new = await make_user(session, email="new@acme.com")
        assert inserted_here(session, User, new.id)
        assert not inserted_here(session, User, old.id)
        assert new in held(session, User)
        found, missing = already_loaded(session, User, [new.id, old.id])
        assert found == [new] and missing == {old.id}
        await session.get(User, old.id)
        found, missing = already_loaded(session, User, [old.id])
        assert [u.id for u in found] == [old.id] and not missing


async def test_a_row_rolled_back_with_a_savepoint_is_not_inserted(db: Database) -> None:
    async with db.unit_of_work() as session:
        savepoint = await session.begin_nested()
        user = await make_user(session, email="gone@acme.com")
        user_id = user.id
        await savepoint.rollback()
        assert not inserted_here(session, User, user_id)
        assert user not in held(session, User)
