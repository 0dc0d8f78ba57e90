"""Notes of every type: show, create, update, delete, the note_type rules, wrappers, errors
that change nothing, and notes written by other dialects read with the same ids."""

from __future__ import annotations

import pytest

from polydesk.core.actor import Actor
from polydesk.core.enums import Channel, NoteType, RecordKind, Role
from polydesk.domains.notes import service as notes
from polydesk.domains.notes.schemas import NoteCreate
from polydesk.models import Record
from tests.api.gotoassist.conftest import Desk, failed
from tests.factories import make_record


async def _record(desk: Desk, kind: RecordKind = RecordKind.INCIDENT) -> Record:
    async with desk.db.unit_of_work() as session:
        return await make_record(session, kind=kind, service_id=desk.service.id)


async def _count(desk: Desk, record_id: int) -> int:
    async with desk.db.unit_of_work() as session:
        return (await notes.list_notes(session, record_id))[1]


async def test_create_show_update_delete_a_comment(desk: Desk) -> None:
    record = await _record(desk)
    base = f"/v1/incidents/{record.id}/comments"
    created = await desk.ok(
        await desk.post(f"{base}.json?note_type=comments", {"comment": {"note": "First!"}})
    )
    comment = created["comment"]
    assert comment["note"] == "First!"
    assert comment["user"]["full_name"] == "Dan Lee"
    assert comment["comment_link"] == f"{base}/{comment['id']}"
    assert comment["created_at"].endswith("Z")

    shown = await desk.ok(
        await desk.get(f"/external_api/v1/incidents/{record.id}/comments/{comment['id']}.json")
    )
    assert shown["comment"]["id"] == comment["id"]
    assert shown["comment"]["comment_link"].startswith("/external_api/v1/incidents/")

    updated = await desk.ok(
        await desk.put(
            f"{base}/{comment['id']}.json?note_type=comment", {"comment": {"note": "Edited"}}
        )
    )
    assert updated["comment"]["note"] == "Edited"

    deleted = await desk.ok(
        await desk.client.delete(f"{base}/{comment['id']}.json", headers=desk.auth)
    )
    assert deleted["comment"]["id"] == comment["id"]
    assert await _count(desk, record.id) == 0
    assert failed(await desk.get(f"{base}/{comment['id']}.json")) == ["no comment found"]


@pytest.mark.parametrize(
    ("kind", "segment", "key"),
    [
        (RecordKind.INCIDENT, "resolutions", "resolution"),
        (RecordKind.PROBLEM, "workarounds", "workaround"),
        (RecordKind.CHANGE, "descriptions", "description"),
        (RecordKind.CHANGE, "reasons", "reason"),
        (RecordKind.CHANGE, "build_instructions", "build_instruction"),
        (RecordKind.CHANGE, "build_progress_notes", "build_progress_note"),
        (RecordKind.CHANGE, "test_plans", "test_plan"),
        (RecordKind.RELEASE, "components", "component"),
        (RecordKind.RELEASE, "instructions", "instruction"),
        (RecordKind.RELEASE, "backouts", "backout"),
        (RecordKind.RELEASE, "comments", "comment"),
    ],
)
async def test_every_observed_collection(
    desk: Desk, kind: RecordKind, segment: str, key: str
) -> None:
    record = await _record(desk, kind)
    path = f"/v1/{kind.value}s/{record.id}/{segment}.json?note_type={segment}"
    created = (await desk.ok(await desk.post(path, {key: {"note": "text"}})))[key]
    assert created[f"{key}_link"] == f"/v1/{kind.value}s/{record.id}/{segment}/{created['id']}"
    listed = await desk.ok(await desk.get(f"/v1/{kind.value}s/{record.id}/{segment}.json"))
    assert listed["total_entries"] == 1
    assert [n["id"] for n in listed[segment]] == [created["id"]]


async def test_note_type_wins_over_the_path(desk: Desk) -> None:
    """NODE updates a symptom through /comments/{id}?note_type=symptom."""
    record = await _record(desk)
    symptom = (
        await desk.ok(
            await desk.post(
                f"/v1/incidents/{record.id}/comments.json?note_type=symptom",
                {"symptom": {"note": "It smokes"}},
            )
        )
    )["symptom"]
    assert symptom["symptom_link"] == f"/v1/incidents/{record.id}/symptoms/{symptom['id']}"
    updated = await desk.ok(
        await desk.put(
            f"/v1/incidents/{record.id}/comments/{symptom['id']}.json?note_type=symptom",
            {"symptom": {"note": "It burns"}},
        )
    )
    assert updated["symptom"]["note"] == "It burns"
    # A change's description: created with the plural, updated and deleted with the singular.
    change = await _record(desk, RecordKind.CHANGE)
    base = f"/v1/changes/{change.id}/descriptions"
    made = (
        await desk.ok(
            await desk.post(f"{base}.json?note_type=descriptions", {"description": {"note": "d"}})
        )
    )["description"]
    await desk.ok(
        await desk.put(
            f"{base}/{made['id']}.json?note_type=description", {"description": {"note": "e"}}
        )
    )
    await desk.ok(
        await desk.client.delete(
            f"{base}/{made['id']}.json?note_type=description", headers=desk.auth
        )
    )


async def test_body_forms(desk: Desk) -> None:
    record = await _record(desk)
    base = f"/v1/incidents/{record.id}/comments.json"
    for body in ({"note": {"note": "generic"}}, {"note": "bare"}, {"comments": {"note": "plural"}}):
        assert (await desk.ok(await desk.post(base, body)))["comment"]["note"]
    form = await desk.client.post(
        base,
        content=b"comment%5Bnote%5D=from+a+form",
        headers={**desk.auth, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (await desk.ok(form))["comment"]["note"] == "from a form"
    xml = await desk.client.post(
        f"/v1/incidents/{record.id}/comments.xml",
        content=b"<comment><note>in XML</note></comment>",
        headers={**desk.auth, "Content-Type": "application/xml"},
    )
    assert xml.status_code == 200 and b"<note>in XML</note>" in xml.content
    assert await _count(desk, record.id) == 5


async def test_errors_change_nothing(desk: Desk) -> None:
    record = await _record(desk)
    base = f"/v1/incidents/{record.id}/comments.json"
    assert failed(await desk.post(base, {"comment": {"note": "  "}})) == ["note can't be blank"]
    assert failed(await desk.post(base, {"comment": {}})) == ["note can't be blank"]
    assert failed(await desk.post(base, {"comment": {"note": ["x"]}})) == ["note is invalid"]
    assert failed(await desk.post(f"{base}?note_type=gossip", {"comment": {"note": "x"}})) == [
        "note_type is invalid"
    ]
    bad_json = await desk.client.post(
        base, content=b"{not json", headers={**desk.auth, "Content-Type": "application/json"}
    )
    assert failed(bad_json) == ["the request body is not valid JSON"]
    bad_xml = await desk.client.post(
        f"/v1/incidents/{record.id}/comments.xml",
        content=b"<comment><note>x</comment>",
        headers={**desk.auth, "Content-Type": "application/xml"},
    )
    failed(bad_xml)
    assert failed(await desk.post("/v1/incidents/99999999/comments.json", {"note": "x"})) == [
        "no incident found"
    ]
    assert failed(await desk.post(f"/v1/incidents/{10**30}/comments.json", {"note": "x"})) == [
        "no incident found"
    ]
    assert failed(await desk.get(f"/v1/incidents/{record.id}/comments/{10**30}.json")) == [
        "no comment found"
    ]
    assert failed(await desk.get(f"/v1/incidents/{record.id}/gossip.json"), status=404) == [
        "no such API call"
    ]
    # An incident's note is not found through a change's path.
    assert failed(await desk.post(f"/v1/changes/{record.id}/comments.json", {"note": "x"})) == [
        "no change found"
    ]
    assert await _count(desk, record.id) == 0


async def test_notes_written_elsewhere_read_with_the_same_ids(desk: Desk) -> None:
    record = await _record(desk, RecordKind.REQUEST)
    async with desk.db.unit_of_work() as session:
        note = await notes.add_note(
            session,
            Actor(user_id=desk.tech.id, role=Role.TECHNICIAN, channel=Channel.HELPDESK),
            record.id,
            NoteCreate(body="from django-helpdesk", note_type=NoteType.FOLLOWUP),
        )
    shown = await desk.ok(await desk.get(f"/v1/incidents/{record.id}/followups/{note.id}.json"))
    assert shown["followup"]["note"] == "from django-helpdesk"
    assert shown["followup"]["id"] == note.id


async def test_unauthenticated(desk: Desk) -> None:
    record = await _record(desk)
    response = await desk.client.get(f"/v1/incidents/{record.id}/comments.json")
    assert failed(response, "E906", 200) == ["Invalid verifier"]
