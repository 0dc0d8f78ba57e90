"""The qualification language of ``…/search/byqual`` (spec §7), turned into a record query.

Parsing is pure: :func:`parse` reads a ``qualDetails`` tree into a flat list of
:class:`Condition` (the conditions are ANDed). :func:`record_query` then turns them into a
:class:`~polydesk.domains.records.schemas.RecordQuery`; the only outside help it needs is a
:class:`Lookup` that turns display names into ids, given by the caller.

What is understood:

- ``FlatQualificationRest`` (quals ANDed), ``BatchQualificationRest`` and
  ``BinaryQualificationRest`` with ``AND``; with ``OR`` only between equality tests of one
  field (``status = Open OR status = Pending`` is ``status in (Open, Pending)``).
- ``RelationalQualificationRest`` whose left operand is a ``PropertyOperandRest`` or
  ``DbOperandRest`` naming a field (``request.statusId``, ``.request.subject``, ``id``; the
  module prefix and leading dots are ignored, case too) and whose right operand is a
  ``ValueOperandRest``.
- Operators by name, ignoring case and underscores (``equal``, ``Not_In``, ``LessThan``, …).

Anything else — another qualification type, an unknown field, an operator a field does not
support, a value of the wrong type — is :class:`~polydesk.core.errors.Invalid` on
``qualDetails``, which the dialect answers with 400: a search is never silently widened.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from polydesk.api.serviceops import mapping
from polydesk.core.enums import Impact, RecordKind, SupportLevel, Urgency
from polydesk.core.errors import Invalid
from polydesk.domains.records.schemas import OrderField, RecordQuery

FIELD = "qualDetails"
MAX_DEPTH = 32
MAX_CONDITIONS = 200
MAX_VALUES = 10_000
DEFAULT_SIZE = 10
MAX_SIZE = 10_000
MAX_OFFSET = 2**31 - 1
MIN_INT, MAX_INT = -(2**63), 2**63 - 1
"""Numbers in a qualification must fit the database's 64-bit integers."""


class Op(StrEnum):
    EQ = "equal"
    NE = "not_equal"
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    LT = "less_than"
    LE = "less_than_or_equal"
    GT = "greater_than"
    GE = "greater_than_or_equal"
    BETWEEN = "between"


_OPERATORS: dict[str, Op] = {
    "equal": Op.EQ,
    "equalcaseinsensitive": Op.EQ,
    "ismember": Op.EQ,
    "notequal": Op.NE,
    "notequalcaseinsensitive": Op.NE,
    "in": Op.IN,
    "incaseinsensitive": Op.IN,
    "notin": Op.NOT_IN,
    "notincaseinsensitive": Op.NOT_IN,
    "contains": Op.CONTAINS,
    "like": Op.CONTAINS,
    "lessthan": Op.LT,
    "before": Op.LT,
    "lessthanorequal": Op.LE,
    "greaterthan": Op.GT,
    "after": Op.GT,
    "greaterthanorequal": Op.GE,
    "between": Op.BETWEEN,
}

Scalar = str | int | float | bool


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    """The canonical field name (see :data:`FIELDS`)."""
    op: Op
    values: tuple[Scalar, ...]
    key: str
    """The key as the client wrote it, for error messages."""


# Fields: canonical name → the operators it supports. Aliases map client keys onto them.
_EQUALITY = frozenset({Op.EQ, Op.IN})
_SET = frozenset({Op.EQ, Op.IN, Op.NE, Op.NOT_IN})
_RANGE = frozenset({Op.LT, Op.LE, Op.GT, Op.GE, Op.BETWEEN, Op.EQ})
FIELDS: dict[str, frozenset[Op]] = {
    "id": _SET,
    "name": _EQUALITY,
    "status": _SET,
    "priority": _SET,
    "impact": _SET,
    "urgency": _SET,
    "supportlevel": _SET,
    "category": _EQUALITY,
    "location": _EQUALITY,
    "department": _EQUALITY,
    "requester": frozenset({Op.EQ}),
    "requesterid": frozenset({Op.EQ}),
    "assignee": frozenset({Op.EQ}),
    "assigneeid": frozenset({Op.EQ}),
    "group": frozenset({Op.EQ}),
    "groupid": frozenset({Op.EQ}),
    "subject": frozenset({Op.CONTAINS}),
    "text": frozenset({Op.CONTAINS}),
    "spam": frozenset({Op.EQ}),
    "createdtime": _RANGE,
    "updatedtime": _RANGE,
    # conversations
    "conversationtype": _SET,
}
_ALIASES: dict[str, str] = {
    "statusid": "status",
    "statusname": "status",
    "priorityid": "priority",
    "priorityname": "priority",
    "impactid": "impact",
    "impactname": "impact",
    "urgencyid": "urgency",
    "urgencyname": "urgency",
    "categoryid": "category",
    "categoryname": "category",
    "locationid": "location",
    "locationname": "location",
    "departmentid": "department",
    "departmentname": "department",
    "requesteremail": "requester",
    "technicianid": "assigneeid",
    "assigneeemail": "assignee",
    "technician": "assignee",
    "technicianemail": "assignee",
    "groupname": "group",
    "techniciangroupid": "groupid",
    "techniciangroupname": "group",
    "techniciangroup": "group",
    "title": "subject",
    "description": "text",
    "createdat": "createdtime",
    "createddate": "createdtime",
    "updatedat": "updatedtime",
    "updateddate": "updatedtime",
    "number": "name",
}
_MODULES = frozenset(
    {"request", "incident", "servicerequest", "change", "problem", "release", "conversation"}
)


def _bad(message: str, value: object = None) -> Invalid:
    return Invalid(f"Invalid qualification: {message}", field=FIELD, value=value)


def _fold(text: str) -> str:
    return text.replace("_", "").replace("-", "").replace(" ", "").casefold()


def canonical_field(key: object) -> str:
    """``".request.statusId"`` → ``"status"``; :class:`Invalid` for an unknown field."""
    if not isinstance(key, str) or not key.strip(".").strip():
        raise _bad(f"a field key must be a non-empty string, not {key!r}.", key)
    parts = [part for part in key.strip().split(".") if part]
    if len(parts) > 1 and _fold(parts[0]) in _MODULES:
        parts = parts[1:]
    folded = _fold(".".join(parts))
    name = _ALIASES.get(folded, folded)
    if name not in FIELDS:
        raise _bad(f"the field {key!r} cannot be searched.", key)
    return name


def _operator(value: object) -> Op:
    op = _OPERATORS.get(_fold(value)) if isinstance(value, str) else None
    if op is None:
        raise _bad(f"unknown or unsupported operator {value!r}.", value)
    return op


def _scalar(value: object) -> Scalar:
    if isinstance(value, float) and not math.isfinite(value):
        raise _bad(f"{value!r} is not a number a search can use.", str(value))
    if isinstance(value, int) and not isinstance(value, bool) and not MIN_INT <= value <= MAX_INT:
        raise _bad(f"the number {value} is out of range.", value)
    if isinstance(value, str | bool | int | float):
        return value
    raise _bad(f"expected a string, number or boolean, not {value!r}.", value)


def _values(operand: object) -> tuple[Scalar, ...]:
    """The right operand's value(s): ``{"type":"ValueOperandRest","value":{"type":…,
    "value":…}}``; a bare value without its ``*ValueRest`` wrapper is accepted too."""
    if not isinstance(operand, dict):
        raise _bad(f"the right operand must be an object, not {operand!r}.", operand)
    kind = operand.get("type")
    if kind is not None and _fold(str(kind)) != "valueoperandrest":
        raise _bad(f"unsupported right operand type {kind!r}.", kind)
    if "value" not in operand:
        raise _bad("the right operand has no value.", operand)
    value = operand["value"]
    if isinstance(value, dict):
        vtype = value.get("type")
        if vtype is not None and _fold(str(vtype)) == "fieldvaluerest":
            raise _bad("field-to-field comparisons are not supported.", vtype)
        if "value" not in value:
            raise _bad(f"the value {value!r} has no value.", value)
        value = value["value"]
    if isinstance(value, list):
        if len(value) > MAX_VALUES:
            raise _bad(f"at most {MAX_VALUES} values may be listed.")
        return tuple(_scalar(v) for v in value)
    if value is None:
        raise _bad("null values are not supported; use a value.", value)
    return (_scalar(value),)


def _relational(node: dict[str, Any]) -> Condition:
    left = node.get("leftOperand")
    if not isinstance(left, dict):
        raise _bad("a relational qualification needs a leftOperand object.", left)
    left_type = _fold(str(left.get("type", "PropertyOperandRest")))
    if left_type not in ("propertyoperandrest", "dboperandrest"):
        raise _bad(f"unsupported left operand type {left.get('type')!r}.", left.get("type"))
    key = left.get("key")
    field = canonical_field(key)
    op = _operator(node.get("operator"))
    if op not in FIELDS[field]:
        raise _bad(f"the operator {node.get('operator')!r} cannot be used on {key!r}.", key)
    values = _values(node.get("rightOperand"))
    if not values and op not in (Op.IN, Op.NOT_IN):
        raise _bad(f"the operator {node.get('operator')!r} needs a value.", key)
    if op is Op.BETWEEN and len(values) != 2:
        raise _bad("between needs exactly two values.", list(values))
    if op not in (Op.IN, Op.NOT_IN, Op.BETWEEN) and len(values) != 1:
        raise _bad(f"the operator {node.get('operator')!r} takes one value.", list(values))
    return Condition(field=field, op=op, values=values, key=str(key))


def _combine_or(parts: list[list[Condition]]) -> list[Condition]:
    """OR of single equality tests on one field → one ``in`` test."""
    flat = [p[0] for p in parts if len(p) == 1]
    if (
        len(flat) != len(parts)
        or not flat
        or len({c.field for c in flat}) != 1
        or any(c.op not in (Op.EQ, Op.IN) for c in flat)
    ):
        raise _bad("OR is supported only between equality tests of the same field.")
    values = tuple(v for c in flat for v in c.values)
    return [Condition(field=flat[0].field, op=Op.IN, values=values, key=flat[0].key)]


def _walk(node: object, depth: int) -> list[Condition]:
    if depth > MAX_DEPTH:
        raise _bad(f"qualifications may nest at most {MAX_DEPTH} levels.")
    if not isinstance(node, dict):
        raise _bad(f"a qualification must be an object, not {node!r}.", node)
    kind = node.get("type")
    folded = _fold(str(kind)) if kind is not None else ""
    if folded == "relationalqualificationrest" or (not folded and "leftOperand" in node):
        return [_relational(node)]
    if folded in ("flatqualificationrest", "batchqualificationrest") or (
        not folded and "quals" in node
    ):
        quals = node.get("quals") or []
        if not isinstance(quals, list):
            raise _bad("quals must be a list.", quals)
        parts = [_walk(q, depth + 1) for q in quals]
        if _fold(str(node.get("operator") or "and")) == "or":
            return _combine_or(parts) if parts else []
        if _fold(str(node.get("operator") or "and")) != "and":
            raise _bad(f"unknown operator {node.get('operator')!r}.", node.get("operator"))
        return [c for part in parts for c in part]
    if folded == "binaryqualificationrest":
        operator = _fold(str(node.get("operator") or ""))
        parts = [_walk(node.get("leftQual"), depth + 1), _walk(node.get("rightQual"), depth + 1)]
        if operator == "and":
            return parts[0] + parts[1]
        if operator == "or":
            return _combine_or(parts)
        raise _bad(f"unknown operator {node.get('operator')!r}.", node.get("operator"))
    raise _bad(f"unsupported qualification type {kind!r}.", kind)


def parse(qual_details: object) -> list[Condition]:
    """The ANDed conditions of a ``qualDetails`` value; ``None`` or ``{}`` means none."""
    if qual_details is None or qual_details == {}:
        return []
    conditions = _walk(qual_details, 0)
    if len(conditions) > MAX_CONDITIONS:
        raise _bad(f"at most {MAX_CONDITIONS} conditions are supported.")
    return conditions


# Evaluation --------------------------------------------------------------------------------


class Lookup(Protocol):
    """Name → id resolution for the fields whose values may be display names. Unknown names
    are left out of the result (a search for a status nobody has finds nothing)."""

    async def status_ids(self, names: Sequence[str]) -> list[int]: ...

    async def all_status_ids(self) -> list[int]: ...

    async def category_ids(self, names: Sequence[str]) -> list[int]: ...

    async def location_ids(self, names: Sequence[str]) -> list[int]: ...

    async def department_ids(self, names: Sequence[str]) -> list[int]: ...

    async def user_id(self, login: str) -> int | None: ...

    async def group_id(self, name: str) -> int | None: ...


def _ints(cond: Condition) -> list[int]:
    out: list[int] = []
    for value in cond.values:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _bad(f"{cond.key!r} expects numbers, not {value!r}.", value)
        try:
            number = int(value)
        except ValueError:
            raise _bad(f"{cond.key!r} expects numbers, not {value!r}.", value) from None
        if isinstance(value, float) and not value.is_integer():
            raise _bad(f"{cond.key!r} expects whole numbers, not {value!r}.", value)
        if not MIN_INT <= number <= MAX_INT:
            raise _bad(f"the number {value} is out of range.", value)
        out.append(number)
    return out


def _is_id(value: Scalar) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _texts(cond: Condition) -> list[str]:
    return [str(v) for v in cond.values if not isinstance(v, bool)]


class _Sets:
    """Accumulates ANDed set filters: each new set narrows the ones before (intersection)."""

    def __init__(self) -> None:
        self.sets: dict[str, set[Any]] = {}

    def narrow(self, name: str, values: set[Any]) -> None:
        self.sets[name] = self.sets[name] & values if name in self.sets else set(values)


def _enum_values(cond: Condition, universe: dict[Any, int], by_name: Any) -> set[Any]:
    """Values of an enumeration given by display name or ServiceOps id."""
    by_id = {number: member for member, number in universe.items()}
    out: set[Any] = set()
    for value in cond.values:
        if isinstance(value, int) and not isinstance(value, bool):
            if value in by_id:
                out.add(by_id[value])
        else:
            out.add(by_name(value, cond.key))
    return out


def _apply_set(
    sets: _Sets, name: str, cond: Condition, values: set[Any], universe: set[Any]
) -> None:
    if cond.op in (Op.NE, Op.NOT_IN):
        values = universe - values
    sets.narrow(name, values)


def _time_bounds(cond: Condition) -> tuple[datetime | None, datetime | None]:
    """Inclusive lower and exclusive upper bound of a time condition on epoch ms."""
    ms = timedelta(milliseconds=1)
    times = [mapping.from_epoch_ms(v, cond.key) for v in cond.values]
    match cond.op:
        case Op.LT:
            return None, times[0]
        case Op.LE:
            return None, times[0] + ms
        case Op.GT:
            return times[0] + ms, None
        case Op.GE:
            return times[0], None
        case Op.EQ:
            return times[0], times[0] + ms
        case _:
            low, high = sorted(times)
            return low, high + ms


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _priority_levels(cond: Condition) -> set[int]:
    by_id = {1: {4, 5}, 2: {3}, 3: {2}, 4: {1}}
    out: set[int] = set()
    for value in cond.values:
        if _is_id(value):
            out |= by_id.get(int(value), set())
        else:
            level = mapping.priority_level(value, cond.key)
            out |= {4, 5} if level == 4 else {level}
    return out


async def record_query(
    conditions: Sequence[Condition],
    lookup: Lookup,
    *,
    kinds: Sequence[RecordKind],
    offset: int = 0,
    limit: int = DEFAULT_SIZE,
    order_by: OrderField = "id",
    descending: bool = False,
) -> RecordQuery:
    """The record query meaning ``conditions`` over records of ``kinds``."""
    sets = _Sets()
    sets.narrow("kinds", set(kinds))
    scalars: dict[str, Any] = {}
    exclude_ids: set[int] = set()
    created: tuple[datetime | None, datetime | None] = (None, None)
    updated: tuple[datetime | None, datetime | None] = (None, None)

    def single(name: str, value: Any) -> None:
        """A one-value filter; asking two different values of it matches nothing."""
        if name in scalars and scalars[name] != value:
            scalars[name] = _NOTHING
        else:
            scalars[name] = value

    async def _narrow(cond: Condition) -> None:
        nonlocal created, updated
        match cond.field:
            case "id":
                ids = set(_ints(cond))
                if cond.op in (Op.NE, Op.NOT_IN):
                    exclude_ids.update(ids)
                else:
                    sets.narrow("ids", ids)
            case "name":
                numbers: set[int] = set()
                wanted_kinds: set[RecordKind] = set()
                for value in cond.values:
                    if _is_id(value):
                        numbers.add(int(value))
                        continue
                    parsed = mapping.parse_record_name(str(value))
                    if parsed is None:
                        raise _bad(f"{value!r} is not a record name such as INC-12.", value)
                    wanted_kinds.add(parsed[0])
                    numbers.add(parsed[1])
                sets.narrow("numbers", numbers)
                if wanted_kinds:
                    sets.narrow("kinds", wanted_kinds)
            case "status":
                ids = {int(v) for v in cond.values if _is_id(v)}
                names = [str(v) for v in cond.values if not _is_id(v)]
                if names:
                    ids |= set(await lookup.status_ids(names))
                universe = (
                    set(await lookup.all_status_ids()) if cond.op in (Op.NE, Op.NOT_IN) else set()
                )
                _apply_set(sets, "status_ids", cond, ids, universe)
            case "priority":
                _apply_set(sets, "priorities", cond, _priority_levels(cond), {1, 2, 3, 4, 5})
            case "impact":
                values = _enum_values(cond, dict(mapping.IMPACT_IDS), mapping.impact_of)
                _apply_set(sets, "impacts", cond, values, set(Impact))
            case "urgency":
                values = _enum_values(cond, dict(mapping.URGENCY_IDS), mapping.urgency_of)
                _apply_set(sets, "urgencies", cond, values, set(Urgency))
            case "supportlevel":
                levels = {mapping.support_level_of(v, cond.key) for v in _texts(cond)}
                if None in levels:
                    raise _bad("searching for records without a support level is not supported.")
                _apply_set(
                    sets, "support_levels", cond, {lv for lv in levels if lv}, set(SupportLevel)
                )
            case "category" | "location" | "department":
                ids = {int(v) for v in cond.values if _is_id(v)}
                names = [str(v) for v in cond.values if not _is_id(v)]
                if names:
                    resolve = {
                        "category": lookup.category_ids,
                        "location": lookup.location_ids,
                        "department": lookup.department_ids,
                    }[cond.field]
                    ids |= set(await resolve(names))
                sets.narrow(f"{cond.field}_ids", ids)
            case "requesterid" | "assigneeid" | "groupid":
                target = {
                    "requesterid": "requester_id",
                    "assigneeid": "assignee_id",
                    "groupid": "technician_group_id",
                }[cond.field]
                single(target, _ints(cond)[0])
            case "requester":
                value = cond.values[0]
                if _is_id(value):
                    single("requester_id", int(value))
                else:
                    single("requester_email", str(value).strip().lower())
            case "assignee":
                value = cond.values[0]
                user_id = int(value) if _is_id(value) else await lookup.user_id(str(value))
                single("assignee_id", user_id if user_id is not None else _NOTHING)
            case "group":
                value = cond.values[0]
                group_id = int(value) if _is_id(value) else await lookup.group_id(str(value))
                single("technician_group_id", group_id if group_id is not None else _NOTHING)
            case "subject" | "text":
                text = cond.values[0]
                if not isinstance(text, str):
                    raise _bad(f"{cond.key!r} expects text, not {text!r}.", text)
                single("title" if cond.field == "subject" else "text", text)
            case "spam":
                value = cond.values[0]
                if isinstance(value, str) and value.casefold() in ("true", "false"):
                    value = value.casefold() == "true"
                if not isinstance(value, bool):
                    raise _bad(f"{cond.key!r} expects true or false, not {value!r}.", value)
                single("spam", value)
            case "createdtime" | "updatedtime":
                low, high = _time_bounds(cond)
                if cond.field == "createdtime":
                    created = (_later(created[0], low), _earlier(created[1], high))
                else:
                    updated = (_later(updated[0], low), _earlier(updated[1], high))
            case _:
                raise _bad(f"the field {cond.key!r} cannot be searched here.", cond.key)

    for cond in conditions:
        try:
            await _narrow(cond)
        except Invalid as exc:
            if exc.field == FIELD:
                raise
            raise _bad(exc.message, exc.value) from exc

    nothing = any(value is _NOTHING for value in scalars.values())
    query: dict[str, Any] = {
        name: list(values) for name, values in sets.sets.items() if name != "kinds"
    }
    query["kinds"] = [k for k in RecordKind if k in sets.sets["kinds"]]
    if nothing:
        query["ids"] = []
    query |= {k: v for k, v in scalars.items() if v is not _NOTHING}
    if exclude_ids:
        query["exclude_ids"] = sorted(exclude_ids)
    if created[0] is not None:
        query["created_from"] = created[0]
    if created[1] is not None:
        query["created_to"] = created[1]
    if updated[0] is not None:
        query["updated_from"] = updated[0]
    if updated[1] is not None:
        query["updated_to"] = updated[1]
    return RecordQuery(
        **query, offset=offset, limit=limit, order_by=order_by, descending=descending
    )


class _Nothing:
    """A filter no record can pass (two different values required of one field)."""


_NOTHING = _Nothing()


# Paging and order --------------------------------------------------------------------------

SORT_FIELDS: dict[str, OrderField] = {
    "id": "id",
    "name": "id",
    "createdtime": "created_at",
    "updatedtime": "updated_at",
    "lastactivetime": "last_active_at",
    "dueby": "due_date",
    "duedate": "due_date",
    "priority": "priority",
    "priorityid": "priority",
    "priorityname": "priority",
}


def sort_order(sort_by: str | None) -> tuple[OrderField, bool]:
    """``sort_by`` → (order field, descending). A leading ``-`` (or a trailing `` desc``)
    sorts newest/highest first; no value sorts by id, oldest first. Priority sorts by
    importance: ``priority`` puts the most urgent first, ``-priority`` last."""
    if sort_by is None or not sort_by.strip():
        return "id", False
    text = sort_by.strip()
    descending = False
    if text.startswith("-"):
        descending, text = True, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    words = text.split()
    if len(words) == 2 and words[1].casefold() in ("asc", "desc"):
        descending = words[1].casefold() == "desc"
        text = words[0]
    order = SORT_FIELDS.get(_fold(text))
    if order is None:
        raise Invalid(
            f"Invalid sort_by {sort_by!r}: expected one of id, name, createdTime, updatedTime, "
            "lastActiveTime, dueBy, priority (with a leading - for descending).",
            field="sort_by",
            value=sort_by,
        )
    return order, descending


def page(offset: int | None, size: int | None) -> tuple[int, int]:
    """Checked ``offset`` (0-based record offset) and ``size`` (default 10, at most 10000)."""
    offset = 0 if offset is None else offset
    size = DEFAULT_SIZE if size is None else size
    if not 0 <= offset <= MAX_OFFSET:
        raise Invalid(
            f"Invalid offset: it must be from 0 to {MAX_OFFSET}.", field="offset", value=offset
        )
    if not 1 <= size <= MAX_SIZE:
        raise Invalid(f"Invalid size: it must be from 1 to {MAX_SIZE}.", field="size", value=size)
    return offset, size


# Conversations -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConversationFilter:
    types: frozenset[str] | None = None
    """``conversationType`` values to keep; ``None`` keeps every type."""
    ids: frozenset[int] | None = None
    exclude_ids: frozenset[int] = frozenset()

    def matches(self, conversation_id: int, conversation_type: str) -> bool:
        if self.types is not None and conversation_type not in self.types:
            return False
        if self.ids is not None and conversation_id not in self.ids:
            return False
        return conversation_id not in self.exclude_ids


def conversation_filter(conditions: Sequence[Condition]) -> ConversationFilter:
    """Conditions on conversations: ``conversationType`` and ``id``."""
    everything = frozenset(mapping.CONVERSATION_TYPES)
    types: frozenset[str] | None = None
    ids: frozenset[int] | None = None
    exclude: set[int] = set()
    for cond in conditions:
        if cond.field == "conversationtype":
            wanted = frozenset(_fold(v) for v in _texts(cond))
            known = {_fold(t): t for t in everything}
            values = frozenset(known[w] for w in wanted if w in known)
            if cond.op in (Op.NE, Op.NOT_IN):
                values = everything - values
            types = values if types is None else types & values
        elif cond.field == "id":
            numbers = frozenset(_ints(cond))
            if cond.op in (Op.NE, Op.NOT_IN):
                exclude |= numbers
            else:
                ids = numbers if ids is None else ids & numbers
        else:
            raise _bad(f"the field {cond.key!r} cannot be searched on conversations.", cond.key)
    return ConversationFilter(types=types, ids=ids, exclude_ids=frozenset(exclude))
