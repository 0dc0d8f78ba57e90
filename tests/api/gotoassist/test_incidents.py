"""Incidents: list, show, create, update, and the life cycle through closed_at/resolved_at."""

from __future__ import annotations

from polydesk.core.actor import Actor
from polydesk.core.enums import RecordKind
from polydesk.domains.watches import service as watches
from tests.api.gotoassist.conftest import Desk, failed
from tests.factories import make_record


async def test_create_show_and_list_an_incident(desk: Desk) -> None:
    body = {
        "incident": {
            "title": "Printer on fire",
            "service_id": str(desk.service.id),
            "assigned_user_id": desk.tech.id,
            "symptom": "Smoke everywhere",
            "notify_watchlisted": True,
        }
    }
    created = (await desk.ok(await desk.post("/v1/incidents.json", body)))["incident"]
    assert created["title"] == "Printer on fire"
    assert created["reference_num"] == created["id"]
    assert created["incident_link"] == f"/v1/incidents/{created['id']}"
    assert created["assigned_user"]["full_name"] == "Dan Lee"
    assert created["service"]["name"] == "Service Desk"
    assert created["priority"]["level"] == 3
    assert created["symptoms"][0]["symptom"]["note"] == "Smoke everywhere"
    assert created["latest_note"]["note"] == "Smoke everywhere"
    assert created["closed_at"] == ""

    shown = await desk.ok(await desk.get(f"/external_api/v1/incidents/{created['id']}.json"))
    assert shown["incident"]["incident_link"] == f"/external_api/v1/incidents/{created['id']}"

    listed = await desk.ok(await desk.get("/v1/incidents.json"))
    assert listed["total_entries"] == 1 and listed["total_pages"] == 1
    assert listed["incidents"][0]["id"] == created["id"]


async def test_missing_title_and_service(desk: Desk) -> None:
    errors = failed(await desk.post("/v1/incidents.json", {"incident": {}}))
    assert errors == ["title can't be blank", "service_id can't be blank"]


async def test_not_found(desk: Desk) -> None:
    assert failed(await desk.get("/v1/incidents/999999.json")) == ["no incident found"]
    assert failed(await desk.get("/v1/incidents/abc")) == ["no incident found"]


async def test_close_and_reopen(desk: Desk) -> None:
    async with desk.db.unit_of_work() as session:
        record = await make_record(session, kind=RecordKind.INCIDENT, service_id=desk.service.id)
    path = f"/v1/incidents/{record.id}.json"
    closed = await desk.ok(
        await desk.put(
            path,
            {
                "incident": {
                    "closed_at": "2026-01-02T03:04:05Z",
                    "closure_code": 0,
                    "closure_comment": "done",
                }
            },
        )
    )
    assert closed["incident"]["closed_at"] == "2026-01-02T03:04:05Z"
    assert closed["incident"]["closure_code"] == "0"
    assert closed["incident"]["status"] == "Closed"
    reopened = await desk.ok(
        await desk.put(path, {"incident": {"closed_at": "", "closure_code": ""}})
    )
    assert reopened["incident"]["closed_at"] == ""
    assert reopened["incident"]["status"] == "Reopened"


async def test_resolve_and_reopen_through_resolved_at(desk: Desk) -> None:
    async with desk.db.unit_of_work() as session:
        record = await make_record(session, kind=RecordKind.INCIDENT, service_id=desk.service.id)
    path = f"/v1/incidents/{record.id}"
    resolved = await desk.ok(
        await desk.put(path, {"incident": {"resolved_at": "2026-02-03T04:05:06+01:00"}})
    )
    assert resolved["incident"]["resolved_at"] == "2026-02-03T03:05:06Z"
    assert resolved["incident"]["status"] == "Resolved"
    assert resolved["incident"]["resolved_by_user"]["id"] == desk.tech.id
    reopened = await desk.ok(await desk.put(path, {"incident": {"resolved_at": ""}}))
    assert reopened["incident"]["resolved_at"] == ""


async def test_paging_order_and_filters(desk: Desk) -> None:
    from datetime import UTC, datetime

    async with desk.db.unit_of_work() as session:
        for day in (3, 1, 2):
            await make_record(
                session,
                kind=RecordKind.INCIDENT,
                title=f"due {day}",
                service_id=desk.service.id,
                due_date=datetime(2026, 1, day, tzinfo=UTC),
                assignee_id=desk.tech.id if day == 2 else None,
            )
        await make_record(session, kind=RecordKind.INCIDENT, title="no due date")
        await make_record(session, kind=RecordKind.PROBLEM, title="a problem")
    first = await desk.ok(await desk.get("/v1/incidents.json?limit=2"))
    assert first["total_entries"] == 4 and first["total_pages"] == 2
    assert [i["title"] for i in first["incidents"]] == ["due 1", "due 2"]
    second = await desk.ok(await desk.get("/v1/incidents.json?limit=2&page=2"))
    assert [i["title"] for i in second["incidents"]] == ["due 3", "no due date"]
    default = await desk.ok(await desk.get("/v1/incidents.json"))
    assert len(default["incidents"]) == 4  # limit 10 by default
    by_service = await desk.ok(await desk.get(f"/v1/incidents.json?service_ids={desk.service.id}"))
    assert by_service["total_entries"] == 3
    mine = await desk.ok(await desk.get(f"/v1/incidents.json?selected_user_id={desk.tech.id}"))
    assert [i["title"] for i in mine["incidents"]] == ["due 2"]
    newest = await desk.ok(await desk.get("/v1/incidents.json?order=created_at&limit=1"))
    assert newest["incidents"][0]["title"] == "no due date"


async def test_change_and_release_notes_from_the_body(desk: Desk) -> None:
    sid = desk.service.id
    change = (
        await desk.ok(
            await desk.post(
                "/v1/changes.json",
                {
                    "change": {
                        "title": "Upgrade",
                        "service_id": sid,
                        "type": "Normal",
                        "reason": "Old",
                        "description": "Upgrade the box",
                        "priority_level": "5",
                    }
                },
            )
        )
    )["change"]
    assert change["change_type"] == "Normal"
    assert change["reasons"][0]["reason"]["note"] == "Old"
    assert change["descriptions"][0]["description"]["note"] == "Upgrade the box"
    assert change["priority"]["level"] == 5
    release = (
        await desk.ok(
            await desk.post(
                "/v1/releases.json",
                {"release": {"title": "R1", "service_id": sid, "release_component": "API"}},
            )
        )
    )["release"]
    assert release["components"][0]["component"]["note"] == "API"
    assert release["release_components"][0]["release_component"]["note"] == "API"
    assert release["release_link"] == f"/v1/releases/{release['id']}"
    # a change id is not an incident
    assert failed(await desk.get(f"/v1/incidents/{change['id']}.json")) == ["no incident found"]


async def test_records_of_other_dialects_read_with_the_same_id(desk: Desk) -> None:
    async with desk.db.unit_of_work() as session:
        request = await make_record(session, kind=RecordKind.REQUEST, title="From ServiceOps")
    shown = (await desk.ok(await desk.get(f"/v1/incidents/{request.id}.json")))["incident"]
    assert shown["id"] == shown["reference_num"] == request.id
    assert shown["title"] == "From ServiceOps"


async def test_a_write_that_fails_halfway_leaves_nothing(desk: Desk) -> None:
    """The record is created before its symptom note is refused: both are rolled back."""
    body = {
        "incident": {
            "title": "Half written",
            "service_id": str(desk.service.id),
            "symptom": "x" * 100_001,
        }
    }
    errors = failed(await desk.post("/v1/incidents.json", body))
    assert any("note body" in e for e in errors), errors
    listed = await desk.ok(await desk.get("/v1/incidents.json"))
    assert listed["total_entries"] == 0


async def test_include_watchlisted_adds_the_selected_users_watched_records(desk: Desk) -> None:
    async with desk.db.unit_of_work() as session:
        mine = await make_record(
            session, kind=RecordKind.INCIDENT, title="mine", assignee_id=desk.tech.id
        )
        watched = await make_record(
            session, kind=RecordKind.INCIDENT, title="watched", assignee_id=desk.admin.id
        )
        await make_record(session, kind=RecordKind.INCIDENT, title="not mine")
        change = await make_record(session, kind=RecordKind.CHANGE, title="watched change")
        for record in (mine, watched, change):
            await watches.add_watch(
                session, Actor.system(), record_id=record.id, user_id=desk.tech.id
            )
    base = f"/v1/incidents.json?selected_user_id={desk.tech.id}&order=created_at"

    assigned = await desk.ok(await desk.get(base))
    assert [i["title"] for i in assigned["incidents"]] == ["mine"]
    for false in ("false", "0"):
        same = await desk.ok(await desk.get(f"{base}&include_watchlisted={false}"))
        assert [i["title"] for i in same["incidents"]] == ["mine"]

    both = await desk.ok(await desk.get(f"{base}&include_watchlisted=true"))
    assert both["total_entries"] == 2 and both["total_pages"] == 1
    assert [i["title"] for i in both["incidents"]] == ["watched", "mine"]
    paged = await desk.ok(await desk.get(f"{base}&include_watchlisted=1&limit=1&page=2"))
    assert paged["total_entries"] == 2 and paged["total_pages"] == 2
    assert [i["title"] for i in paged["incidents"]] == ["mine"]

    changes = await desk.ok(
        await desk.get(f"/v1/changes?selected_user_id={desk.tech.id}&include_watchlisted=true")
    )
    assert [c["title"] for c in changes["changes"]] == ["watched change"]
    # Without a selected user there is nobody's watch list: the flag changes nothing.
    everything = await desk.ok(await desk.get("/v1/incidents.json?include_watchlisted=true"))
    assert everything["total_entries"] == 3
    bad = failed(await desk.get(f"{base}&include_watchlisted=maybe"))
    assert bad == ["include_watchlisted is invalid"]
