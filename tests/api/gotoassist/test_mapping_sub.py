"""The pure wire mapping of notes, watches, testers, review users, issues, release records, time
entries, links and configuration: value coercion, aliases, Rails-style errors, shapes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from polydesk.api.gotoassist import mapping_sub as m
from polydesk.core.enums import NoteType, RecordKind
from polydesk.core.errors import Invalid
from polydesk.models import ChangeTester, Note, TimeEntry, Watch

BASE = "/external_api/v1"
WHEN = datetime(2010, 3, 23, 0, 11, 47, 123456, tzinfo=UTC)


def _message(exc: pytest.ExceptionInfo[Invalid]) -> str:
    return exc.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [(7, 7), ("7", 7), (" 42 ", 42), (7.0, 7), (None, None), ("", None), (2**63 - 1, 2**63 - 1)],
)
def test_as_id_accepts_numbers_and_numeric_strings(value: object, expected: int | None) -> None:
    assert m.as_id(value, "service_id") == expected


@pytest.mark.parametrize("value", [True, "x1", "-3", 0, -1, 2**63, "9" * 30, 1.5, [], {}])
def test_as_id_refuses_anything_else(value: object) -> None:
    with pytest.raises(Invalid) as exc:
        m.as_id(value, "service_id")
    assert _message(exc) == "service_id is invalid"
    assert exc.value.field == "service_id"


def test_as_int_and_as_number() -> None:
    assert m.as_int("15", "minutes") == 15
    assert m.as_int(-2, "minutes") == -2
    assert m.as_number("1.5", "hours") == 1.5
    for bad in ("ten", True, [1], "1e400"):
        with pytest.raises(Invalid, match="is not a number"):
            m.as_int(bad, "minutes")
    with pytest.raises(Invalid, match="must be an integer"):
        m.as_int(1.5, "minutes")
    with pytest.raises(Invalid, match="too large"):
        m.as_int(10**12, "minutes")
    others: tuple[object, ...] = ("nan", "inf", {}, float("nan"))
    for other in others:
        with pytest.raises(Invalid):
            m.as_number(other, "hours")


def test_as_bool_and_dates() -> None:
    assert m.as_bool("true", "x") is True
    assert m.as_bool(0, "x") is False
    assert m.as_bool(None, "x") is None
    with pytest.raises(Invalid, match="x is invalid"):
        m.as_bool("maybe", "x")
    assert m.as_datetime("2010-03-23T00:11:47Z", "at") == datetime(
        2010, 3, 23, 0, 11, 47, tzinfo=UTC
    )
    assert m.as_datetime("2010-03-23T00:11:47", "at") == datetime(
        2010, 3, 23, 0, 11, 47, tzinfo=UTC
    )
    assert m.as_datetime("", "at") is None
    assert m.as_date("2024-02-29", "date") == date(2024, 2, 29)
    assert m.as_date("2024-02-29T23:30:00-05:00", "date") == date(2024, 3, 1)
    for bad in ("yesterday", 5, "2024-02-30"):
        with pytest.raises(Invalid, match="is invalid"):
            m.as_date(bad, "date")
    assert m.iso(WHEN) == "2010-03-23T00:11:47Z"
    assert m.iso(None) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("comment", NoteType.COMMENT),
        ("comments", NoteType.COMMENT),
        ("Symptom", NoteType.SYMPTOM),
        ("build_progress_notes", NoteType.BUILD_PROGRESS_NOTE),
        ("release_component", NoteType.COMPONENT),
        ("components", NoteType.COMPONENT),
        ("root_causes", NoteType.ROOT_CAUSE),
        ("nonsense", None),
        (3, None),
    ],
)
def test_note_type_singular_plural_and_aliases(value: object, expected: NoteType | None) -> None:
    assert m.note_type_from(value) is expected


def test_note_to_wire_names_its_link_after_its_type() -> None:
    note = Note(id=2, record_id=1024, note_type="symptom", body="text", public=True)
    note.created_at = note.updated_at = WHEN
    user = {"id": 18}
    wire = m.note_to_wire(note, user=user, parent_path=f"{BASE}/incidents/1024")
    assert wire["id"] == 2
    assert wire["note"] == "text"
    assert wire["user"] == user
    assert wire["created_at"] == "2010-03-23T00:11:47Z"
    assert wire["symptom_link"] == "/external_api/v1/incidents/1024/symptoms/2"


def test_note_bodies() -> None:
    data = m.note_create_from({"note": "hello", "hidden": "true"}, NoteType.RESOLUTION)
    assert (data.body, data.note_type, data.public) == ("hello", NoteType.RESOLUTION, False)
    with pytest.raises(Invalid) as exc:
        m.note_create_from({"note": "  "}, NoteType.COMMENT)
    assert _message(exc) == "note can't be blank"
    with pytest.raises(Invalid, match="note can't be blank"):
        m.note_create_from({"id": 3}, NoteType.COMMENT)
    update = m.note_update_from({"note": "x", "id": 9, "comment_link": "/v1/…"}, None)
    assert update.model_dump(exclude_unset=True) == {"body": "x"}
    moved = m.note_update_from({}, NoteType.SYMPTOM)
    assert moved.model_dump(exclude_unset=True) == {"note_type": NoteType.SYMPTOM}


def test_watch_shape_and_targets() -> None:
    watch = Watch(id=811, record_id=331, user_id=20)
    watch.created_at = WHEN
    wire = m.watch_to_wire(watch, watched_by={"id": 20}, parent_path=f"{BASE}/incidents/331")
    assert wire["watch_link"] == "/external_api/v1/incidents/331/watches/811"
    assert wire["watched_by"] == {"id": 20}
    external = Watch(id=812, record_id=331, external_email="a@b.example")
    assert m.watch_to_wire(external, watched_by=None, parent_path="/v1/incidents/331")[
        "watched_by"
    ] == {"external_email": "a@b.example"}
    assert m.watch_target_from({"watched_by": "20"}) == (20, None, None)
    assert m.watch_target_from({"watched_by": {"id": 20, "user_link": "/v1/users/20"}}) == (
        20,
        None,
        None,
    )
    customer = {"id": 5, "first_name": "A", "customer_link": "/v1/customers/5"}
    assert m.watch_target_from({"watched_by": customer}) == (None, 5, None)
    assert m.watch_target_from({"external_email": " a@b.example "}) == (None, None, "a@b.example")
    with pytest.raises(Invalid) as exc:
        m.watch_target_from({})
    assert _message(exc) == "watched_by can't be blank"
    with pytest.raises(Invalid, match="watched_by is invalid"):
        m.watch_target_from({"watched_by": "abc"})


def test_tester_and_review_user_bodies() -> None:
    data = m.tester_create_from({"tester_id": "4", "status": "passed", "tested_at": "2020-01-01"})
    assert (data.user_id, data.status) == (4, "passed")
    assert data.tested_at == datetime(2020, 1, 1, tzinfo=UTC)
    with pytest.raises(Invalid, match="user_id can't be blank"):
        m.tester_create_from({"status": "x"})
    assert m.tester_update_from({"status": "failed", "id": 3}).model_dump(exclude_unset=True) == {
        "status": "failed"
    }
    # Embedded objects read from a Show call are read-only: ignored.
    assert m.tester_update_from({"tester": {"id": 9}}).model_dump(exclude_unset=True) == {}
    assert m.tester_update_from({"user_id": {"id": 9}}).user_id == 9
    reviewer = m.review_user_create_from({"user_id": 4, "note": "ok"})
    assert (reviewer.user_id, reviewer.note, reviewer.status) == (4, "ok", "pending")
    assert m.review_user_update_from({"reviewed_at": ""}).model_dump(exclude_unset=True) == {
        "reviewed_at": None
    }
    tester = ChangeTester(id=1, record_id=5, user_id=4, status="pending")
    tester.created_at = WHEN
    wire = m.tester_to_wire(tester, user=None, base=BASE)
    assert wire["tester_link"] == "/external_api/v1/changes/5/testers/1"
    assert wire["change_link"] == "/external_api/v1/changes/5"


def test_issue_and_release_record_bodies() -> None:
    issue = m.issue_create_from({"title": "Broken", "note": "details", "user_id": "2"})
    assert (issue.title, issue.description, issue.user_id) == ("Broken", "details", 2)
    assert m.issue_create_from({"title": "x", "user": {"id": 2}}).user_id is None
    with pytest.raises(Invalid, match="title can't be blank"):
        m.issue_create_from({"description": "x"})
    with pytest.raises(Invalid, match="title can't be blank"):
        m.issue_update_from({"title": ""})
    record = m.release_record_create_from({"name": "Deployed to staging"})
    assert record.title == "Deployed to staging"
    assert m.release_record_update_from({"note": None}).model_dump(exclude_unset=True) == {
        "note": None
    }


def test_parent_from() -> None:
    kinds = (RecordKind.CHANGE, RecordKind.RELEASE)
    assert m.parent_from({"change_id": "5"}, kinds) == (RecordKind.CHANGE, 5)
    assert m.parent_from({"parent_type": "releases", "parent_id": 6}, kinds) == (
        RecordKind.RELEASE,
        6,
    )
    assert m.parent_from({"incident_id": 3}, kinds) is None
    assert m.parent_from({}, kinds) is None
    with pytest.raises(Invalid, match="parent_type is invalid"):
        m.parent_from({"parent_type": "incidents", "parent_id": 1}, kinds)
    with pytest.raises(Invalid, match="parent_id can't be blank"):
        m.parent_from({"parent_type": "changes"}, kinds)


def test_time_entry_bodies_and_shape() -> None:
    assert m.time_entry_create_from({"minutes": "30"}).minutes == 30
    assert m.time_entry_create_from({"time_spent": 5}).minutes == 5
    assert m.time_entry_create_from({"hours": 1.5}).minutes == 90
    data = m.time_entry_create_from({"minutes": 1, "date": "2024-01-02", "description": "d"})
    assert (data.spent_on, data.note) == (date(2024, 1, 2), "d")
    with pytest.raises(Invalid, match="minutes can't be blank"):
        m.time_entry_create_from({"note": "x"})
    with pytest.raises(Invalid, match="minutes is not a number"):
        m.time_entry_create_from({"minutes": "lots"})
    with pytest.raises(Invalid, match="greater than or equal to 0"):
        m.time_entry_create_from({"minutes": -5})
    assert m.time_entry_update_from({"id": 3}).model_dump(exclude_unset=True) == {}
    entry = TimeEntry(id=3, record_id=9, user_id=None, minutes=90, spent_on=date(2024, 1, 2))
    entry.created_at = entry.updated_at = WHEN
    wire = m.time_entry_to_wire(entry, user=None, base=BASE, parent_kind=RecordKind.REQUEST)
    assert wire["hours"] == 1.5
    assert wire["incident_id"] == 9
    assert wire["time_entry_link"] == "/external_api/v1/incidents/9/time_entries/3"


def test_links_four_arrays_pointing_at_the_link_resource() -> None:
    wire = m.links_to_wire(
        BASE,
        RecordKind.INCIDENT,
        33,
        {RecordKind.PROBLEM: [164], RecordKind.REQUEST: [1234], RecordKind.RELEASE: [265]},
    )
    assert list(wire) == ["incidents", "changes", "problems", "releases"]
    assert wire["changes"] == []
    assert wire["incidents"] == [
        {"incident_id": 1234, "incident_link": "/external_api/v1/links/incidents/33/incidents/1234"}
    ]
    assert wire["problems"][0]["problem_link"].endswith("/links/incidents/33/problems/164")
    assert m.link_targets_from({"change_id": "234", "release_id": 3}) == [
        (RecordKind.CHANGE, 234),
        (RecordKind.RELEASE, 3),
    ]
    with pytest.raises(Invalid, match="can't be blank"):
        m.link_targets_from({"link": 4})


def test_config_item_bodies() -> None:
    data = m.config_item_create_from(
        {"name": "Laptop 7", "config_type_id": "3", "additional_values": {"RAM": 16}}
    )
    assert (data.name, data.config_type_id, data.attributes) == ("Laptop 7", 3, {"RAM": 16})
    from_path = m.config_item_create_from({"name": "x", "config_type_id": 9}, config_type_id=4)
    assert from_path.config_type_id == 4
    with pytest.raises(Invalid, match="name can't be blank"):
        m.config_item_create_from({"config_type_id": 3})
    with pytest.raises(Invalid, match="config_type_id can't be blank"):
        m.config_item_create_from({"name": "x"})
    with pytest.raises(Invalid, match="attributes is invalid"):
        m.config_item_create_from({"name": "x", "config_type_id": 1, "attributes": "RAM"})
    pairs = m.config_item_create_from(
        {"name": "x", "config_type_id": 1, "attributes": [{"attribute": {"name": "A", "value": 1}}]}
    )
    assert pairs.attributes == {"A": 1}
    update = m.config_item_update_from({"config_type": {"id": 5, "name": "Laptops"}, "id": 1})
    assert update.model_dump(exclude_unset=True) == {}
    moved = m.config_item_update_from({"config_type_id": "5"})
    assert moved.model_dump(exclude_unset=True) == {"config_type_id": 5}
    assert m.relationships_from(
        {
            "relationships": [
                {"config_relationship_type_id": 1, "related_config_item_id": "8"},
                {
                    "relationship": {
                        "direction": "outgoing",
                        "relationship_type": {"id": 2},
                        "related_config_item": {"id": 9},
                    }
                },
                {"relationship": {"direction": "incoming", "relationship_type": {"id": 2}}},
            ]
        }
    ) == [(1, 8), (2, 9)]
    with pytest.raises(Invalid, match="related_config_item_id can't be blank"):
        m.relationships_from({"relationships": [{"relationship_type_id": 1}]})
    with pytest.raises(Invalid, match="relationships is invalid"):
        m.relationships_from({"relationships": "all"})
