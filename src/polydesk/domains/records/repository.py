"""All SQL of records, their numbers and their detail rows."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy import Sequence as DbSequence
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import Select

from polydesk.core.db import Reader, Writer, adopt, any_of, column_defaults, row_exists
from polydesk.core.enums import RecordKind
from polydesk.domains.custom_fields.schemas import StoredValue
from polydesk.domains.records.schemas import RecordBrief, RecordQuery, StatusRef
from polydesk.models import (
    ChangeDetails,
    CustomField,
    CustomFieldValue,
    ProblemDetails,
    Record,
    RecordCounter,
    RecordTally,
    ReleaseDetails,
    Status,
    User,
    Watch,
)
from polydesk.models.base import Base
from polydesk.models.tally import SHARDS, TallyKey, tally_statement, tally_upsert

M = TypeVar("M", bound=Base)


async def add(session: AsyncSession, *objs: object) -> None:
    session.add_all(objs)
    await session.flush()


async def flush(session: AsyncSession) -> None:
    await session.flush()


async def get_row(session: AsyncSession, model: type[M], row_id: int) -> M | None:
    return await session.get(model, row_id)


async def exists(session: AsyncSession, model: type[Base], row_id: int) -> bool:
    return await row_exists(session, model, row_id)


# Numbers -----------------------------------------------------------------------------------


_NUMBER_SEQUENCES = {kind.value: DbSequence(f"record_number_{kind.value}") for kind in RecordKind}
"""PostgreSQL: one sequence per kind (migration 0004)."""


class _Number(NamedTuple):
    number: int


_NEXT_NUMBER = {
    kind: Reader(select(sequence.next_value()), _Number)
    for kind, sequence in _NUMBER_SEQUENCES.items()
}


async def next_number(session: AsyncSession, kind: str) -> int:
    """The next number of ``kind``.

    On PostgreSQL it comes from the kind's sequence: concurrent creators never wait for each
    other, and a creation that fails leaves its number unused (numbers are unique and
    increasing, not gapless). On SQLite, whose writers take turns anyway, from one atomic
    UPDATE … RETURNING on the kind's counter row, rolled back with a failed creation; a
    missing counter row is created first (starting after the highest number in use).
    """
    if session.get_bind().dialect.name == "postgresql":
        found = await _NEXT_NUMBER[kind].first(session)
        assert found is not None
        return int(found.number)
    bump = (
        update(RecordCounter)
        .where(RecordCounter.kind == kind)
        .values(last_number=RecordCounter.last_number + 1)
        .returning(RecordCounter.last_number)
        .execution_options(synchronize_session=False)
    )
    number = (await session.execute(bump)).scalar_one_or_none()
    if number is None:
        await _create_counter(session, kind)
        number = (await session.execute(bump)).scalar_one()
    return int(number)


async def _create_counter(session: AsyncSession, kind: str) -> None:
    start = select(literal(kind), func.coalesce(func.max(Record.number), 0)).where(
        Record.kind == kind
    )
    columns = ["kind", "last_number"]
    if session.get_bind().dialect.name == "postgresql":
        pg = pg_insert(RecordCounter).from_select(columns, start)
        await session.execute(pg.on_conflict_do_nothing(index_elements=["kind"]))
    else:
        lite = sqlite_insert(RecordCounter).from_select(columns, start)
        await session.execute(lite.on_conflict_do_nothing(index_elements=["kind"]))


# Records -----------------------------------------------------------------------------------


class _Inserted(NamedTuple):
    id: int
    number: int


_RECORD_TABLE = cast(Table, Record.__table__)
_INSERTED_COLUMNS = [c.key for c in inspect(Record).column_attrs if c.key not in ("id", "number")]


def _insert_record_with_tally(kind: str, columns: tuple[str, ...]) -> Writer[_Inserted]:
    """PostgreSQL: the record of ``kind`` with the next number of its sequence and one more
    in a shard of its tally, in one statement (a data-modifying ``WITH`` runs whether or not
    the query reads it). Only the ``columns`` given are bound: the others are NULL."""
    inserted = (
        pg_insert(_RECORD_TABLE)
        .values(
            {
                **{key: bindparam(key) for key in columns},
                "number": _NUMBER_SEQUENCES[kind].next_value(),
            }
        )
        .returning(Record.id, Record.number)
        .cte("inserted")
    )
    tallied = tally_upsert("postgresql").cte("tallied")
    return Writer(select(inserted.c.id, inserted.c.number).add_cte(tallied), _Inserted)


_INSERT_RECORD: dict[tuple[str, tuple[str, ...]], Writer[_Inserted]] = {}
"""By kind and the columns bound (a record leaves most of its forty columns empty: binding
them all cost a tenth of a creation's CPU); a few shapes in all."""
_MAX_SHAPES = 64
_INSERT_RECORD_ELSEWHERE = (
    insert(_RECORD_TABLE)
    .values({key: bindparam(key) for key in ("number", *_INSERTED_COLUMNS)})
    .returning(Record.id)
)


async def insert_record(session: AsyncSession, given: dict[str, Any]) -> Record | None:
    """Insert a record of the ``given`` columns (the others take their defaults), numbered
    and counted in the tally, without the ORM's flush; the unit of work holds the new record
    as if it had flushed it. ``None`` when a row it refers to is gone (removed by another
    transaction since it was read): the unit of work must then roll back."""
    try:
        return await _insert_record(session, given)
    except IntegrityError:
        return None


async def _insert_record(session: AsyncSession, given: dict[str, Any]) -> Record:
    values = column_defaults(Record, given)
    kind = values["kind"]
    shard = random.randrange(SHARDS)
    if session.get_bind().dialect.name == "postgresql":
        bound = {k: v for k, v in values.items() if v is not None}
        if len(_INSERT_RECORD) >= _MAX_SHAPES:  # unusual: every column, one shape per kind
            bound = values
        key = (kind, tuple(bound))
        writer = _INSERT_RECORD.get(key)
        if writer is None:
            writer = _INSERT_RECORD[key] = _insert_record_with_tally(kind, key[1])
        found = await writer.first(session, **bound, shard=shard, count=1)
        assert found is not None
        row_id, number = found
    else:
        number = await next_number(session, kind)
        result = await session.execute(_INSERT_RECORD_ELSEWHERE, {**values, "number": number})
        row_id = result.scalar_one()
        tally = tally_statement("sqlite", {(kind, values["status_id"]): 1})
        assert tally is not None
        await session.execute(*tally)
    return adopt(session, Record, {**values, "id": row_id, "number": number})


def _with_details(stmt: Select[Record]) -> Select[Record]:
    """The one-to-one detail rows come in the same query, by outer join."""
    return stmt.options(
        joinedload(Record.change), joinedload(Record.release), joinedload(Record.problem)
    )


# The hottest reads are built once: building a statement with its loader options costs more
# than running it.
_BY_ID = _with_details(select(Record).where(Record.id == bindparam("record_id"))).execution_options(
    populate_existing=True
)
_BY_ID_LOCKED = _BY_ID.with_for_update(of=Record)
_BY_IDS = _with_details(select(Record).where(Record.id.in_(bindparam("ids", expanding=True))))


_OF_KIND = (
    select(Record)
    .where(Record.id == bindparam("record_id"), Record.kind == bindparam("kind"))
    .execution_options(populate_existing=True)
)
_KINDS_WITH_DETAILS = frozenset({"change", "release", "problem"})


async def get(
    session: AsyncSession, record_id: int, *, kind: str | None = None, for_update: bool = False
) -> Record | None:
    """The record and its detail row, read afresh from the database (never a stale copy from
    the session); ``for_update`` locks the record row until the transaction ends. With a
    ``kind`` that has no detail rows, a record of another kind is not found, and the detail
    tables are not joined."""
    if kind is not None and kind not in _KINDS_WITH_DETAILS and not for_update:
        params = {"record_id": record_id, "kind": kind}
        record = (await session.scalars(_OF_KIND, params)).one_or_none()
        if record is not None:
            attach_details(record, None)
        return record
    stmt = _BY_ID_LOCKED if for_update else _BY_ID
    return (await session.scalars(stmt, {"record_id": record_id})).unique().one_or_none()


async def get_many(session: AsyncSession, record_ids: Sequence[int]) -> list[Record]:
    if not record_ids:
        return []
    return list((await session.scalars(_BY_IDS, {"ids": list(record_ids)})).unique().all())


_BRIEF = select(*(getattr(Record, name) for name in RecordBrief._fields))


def _brief_and_value(values: tuple[Any, ...]) -> tuple[RecordBrief, StoredValue | None]:
    """A row of the record joined with one of its custom values (``None`` when it has none)."""
    width = len(RecordBrief._fields)
    brief = RecordBrief._make(values[:width])
    field_id = values[width]
    if field_id is None:
        return brief, None
    return brief, StoredValue(brief.id, field_id, *values[width + 1 :])


_BRIEF_WITH_VALUES = Reader(
    _BRIEF.add_columns(
        CustomFieldValue.field_id,
        CustomFieldValue.value_text,
        CustomFieldValue.value_number,
        CustomFieldValue.value_bool,
    )
    .outerjoin(CustomFieldValue, CustomFieldValue.record_id == Record.id)
    .outerjoin(CustomField, CustomField.id == CustomFieldValue.field_id)
    .where(Record.id == bindparam("record_id"), Record.kind == bindparam("kind"))
    .order_by(CustomField.position, CustomField.id),
    _brief_and_value,
)


async def brief_with_values(
    session: AsyncSession, record_id: int, kind: str
) -> tuple[RecordBrief, list[StoredValue]] | None:
    """The record and every custom value of it, in display order, in one statement."""
    rows = await _BRIEF_WITH_VALUES.all(session, record_id=record_id, kind=kind)
    if not rows:
        return None
    return rows[0][0], [value for _, value in rows if value is not None]


async def get_by_number(session: AsyncSession, kind: str, number: int) -> Record | None:
    stmt = _with_details(select(Record).where(Record.kind == kind, Record.number == number))
    return (await session.scalars(stmt)).unique().one_or_none()


def attach_details(
    record: Record, detail: ChangeDetails | ReleaseDetails | ProblemDetails | None
) -> None:
    """Mark the record's detail rows as loaded (``detail`` in its place, none for the other
    kinds), so that reading them never queries."""
    set_committed_value(record, "change", detail if isinstance(detail, ChangeDetails) else None)
    set_committed_value(record, "release", detail if isinstance(detail, ReleaseDetails) else None)
    set_committed_value(record, "problem", detail if isinstance(detail, ProblemDetails) else None)


async def update_columns(
    session: AsyncSession,
    record: Record,
    values: dict[str, Any],
    *,
    expected_version: int | None,
) -> bool:
    """UPDATE only the given columns and ``version = version + 1``, in one statement.

    With ``expected_version`` the row must still have it: ``False`` when it does not, and
    nothing is written. The session's copy of the record is brought up to date without
    being marked dirty, so no second UPDATE follows on flush.
    """
    stmt = update(Record).where(Record.id == record.id)
    if expected_version is not None:
        stmt = stmt.where(Record.version == expected_version)
    stmt = (
        stmt.values(**values, version=Record.version + 1)
        .returning(Record.version)
        .execution_options(synchronize_session=False)
    )
    version = (await session.execute(stmt)).scalar_one_or_none()
    if version is None:
        return False
    before = (record.kind, record.status_id)
    after = (values.get("kind", record.kind), values.get("status_id", record.status_id))
    if before != after:
        await _tally(session, {before: -1, after: 1})
    for key, value in values.items():
        set_committed_value(record, key, value)
    set_committed_value(record, "version", version)
    return True


async def touch(session: AsyncSession, record: Record, now: datetime) -> None:
    """Set ``last_active_at`` only: the record is otherwise untouched (no version bump)."""
    await session.execute(
        update(Record)
        .where(Record.id == record.id)
        .values(last_active_at=now)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(record, "last_active_at", now)


async def delete_record(session: AsyncSession, record: Record) -> None:
    """Delete the row; the database cascades to details, values, notes and the rest."""
    await _tally(session, {(record.kind, record.status_id): -1})
    await session.execute(
        delete(Record).where(Record.id == record.id).execution_options(synchronize_session=False)
    )
    session.expunge(record)  # cascades to the loaded detail row


# Statuses ----------------------------------------------------------------------------------


async def default_status(session: AsyncSession) -> Status | None:
    result: Status | None = await session.scalar(
        select(Status).where(Status.is_default.is_(True)).order_by(Status.position, Status.id)
    )
    return result


_STATUS_REF = select(Status.id, Status.name, Status.category)
_STATUS_REF_BY_ID = Reader(_STATUS_REF.where(Status.id == bindparam("status_id")), StatusRef)
_DEFAULT_STATUS_REF = Reader(
    _STATUS_REF.where(Status.is_default.is_(True)).order_by(Status.position, Status.id).limit(1),
    StatusRef,
)


async def status_ref(session: AsyncSession, status_id: int) -> StatusRef | None:
    return await _STATUS_REF_BY_ID.first(session, status_id=status_id)


async def default_status_ref(session: AsyncSession) -> StatusRef | None:
    return await _DEFAULT_STATUS_REF.first(session)


async def first_status(session: AsyncSession, category: str) -> Status | None:
    result: Status | None = await session.scalar(
        select(Status).where(Status.category == category).order_by(Status.position, Status.id)
    )
    return result


async def status_by_key(session: AsyncSession, key: str) -> Status | None:
    result: Status | None = await session.scalar(select(Status).where(Status.name_key == key))
    return result


# Lists -------------------------------------------------------------------------------------


def _conditions(query: RecordQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if query.kinds is not None:
        conds.append(Record.kind.in_([k.value for k in query.kinds]))
    if query.ids is not None:
        conds.append(Record.id.in_(query.ids))
    if query.exclude_ids:
        conds.append(Record.id.not_in(query.exclude_ids))
    if query.status_ids is not None:
        conds.append(Record.status_id.in_(query.status_ids))
    if query.status_categories is not None:
        categories = [c.value for c in query.status_categories]
        conds.append(Record.status_id.in_(select(Status.id).where(Status.category.in_(categories))))
    if query.service_ids is not None:
        conds.append(Record.service_id.in_(query.service_ids))
    if query.category_ids is not None:
        conds.append(Record.category_id.in_(query.category_ids))
    if query.priorities is not None:
        conds.append(Record.priority.in_(query.priorities))
    if query.numbers is not None:
        conds.append(Record.number.in_(query.numbers))
    if query.impacts is not None:
        conds.append(Record.impact.in_([i.value for i in query.impacts]))
    if query.urgencies is not None:
        conds.append(Record.urgency.in_([u.value for u in query.urgencies]))
    if query.support_levels is not None:
        conds.append(Record.support_level.in_([s.value for s in query.support_levels]))
    if query.location_ids is not None:
        conds.append(Record.location_id.in_(query.location_ids))
    if query.department_ids is not None:
        conds.append(Record.department_id.in_(query.department_ids))
    if query.title:
        conds.append(Record.title.icontains(query.title, autoescape=True))
    for column, value in (
        (Record.assignee_id, query.assignee_id),
        (Record.requester_id, query.requester_id),
        (Record.technician_group_id, query.technician_group_id),
        (Record.owner_id, query.owner_id),
        (Record.company_id, query.company_id),
    ):
        if value is not None:
            conds.append(column == value)
    if query.assignee_or_watcher_id is not None:
        # A semi-join, not a join: a record watched and assigned is matched (and counted) once.
        user_id = query.assignee_or_watcher_id
        conds.append(
            or_(
                Record.assignee_id == user_id,
                Record.id.in_(
                    select(Watch.record_id).where(
                        Watch.user_id == user_id, Watch.record_id.is_not(None)
                    )
                ),
            )
        )
    if query.requester_email is not None:
        key = query.requester_email.strip().lower()
        conds.append(
            or_(
                Record.requester_id.in_(select(User.id).where(User.email_key == key)),
                func.lower(Record.submitter_email) == key,  # ix_record_submitter_email_key
            )
        )
    if query.submitted_by is not None:
        submitter = query.submitted_by
        conds.append(
            or_(
                Record.submitter_email == submitter.email,
                and_(
                    or_(Record.submitter_email.is_(None), Record.submitter_email == ""),
                    Record.requester_id == submitter.user_id,
                ),
            )
        )
    if query.created_from is not None:
        conds.append(Record.created_at >= query.created_from)
    if query.created_to is not None:
        conds.append(Record.created_at < query.created_to)
    if query.updated_from is not None:
        conds.append(Record.updated_at >= query.updated_from)
    if query.updated_to is not None:
        conds.append(Record.updated_at < query.updated_to)
    if query.text:
        conds.append(
            or_(
                Record.title.icontains(query.text, autoescape=True),
                Record.description.icontains(query.text, autoescape=True),
            )
        )
    if query.spam is not None:
        conds.append(Record.spam.is_(query.spam))
    if query.merged is True:
        conds.append(Record.merged_to_id.is_not(None))
    elif query.merged is False:
        conds.append(Record.merged_to_id.is_(None))
    return conds


_ORDER_COLUMNS: dict[str, Any] = {
    "created_at": Record.created_at,
    "updated_at": Record.updated_at,
    "due_date": Record.due_date,
    "last_active_at": Record.last_active_at,
    "priority": Record.priority,
    "id": Record.id,
}


async def _tally(session: AsyncSession, deltas: dict[TallyKey, int]) -> None:
    """Bring the record tally in line with a bulk UPDATE or DELETE (the ORM's own writes are
    counted by the flush hook in models.tally)."""
    upsert = tally_statement(session.get_bind().dialect.name, deltas)
    if upsert is not None:
        await session.execute(*upsert)


_TALLIED = frozenset({"kinds", "status_ids", "order_by", "descending", "offset", "limit"})
"""Queries filtering on nothing but these are counted from the tally, and their pages are
read by statements built once per shape."""


class _Total(NamedTuple):
    total: int


_TALLY_SUM = select(func.coalesce(func.sum(RecordTally.count), 0))
_TALLY_OF = {
    (kinds, statuses): Reader(
        _TALLY_SUM.where(
            *([any_of(RecordTally.kind, "kinds")] if kinds else []),
            *([any_of(RecordTally.status_id, "status_ids")] if statuses else []),
        ),
        _Total,
    )
    for kinds in (False, True)
    for statuses in (False, True)
}
_PAGE_OF: dict[tuple[bool, bool, str, bool], Reader[RecordBrief]] = {}


def _tallied(query: RecordQuery) -> bool:
    return set(query.model_dump(exclude_defaults=True)) <= _TALLIED


def _tallied_params(query: RecordQuery) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if query.kinds is not None:
        params["kinds"] = [k.value for k in query.kinds]
    if query.status_ids is not None:
        params["status_ids"] = list(query.status_ids)
    return params


def _page_reader(query: RecordQuery) -> Reader[RecordBrief]:
    """A page of a tallied query, built once per shape."""
    key = (query.kinds is not None, query.status_ids is not None, query.order_by, query.descending)
    reader = _PAGE_OF.get(key)
    if reader is None:
        conds = [
            *([any_of(Record.kind, "kinds")] if key[0] else []),
            *([any_of(Record.status_id, "status_ids")] if key[1] else []),
        ]
        stmt = _ordered(query, _BRIEF.where(*conds))
        stmt = stmt.offset(bindparam("offset")).limit(bindparam("limit"))
        reader = _PAGE_OF[key] = Reader(stmt, RecordBrief)
    return reader


async def count_records(session: AsyncSession, query: RecordQuery) -> int:
    """How many records match ``query``: a sum over the tally when it filters on kind and
    status only (the common lists), a count over the records otherwise."""
    if _tallied(query):
        return await _tally_total(session, query, _tallied_params(query))
    conds = _conditions(query)
    return int(await session.scalar(select(func.count()).select_from(Record).where(*conds)) or 0)


async def _tally_total(session: AsyncSession, query: RecordQuery, params: dict[str, Any]) -> int:
    reader = _TALLY_OF[(query.kinds is not None, query.status_ids is not None)]
    found = await reader.first(session, **params)
    return int(found.total) if found is not None else 0


def _ordered(query: RecordQuery, stmt: Select[Any]) -> Select[Any]:
    """Ordered as ``query`` asks, then by id. Records without a due date sort last in either
    direction, on every backend."""
    column = _ORDER_COLUMNS[query.order_by]
    primary = column.desc() if query.descending else column.asc()
    if query.order_by == "due_date":
        primary = primary.nulls_last()
    order = [primary]
    if query.order_by != "id":
        order.append(Record.id.desc() if query.descending else Record.id.asc())
    return stmt.order_by(*order)


def _page(query: RecordQuery, stmt: Select[Any]) -> Select[Any]:
    """``stmt`` filtered, ordered and cut to the page ``query`` asks for."""
    stmt = _ordered(query, stmt.where(*_conditions(query)))
    return stmt.offset(query.offset).limit(query.limit)


async def list_briefs(session: AsyncSession, query: RecordQuery) -> tuple[list[RecordBrief], int]:
    """One page as plain rows, in order, and the total: two queries."""
    if _tallied(query):
        params = _tallied_params(query)
        total = await _tally_total(session, query, params)
        page = await _page_reader(query).all(
            session, **params, offset=query.offset, limit=query.limit
        )
        return page, total
    total = await count_records(session, query)
    rows = await session.execute(_page(query, _BRIEF))
    return [RecordBrief._make(row) for row in rows], total


async def list_records(session: AsyncSession, query: RecordQuery) -> tuple[list[Record], int]:
    """One page (with detail rows) and the total, in two queries whatever the page size."""
    total = await count_records(session, query)
    # Kinds without detail rows (a django-helpdesk ticket list): no joins to load none.
    plain = bool(query.kinds) and not _KINDS_WITH_DETAILS.intersection(query.kinds or ())
    stmt = _page(query, select(Record) if plain else _with_details(select(Record)))
    items = list((await session.scalars(stmt)).unique().all())
    if plain:
        for record in items:
            attach_details(record, None)
    return items, total
