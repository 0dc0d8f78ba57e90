"""Engine and unit of work.

One ``AsyncSession`` per request or job: it commits once when the work succeeds and rolls back
when it fails. Services only ``flush()``. SQLite runs in WAL mode with foreign keys on and a
busy timeout, so that an acknowledged write survives a crash and concurrent writers wait
instead of failing.

A read-only unit of work (a GET) on PostgreSQL runs its statements outside an explicit
transaction: at READ COMMITTED every statement takes its own snapshot either way, so a read
sees the same rows, and the ``BEGIN`` and ``COMMIT`` round trips (a third of a ticket read's
database time) are saved. Such a unit of work may still run a single-statement write (a rate
counter, a token's last use), which commits by itself; it refuses to flush ORM changes, whose
several statements would no longer be atomic.
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar, cast

import orjson
from sqlalchemy import Boolean, Select, Table, any_, bindparam, event, insert, inspect, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPIConnection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import (
    Mapper,
    QueryableAttribute,
    SessionTransaction,
)
from sqlalchemy.orm import Session as SyncSession
from sqlalchemy.orm.base import instance_state
from sqlalchemy.orm.util import identity_key
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql import visitors
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from polydesk.core import reference
from polydesk.core.settings import Settings

M = TypeVar("M")

Session = AsyncSession
"""The unit-of-work type, named here so that surfaces never import SQLAlchemy."""


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_foreign_keys_off(
    dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry
) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Take the write lock at the start of the transaction: a deferred transaction that later
    # tries to write can fail with SQLITE_BUSY instead of waiting.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# JSON columns (tags, e-mail lists, event values, custom field choices) go through orjson: a page
# of records decodes hundreds of them.
_JSON = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}


def create_engine(
    database_url: str, *, pool_size: int = 10, echo: bool = False, foreign_keys: bool = True
) -> AsyncEngine:
    """``foreign_keys=False`` is for migrations only: SQLite alters a table by copying it and
    dropping the original, and with foreign keys enforced that drop would run the ``ON DELETE``
    actions of every row referring to it (customers of a user account deleted, records'
    requesters cleared). PostgreSQL always enforces them."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, echo=echo, **_JSON)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        if not foreign_keys:
            event.listen(engine.sync_engine, "connect", _sqlite_foreign_keys_off)

        @event.listens_for(engine.sync_engine, "connect")
        def _no_pysqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy issue BEGIN itself (see the "begin" hook below).
            dbapi_connection.isolation_level = None

        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        database_url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        **_JSON,
    )


class UnitOfWorkSession(SyncSession):
    """Holds every object it loads or adds until it closes.

    SQLAlchemy's identity map keeps objects only while something else refers to them, so a
    row read twice in one request (the caller's user: once to authenticate, once by the
    dialect) was fetched twice. A unit of work lives for one request or job, so keeping its
    objects costs little and turns the second read into an identity-map hit (SQLAlchemy's
    "strong reference session" recipe).
    """


def _keep(session: SyncSession, instance: object) -> None:
    session.info.setdefault("kept", set()).add(instance)


def _inserted(session: SyncSession, instance: object) -> None:
    _keep(session, instance)
    key = inspect(instance).identity_key
    if key is not None:
        session.info.setdefault(_INSERTED, {})[key] = instance


def _uninserted(session: SyncSession, instance: object) -> None:
    # A savepoint rolled back: the row was never written (the object has lost its key).
    _release(session, instance)
    inserted = session.info.get(_INSERTED)
    if inserted:
        for key in [k for k, obj in inserted.items() if obj is instance]:
            del inserted[key]


def _release(session: SyncSession, instance: object) -> None:
    kept = session.info.get("kept")
    if kept is not None:
        kept.discard(instance)


_INSERTED = "polydesk.inserted"


@event.listens_for(UnitOfWorkSession, "after_commit")
def _forget_inserted(session: SyncSession) -> None:
    # Also dispatched when a savepoint is released: the rows are still this transaction's.
    if not session.in_nested_transaction():
        session.info.pop(_INSERTED, None)


event.listen(UnitOfWorkSession, "pending_to_persistent", _inserted)
event.listen(UnitOfWorkSession, "persistent_to_transient", _uninserted)
for _name in (
    "deleted_to_persistent",
    "detached_to_persistent",
    "loaded_as_persistent",
):
    event.listen(UnitOfWorkSession, _name, _keep)
for _name in ("persistent_to_detached", "persistent_to_deleted"):
    event.listen(UnitOfWorkSession, _name, _release)

_READ_ONLY = "polydesk.read_only"


class ReadOnlyUnitOfWork(RuntimeError):
    """A read-only unit of work was asked to flush changes: a programming error."""


@event.listens_for(UnitOfWorkSession, "before_flush")
def _refuse_flush_when_read_only(session: SyncSession, *_: Any) -> None:
    if session.info.get(_READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise ReadOnlyUnitOfWork("a read-only unit of work cannot flush changes")


def already_loaded(
    session: AsyncSession, model: type[M], ids: Iterable[int]
) -> tuple[list[M], set[int]]:
    """The objects of ``model`` with these ids that ``session`` already holds, fully loaded,
    and the ids it does not: a look-up by ids reads only the latter (the caller's own user,
    loaded to authenticate, is often the assignee of the ticket it reads)."""
    found: list[M] = []
    missing: set[int] = set()
    identity_map = session.sync_session.identity_map
    for id_ in ids:
        obj = identity_map.get(identity_key(model, id_))
        if obj is None or inspect(obj).expired_attributes:
            missing.add(id_)
        else:
            found.append(obj)
    return found, missing


def inserted_here(session: AsyncSession, model: type, id_: int) -> bool:
    """Whether this unit of work inserted the row of ``model`` with this id: no other
    transaction can have changed it, and what the unit of work holds of it is complete."""
    inserted = session.sync_session.info.get(_INSERTED)
    return inserted is not None and identity_key(model, id_) in inserted


def held(session: AsyncSession, model: type[M]) -> list[M]:
    """The objects of ``model`` this unit of work holds (loaded or written, not deleted)."""
    kept = session.sync_session.info.get("kept", ())
    return [obj for obj in kept if isinstance(obj, model)]


def held_of_inserted(
    session: AsyncSession, model: type[M], parent: type, parent_ids: Iterable[int]
) -> list[M] | None:
    """When every ``parent`` row of ``parent_ids`` was inserted by this unit of work, every
    ``model`` row referring to them was written by it too (no other transaction sees those
    parents): the objects of ``model`` it holds, for the caller to filter, instead of a query.
    ``None`` when a parent is older, or when objects of ``model`` are added or changed and not
    yet flushed (a query would flush them first): then the caller reads."""
    wanted = set(parent_ids)
    if not wanted or not all(inserted_here(session, parent, i) for i in wanted):
        return None
    sync = session.sync_session
    if any(isinstance(obj, model) for obj in (*sync.new, *sync.dirty, *sync.deleted)):
        return None
    return held(session, model)


def ensure_data_dir(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.attachments_dir.mkdir(parents=True, exist_ok=True)


class Database:
    """The engine and its session factory, created once per process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        ensure_data_dir(settings)
        self.engine = create_engine(settings.resolved_database_url, pool_size=settings.db_pool_size)
        self.reference = reference.ReferenceCache(
            settings.reference_cache_seconds, stamps=not settings.is_sqlite
        )
        reference.watch(self.engine, UnitOfWorkSession)
        self.sessionmaker = async_sessionmaker(
            self.engine,
            expire_on_commit=False,
            sync_session_class=UnitOfWorkSession,
            info={reference.INFO_KEY: self.reference},
        )
        # SQLite keeps transactions: they cost no round trip, and its BEGIN IMMEDIATE hook
        # must not run on a connection that never commits.
        self._autocommit: AsyncEngine | None = (
            None
            if settings.is_sqlite
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )

    @asynccontextmanager
    async def unit_of_work(self, *, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """Commit once on success, roll back on any error. ``read_only``: see the module's
        documentation."""
        if read_only and self._autocommit is not None:
            session = self.sessionmaker(bind=self._autocommit)
            session.sync_session.info[_READ_ONLY] = True
        else:
            session = self.sessionmaker()
        async with session:
            try:
                yield session
                await write_later(session)
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()


# Plain-row reads on the hot paths -----------------------------------------------------------

R = TypeVar("R", bound=tuple[Any, ...])


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A statement compiled for the driver: its SQL, the order of its parameters with their
    bind processors, and the result processors of the columns that have one."""

    sql: str
    binds: tuple[tuple[str, Any], ...]
    defaults: dict[str, Any]
    results: tuple[tuple[int, Any], ...]


class Reader(Generic[R]):
    """A prebuilt Core ``SELECT`` whose rows come back as ``row`` tuples (a ``NamedTuple``
    naming the selected columns in order), for the reads every request makes.

    On PostgreSQL the statement is compiled once and run on the unit of work's own asyncpg
    connection, as the prepared statement asyncpg caches: the rows are the driver's, passed
    through the columns' result processors (UTC datetimes), with no ORM objects, no result
    object and no per-execution compilation lookup — about a fifth of the CPU of running the
    same statement through the session. Elsewhere it runs through the session. Either way it
    sees what the unit of work has written: pending ORM changes are flushed first, as the
    session's autoflush would.

    Lists of values are bound with :func:`any_of` (an array on PostgreSQL, so one prepared
    statement serves every length; a list of one is compared as one value).

    For plain reads only, never a locking one (``FOR UPDATE``): on PostgreSQL a Reader that
    runs before anything else in a writing unit of work runs ahead of its ``BEGIN``, which at
    READ COMMITTED sees the same rows for a plain ``SELECT`` but would hold no lock.
    """

    def __init__(self, stmt: Select[*tuple[Any, ...]] | UpdateBase, row: Callable[..., R]) -> None:
        """``row``: a ``NamedTuple`` naming every selected column, or a function making the
        row of the sequence of its values (a row of a join split into its parts)."""
        self.stmt = stmt
        self._columns = list(stmt.exported_columns)
        make: Callable[[Iterable[Any]], R] | None = getattr(row, "_make", None)
        if make is None:
            self._make: Callable[[Iterable[Any]], R] = lambda values: row(tuple(values))
        else:
            fields = getattr(row, "_fields", ())
            if len(fields) != len(self._columns):
                raise TypeError(
                    f"{row!r} names {len(fields)} columns, the statement selects "
                    f"{len(self._columns)}"
                )
            self._make = make
        self._prepared: dict[bool, _Prepared] = {}
        self._lists = tuple({e.name for e in visitors.iterate(stmt) if isinstance(e, AnyOf)})

    async def _prepare(self, dialect: Dialect, connection: Any, *, single: bool) -> _Prepared:
        """Compile for ``dialect``; the result processors are chosen, as SQLAlchemy's own, by
        the column types the server describes (asyncpg's prepared statement). ``single``:
        every :func:`any_of` compares with one value."""
        compiled = self.stmt.compile(dialect=dialect, compile_kwargs={_SINGLE: single})
        assert compiled.positiontup is not None
        binds = tuple(
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in compiled.positiontup
        )
        described = (await connection.prepare(compiled.string)).get_attributes()
        results = tuple(
            (i, processor)
            for i, (column, attribute) in enumerate(zip(self._columns, described, strict=True))
            if (
                processor := column.type.dialect_impl(dialect).result_processor(
                    dialect, attribute.type.oid
                )
            )
            is not None
        )
        defaults = {k: v for k, v in compiled.params.items() if v is not None}
        return _Prepared(compiled.string, binds, defaults, results)

    async def all(self, session: AsyncSession, **params: Any) -> list[R]:
        if not session.sync_session._is_clean():  # without building the sets of new, dirty…
            await session.flush()
        bind = session.get_bind()
        if bind.dialect.driver != "asyncpg":
            result = await session.execute(self.stmt, params)
            return [self._make(row) for row in result] if self._columns else []
        owner, connection = await _driver_connection(session)
        return await self._run(bind.dialect, owner, connection, params)

    async def _run(
        self, dialect: Dialect, owner: Connection, connection: Any, params: dict[str, Any]
    ) -> list[R]:
        # A list of one is compared as one value: PostgreSQL plans ``= ANY($1)`` again at each
        # execution (its generic plan looks dearer), ``= $1`` once per connection.
        single = all(len(params[name]) == 1 for name in self._lists)
        prepared = self._prepared.get(single)
        if prepared is None:
            prepared = await self._prepare(dialect, connection, single=single)
            self._prepared[single] = prepared
        args = []
        for name, processor in prepared.binds:
            value = params[name] if name in params else prepared.defaults[name]
            if single and name in self._lists:
                value = value[0]
            args.append(value if processor is None else processor(value))
        if owner.dispatch.before_cursor_execute:
            # Statement counters (the tests', the benchmark's) see this read like any other.
            owner.dispatch.before_cursor_execute(owner, None, prepared.sql, args, None, False)
        fetched = await self._fetch(dialect, owner, connection, prepared.sql, args)
        if not prepared.results:
            return [self._make(row) for row in fetched]
        out = []
        for row in fetched:
            values = list(row)
            for i, processor in prepared.results:
                values[i] = processor(values[i])
            out.append(self._make(values))
        return out

    async def _fetch(
        self, _dialect: Dialect, _owner: Connection, connection: Any, sql: str, args: list[Any]
    ) -> list[Any]:
        return list(await connection.fetch(sql, *args))

    async def first(self, session: AsyncSession, **params: Any) -> R | None:
        rows = await self.all(session, **params)
        return rows[0] if rows else None


class Writer(Reader[R]):
    """A prebuilt Core ``INSERT`` (``RETURNING`` the ``row``'s columns, or nothing) for the
    writes every creation makes, run as a :class:`Reader` runs: on PostgreSQL compiled once and
    executed on the unit of work's own asyncpg connection, inside its transaction (begun here
    when this is its first statement); elsewhere through the session. Pending ORM changes are
    flushed first, so rows go out in the order they were written.

    The ORM sees nothing of the row: its flush hooks (the record tally) do not run, so the
    statement does their part itself, and :func:`adopt` gives the caller the row's object.
    A driver error comes out as SQLAlchemy's (``IntegrityError`` for a broken constraint).
    """

    async def all(self, session: AsyncSession, **params: Any) -> list[R]:
        if session.sync_session.info.get(_READ_ONLY):
            raise ReadOnlyUnitOfWork("a read-only unit of work cannot write")
        return await super().all(session, **params)

    async def _fetch(
        self, dialect: Dialect, owner: Connection, connection: Any, sql: str, args: list[Any]
    ) -> list[Any]:
        adapted = owner.connection.dbapi_connection
        if adapted._transaction is None:  # type: ignore[union-attr]
            # SQLAlchemy's asyncpg adapter begins a transaction at its first statement.
            await adapted._start_transaction()  # type: ignore[union-attr]
        try:
            return list(await connection.fetch(sql, *args))
        except Exception as error:
            try:
                adapted._handle_exception(error)  # type: ignore[union-attr]
            except Exception as translated:
                raise DBAPIError.instance(
                    sql, args, translated, dialect.loaded_dbapi.Error
                ) from error
            raise

    async def run(self, session: AsyncSession, **params: Any) -> None:
        """Write, reading nothing back."""
        await self.all(session, **params)


def column_defaults(model: type, values: dict[str, Any]) -> dict[str, Any]:
    """Every column of ``model`` but its generated primary key, in the table's order: the value
    given, else the column's Python-side default (as an ORM flush would take it), else
    ``None``. Keys of ``values`` that name no such column are left out."""
    template = _TEMPLATES.get(model)
    if template is None:
        template = _TEMPLATES[model] = _template(model)
    fixed, computed = template
    row = fixed.copy()
    for key, default in computed:
        if key not in values:
            row[key] = default(None)
    for key, value in values.items():
        if key in row:
            row[key] = value
    return row


_TEMPLATES: dict[type, tuple[dict[str, Any], tuple[tuple[str, Callable[[Any], Any]], ...]]] = {}


def _template(
    model: type,
) -> tuple[dict[str, Any], tuple[tuple[str, Callable[[Any], Any]], ...]]:
    """The columns' fixed defaults (``None`` for none) and their computed ones."""
    fixed: dict[str, Any] = {}
    computed: list[tuple[str, Callable[[Any], Any]]] = []
    mapper: Mapper[Any] = inspect(model)
    for attribute in mapper.column_attrs:
        column = attribute.columns[0]
        if column.primary_key and column.autoincrement is not False:
            continue
        default = column.default
        fixed[attribute.key] = None
        if default is not None and default.is_callable:
            computed.append((attribute.key, default.arg))
        elif default is not None:
            fixed[attribute.key] = default.arg
    return fixed, tuple(computed)


_ADOPTABLE: dict[type, tuple[Callable[[], Any], type]] = {}


def adopt(session: AsyncSession, model: type[M], values: dict[str, Any]) -> M:
    """The object of a row a :class:`Writer` inserted, as the unit of work would hold it after
    a flush: persistent, its columns loaded from ``values`` (every column), and known as
    inserted here (:func:`inserted_here`, :func:`held_of_inserted`). Built as the ORM builds a
    loaded object, without the constructor's attribute events."""
    known = _ADOPTABLE.get(model)
    if known is None:
        mapper: Mapper[Any] = inspect(model)
        known = _ADOPTABLE[model] = (mapper.class_manager.new_instance, mapper._identity_class)
    new_instance, identity_class = known
    obj: M = new_instance()
    state = instance_state(obj)
    state.dict.update(values)  # loaded values: no history, nothing to flush
    state.key = (identity_class, (values["id"],), None)  # as identity_key() makes it
    sync = session.sync_session
    # What Session.add does for a detached object, without the cascade over relationships
    # that a new row does not have loaded (a third of this function's cost).
    sync._update_impl(state)
    transaction = sync._transaction  # the innermost: a savepoint's, when one is open
    if transaction is not None:
        # Registered as a flush registers what it inserted: a rollback of this transaction
        # (or savepoint) takes the object out of the session with its row.
        transaction._new[state] = True
    _inserted(sync, obj)
    return obj


def _table_of(model: type) -> Table:
    mapper: Mapper[Any] = inspect(model)
    return cast(Table, mapper.local_table)


class _Id(NamedTuple):
    id: int


_INSERT_ROW: dict[type, Writer[_Id]] = {}


async def insert_row(session: AsyncSession, model: type[M], given: dict[str, Any]) -> M:
    """Insert one row of ``model`` (the ``given`` columns, the others' defaults) with a
    :class:`Writer` and :func:`adopt` its object: a row written once and never changed in the
    same unit of work (a note, an event) costs a fifth of an ORM flush."""
    values = column_defaults(model, given)
    values["id"] = await _insert(session, model, values)
    return adopt(session, model, values)


async def _insert(session: AsyncSession, model: type, values: dict[str, Any]) -> int:
    writer = _INSERT_ROW.get(model)
    if writer is None:
        table = _table_of(model)
        stmt = insert(table).values({key: bindparam(key) for key in values})
        writer = _INSERT_ROW[model] = Writer(stmt.returning(table.c.id), _Id)
    found = await writer.first(session, **values)
    assert found is not None
    return found.id


# Rows written with the commit ------------------------------------------------------------------

_LATER = "polydesk.later_rows"
_LATER_PER_STATEMENT = 8
_INSERT_ROWS: dict[tuple[type, int], Writer[Any]] = {}


def insert_later(session: AsyncSession, model: type, given: dict[str, Any]) -> None:
    """Queue a row of ``model`` (the ``given`` columns, the others' defaults) that nothing in
    this unit of work reads back, such as an audit event: the queued rows are written
    together when the unit of work commits (a few to a statement), or when a savepoint is
    released, or by :func:`write_later` before a read of their table. A savepoint rolled back
    drops the rows queued in it; a rolled-back unit of work, all of them."""
    sync = session.sync_session
    row = column_defaults(model, given)
    sync.info.setdefault(_LATER, []).append((_depth(sync._transaction), model, row))


async def write_later(session: AsyncSession) -> None:
    """Write the rows :func:`insert_later` queued, in the order they were queued."""
    queued = session.sync_session.info.pop(_LATER, None)
    for model, rows in _batches(queued or ()):
        key = (model, len(rows))
        writer = _INSERT_ROWS.get(key)
        if writer is None:
            table = _table_of(model)
            values: list[dict[str, Any]] = [
                {k: bindparam(f"{k}_{i}", type_=table.c[k].type) for k in rows[0]}
                for i in range(len(rows))
            ]
            writer = _INSERT_ROWS[key] = Writer(insert(table).values(values), tuple)
        await writer.run(
            session, **{f"{k}_{i}": v for i, row in enumerate(rows) for k, v in row.items()}
        )


def _batches(queued: Iterable[tuple[int, type, dict[str, Any]]]) -> list[tuple[type, list[Any]]]:
    batches: list[tuple[type, list[Any]]] = []
    for _queued_at, model, row in queued:
        if batches and batches[-1][0] is model and len(batches[-1][1]) < _LATER_PER_STATEMENT:
            batches[-1][1].append(row)
        else:
            batches.append((model, [row]))
    return batches


def _depth(transaction: SessionTransaction | None) -> int:
    """How many savepoints ``transaction`` is inside of (itself included)."""
    depth = 0
    while transaction is not None:
        depth += transaction.nested
        transaction = transaction.parent
    return depth


@event.listens_for(UnitOfWorkSession, "before_commit")
def _write_later_on_commit(session: SyncSession) -> None:
    # Also dispatched when a savepoint is released: its rows go out inside it. A unit of work
    # writes them itself before it commits (Database.unit_of_work); this is for the rest.
    queued = session.info.pop(_LATER, None)
    if queued:
        connection = session.connection()
        for model, rows in _batches(queued):
            connection.execute(insert(_table_of(model)), rows)


@event.listens_for(UnitOfWorkSession, "after_soft_rollback")
def _drop_later_on_rollback(session: SyncSession, previous: SessionTransaction) -> None:
    queued = session.info.get(_LATER)
    if not queued:
        return
    if previous.nested:
        depth = _depth(previous)
        queued[:] = [entry for entry in queued if entry[0] < depth]
    else:
        queued.clear()


_DRIVER = "polydesk.driver_connection"


async def _driver_connection(session: AsyncSession) -> tuple[Connection, Any]:
    """The connection of the unit of work's transaction and the driver's under it. A session
    keeps one connection per transaction: it is remembered with that transaction, so the reads
    after the first skip the session's own look-up (a greenlet switch each)."""
    sync = session.sync_session
    # The innermost transaction: a savepoint begun since is begun by asking the session.
    transaction = sync._transaction
    known = sync.info.get(_DRIVER)
    if transaction is not None and known is not None and known[0]() is transaction:
        return known[1], known[2]
    owner = (await session.connection()).sync_connection
    assert owner is not None
    driver = owner.connection.driver_connection
    assert driver is not None
    # A weak reference: the transaction refers to the session, whose info this is, and a
    # cycle would leave every unit of work to the garbage collector.
    assert sync._transaction is not None
    sync.info[_DRIVER] = (weakref.ref(sync._transaction), owner, driver)
    return owner, driver


class AnyOf(ColumnElement[bool]):
    """``column IN (values)`` with the list bound as one parameter: ``= ANY($n)`` with an
    array on PostgreSQL (one statement for every length), an expanding ``IN`` elsewhere."""

    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's declaration
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.name = name
        self.type = Boolean()


def any_of(column: ColumnElement[Any] | QueryableAttribute[Any], name: str) -> AnyOf:
    """``column`` is one of the list bound to the parameter ``name``."""
    return AnyOf(column.expression, name)


@compiles(AnyOf)
def _in_expanding(element: AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    clause = element.column.in_(bindparam(element.name, expanding=True))
    return compiler.process(clause, **kw)


_SINGLE = "polydesk_single"


@compiles(AnyOf, "postgresql")
def _any_array(element: AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    if kw.get(_SINGLE):
        return compiler.process(element.column == bindparam(element.name), **kw)
    array = bindparam(element.name, type_=ARRAY(element.column.type))
    return compiler.process(element.column == any_(array), **kw)


class _Exists(NamedTuple):
    id: int


_EXISTS: dict[type, Reader[_Exists]] = {}
_KNOWN = "polydesk.known_rows"


@event.listens_for(UnitOfWorkSession, "after_soft_rollback")
def _forget_known_rows(session: SyncSession, _previous: Any) -> None:
    # A rolled-back savepoint or transaction may have taken rows found in it with it.
    session.info.pop(_KNOWN, None)


def known_to_exist(session: AsyncSession, model: type, row_id: int) -> None:
    """Let :func:`row_exists` answer ``True`` for this row without a query, until a rollback:
    the caller found it where reads find it (the reference cache), and the foreign key that
    backs every such check still refuses a row deleted meanwhile."""
    session.sync_session.info.setdefault(_KNOWN, set()).add((model, row_id))


async def row_exists(session: AsyncSession, model: type, row_id: int) -> bool:
    """Whether ``model`` has a row with this primary key ``id``: a one-column read, answered
    without a query when the unit of work found that row before (a reference checked by a
    dialect and again by the domain service), until a rollback. A foreign key backs every
    such check."""
    known: set[tuple[type, int]] = session.sync_session.info.setdefault(_KNOWN, set())
    if (model, row_id) in known:
        return True
    reader = _EXISTS.get(model)
    if reader is None:
        column = model.id  # type: ignore[attr-defined]
        reader = _EXISTS[model] = Reader(select(column).where(column == bindparam("id")), _Exists)
    if await reader.first(session, id=row_id) is None:
        return False
    known.add((model, row_id))
    return True
