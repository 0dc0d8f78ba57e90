"""Change testers and release review users: staff users on changes and releases, once each,
with a free-text status; their shapes, aliases, and errors that change nothing."""

from __future__ import annotations

import pytest

from polydesk.core.enums import RecordKind, Role
from polydesk.domains.change_testers import service as testers
from polydesk.domains.review_users import service as reviewers
from polydesk.models import Record
from tests.api.gotoassist.conftest import Desk, failed
from tests.factories import make_record, make_user


async def _record(desk: Desk, kind: RecordKind) -> Record:
    async with desk.db.unit_of_work() as session:
        return await make_record(session, kind=kind, service_id=desk.service.id)


async def _testers(desk: Desk, change_id: int) -> int:
    async with desk.db.unit_of_work() as session:
        return len(await testers.list_testers(session, change_id))


async def _reviewers(desk: Desk, release_id: int) -> int:
    async with desk.db.unit_of_work() as session:
        return len(await reviewers.list_review_users(session, release_id))


async def test_tester_life_cycle(desk: Desk) -> None:
    change = await _record(desk, RecordKind.CHANGE)
    base = f"/v1/changes/{change.id}/testers"
    made = (await desk.ok(await desk.post(f"{base}.json", {"tester": {"user_id": desk.tech.id}})))[
        "tester"
    ]
    assert made["tester"]["full_name"] == "Dan Lee"
    assert made["status"] == "pending"
    assert made["tested_at"] == ""
    assert made["tester_link"] == f"{base}/{made['id']}"
    assert made["change_link"] == f"/v1/changes/{change.id}"

    listed = await desk.ok(await desk.get(f"{base}.json"))
    assert [t["id"] for t in listed["testers"]] == [made["id"]]
    shown = await desk.ok(await desk.get(f"{base}/{made['id']}.json"))
    assert shown["tester"] == made

    passed = await desk.ok(
        await desk.put(
            f"{base}/{made['id']}.json",
            {"tester": {"status": "passed", "tested_at": "2026-02-03T04:05:06Z", "id": 1}},
        )
    )
    assert passed["tester"]["status"] == "passed"
    assert passed["tester"]["tested_at"] == "2026-02-03T04:05:06Z"

    # The alias segment and wrapper reach the same testers.
    alias = f"/v1/changes/{change.id}/change_testers"
    other = await desk.ok(
        await desk.post(f"{alias}.json", {"change_tester": {"tester_id": str(desk.admin.id)}})
    )
    assert other["tester"]["tester"]["id"] == desk.admin.id
    deleted = await desk.ok(
        await desk.client.delete(f"{alias}/{other['tester']['id']}.json", headers=desk.auth)
    )
    assert deleted["tester"]["id"] == other["tester"]["id"]
    assert await _testers(desk, change.id) == 1


async def test_tester_errors_change_nothing(desk: Desk) -> None:
    change = await _record(desk, RecordKind.CHANGE)
    incident = await _record(desk, RecordKind.INCIDENT)
    async with desk.db.unit_of_work() as session:
        requester = await make_user(session, role=Role.REQUESTER)
    path = f"/v1/changes/{change.id}/testers.json"
    assert failed(await desk.post(path, {"tester": {}})) == ["user_id can't be blank"]
    assert failed(await desk.post(path, {"tester": {"user_id": "x"}})) == ["user_id is invalid"]
    assert failed(await desk.post(path, {"tester": {"user_id": 999999}})) == ["no user found"]
    refused = failed(await desk.post(path, {"tester": {"user_id": requester.id}}))
    assert "requester" in refused[0]
    assert failed(
        await desk.post(path, {"tester": {"user_id": desk.tech.id, "tested_at": "soon"}})
    ) == ["tested_at is invalid"]
    assert failed(await desk.post(path, {"tester": {"user_id": desk.tech.id, "status": "x" * 40}}))
    assert failed(await desk.post(f"/v1/changes/{incident.id}/testers.json", {})) == [
        "no change found"
    ]
    assert failed(await desk.get(f"/v1/changes/{change.id}/testers/{10**25}.json")) == [
        "no tester found"
    ]
    await desk.ok(await desk.post(path, {"tester": {"user_id": desk.tech.id}}))
    assert failed(await desk.post(path, {"tester": {"user_id": desk.tech.id}})) == [
        f"User {desk.tech.id} is already a tester of this change"
    ]
    assert await _testers(desk, change.id) == 1


async def test_review_user_life_cycle(desk: Desk) -> None:
    release = await _record(desk, RecordKind.RELEASE)
    base = f"/external_api/v1/releases/{release.id}/review_users"
    made = (
        await desk.ok(await desk.post(f"{base}.json", {"review_user": {"user_id": desk.tech.id}}))
    )["review_user"]
    assert made["user"]["full_name"] == "Dan Lee"
    assert made["status"] == "pending"
    assert made["review_user_link"] == f"{base}/{made['id']}"
    assert made["release_link"] == f"/external_api/v1/releases/{release.id}"
    listed = await desk.ok(await desk.get(f"{base}.json"))
    assert [r["id"] for r in listed["review_users"]] == [made["id"]]
    approved = await desk.ok(
        await desk.put(
            f"{base}/{made['id']}.json", {"review_user": {"status": "approved", "note": "ok"}}
        )
    )
    assert (approved["review_user"]["status"], approved["review_user"]["note"]) == (
        "approved",
        "ok",
    )
    alias = f"/v1/releases/{release.id}/release_review_users/{made['id']}.json"
    assert (await desk.ok(await desk.get(alias)))["review_user"]["id"] == made["id"]
    deleted = await desk.ok(await desk.client.delete(alias, headers=desk.auth))
    assert deleted["review_user"]["id"] == made["id"]
    assert await _reviewers(desk, release.id) == 0


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"review_user": {}}, ["user_id can't be blank"]),
        ({"review_user": {"user_id": 999999}}, ["no user found"]),
        ({"review_user": {"user_id": True}}, ["user_id is invalid"]),
        ({"review_user": {"user_id": 1, "reviewed_at": 5}}, ["reviewed_at is invalid"]),
    ],
)
async def test_review_user_errors_change_nothing(
    desk: Desk, body: dict[str, object], errors: list[str]
) -> None:
    release = await _record(desk, RecordKind.RELEASE)
    assert failed(await desk.post(f"/v1/releases/{release.id}/review_users.json", body)) == errors
    assert await _reviewers(desk, release.id) == 0


async def test_review_users_only_on_releases(desk: Desk) -> None:
    change = await _record(desk, RecordKind.CHANGE)
    assert failed(await desk.get(f"/v1/releases/{change.id}/review_users.json")) == [
        "no release found"
    ]
