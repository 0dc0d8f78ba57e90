"""``/api/user_tickets/``: upstream ``UserTicketTest`` and ``test_user_tickets_api.py``."""

from __future__ import annotations

import httpx

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Channel, RecordKind, Role
from polydesk.domains.records import service as records
from polydesk.domains.records.schemas import RecordCreate
from tests.api.helpdesk.conftest import PASSWORD, World, create_ticket, make_account


async def test_user_sees_only_their_tickets_newest_first(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    older = await create_ticket(client, world, submitter_email="plain@example.com", title="Old")
    await create_ticket(client, world, submitter_email="someone@example.com")
    newer = await create_ticket(client, world, submitter_email="plain@example.com", title="New")
    response = await client.get("/api/user_tickets/", auth=world.plain_auth)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [t["id"] for t in body["results"]] == [newer["id"], older["id"]]
    item = body["results"][0]
    assert list(item) == [
        "ticket",
        "id",
        "title",
        "queue",
        "status",
        "created",
        "due_date",
        "submitter",
        "kbitem",
        "secret_key",
    ]
    assert item["ticket"] == f"{newer['id']} [{world.queue_slug}-{newer['id']}]"
    assert item["queue"] == {"title": "Test Queue", "id": world.queue_id}
    assert item["status"] == "Open"
    assert item["submitter"] == "plain@example.com"
    assert item["kbitem"] == ""
    assert item["created"].endswith("Z")
    assert len(item["secret_key"]) == 36


async def test_staff_get_the_same_filtering(client: httpx.AsyncClient, world: World) -> None:
    await create_ticket(client, world, submitter_email="plain@example.com")
    mine = await create_ticket(client, world, submitter_email="staff@example.com")
    response = await client.get("/api/user_tickets/", auth=world.staff_auth)
    assert [t["id"] for t in response.json()["results"]] == [mine["id"]]


async def test_anonymous_gets_403(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/api/user_tickets/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


async def test_detail_is_own_tickets_only_without_custom_values(
    client: httpx.AsyncClient, world: World
) -> None:
    mine = await create_ticket(client, world, submitter_email="plain@example.com")
    other = await create_ticket(client, world)
    await client.patch(f"/api/tickets/{mine['id']}/", json={"on_hold": True}, auth=world.staff_auth)
    response = await client.get(f"/api/user_tickets/{mine['id']}/", auth=world.plain_auth)
    assert response.status_code == 200
    assert response.json()["status"] == "Open - On Hold"
    assert not [k for k in response.json() if k.startswith("custom_")]
    response = await client.get(f"/api/user_tickets/{other['id']}/", auth=world.plain_auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "No Ticket matches the given query."}


async def test_read_only(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post("/api/user_tickets/", json={}, auth=world.plain_auth)
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.'}
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"


async def test_matching_is_case_sensitive(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    async with db.unit_of_work() as session:
        await make_account(
            session, role=Role.REQUESTER, username="mixed", email="Mixed@Example.com"
        )
    recased = await create_ticket(client, world, submitter_email="Plain@Example.com")
    exact = await create_ticket(client, world, submitter_email="plain@example.com")
    lowered = await create_ticket(client, world, submitter_email="mixed@example.com")
    mixed = await create_ticket(client, world, submitter_email="Mixed@Example.com")
    assert recased["submitter_email"] == "Plain@Example.com"

    plain = (await client.get("/api/user_tickets/", auth=world.plain_auth)).json()
    assert [t["id"] for t in plain["results"]] == [exact["id"]]
    mixed_auth = ("mixed", PASSWORD)
    listed = (await client.get("/api/user_tickets/", auth=mixed_auth)).json()
    assert [t["id"] for t in listed["results"]] == [mixed["id"]]
    assert listed["results"][0]["submitter"] == "Mixed@Example.com"

    for ticket, auth in ((recased, world.plain_auth), (lowered, mixed_auth)):
        response = await client.get(f"/api/user_tickets/{ticket['id']}/", auth=auth)
        assert response.status_code == 404
    response = await client.get(f"/api/user_tickets/{mixed['id']}/", auth=mixed_auth)
    assert response.status_code == 200


async def test_a_ticket_without_a_submitter_is_its_requesters(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    """Records created through the other dialects name a requester, not a submitter e-mail."""
    actor = Actor(user_id=world.staff.id, role=Role.TECHNICIAN, channel=Channel.SERVICEOPS)
    async with db.unit_of_work() as session:
        theirs = await records.create_record(
            session,
            actor,
            RecordCreate(kind=RecordKind.INCIDENT, title="Elsewhere", requester_id=world.plain.id),
        )
        # A submitter e-mail, when there is one, decides alone.
        await records.create_record(
            session,
            actor,
            RecordCreate(
                kind=RecordKind.INCIDENT,
                title="Someone else's",
                requester_id=world.plain.id,
                submitter_email="someone@example.com",
            ),
        )
    submitted = await create_ticket(client, world, submitter_email="plain@example.com")
    response = await client.get("/api/user_tickets/", auth=world.plain_auth)
    assert [t["id"] for t in response.json()["results"]] == [submitted["id"], theirs.id]
    item = response.json()["results"][1]
    assert item["submitter"] == ""
    detail = await client.get(f"/api/user_tickets/{theirs.id}/", auth=world.plain_auth)
    assert detail.status_code == 200
    other = await client.get(f"/api/user_tickets/{theirs.id}/", auth=world.staff_auth)
    assert other.status_code == 404
