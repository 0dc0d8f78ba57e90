"""Links as the Beetil pages document them: reference numbers in the URL, the four arrays,
unwrapped *_id parameters, problem↔release refused, symmetric reads, deletes."""

from __future__ import annotations

from polydesk.core.actor import Actor
from polydesk.core.enums import RecordKind
from polydesk.domains.links import service as links
from polydesk.models import Record
from tests.api.gotoassist.conftest import Desk, failed
from tests.factories import make_record


async def _record(desk: Desk, kind: RecordKind) -> Record:
    async with desk.db.unit_of_work() as session:
        return await make_record(session, kind=kind, service_id=desk.service.id)


async def _linked(desk: Desk, record_id: int) -> int:
    async with desk.db.unit_of_work() as session:
        return len(await links.links_of(session, record_id))


async def test_show_and_create_links(desk: Desk) -> None:
    incident = await _record(desk, RecordKind.INCIDENT)
    change = await _record(desk, RecordKind.CHANGE)
    problem = await _record(desk, RecordKind.PROBLEM)
    release = await _record(desk, RecordKind.RELEASE)
    empty = await desk.ok(await desk.get(f"/external_api/v1/links/incidents/{incident.id}.json"))
    assert empty == {"incidents": [], "changes": [], "problems": [], "releases": []}

    # Unwrapped, no suffix (as NODE posts it), id as a string.
    result = await desk.ok(
        await desk.post(f"/v1/links/incidents/{incident.id}", {"change_id": str(change.id)})
    )
    assert result["changes"] == [
        {
            "change_id": change.id,
            "change_link": f"/v1/links/incidents/{incident.id}/changes/{change.id}",
        }
    ]
    both = await desk.ok(
        await desk.post(
            f"/v1/links/incidents/{incident.id}.json",
            {"problem_id": problem.id, "release_id": release.id},
        )
    )
    assert [p["problem_id"] for p in both["problems"]] == [problem.id]
    assert [r["release_id"] for r in both["releases"]] == [release.id]
    again = await desk.ok(
        await desk.post(f"/v1/links/incidents/{incident.id}.json", {"change_id": change.id})
    )
    assert again == both
    # Symmetric: the change lists the incident.
    from_change = await desk.ok(await desk.get(f"/v1/links/changes/{change.id}.json"))
    assert from_change["incidents"] == [
        {
            "incident_id": incident.id,
            "incident_link": f"/v1/links/changes/{change.id}/incidents/{incident.id}",
        }
    ]
    # The record shows its linked records too.
    shown = (await desk.ok(await desk.get(f"/v1/incidents/{incident.id}.json")))["incident"]
    assert [c["change_id"] for c in shown["changes"]] == [change.id]


async def test_problems_and_releases_cannot_be_linked(desk: Desk) -> None:
    problem = await _record(desk, RecordKind.PROBLEM)
    release = await _record(desk, RecordKind.RELEASE)
    for host, body in (
        (f"problems/{problem.id}", {"release_id": release.id}),
        (f"releases/{release.id}", {"problem_id": problem.id}),
    ):
        assert failed(await desk.post(f"/v1/links/{host}.json", body)) == [
            "problems cannot be linked to releases"
        ]
    assert await _linked(desk, problem.id) == 0


async def test_link_errors_change_nothing(desk: Desk) -> None:
    incident = await _record(desk, RecordKind.INCIDENT)
    change = await _record(desk, RecordKind.CHANGE)
    path = f"/v1/links/incidents/{incident.id}.json"
    assert failed(await desk.post(path, {})) == [
        "incident_id, change_id, problem_id or release_id can't be blank"
    ]
    assert failed(await desk.post(path, {"change_id": "abc"})) == ["change_id is invalid"]
    assert failed(await desk.post(path, {"change_id": 999999})) == ["no change found"]
    # NODE's linkChangeToIncident sends release_id for a change: it names no release.
    assert failed(await desk.post(path, {"release_id": change.id})) == ["no release found"]
    assert failed(await desk.post(path, {"incident_id": incident.id})) == [
        "a record cannot be linked to itself"
    ]
    # All or nothing: when one target fails, none is linked.
    assert failed(await desk.post(path, {"change_id": change.id, "problem_id": 999999})) == [
        "no problem found"
    ]
    assert failed(await desk.post(path, {"change_id": change.id, "release_id": 999999})) == [
        "no release found"
    ]
    assert failed(await desk.get(f"/v1/links/widgets/{incident.id}.json")) == [
        "beetil_type must be one of incidents, changes, problems, releases"
    ]
    assert failed(await desk.get(f"/v1/links/changes/{incident.id}.json")) == ["no change found"]
    assert failed(await desk.get(f"/v1/links/incidents/{10**40}.json")) == ["no incident found"]
    assert await _linked(desk, incident.id) == 0


async def test_delete_links(desk: Desk) -> None:
    incident = await _record(desk, RecordKind.INCIDENT)
    change = await _record(desk, RecordKind.CHANGE)
    problem = await _record(desk, RecordKind.PROBLEM)
    async with desk.db.unit_of_work() as session:
        await links.link_records(session, Actor.system(), incident.id, change.id)
        await links.link_records(session, Actor.system(), problem.id, incident.id)
    remaining = await desk.ok(
        await desk.client.delete(
            f"/v1/links/incidents/{incident.id}/changes/{change.id}.json", headers=desk.auth
        )
    )
    assert remaining["changes"] == []
    assert [p["problem_id"] for p in remaining["problems"]] == [problem.id]
    partly = await desk.client.delete(
        f"/v1/links/incidents/{incident.id}.json?problem_id={problem.id}&change_id={change.id}",
        headers=desk.auth,
    )
    assert failed(partly) == ["no link found"]
    assert await _linked(desk, incident.id) == 1
    gone = await desk.client.delete(
        f"/v1/links/incidents/{incident.id}/changes/{change.id}.json", headers=desk.auth
    )
    assert failed(gone) == ["no link found"]
    by_parameter = await desk.ok(
        await desk.client.delete(
            f"/v1/links/problems/{problem.id}.json?incident_id={incident.id}", headers=desk.auth
        )
    )
    assert by_parameter == {"incidents": [], "changes": [], "problems": [], "releases": []}
    assert await _linked(desk, incident.id) == 0
