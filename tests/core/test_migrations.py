"""Migrations: from empty, the schema is the models' exactly; from revision 0001 with data,
nothing is lost on the way up or down (on SQLite a table is altered by copying it, which must
not set off the ``ON DELETE`` actions of the rows referring to it)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, insert, inspect, select, text

from polydesk.core import migrate
from polydesk.core.db import create_engine
from polydesk.models import Base, Customer, Department, Record, Status
from tests.cli_support import cli_database_url

USERS = Base.metadata.tables["user_account"]


def _on(url: str, work: Any) -> Any:
    """Run ``work(connection)`` in one committed transaction on a database of its own."""

    async def run() -> Any:
        engine = create_engine(url)
        try:
            async with engine.begin() as conn:
                return await conn.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _differences(connection: Connection) -> Sequence[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


# SQLite cannot reflect expression-based indexes, so ix_record_submitter_email_key is left out
# of the comparison there (SQLAlchemy and Alembic each warn once); it is checked by hand below.
# PostgreSQL reflects and compares it.
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index ix_record_submitter_email_key"
)
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index "
    "'ix_record_submitter_email_key'"
)
def test_the_migrated_schema_is_the_models(tmp_path: Path) -> None:
    url = cli_database_url(tmp_path, "migrations")
    migrate.upgrade(url)
    assert _on(url, _differences) == []
    if url.startswith("sqlite"):
        index_sql = _on(
            url,
            lambda c: c.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = 'ix_record_submitter_email_key'")
            ),
        )
        assert index_sql is not None and "lower(submitter_email)" in index_sql


def _seed_at_0001(connection: Connection) -> dict[str, int]:
    """Rows as revision 0001 stored them (addresses lower-cased), each referring to the user."""
    department = connection.execute(
        insert(Department).values(name="IT", name_key="it").returning(Department.id)
    ).scalar_one()
    # No email_key yet: only the columns 0001 has are named.
    user = connection.execute(
        insert(USERS)
        .values(email="dana@example.com", role="requester", department_id=department)
        .returning(USERS.c.id)
    ).scalar_one()
    connection.execute(insert(Customer).values(user_id=user))
    status = connection.execute(
        insert(Status).values(name="Open", name_key="open", category="open").returning(Status.id)
    ).scalar_one()
    record = connection.execute(
        insert(Record)
        .values(
            kind="incident",
            number=1,
            title="Printer on fire",
            status_id=status,
            requester_id=user,
            submitter_email="dana@example.com",
        )
        .returning(Record.id)
    ).scalar_one()
    return {"user": user, "department": department, "record": record}


def _state(connection: Connection) -> dict[str, Any]:
    users = USERS.c
    columns = [users.id, users.email, users.department_id]
    if "email_key" in {c["name"] for c in inspect(connection).get_columns("user_account")}:
        columns.append(users.email_key)
    return {
        "users": [tuple(row) for row in connection.execute(select(*columns))],
        "customers": connection.scalar(select(Customer.user_id)),
        "record": tuple(connection.execute(select(Record.requester_id, Record.submitter_email))),
    }


def test_upgrading_from_0001_keeps_every_row_and_fills_the_keys(tmp_path: Path) -> None:
    url = cli_database_url(tmp_path, "migrations")
    migrate.upgrade(url, "0001")
    ids = _on(url, _seed_at_0001)
    user, department = ids["user"], ids["department"]

    migrate.upgrade(url)
    assert _on(url, _state) == {
        "users": [(user, "dana@example.com", department, "dana@example.com")],
        "customers": user,
        "record": ((user, "dana@example.com"),),
    }

    # Addresses as the current code keeps them; going down, 0001 gets them lower-cased again.
    _on(url, _recase)
    command.downgrade(migrate.alembic_config(url), "0001")
    assert _on(url, _state) == {
        "users": [(user, "dana@example.com", department)],
        "customers": user,
        "record": ((user, "dana@example.com"),),
    }
    migrate.upgrade(url)
    assert _on(url, _state)["users"] == [(user, "dana@example.com", department, "dana@example.com")]


def _recase(connection: Connection) -> None:
    connection.execute(text("UPDATE user_account SET email = 'Dana@Example.com'"))
    connection.execute(text("UPDATE record SET submitter_email = 'Dana@Example.com'"))


def test_head_is_the_newest_migration() -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert scripts.get_heads() == [migrate.HEAD]


def test_a_database_is_upgraded_unless_it_is_at_the_head(tmp_path: Path) -> None:
    url = cli_database_url(tmp_path, "migrations")
    assert asyncio.run(migrate.current_revisions(url)) == []
    migrate.upgrade_unless_current(url)  # never migrated: from empty
    assert asyncio.run(migrate.current_revisions(url)) == [migrate.HEAD]

    command.downgrade(migrate.alembic_config(url), "0003")
    assert asyncio.run(migrate.current_revisions(url)) == ["0003"]
    migrate.upgrade_unless_current(url)  # one behind: upgraded
    assert asyncio.run(migrate.current_revisions(url)) == [migrate.HEAD]

    migrate.upgrade_unless_current(url)  # at the head: nothing to do
    assert asyncio.run(migrate.current_revisions(url)) == [migrate.HEAD]
