"""How many records there are of each kind and status, so that a list's total is a sum over a
few rows instead of a count over the records (a count at a million records takes longer than
the rest of the request).

Each (kind, status) pair is spread over :data:`SHARDS` rows and a change adds to a random one:
concurrent creations do not all wait on one row lock. The sum over the shards is exact
whenever the writers' transactions are.

Kept up to date by :func:`count_flushed_records` for every record the ORM inserts, updates or
deletes (services, the demo loader, tests) and by the records repository for its bulk
UPDATE and DELETE statements (:func:`tally_statement`).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from typing import Any

from sqlalchemy import BigInteger, Integer, String, event, inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.dml import Insert

from polydesk.models.base import Base, BigId
from polydesk.models.record import Record

SHARDS = 32

TallyKey = tuple[str, int]
"""``(kind, status_id)``."""


class RecordTally(Base):
    __tablename__ = "record_tally"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    status_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))


def tally_statement(dialect: str, deltas: Mapping[TallyKey, int]) -> Insert | None:
    """One upsert adding each delta to a random shard of its pair; ``None`` when all are 0."""
    rows = [
        {"kind": kind, "status_id": status_id, "shard": random.randrange(SHARDS), "count": n}
        for (kind, status_id), n in sorted(deltas.items())
        if n
    ]
    if not rows:
        return None
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(RecordTally).values(rows)
    return stmt.on_conflict_do_update(
        index_elements=["kind", "status_id", "shard"],
        set_={"count": RecordTally.count + stmt.excluded.count},
    )


def _before(record: Record, attribute: str) -> Any:
    history = inspect(record).attrs[attribute].history
    if history.deleted:
        return history.deleted[0]
    return getattr(record, attribute)


def count_flushed_records(session: Session, _context: Any) -> None:
    deltas: Counter[TallyKey] = Counter()
    for obj in session.new:
        if isinstance(obj, Record):
            deltas[(obj.kind, obj.status_id)] += 1
    for obj in session.dirty:
        if isinstance(obj, Record):
            before = (_before(obj, "kind"), _before(obj, "status_id"))
            after = (obj.kind, obj.status_id)
            if before != after:
                deltas[before] -= 1
                deltas[after] += 1
    for obj in session.deleted:
        if isinstance(obj, Record):
            deltas[(_before(obj, "kind"), _before(obj, "status_id"))] -= 1
    if deltas:
        connection = session.connection()
        stmt = tally_statement(connection.dialect.name, deltas)
        if stmt is not None:
            connection.execute(stmt)


event.listen(Session, "after_flush", count_flushed_records)
