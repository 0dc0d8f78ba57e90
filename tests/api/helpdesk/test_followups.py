"""Follow-ups: the workflow of POST (spec §5), attachments on ticket create and follow-ups
(upstream tests 11 and 12), and the plain PUT/PATCH/DELETE."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from polydesk.core.db import Database
from polydesk.models import Attachment, Event, Note, Record
from tests.api.helpdesk.conftest import World, counts, create_ticket

JPG = b"\xff\xd8\xff\xe0 fake jpeg"
PDF = b"%PDF-1.4 fake pdf"


async def test_create_api_ticket_with_attachment(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    response = await client.post(
        "/api/tickets/",
        data={
            "queue": str(world.queue_id),
            "title": "Test title",
            "description": "Test description\nMulti lines",
            "submitter_email": "test@mail.com",
            "priority": "4",
        },
        files={"attachment": ("file.jpg", JPG, "image/jpg")},
        auth=world.staff_auth,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert len(body["followup_set"]) == 1
    files = body["followup_set"][0]["followupattachment_set"]
    assert len(files) == 1
    file = files[0]
    followup_id = body["followup_set"][0]["id"]
    assert file["filename"] == "file.jpg"
    assert file["mime_type"] == "image/jpg"
    assert file["size"] == len(JPG)
    assert file["followup"] == followup_id
    prefix = f"http://testserver/media/helpdesk/attachments/{world.queue_slug}-{body['id']}-"
    assert file["file"].startswith(prefix)
    assert file["file"].endswith(f"/{followup_id}/file.jpg")
    download = await client.get(file["file"], auth=world.staff_auth)
    assert download.status_code == 200
    assert download.content == JPG
    assert download.headers["content-type"].startswith("image/jpg")
    anonymous = await client.get(file["file"])
    assert anonymous.status_code == 403
    stranger = await client.get(file["file"], auth=world.plain_auth)
    assert stranger.status_code == 404
    wrong_dir = file["file"].replace(f"{world.queue_slug}-{body['id']}-", "x-1-")
    assert (await client.get(wrong_dir, auth=world.staff_auth)).status_code == 404


async def test_a_user_downloads_the_files_of_the_tickets_listed_as_theirs(
    client: httpx.AsyncClient, world: World
) -> None:
    urls = {}
    for submitter in ("plain@example.com", "Plain@Example.com"):
        response = await client.post(
            "/api/tickets/",
            data={
                "queue": str(world.queue_id),
                "title": "With a file",
                "description": "See attached",
                "submitter_email": submitter,
                "priority": "3",
            },
            files={"attachment": ("file.jpg", JPG, "image/jpg")},
            auth=world.staff_auth,
        )
        assert response.status_code == 201, response.text
        urls[submitter] = response.json()["followup_set"][0]["followupattachment_set"][0]["file"]
    own = await client.get(urls["plain@example.com"], auth=world.plain_auth)
    assert own.status_code == 200 and own.content == JPG
    # As /api/user_tickets/: the submitter e-mail matches exactly.
    recased = await client.get(urls["Plain@Example.com"], auth=world.plain_auth)
    assert recased.status_code == 404


async def test_ticket_attachment_extension_is_checked(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    before = await counts(db)
    response = await client.post(
        "/api/tickets/",
        data={"queue": str(world.queue_id), "title": "t", "description": "d", "priority": "3"},
        files={"attachment": ("evil.exe", b"MZ", "application/octet-stream")},
        auth=world.staff_auth,
    )
    assert response.status_code == 400
    assert response.json() == {"attachment": ["Unsupported file extension: .exe"]}
    assert await counts(db) == before


async def test_create_followup_with_attachments(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    ticket = await create_ticket(client, world)
    response = await client.post(
        "/api/followups/",
        data={
            "ticket": str(ticket["id"]),
            "title": "Test",
            "comment": "Test answer\nMulti lines",
        },
        files=[
            ("attachments", ("file.jpg", JPG, "image/jpg")),
            ("attachments", ("doc.pdf", PDF, "application/pdf")),
        ],
        auth=world.staff_auth,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "Test"
    assert body["comment"] == "Test answer\nMulti lines"
    assert body["user"] == world.staff.id
    assert body["public"] is False
    files = body["followupattachment_set"]
    assert [f["filename"] for f in files] == ["doc.pdf", "file.jpg"]
    assert [f["mime_type"] for f in files] == ["application/pdf", "image/jpg"]
    async with db.unit_of_work() as session:
        stored = (await session.scalars(select(Attachment))).all()
        record = await session.get(Record, ticket["id"])
    assert len(stored) == 2
    assert record is not None and record.title == "Test"
    listed = await client.get("/api/followups-attachments/", auth=world.staff_auth)
    assert [f["filename"] for f in listed.json()["results"]] == ["doc.pdf", "file.jpg"]


async def test_followup_with_a_bad_extension_saves_nothing(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    ticket = await create_ticket(client, world)
    before = await counts(db)
    response = await client.post(
        "/api/followups/",
        data={"ticket": str(ticket["id"]), "comment": "with a virus"},
        files=[
            ("attachments", ("ok.txt", b"fine", "text/plain")),
            ("attachments", ("evil.exe", b"MZ", "application/octet-stream")),
        ],
        auth=world.staff_auth,
    )
    assert response.status_code == 400
    assert response.json() == {"attachments": {"1": ["Unsupported file extension: .exe"]}}
    assert await counts(db) == before


async def test_followup_errors(client: httpx.AsyncClient, world: World, db: Database) -> None:
    ticket = await create_ticket(client, world)
    before = await counts(db)
    cases: list[tuple[dict[str, object], dict[str, object]]] = [
        ({}, {"ticket": ["This field is required."]}),
        ({"ticket": 999}, {"ticket": ['Invalid pk "999" - object does not exist.']}),
        (
            {"ticket": ticket["id"], "attachments": ["x"]},
            {
                "attachments": {
                    "0": ["The submitted data was not a file. Check the encoding type on the form."]
                }
            },
        ),
        (
            {"ticket": ticket["id"], "time_spent": "soon"},
            {
                "time_spent": [
                    "Duration has wrong format. Use one of these formats instead: "
                    "[DD] [HH:[MM:]]ss[.uuuuuu]."
                ]
            },
        ),
        (
            {"ticket": ticket["id"], "new_status": 7},
            {"new_status": ['"7" is not a valid choice.']},
        ),
        (
            {"ticket": ticket["id"], "title": "x" * 201},
            {"title": ["Ensure this field has no more than 200 characters."]},
        ),
    ]
    for body, expected in cases:
        response = await client.post("/api/followups/", json=body, auth=world.staff_auth)
        assert response.status_code == 400, body
        assert response.json() == expected, body
    anonymous = await client.post("/api/followups/", json={"ticket": ticket["id"]})
    assert anonymous.status_code == 403
    plain = await client.post(
        "/api/followups/", json={"ticket": ticket["id"]}, auth=world.plain_auth
    )
    assert plain.status_code == 403
    assert await counts(db) == before


async def test_followup_workflow_renames_resolves_and_stores_the_comment_as_given(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    ticket = await create_ticket(client, world, title="CF ticket")
    response = await client.post(
        "/api/followups/",
        json={
            "ticket": ticket["id"],
            "comment": "Fixed it {{ ticket.title }}",
            "new_status": 3,
            "public": True,
            "time_spent": "1 02:00:00",
            "user": world.admin.id,
        },
        auth=world.staff_auth,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "CF ticket and Resolved"
    assert body["comment"] == "Fixed it {{ ticket.title }}"
    assert body["new_status"] == 3
    assert body["time_spent"] == "1 02:00:00"
    assert body["user"] == world.staff.id
    assert body["public"] is True
    assert body["message_id"] is None
    assert body["date"].endswith("Z")
    after = (await client.get(f"/api/tickets/{ticket['id']}/", auth=world.staff_auth)).json()
    assert after["title"] == "CF ticket"
    assert after["status"] == 3
    assert after["resolution"] == "Fixed it {{ ticket.title }}"
    assert len(after["followup_set"]) == 2
    async with db.unit_of_work() as session:
        actions = (
            await session.scalars(select(Event.action).where(Event.record_id == ticket["id"]))
        ).all()
    assert "record.updated" in actions and actions.count("note.created") == 2

    renamed = await client.post(
        "/api/followups/",
        json={"ticket": ticket["id"], "title": "Test ticket answer", "time_spent": "PT2H30M"},
        auth=world.staff_auth,
    )
    assert renamed.status_code == 201
    assert renamed.json()["comment"] == ""
    assert renamed.json()["time_spent"] == "02:30:00"
    after = (await client.get(f"/api/tickets/{ticket['id']}/", auth=world.staff_auth)).json()
    assert after["title"] == "Test ticket answer"

    closed = await client.post(
        "/api/followups/",
        json={"ticket": ticket["id"], "comment": "Closing", "new_status": 4},
        auth=world.staff_auth,
    )
    assert closed.json()["title"] == "Test ticket answer and Closed"
    after = (await client.get(f"/api/tickets/{ticket['id']}/", auth=world.staff_auth)).json()
    assert after["status"] == 4
    assert after["resolution"] == "Fixed it {{ ticket.title }}"


async def test_followup_list_retrieve_patch_put_delete(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    first = await create_ticket(client, world)
    second = await create_ticket(client, world)
    listed = await client.get("/api/followups/?ticket=999", auth=world.staff_auth)
    body = listed.json()
    assert body["count"] == 2
    assert [f["ticket"] for f in body["results"]] == [first["id"], second["id"]]
    followup_id = body["results"][0]["id"]

    one = await client.get(f"/api/followups/{followup_id}/", auth=world.staff_auth)
    assert one.status_code == 200 and one.json() == body["results"][0]
    missing = await client.get("/api/followups/999/", auth=world.staff_auth)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No FollowUp matches the given query."}

    patched = await client.patch(
        f"/api/followups/{followup_id}/",
        json={"comment": "Edited", "public": False, "new_status": 3, "user": world.admin.id},
        auth=world.staff_auth,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["comment"] == "Edited"
    assert patched.json()["new_status"] == 3
    assert patched.json()["user"] == world.admin.id
    ticket = (await client.get(f"/api/tickets/{first['id']}/", auth=world.staff_auth)).json()
    assert ticket["status"] == 1

    before = await counts(db)
    no_ticket = await client.put(
        f"/api/followups/{followup_id}/", json={"comment": "x"}, auth=world.staff_auth
    )
    assert no_ticket.status_code == 400
    assert no_ticket.json() == {"ticket": ["This field is required."]}
    moved = await client.put(
        f"/api/followups/{followup_id}/", json={"ticket": second["id"]}, auth=world.staff_auth
    )
    assert moved.status_code == 400
    assert await counts(db) == before
    put = await client.put(
        f"/api/followups/{followup_id}/",
        json={"ticket": first["id"], "title": "New title", "comment": "Put"},
        auth=world.staff_auth,
    )
    assert put.status_code == 200
    assert (put.json()["title"], put.json()["comment"]) == ("New title", "Put")

    deleted = await client.delete(f"/api/followups/{followup_id}/", auth=world.staff_auth)
    assert deleted.status_code == 204
    async with db.unit_of_work() as session:
        assert await session.get(Note, followup_id) is None
    again = await client.delete(f"/api/followups/{followup_id}/", auth=world.staff_auth)
    assert again.status_code == 404


async def test_too_large_uploads_are_400_on_the_field_and_save_nothing(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    ticket = await create_ticket(client, world)
    before = await counts(db)
    big = b"x" * (64 * 1024 + 1)
    response = await client.post(
        "/api/followups/",
        data={"ticket": str(ticket["id"]), "comment": "big"},
        files=[("attachments", ("big.txt", big, "text/plain"))],
        auth=world.staff_auth,
    )
    assert response.status_code == 400
    assert list(response.json()) == ["attachments"]
    response = await client.post(
        "/api/tickets/",
        data={"queue": str(world.queue_id), "title": "t", "description": "d", "priority": "3"},
        files={"attachment": ("big.txt", big, "text/plain")},
        auth=world.staff_auth,
    )
    assert response.status_code == 400
    assert list(response.json()) == ["attachment"]
    assert await counts(db) == before
