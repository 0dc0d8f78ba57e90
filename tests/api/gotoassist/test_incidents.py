"""Incidents: list, show, create, update, and the life cycle through closed_at/resolved_at."""

from __future__ import annotations

from polydesk.core.enums import RecordKind
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
