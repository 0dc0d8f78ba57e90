"""A per-process cache of reference rows that nearly every request reads and few change.

Statuses, services (with their priorities, activity types and categories) and custom field
definitions are read to render almost every record, in every dialect; fetching them on each
request cost three of a django-helpdesk ticket read's nine queries and five of a GoToAssist
incident read's thirteen. Users are read to authenticate a verified HTTP Basic credential
and to name assignees and authors. The cache holds them per
:class:`~polydesk.core.db.Database` (at most ``max_entries`` keys) and hands out detached
copies.

Freshness:

- A transaction that writes one of :data:`TABLES` (ORM flush, bulk statement, anything that
  goes through an engine of this process) invalidates the entries of the table's group
  (:data:`GROUPS`: the catalog, users) in every cache of the process when it commits: a change
  made through this process is seen by its next request.
- Until then, the unit of work that made the change reads around the cache, so it sees its
  own writes.
- Another process (a second worker, the command line) is seen within
  ``reference_cache_seconds`` (1 s by default): the longest a worker may render a renamed
  status or service by its old name, or accept a Basic credential of a user deactivated (or
  whose password changed) through another process.
- On PostgreSQL an entry of the catalog past that age is first checked, not read again: one
  statement reads a digest of the catalog's tables (:data:`STAMPS`), and when it is the digest
  the entry was loaded under, every entry loaded under it is good for another
  ``reference_cache_seconds``. Reading the whole catalog again each second cost every worker
  five statements and about 3 ms of CPU in the request that found it expired, and the
  requests queued behind it made up much of a ticket read's slowest 1 % (p99 at 1M records,
  half load: 22 ms against 14 ms with the cache never expiring). Users, a table that grows
  with the desk, are read again by key as before; SQLite, where a statement costs no round
  trip, reads the catalog again too.

Writes check the references they are given (a status, user or field named in the request)
against the tables. A record's service is the exception: one the cache holds needs no read,
the record's foreign key being the check (a service deleted meanwhile by another process makes
the creation a conflict to retry); an id the cache does not hold is looked up. What a creation
applies by itself — the default status, which custom fields are required when none is given —
is read like any read, from the cache: a change made through another process reaches this
process's creations within the same ``reference_cache_seconds``. A default status deleted
meanwhile (after another was made the default) is likewise a conflict.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.orm.base import instance_dict
from sqlalchemy.sql.dml import UpdateBase

T = TypeVar("T")
M = TypeVar("M")

GROUPS: dict[str, str] = {
    "status": "catalog",
    "service": "catalog",
    "service_priority": "catalog",
    "service_activity_type": "catalog",
    "category": "catalog",
    "custom_field": "catalog",
    "user_account": "users",
}
"""The tables whose rows are cached, by group: a write to a table invalidates every entry of
its group (a new requester does not drop the statuses)."""
TABLES = frozenset(GROUPS)

_WRITTEN = "polydesk.reference_written"
INFO_KEY = "polydesk.reference_cache"
"""Where a unit of work's ``info`` names its database's cache."""
_generations: dict[str, int] = dict.fromkeys(GROUPS.values(), 0)


def _group_of(table: Any) -> str | None:
    return GROUPS.get(getattr(table, "name", None) or "")


def _after_execute(conn: Connection, clause: Any, *_: Any) -> None:
    if isinstance(clause, UpdateBase) and (group := _group_of(clause.table)) is not None:
        conn.info.setdefault(_WRITTEN, set()).add(group)


def _after_commit(conn: Connection) -> None:
    for group in conn.info.pop(_WRITTEN, ()):
        _generations[group] += 1


def _after_rollback(conn: Connection) -> None:
    conn.info.pop(_WRITTEN, None)


def _changed_groups(session: Session) -> set[str]:
    """The groups of the objects of :data:`TABLES` new, changed or deleted in ``session``."""
    if session._is_clean():  # the common case, without building the three sets
        return set()
    changed = session.new | session.dirty | session.deleted
    return {
        g for obj in changed if (g := GROUPS.get(getattr(obj, "__tablename__", ""))) is not None
    }


def _flushed(session: Session, _context: Any) -> None:
    groups = _changed_groups(session)
    if groups:
        session.info.setdefault(_WRITTEN, set()).update(groups)


def _executed(state: ORMExecuteState) -> None:
    statement = state.statement
    if isinstance(statement, UpdateBase) and (group := _group_of(statement.table)) is not None:
        state.session.info.setdefault(_WRITTEN, set()).add(group)


def _ended(session: Session, transaction: SessionTransaction) -> None:
    # Only the outermost transaction: a savepoint released or rolled back leaves the rest of
    # the unit of work's writes pending.
    if transaction.parent is None:
        session.info.pop(_WRITTEN, None)


def watch(engine: AsyncEngine, session_class: type[Session]) -> None:
    """Invalidate the caches when a transaction of ``engine`` writing :data:`TABLES` commits,
    and let a unit of work (``session_class``) that wrote them read around the cache."""
    sync = engine.sync_engine
    event.listen(sync, "after_execute", _after_execute)
    event.listen(sync, "commit", _after_commit)
    event.listen(sync, "rollback", _after_rollback)
    if not event.contains(session_class, "after_flush", _flushed):
        event.listen(session_class, "after_flush", _flushed)
        event.listen(session_class, "do_orm_execute", _executed)
        event.listen(session_class, "after_transaction_end", _ended)


def _digest_of(tables: Iterable[str]) -> str:
    parts = ", ".join(
        f"coalesce((SELECT string_agg(t::text, ',' ORDER BY t.id) FROM {table} t), '')"
        for table in tables
    )
    return f"SELECT md5(concat_ws('|', {parts}))"


STAMPS: dict[str, str] = {
    "catalog": _digest_of(sorted(t for t, g in GROUPS.items() if g == "catalog")),
}
"""PostgreSQL: for a group whose tables stay small, the statement giving a digest of every
row of them (each row as text, in id order): equal digests, equal tables."""


@dataclass(slots=True)
class _Entry:
    group: str
    generation: int
    expires: float
    value: Any
    stamp: str | None = None
    """The group's digest (:data:`STAMPS`) read just before ``value`` was loaded."""


class ReferenceCache:
    def __init__(
        self,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 10_000,
        *,
        stamps: bool = False,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self.max_entries = max_entries
        self.stamps = stamps
        """Whether expired entries of the groups of :data:`STAMPS` are checked against the
        digest of their tables (PostgreSQL) instead of being loaded again."""
        self._entries: dict[str, _Entry] = {}

    def _fresh(self, key: str, now: float) -> _Entry | None:
        entry = self._entries.get(key)
        if (
            entry is not None
            and entry.generation == _generations[entry.group]
            and entry.expires > now
        ):
            return entry
        return None

    def _put(self, key: str, entry: _Entry) -> None:
        if len(self._entries) >= self.max_entries and key not in self._entries:
            now = self.clock()
            self._entries = {k: e for k, e in self._entries.items() if e.expires > now}
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
        self._entries[key] = entry

    async def get_many(
        self,
        session: AsyncSession,
        keys: Iterable[str],
        load: Callable[[list[str]], Awaitable[dict[str, T]]],
        *,
        group: str,
    ) -> dict[str, T]:
        """The cached values of ``keys``; ``load(missing)`` gives the others (keys it leaves
        out have no value), which are then cached. The rules of :meth:`get` apply."""
        wanted = list(dict.fromkeys(keys))
        if self.ttl_seconds <= 0 or _wrote_reference(session, group):
            return await load(wanted) if wanted else {}
        now = self.clock()
        found: dict[str, T] = {}
        missing: list[str] = []
        for key in wanted:
            entry = self._fresh(key, now)
            if entry is None:
                missing.append(key)
            else:
                found[key] = entry.value
        if missing:
            generation = _generations[group]
            loaded = await load(missing)
            for key, value in loaded.items():
                self._put(key, _Entry(group, generation, now + self.ttl_seconds, value))
            found.update(loaded)
        return found

    async def get(
        self,
        session: AsyncSession,
        key: str,
        load: Callable[[], Awaitable[T]],
        *,
        group: str = "catalog",
    ) -> T:
        """The cached value of ``key``, or ``load()``'s (then cached). ``load`` runs in
        ``session`` and must return objects that belong to no session (:func:`copies`)."""
        if self.ttl_seconds <= 0 or _wrote_reference(session, group):
            return await load()
        now = self.clock()
        entry = self._fresh(key, now)
        if entry is not None:
            value: T = entry.value
            return value
        generation = _generations[group]
        stamp = None
        if self.stamps and group in STAMPS:
            # The digest is read before the load: what the load reads is then at least as new,
            # and a change committed in between makes the next check load again. A key loaded
            # for the first time, or again after a change made through this process, takes
            # the digest only if this unit of work has read it (those loads cost no more
            # statements than without digests); it is checked from its next period on.
            expired = self._entries.get(key)
            if expired is None or expired.generation != generation:
                stamp = session.info.get((_STAMP, group))
            else:
                stamp = await _stamp(session, group)
                if expired.stamp == stamp:
                    self._renew(group, generation, stamp, now)
                    value = expired.value
                    return value
        value = await load()
        self._put(key, _Entry(group, generation, now + self.ttl_seconds, value, stamp))
        return value

    def _renew(self, group: str, generation: int, stamp: str, now: float) -> None:
        """The group's tables are as they were when these entries were loaded: keep them
        another ``ttl_seconds``."""
        expires = now + self.ttl_seconds
        for entry in self._entries.values():
            if entry.group == group and entry.generation == generation and entry.stamp == stamp:
                entry.expires = expires


async def _stamp(session: AsyncSession, group: str) -> str:
    """The digest of ``group``'s tables, read once per unit of work: one read before the
    loads that follow it in the unit of work serves them all."""
    key = (_STAMP, group)
    stamp: str | None = session.info.get(key)
    if stamp is None:
        stamp = session.info[key] = str(await session.scalar(text(STAMPS[group])))
    return stamp


_STAMP = "polydesk.reference_stamp"


def _wrote_reference(session: AsyncSession, group: str) -> bool:
    """Whether this unit of work changed a cached table of ``group``: flushed, or about to be."""
    sync = session.sync_session
    if group in sync.info.get(_WRITTEN, ()):
        return True
    return group in _changed_groups(sync)


def copies(objects: Iterable[M]) -> list[M]:
    """Column-for-column copies that belong to no session, safe to share between requests
    (read only: a change to a copy is never written).

    A copy is made as the ORM makes the objects it loads: a bare instance whose state takes
    the column values as they are, without the constructor and its attribute events, which
    made a reload of the cache about five times dearer (tens of objects a second per worker).
    """
    out: list[M] = []
    for obj in objects:
        state = inspect(obj)
        mapper = state.mapper
        keys = _COLUMN_KEYS.get(mapper)
        if keys is None:
            keys = _COLUMN_KEYS[mapper] = tuple(attr.key for attr in mapper.column_attrs)
        loaded = state.dict
        copy = mapper.class_manager.new_instance()
        values = instance_dict(copy)
        for key in keys:
            values[key] = loaded[key] if key in loaded else getattr(obj, key)
        out.append(copy)
    return out


_COLUMN_KEYS: dict[Any, tuple[str, ...]] = {}


async def cached_many(
    session: AsyncSession,
    keys: Iterable[str],
    load: Callable[[list[str]], Awaitable[dict[str, T]]],
    *,
    group: str,
) -> dict[str, T]:
    """:meth:`ReferenceCache.get_many` through the cache of ``session``'s database."""
    cache = session.info.get(INFO_KEY)
    if not isinstance(cache, ReferenceCache):
        wanted = list(dict.fromkeys(keys))
        return await load(wanted) if wanted else {}
    return await cache.get_many(session, keys, load, group=group)


async def cached(session: AsyncSession, key: str, load: Callable[[], Awaitable[T]]) -> T:
    """``load()``'s value through the cache of the database ``session`` belongs to (a bare
    session, with no cache, just loads)."""
    cache = session.info.get(INFO_KEY)
    if not isinstance(cache, ReferenceCache):
        return await load()
    return await cache.get(session, key, load)
