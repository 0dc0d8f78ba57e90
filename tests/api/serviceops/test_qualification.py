"""The qualification language (pure parsing, and its evaluation into a record query)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from polydesk.api.serviceops import qualification as q
from polydesk.core.enums import Impact, RecordKind, SupportLevel, Urgency
from polydesk.core.errors import Invalid


def rel(key: str, operator: str, value: Any, vtype: str = "StringValueRest") -> dict[str, Any]:
    return {
        "type": "RelationalQualificationRest",
        "leftOperand": {"type": "PropertyOperandRest", "key": key},
        "operator": operator,
        "rightOperand": {"type": "ValueOperandRest", "value": {"type": vtype, "value": value}},
    }


def flat(*quals: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FlatQualificationRest", "quals": list(quals)}


class FakeLookup:
    statuses: ClassVar[dict[str, int]] = {
        "open": 1,
        "in progress": 2,
        "pending": 3,
        "resolved": 4,
        "closed": 5,
    }

    async def status_ids(self, names: Sequence[str]) -> list[int]:
        return [self.statuses[n.lower()] for n in names if n.lower() in self.statuses]

    async def all_status_ids(self) -> list[int]:
        return list(self.statuses.values())

    async def category_ids(self, names: Sequence[str]) -> list[int]:
        return [10 for n in names if n.lower() == "network"]

    async def location_ids(self, names: Sequence[str]) -> list[int]:
        return [20 for n in names if n.lower() == "ahmedabad"]

    async def department_ids(self, names: Sequence[str]) -> list[int]:
        return [30 for n in names if n.lower() == "it"]

    async def user_id(self, login: str) -> int | None:
        return 40 if login.lower() == "tim@acme.com" else None

    async def group_id(self, name: str) -> int | None:
        return 50 if name.lower() == "desk" else None


async def query(qual: Any, **kwargs: Any) -> dict[str, Any]:
    built = await q.record_query(
        q.parse(qual), FakeLookup(), kinds=[RecordKind.INCIDENT, RecordKind.REQUEST], **kwargs
    )
    return built.model_dump(exclude_defaults=True)


async def test_empty_qualifications_match_every_record_of_the_kinds() -> None:
    for empty in (None, {}, flat()):
        assert await query(empty) == {
            "kinds": [RecordKind.INCIDENT, RecordKind.REQUEST],
            "limit": 10,
        }


async def test_documented_samples() -> None:
    # spec §8.2: id not_in [90]
    sample = flat(
        {
            "type": "RelationalQualificationRest",
            "leftOperand": {"type": "DbOperandRest", "key": "id"},
            "operator": "not_in",
            "rightOperand": {
                "type": "ValueOperandRest",
                "value": {"type": "ListLongValueRest", "value": [90]},
            },
        }
    )
    assert (await query(sample))["exclude_ids"] == [90]
    # spec §6.3: conversation type equal note
    conditions = q.parse(
        flat(rel(".conversation.conversationType", "equal", "note", "EnumValueRest"))
    )
    assert q.conversation_filter(conditions).types == frozenset({"note"})


async def test_operators_match_ignoring_case_and_underscores() -> None:
    for operator in ("equal", "Equal", "EQUAL", "Equal_Case_Insensitive"):
        assert (await query(flat(rel("request.statusName", operator, "Open"))))["status_ids"] == [1]
    for operator in ("not_in", "Not_In", "NOTIN"):
        got = await query(
            flat(rel("statusName", operator, ["Open", "Closed"], "ListStringValueRest"))
        )
        assert sorted(got["status_ids"]) == [2, 3, 4]


async def test_fields_and_prefixes() -> None:
    got = await query(
        flat(
            rel(".request.priorityName", "in", ["High", "urgent"], "ListStringValueRest"),
            rel("request.impactName", "equal", "On Users"),
            rel("urgencyName", "equal", "low"),
            rel("supportLevel", "equal", "Tier 2"),
            rel("categoryName", "equal", "Network"),
            rel("locationName", "in", ["Ahmedabad", "Mars"], "ListStringValueRest"),
            rel("departmentName", "equal", "IT"),
            rel("request.subject", "contains", "mail"),
            rel("requesterEmail", "equal", "Tim@Acme.com"),
            rel("assigneeEmail", "equal", "tim@acme.com"),
            rel("technicianGroupName", "equal", "Desk"),
            rel("spam", "equal", False, "BooleanValueRest"),
            rel("request.id", "in", [1, 2, 3], "ListLongValueRest"),
            rel("request.id", "not_equal", 2, "LongValueRest"),
        )
    )
    assert sorted(got["priorities"]) == [1, 2]
    assert got["impacts"] == [Impact.ON_USER]
    assert got["urgencies"] == [Urgency.LOW]
    assert got["support_levels"] == [SupportLevel.TIER2]
    assert got["category_ids"] == [10]
    assert got["location_ids"] == [20]
    assert got["department_ids"] == [30]
    assert got["title"] == "mail"
    assert got["requester_email"] == "tim@acme.com"
    assert got["assignee_id"] == 40
    assert got["technician_group_id"] == 50
    assert got["spam"] is False
    assert sorted(got["ids"]) == [1, 2, 3]
    assert got["exclude_ids"] == [2]


async def test_ids_of_enumerations_and_priority_ids() -> None:
    got = await query(flat(rel("request.priorityId", "in", [1, 4], "ListLongValueRest")))
    assert sorted(got["priorities"]) == [1, 4, 5]  # 1 = Low (core 4 and 5), 4 = Urgent
    got = await query(flat(rel("request.statusId", "equal", 9, "LongValueRest")))
    assert got["status_ids"] == [9]
    got = await query(flat(rel("urgencyId", "equal", 4, "LongValueRest")))
    assert got["urgencies"] == [Urgency.URGENT]


async def test_names_of_records() -> None:
    got = await query(flat(rel("name", "equal", "INC-12")))
    assert got["numbers"] == [12] and got["kinds"] == [RecordKind.INCIDENT]
    got = await query(flat(rel("name", "in", ["SR-3", "sr-4"], "ListStringValueRest")))
    assert sorted(got["numbers"]) == [3, 4] and got["kinds"] == [RecordKind.REQUEST]
    got = await query(flat(rel("name", "equal", "CHG-1")))
    assert got["kinds"] == []  # a change name never matches a request search


async def test_and_narrows_and_or_of_one_field_widens() -> None:
    got = await query(
        flat(
            rel("statusName", "in", ["Open", "Pending"], "ListStringValueRest"),
            rel("statusName", "not_equal", "Open"),
        )
    )
    assert got["status_ids"] == [3]
    either = {
        "type": "BinaryQualificationRest",
        "leftQual": rel("statusName", "equal", "Open"),
        "operator": "OR",
        "rightQual": rel("statusName", "equal", "Pending"),
    }
    assert sorted((await query(either))["status_ids"]) == [1, 3]
    both = {
        "type": "BatchQualificationRest",
        "operator": "and",
        "quals": [either, rel("spam", "equal", True, "BooleanValueRest")],
    }
    got = await query(both)
    assert sorted(got["status_ids"]) == [1, 3] and got["spam"] is True


async def test_contradictions_and_unknown_names_find_nothing() -> None:
    got = await query(flat(rel("statusName", "equal", "Nonexistent")))
    assert got["status_ids"] == []
    got = await query(flat(rel("assigneeEmail", "equal", "nobody@example.com")))
    assert got["ids"] == []
    got = await query(
        flat(
            rel("requesterId", "equal", 1, "LongValueRest"),
            rel("requesterId", "equal", 2, "LongValueRest"),
        )
    )
    assert got["ids"] == []


async def test_time_ranges_in_epoch_ms() -> None:
    t1, t2 = 1_700_000_000_000, 1_700_000_100_000
    got = await query(
        flat(
            rel("request.createdTime", "greater_than_or_equal", t1, "TimeValueRest"),
            rel("request.createdTime", "LessThan", t2, "TimeValueRest"),
            rel("updatedTime", "between", [t1, t2], "ListLongValueRest"),
        )
    )
    assert got["created_from"] == datetime.fromtimestamp(t1 / 1000, UTC)
    assert got["created_to"] == datetime.fromtimestamp(t2 / 1000, UTC)
    assert got["updated_from"] == datetime.fromtimestamp(t1 / 1000, UTC)
    assert got["updated_to"] == datetime.fromtimestamp((t2 + 1) / 1000, UTC)
    got = await query(flat(rel("createdTime", "after", t1, "TimeValueRest")))
    assert got["created_from"] == datetime.fromtimestamp((t1 + 1) / 1000, UTC)


@pytest.mark.parametrize(
    ("qual", "fragment"),
    [
        ([], "must be an object"),
        ({"type": "Nonsense"}, "unsupported qualification type"),
        (flat(rel("request.mood", "equal", "happy")), "cannot be searched"),
        (flat(rel("statusName", "Sounds_Like", "Open")), "unsupported operator"),
        (flat(rel("subject", "equal", "x")), "cannot be used on"),
        (flat(rel("id", "equal", "abc")), "expects numbers"),
        (flat(rel("id", "equal", None)), "null values"),
        (flat(rel("createdTime", "between", [1], "ListLongValueRest")), "exactly two"),
        (flat(rel("createdTime", "less_than", "yesterday")), "epoch milliseconds"),
        (flat(rel("priorityName", "equal", "Whenever")), "priorityName"),
        (flat(rel("spam", "equal", "maybe")), "true or false"),
        (flat(rel("name", "equal", "twelve")), "record name"),
        (
            {
                "type": "BinaryQualificationRest",
                "leftQual": rel("statusName", "equal", "Open"),
                "operator": "OR",
                "rightQual": rel("spam", "equal", True, "BooleanValueRest"),
            },
            "OR is supported only",
        ),
        ({"type": "FlatQualificationRest", "quals": "x"}, "must be a list"),
        (
            flat(
                {
                    "type": "RelationalQualificationRest",
                    "leftOperand": {"type": "CustomFieldOperandRest", "fieldName": "x"},
                    "operator": "equal",
                    "rightOperand": {"value": "1"},
                }
            ),
            "unsupported left operand",
        ),
    ],
)
async def test_bad_qualifications_are_invalid(qual: Any, fragment: str) -> None:
    with pytest.raises(Invalid) as info:
        await query(qual)
    assert fragment in info.value.message
    assert info.value.field == "qualDetails"


def test_nesting_is_bounded() -> None:
    node: dict[str, Any] = rel("id", "equal", 1, "LongValueRest")
    for _ in range(q.MAX_DEPTH + 2):
        node = flat(node)
    with pytest.raises(Invalid, match="nest"):
        q.parse(node)


def test_sort_and_page() -> None:
    assert q.sort_order(None) == ("id", False)
    assert q.sort_order("createdTime") == ("created_at", False)
    assert q.sort_order("-updatedTime") == ("updated_at", True)
    assert q.sort_order("createdTime desc") == ("created_at", True)
    assert q.sort_order("name") == ("id", False)
    with pytest.raises(Invalid) as info:
        q.sort_order("colour")
    assert info.value.field == "sort_by"
    assert q.page(None, None) == (0, 10)
    assert q.page(20, 2000) == (20, 2000)
    for offset, size in ((-1, 10), (0, 0), (0, q.MAX_SIZE + 1)):
        with pytest.raises(Invalid):
            q.page(offset, size)


def test_conversation_filters() -> None:
    conditions = q.parse(
        flat(
            rel("conversationType", "not_in", ["collaborate"], "ListStringValueRest"),
            rel("id", "in", [1, 2, 3], "ListLongValueRest"),
            rel("id", "not_equal", 3, "LongValueRest"),
        )
    )
    found = q.conversation_filter(conditions)
    assert found.matches(1, "note")
    assert found.matches(2, "requestor_to_technician")
    assert not found.matches(2, "collaborate")
    assert not found.matches(3, "note")
    assert not found.matches(4, "note")
    with pytest.raises(Invalid, match="conversations"):
        q.conversation_filter(q.parse(flat(rel("statusName", "equal", "Open"))))
