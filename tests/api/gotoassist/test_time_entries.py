"""Time entries under records and at the top level: minutes (and hours), the record's
total_time_spent, paged lists, and errors that change nothing."""

from __future__ import annotations

from polydesk.core.enums import RecordKind
from polydesk.domains.time_entries import service as time_entries
from polydesk.models import Record
from tests.api.gotoassist.conftest import Desk, failed
from tests.factories import make_record


async def _record(desk: Desk, kind: RecordKind = RecordKind.INCIDENT) -> Record:
    async with desk.db.unit_of_work() as session:
        return await make_record(session, kind=kind, service_id=desk.service.id)


async def _count(desk: Desk) -> int:
    async with desk.db.unit_of_work() as session:
        return (await time_entries.list_time_entries(session))[1]


async def test_time_entry_life_cycle(desk: Desk) -> None:
    record = await _record(desk)
    base = f"/v1/incidents/{record.id}/time_entries"
    made = (
        await desk.ok(
            await desk.post(
                f"{base}.json",
                {"time_entry": {"minutes": "45", "note": "Fixed it", "spent_on": "2026-01-05"}},
            )
        )
    )["time_entry"]
    assert (made["minutes"], made["hours"], made["spent_on"]) == (45, 0.75, "2026-01-05")
    assert made["user"]["full_name"] == "Dan Lee"
    assert made["incident_id"] == record.id
    assert made["incident_link"] == f"/v1/incidents/{record.id}"
    assert made["time_entry_link"] == f"{base}/{made['id']}"

    by_hours = (await desk.ok(await desk.post(f"{base}.json", {"time_entry": {"hours": 1.5}})))[
        "time_entry"
    ]
    assert by_hours["minutes"] == 90

    incident = (await desk.ok(await desk.get(f"/v1/incidents/{record.id}.json")))["incident"]
    assert incident["total_time_spent"] == 135

    listed = await desk.ok(await desk.get(f"{base}.json"))
    assert listed["total_entries"] == 2
    assert [e["id"] for e in listed["time_entries"]] == [made["id"], by_hours["id"]]

    # Show Time Entry, both forms.
    assert (await desk.ok(await desk.get(f"{base}/{made['id']}.json")))["time_entry"] == made
    assert (await desk.ok(await desk.get(f"/v1/time_entries/{made['id']}.json")))[
        "time_entry"
    ] == made

    updated = await desk.ok(
        await desk.put(f"{base}/{made['id']}.json", {"time_entry": {"minutes": 50}})
    )
    assert updated["time_entry"]["minutes"] == 50
    deleted = await desk.ok(
        await desk.client.delete(f"/v1/time_entries/{by_hours['id']}.json", headers=desk.auth)
    )
    assert deleted["time_entry"]["id"] == by_hours["id"]
    incident = (await desk.ok(await desk.get(f"/v1/incidents/{record.id}.json")))["incident"]
    assert incident["total_time_spent"] == 50


async def test_top_level_create_and_list(desk: Desk) -> None:
    change = await _record(desk, RecordKind.CHANGE)
    made = (
        await desk.ok(
            await desk.post(
                "/v1/time_entries.json",
                {"time_entry": {"minutes": 10, "change_id": change.id, "user_id": desk.admin.id}},
            )
        )
    )["time_entry"]
    assert made["change_link"] == f"/v1/changes/{change.id}"
    assert made["user"]["id"] == desk.admin.id
    second = await desk.ok(
        await desk.post(
            "/v1/time_entries.json",
            {"time_entry": {"minutes": 5, "parent_type": "changes", "parent_id": str(change.id)}},
        )
    )
    assert second["time_entry"]["user"]["id"] == desk.tech.id
    mine = await desk.ok(await desk.get(f"/v1/time_entries.json?selected_user_id={desk.tech.id}"))
    assert mine["total_entries"] == 1
    everything = await desk.ok(await desk.get("/v1/time_entries.json?limit=1"))
    assert (everything["total_entries"], everything["total_pages"]) == (2, 2)
    updated = await desk.ok(
        await desk.put(f"/v1/time_entries/{made['id']}.json", {"time_entry": {"note": "n"}})
    )
    assert updated["time_entry"]["note"] == "n"


async def test_errors_change_nothing(desk: Desk) -> None:
    record = await _record(desk)
    path = f"/v1/incidents/{record.id}/time_entries.json"
    assert failed(await desk.post(path, {"time_entry": {}})) == ["minutes can't be blank"]
    assert failed(await desk.post(path, {"time_entry": {"minutes": "lots"}})) == [
        "minutes is not a number"
    ]
    assert failed(await desk.post(path, {"time_entry": {"minutes": -1}})) == [
        "minutes must be greater than or equal to 0"
    ]
    assert failed(await desk.post(path, {"time_entry": {"minutes": 10**9}}))
    assert failed(await desk.post(path, {"time_entry": {"minutes": 1, "spent_on": "x"}})) == [
        "spent_on is invalid"
    ]
    assert failed(await desk.post(path, {"time_entry": {"minutes": 1, "user_id": 999999}})) == [
        "no user found"
    ]
    assert failed(await desk.post("/v1/time_entries.json", {"time_entry": {"minutes": 1}})) == [
        "incident_id, problem_id, change_id or release_id can't be blank"
    ]
    assert failed(
        await desk.post("/v1/time_entries.json", {"time_entry": {"minutes": 1, "release_id": 1}})
    ) == ["no release found"]
    assert failed(await desk.get("/v1/time_entries.json?selected_user_id=abc")) == [
        "selected_user_id is invalid"
    ]
    assert failed(await desk.get(f"/v1/problems/{record.id}/time_entries.json")) == [
        "no problem found"
    ]
    assert failed(await desk.get(f"/v1/time_entries/{2**64}.json")) == ["no time entry found"]
    assert await _count(desk) == 0
