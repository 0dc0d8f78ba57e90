"""One record core: a ticket created here is the incident record with the same id, and an
incident created elsewhere (through the domain services) is a ticket here, its notes its
follow-ups."""

from __future__ import annotations

import httpx

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Channel, NoteType, RecordKind, Role
from polydesk.domains.catalog import service as catalog
from polydesk.domains.notes import service as notes
from polydesk.domains.notes.schemas import NoteCreate
from polydesk.domains.records import service as records
from polydesk.domains.records.schemas import RecordCreate
from tests.api.helpdesk.conftest import World, create_ticket


async def test_a_ticket_is_the_incident_record(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    ticket = await create_ticket(client, world, priority=2)
    async with db.unit_of_work() as session:
        loaded = await records.load_record(session, int(str(ticket["id"])))
    record = loaded.record
    assert record.kind == RecordKind.INCIDENT
    assert record.title == ticket["title"]
    assert record.priority == 2
    assert record.service_id == world.queue_id


async def test_an_incident_from_elsewhere_is_listed_with_its_notes(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    actor = Actor(user_id=world.staff.id, role=Role.TECHNICIAN, channel=Channel.SERVICEOPS)
    async with db.unit_of_work() as session:
        pending = await catalog.get_status_by_name(session, "Pending")
        assert pending is not None
        record = await records.create_record(
            session,
            actor,
            RecordCreate(
                kind=RecordKind.INCIDENT,
                title="From ServiceOps",
                description="Created by another dialect",
                service_id=world.queue_id,
                priority=5,
                status_id=pending.id,
            ),
        )
        note = await notes.add_note(
            session, actor, record.id, NoteCreate(body="A conversation", public=False)
        )
        problem = await records.create_record(
            session, actor, RecordCreate(kind=RecordKind.PROBLEM, title="Not a ticket")
        )
    listed = (await client.get("/api/tickets/", auth=world.staff_auth)).json()
    assert [t["id"] for t in listed["results"]] == [record.id]
    ticket = listed["results"][0]
    assert ticket["status"] == 1
    assert ticket["priority"] == 5
    assert ticket["submitter_email"] == ""
    assert [f["id"] for f in ticket["followup_set"]] == [note.id]
    followup = ticket["followup_set"][0]
    assert followup["comment"] == "A conversation"
    assert followup["public"] is False
    assert followup["user"] == world.staff.id
    response = await client.get(f"/api/followups/{note.id}/", auth=world.staff_auth)
    assert response.json() == followup
    response = await client.get(f"/api/tickets/{problem.id}/", auth=world.staff_auth)
    assert response.status_code == 404
    assert NoteType(note.note_type) is NoteType.COMMENT
