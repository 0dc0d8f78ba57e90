"""``/api/user_tickets/``: upstream ``UserTicketTest`` and ``test_user_tickets_api.py``."""

from __future__ import annotations

import httpx

from polydesk.core.db import Database
from tests.api.helpdesk.conftest import World, create_ticket


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
