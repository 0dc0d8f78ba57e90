"""How many records there are of each kind and status, so that a list's total is a sum over a
few rows instead of a count over the records (a count at a million records takes longer than
the rest of the request).

Each (kind, status) pair is spread over :data:`SHARDS` rows and a change adds to a random one:
concurrent creations do not all wait on one row lock. The sum over the shards is exact
whenever the writers' transactions are.

Kept up to date by :func:`count_flushed_records` for every record the ORM inserts, updates or
deletes (services, the demo loader, tests) and by the records repository for its bulk
UPDATE and DELETE statements (:func:`tally_statement`) and for the records it inserts without
the ORM (:func:`tally_upsert`, in the same statement on PostgreSQL).
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from collections.abc import Mapping
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Table, bindparam, event, inspect
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


@functools.cache
def tally_upsert(dialect: str) -> Insert:
    """Add ``count`` to the row ``(kind, status_id, shard)``, creating it at ``count``."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = RecordTally.__table__
    assert isinstance(table, Table)
    stmt = insert(table).values(
        kind=bindparam("kind"),
        status_id=bindparam("status_id"),
        shard=bindparam("shard"),
        count=bindparam("count"),
    )
    return stmt.on_conflict_do_update(
        index_elements=["kind", "status_id", "shard"],
        set_={"count": table.c.count + stmt.excluded.count},
    )


def tally_statement(
    dialect: str, deltas: Mapping[TallyKey, int]
) -> tuple[Insert, list[dict[str, Any]]] | None:
    """An upsert adding each delta to a random shard of its pair, built once per dialect, and
    its parameters (one set per pair, in key order so that concurrent writers lock rows in
    the same order); ``None`` when all deltas are 0."""
    rows = [
        {"kind": kind, "status_id": status_id, "shard": random.randrange(SHARDS), "count": n}
        for (kind, status_id), n in sorted(deltas.items())
        if n
    ]
    if not rows:
        return None
    return tally_upsert(dialect), rows


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
        upsert = tally_statement(connection.dialect.name, deltas)
        if upsert is not None:
            connection.execute(*upsert)


event.listen(Session, "after_flush", count_flushed_records)
