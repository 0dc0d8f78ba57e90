"""Issues (top level and under changes and releases) and release records (under releases and
top level): paged lists, shapes, aliases, and errors that change nothing."""

from __future__ import annotations

from polydesk.core.actor import Actor
from polydesk.core.enums import RecordKind
from polydesk.domains.issues import service as issues
from polydesk.domains.issues.schemas import IssueCreate
from polydesk.domains.release_records import service as release_records
from polydesk.models import Record
from tests.api.gotoassist.conftest import Desk, failed
from tests.factories import make_record


async def _record(desk: Desk, kind: RecordKind) -> Record:
    async with desk.db.unit_of_work() as session:
        return await make_record(session, kind=kind, service_id=desk.service.id)


async def _issues(desk: Desk) -> int:
    async with desk.db.unit_of_work() as session:
        return (await issues.list_issues(session))[1]


async def _entries(desk: Desk) -> int:
    async with desk.db.unit_of_work() as session:
        return (await release_records.list_release_records(session))[1]


async def test_issues_top_level_and_nested(desk: Desk) -> None:
    change = await _record(desk, RecordKind.CHANGE)
    alone = (
        await desk.ok(
            await desk.post("/v1/issues.json", {"issue": {"title": "Known bug", "note": "Oops"}})
        )
    )["issue"]
    assert alone["title"] == "Known bug"
    assert alone["description"] == "Oops"
    assert alone["status"] == "open"
    assert alone["user"]["full_name"] == "Dan Lee"
    assert alone["issue_link"] == f"/v1/issues/{alone['id']}"
    assert "change_id" not in alone

    on_change = (
        await desk.ok(
            await desk.post(f"/v1/changes/{change.id}/issues.json", {"issue": {"title": "Slow"}})
        )
    )["issue"]
    assert on_change["change_id"] == change.id
    assert on_change["change_link"] == f"/v1/changes/{change.id}"
    by_body = (
        await desk.ok(
            await desk.post(
                "/v1/issues.json", {"issue": {"title": "T", "change_id": str(change.id)}}
            )
        )
    )["issue"]
    assert by_body["change_id"] == change.id

    everything = await desk.ok(await desk.get("/v1/issues.json?limit=2"))
    assert (everything["total_entries"], everything["total_pages"]) == (3, 2)
    assert [i["id"] for i in everything["issues"]] == [alone["id"], on_change["id"]]
    page_two = await desk.ok(await desk.get("/v1/issues.json?limit=2&page=2"))
    assert [i["id"] for i in page_two["issues"]] == [by_body["id"]]
    nested = await desk.ok(await desk.get(f"/v1/changes/{change.id}/issues.json"))
    assert nested["total_entries"] == 2

    shown = await desk.ok(await desk.get(f"/v1/issues/{on_change['id']}.json"))
    assert shown["issue"] == on_change
    resolved = await desk.ok(
        await desk.put(
            f"/v1/changes/{change.id}/issues/{on_change['id']}.json",
            {"issue": {"status": "resolved"}},
        )
    )
    assert resolved["issue"]["status"] == "resolved"
    renamed = await desk.ok(
        await desk.put(f"/v1/issues/{alone['id']}.json", {"issue": {"title": "Renamed"}})
    )
    assert renamed["issue"]["title"] == "Renamed"
    assert failed(await desk.get(f"/v1/changes/{change.id}/issues/{alone['id']}.json")) == [
        "no issue found"
    ]


async def test_issue_written_elsewhere(desk: Desk) -> None:
    release = await _record(desk, RecordKind.RELEASE)
    async with desk.db.unit_of_work() as session:
        issue = await issues.add_issue(session, Actor.system(), release.id, IssueCreate(title="X"))
    shown = await desk.ok(await desk.get(f"/v1/releases/{release.id}/issues/{issue.id}.json"))
    assert shown["issue"]["id"] == issue.id
    assert shown["issue"]["release_id"] == release.id
    assert shown["issue"]["user"] is None


async def test_issue_errors_change_nothing(desk: Desk) -> None:
    incident = await _record(desk, RecordKind.INCIDENT)
    assert failed(await desk.post("/v1/issues.json", {"issue": {}})) == ["title can't be blank"]
    assert failed(await desk.post("/v1/issues.json", {"issue": {"title": {"a": 1}}})) == [
        "title is invalid"
    ]
    assert failed(
        await desk.post("/v1/issues.json", {"issue": {"title": "x", "change_id": 9999}})
    ) == ["no change found"]
    assert failed(
        await desk.post("/v1/issues.json", {"issue": {"title": "x", "user_id": 999999}})
    ) == ["no user found"]
    assert failed(await desk.post(f"/v1/changes/{incident.id}/issues.json", {"issue": {}})) == [
        "no change found"
    ]
    assert failed(await desk.get("/v1/issues/0.json")) == ["no issue found"]
    assert failed(await desk.get("/v1/issues.json?limit=x")) == ["limit is not a number"]
    assert failed(await desk.get("/v1/issues.json?page=0")) == [
        "page must be greater than or equal to 1"
    ]
    assert await _issues(desk) == 0


async def test_release_records(desk: Desk) -> None:
    release = await _record(desk, RecordKind.RELEASE)
    base = f"/v1/releases/{release.id}/release_records"
    made = (
        await desk.ok(
            await desk.post(f"{base}.json", {"release_record": {"name": "Staging", "note": "ok"}})
        )
    )["release_record"]
    assert (made["title"], made["note"]) == ("Staging", "ok")
    assert made["release_record_link"] == f"{base}/{made['id']}"
    assert made["release_id"] == release.id
    top = (
        await desk.ok(
            await desk.post(
                "/v1/release_records.json",
                {"release_record": {"title": "Production", "release_id": release.id}},
            )
        )
    )["release_record"]
    listed = await desk.ok(await desk.get(f"{base}.json"))
    assert listed["total_entries"] == 2
    assert [e["id"] for e in listed["release_records"]] == [made["id"], top["id"]]
    everything = await desk.ok(await desk.get("/v1/release_records.json?limit=1"))
    assert (everything["total_entries"], everything["total_pages"]) == (2, 2)
    shown = await desk.ok(await desk.get(f"/v1/release_records/{made['id']}.json"))
    assert shown["release_record"] == made
    updated = await desk.ok(
        await desk.put(f"{base}/{made['id']}.json", {"release_record": {"note": None}})
    )
    assert updated["release_record"]["note"] is None
    again = await desk.ok(
        await desk.put(f"/v1/release_records/{made['id']}.json", {"release_record": {"title": "S"}})
    )
    assert again["release_record"]["title"] == "S"


async def test_release_record_errors_change_nothing(desk: Desk) -> None:
    release = await _record(desk, RecordKind.RELEASE)
    change = await _record(desk, RecordKind.CHANGE)
    base = f"/v1/releases/{release.id}/release_records.json"
    assert failed(await desk.post(base, {"release_record": {}})) == ["title can't be blank"]
    assert failed(await desk.post(base, {"release_record": {"title": "x" * 600}}))
    assert failed(
        await desk.post("/v1/release_records.json", {"release_record": {"title": "x"}})
    ) == ["release_id can't be blank"]
    assert failed(
        await desk.post(
            "/v1/release_records.json", {"release_record": {"title": "x", "release_id": change.id}}
        )
    ) == ["no release found"]
    assert failed(await desk.post(f"/v1/releases/{change.id}/release_records.json", {})) == [
        "no release found"
    ]
    assert failed(await desk.get("/v1/release_records/77.json")) == ["no release record found"]
    assert await _entries(desk) == 0
