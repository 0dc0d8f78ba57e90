"""django-helpdesk's ``TicketTest`` (tests/test_api.py) and the ticket behaviour of spec §4,
over HTTP."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from polydesk.core.db import Database
from polydesk.models import Event, Note, Record
from tests.api.helpdesk.conftest import World, counts, create_ticket

DATETIME_ERROR = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)


async def test_create_api_ticket_not_authenticated_user(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    before = await counts(db)
    response = await client.post("/api/tickets/", json={"queue": world.queue_id})
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert "www-authenticate" not in response.headers
    assert await counts(db) == before


async def test_create_api_ticket_authenticated_non_staff_user(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    before = await counts(db)
    response = await client.post("/api/tickets/", data={}, auth=world.plain_auth)
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert await counts(db) == before


async def test_bad_password_is_403_invalid_username_password(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get("/api/tickets/", auth=("staff", "wrong"))
    assert response.status_code == 403
    assert response.json() == {"detail": "Invalid username/password."}


async def test_create_api_ticket_no_data(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    before = await counts(db)
    response = await client.post("/api/tickets/", data={}, auth=world.staff_auth)
    assert response.status_code == 400
    assert response.json() == {
        "queue": ["This field is required."],
        "title": ["This field is required."],
    }
    assert await counts(db) == before
    response = await client.post("/api/tickets/", json={}, auth=world.staff_auth)
    assert response.status_code == 400
    assert response.json() == {
        "queue": ["This field is required."],
        "title": ["This field is required."],
    }


async def test_create_api_ticket_wrong_date_format(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    before = await counts(db)
    response = await client.post(
        "/api/tickets/",
        data={
            "queue": str(world.queue_id),
            "title": "Test title",
            "due_date": "monday, 1st of may 2022",
        },
        auth=world.staff_auth,
    )
    assert response.status_code == 400
    assert response.json() == {"due_date": [DATETIME_ERROR]}
    assert await counts(db) == before


async def test_create_api_ticket_authenticated_staff_user(
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
        auth=world.staff_auth,
    )
    assert response.status_code == 201
    body = response.json()
    assert "location" not in response.headers
    assert body["title"] == "Test title"
    assert body["description"] == "Test description\nMulti lines"
    assert body["submitter_email"] == "test@mail.com"
    assert body["priority"] == 4
    assert body["queue"] == world.queue_id
    assert len(body["followup_set"]) == 1
    async with db.unit_of_work() as session:
        record = (await session.scalars(select(Record))).one()
        notes = (await session.scalars(select(Note))).all()
        actions = (await session.scalars(select(Event.action))).all()
    assert record.kind == "incident" and record.title == "Test title" and record.priority == 4
    assert record.service_id == world.queue_id
    assert len(notes) == 1 and notes[0].note_type == "followup"
    assert "record.created" in actions and "note.created" in actions


async def test_create_api_ticket_with_basic_auth(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/api/tickets/",
        json={
            "queue": world.queue_id,
            "title": "Title",
            "description": "Description",
            "resolution": "Resolution",
            "assigned_to": world.staff.id,
            "submitter_email": "test@mail.com",
            "status": 4,
            "on_hold": True,
            "priority": 1,
            "due_date": "2022-04-11T23:59:59Z",
            "merged_to": None,
        },
        auth=world.admin_auth,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "Title"
    assert body["description"] == "Description"
    assert body["resolution"] is None
    assert body["assigned_to"] == world.staff.id
    assert body["submitter_email"] == "test@mail.com"
    assert body["status"] == 1
    assert body["on_hold"] is False
    assert body["priority"] == 1
    assert body["due_date"] == "2022-04-11T23:59:59Z"
    assert body["merged_to"] is None
    followup = body["followup_set"][0]
    assert followup["title"] == "Ticket Opened & Assigned to staff"
    assert followup["user"] == world.admin.id
    assert followup["email_recipients"] == ["test@mail.com", "staff@example.com"]


async def test_edit_api_ticket(client: httpx.AsyncClient, world: World, db: Database) -> None:
    first = await create_ticket(client, world)
    other = await create_ticket(client, world, title="Other")
    response = await client.put(
        f"/api/tickets/{first['id']}/",
        json={
            "queue": world.queue_id,
            "title": "Title",
            "description": "Description",
            "resolution": "Resolution",
            "assigned_to": world.staff.id,
            "submitter_email": "test@mail.com",
            "status": 3,
            "on_hold": True,
            "priority": 1,
            "due_date": "2027-01-15T09:30:00+02:00",
            "merged_to": other["id"],
        },
        auth=world.staff_auth,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in body if k not in ("followup_set", "id")} == {
        "queue": world.queue_id,
        "title": "Title",
        "description": "Description",
        "resolution": "Resolution",
        "submitter_email": "test@mail.com",
        "assigned_to": world.staff.id,
        "status": 3,
        "on_hold": True,
        "priority": 1,
        "due_date": "2027-01-15T07:30:00Z",
        "merged_to": other["id"],
    }
    assert len(body["followup_set"]) == 1
    async with db.unit_of_work() as session:
        updates = (
            await session.scalars(select(Event).where(Event.action == "record.updated"))
        ).all()
    assert len(updates) == 1


async def test_put_needs_queue_and_title_and_keeps_omitted_fields(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    ticket = await create_ticket(client, world, due_date="2026-12-01")
    before = await counts(db)
    response = await client.put(
        f"/api/tickets/{ticket['id']}/", json={"title": "x"}, auth=world.staff_auth
    )
    assert response.status_code == 400
    assert response.json() == {"queue": ["This field is required."]}
    assert await counts(db) == before
    response = await client.put(
        f"/api/tickets/{ticket['id']}/",
        json={"queue": world.queue_id, "title": "Renamed"},
        auth=world.staff_auth,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Renamed"
    assert body["description"] == "Some description"
    assert body["due_date"] == "2026-12-01T00:00:00Z"


async def test_patch_api_ticket(client: httpx.AsyncClient, world: World) -> None:
    ticket = await create_ticket(client, world)
    response = await client.patch(
        f"/api/tickets/{ticket['id']}/",
        json={"description": "New description"},
        auth=world.staff_auth,
    )
    assert response.status_code == 200
    assert response.json()["description"] == "New description"
    other = await create_ticket(client, world)
    response = await client.patch(
        f"/api/tickets/{ticket['id']}/",
        json={
            "priority": 1,
            "on_hold": True,
            "status": 3,
            "resolution": "Extinguished",
            "merged_to": other["id"],
        },
        auth=world.staff_auth,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["priority"], body["on_hold"], body["status"]) == (1, True, 3)
    assert (body["resolution"], body["merged_to"]) == ("Extinguished", other["id"])
    assert len(body["followup_set"]) == 1
    response = await client.patch(
        f"/api/tickets/{other['id']}/",
        json={"due_date": "2026-12-01T10:00", "assigned_to": world.staff.id},
        auth=world.staff_auth,
    )
    assert response.json()["due_date"] == "2026-12-01T10:00:00Z"
    response = await client.patch(
        f"/api/tickets/{other['id']}/",
        json={"due_date": None, "assigned_to": None},
        auth=world.staff_auth,
    )
    assert (response.json()["due_date"], response.json()["assigned_to"]) == (None, None)


async def test_delete_api_ticket(client: httpx.AsyncClient, world: World, db: Database) -> None:
    ticket = await create_ticket(client, world)
    response = await client.delete(f"/api/tickets/{ticket['id']}/", auth=world.staff_auth)
    assert response.status_code == 204
    assert response.content == b""
    async with db.unit_of_work() as session:
        assert (await session.scalars(select(Record))).all() == []
        assert (await session.scalars(select(Note))).all() == []
    response = await client.delete(f"/api/tickets/{ticket['id']}/", auth=world.staff_auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "No Ticket matches the given query."}


async def test_missing_description_and_priority_are_400_and_nothing_is_saved(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    before = await counts(db)
    base = {"queue": world.queue_id, "title": "No description"}
    response = await client.post(
        "/api/tickets/", json={**base, "priority": 3}, auth=world.staff_auth
    )
    assert response.status_code == 400
    assert response.json() == {"description": ["This field is required."]}
    response = await client.post(
        "/api/tickets/", json={**base, "description": "", "priority": 3}, auth=world.staff_auth
    )
    assert response.status_code == 400
    assert response.json() == {"body": ["This field is required."]}
    response = await client.post(
        "/api/tickets/", json={**base, "description": None, "priority": 3}, auth=world.staff_auth
    )
    assert response.json() == {"body": ["This field is required."]}
    response = await client.post(
        "/api/tickets/", json={**base, "description": "x"}, auth=world.staff_auth
    )
    assert response.status_code == 400
    assert response.json() == {"priority": ["This field is required."]}
    assert await counts(db) == before


async def test_field_errors_in_drf_words(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    before = await counts(db)
    cases: list[tuple[dict[str, object], dict[str, object]]] = [
        ({"queue": 99, "title": "t"}, {"queue": ['Invalid pk "99" - object does not exist.']}),
        (
            {"queue": "abc", "title": "t"},
            {"queue": ["Incorrect type. Expected pk value, received str."]},
        ),
        (
            {"queue": world.queue_id, "title": "x" * 201},
            {"title": ["Ensure this field has no more than 200 characters."]},
        ),
        (
            {"queue": world.queue_id, "title": "t", "submitter_email": "nope"},
            {"submitter_email": ["Enter a valid email address."]},
        ),
        (
            {"queue": world.queue_id, "title": "t", "status": 9},
            {"status": ['"9" is not a valid choice.']},
        ),
        (
            {"queue": world.queue_id, "title": "t", "on_hold": "maybe"},
            {"on_hold": ["Must be a valid boolean."]},
        ),
        (
            {"queue": world.queue_id, "title": "t", "assigned_to": 999},
            {"assigned_to": ['Invalid pk "999" - object does not exist.']},
        ),
        (
            {"queue": world.queue_id, "title": "t", "attachment": "not a file"},
            {
                "attachment": [
                    "The submitted data was not a file. Check the encoding type on the form."
                ]
            },
        ),
        (
            {"queue": world.queue_id, "title": ""},
            {"title": ["This field may not be blank."]},
        ),
        (
            {"queue": None, "title": "t"},
            {"queue": ["This field may not be null."]},
        ),
    ]
    for body, expected in cases:
        response = await client.post("/api/tickets/", json=body, auth=world.staff_auth)
        assert response.status_code == 400, body
        assert response.json() == expected, body
    assert await counts(db) == before


async def test_assignee_must_be_staff_on_create(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    before = await counts(db)
    response = await client.post(
        "/api/tickets/",
        json={
            "queue": world.queue_id,
            "title": "t",
            "description": "d",
            "priority": 3,
            "assigned_to": world.plain.id,
        },
        auth=world.staff_auth,
    )
    assert response.status_code == 400
    assert response.json() == {
        "assigned_to": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert await counts(db) == before


async def test_malformed_json_and_unknown_keys(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    response = await client.post(
        "/api/tickets/",
        content=b'{"queue": 1, }',
        headers={"Content-Type": "application/json"},
        auth=world.staff_auth,
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "JSON parse error - Expecting property name enclosed in double quotes: "
        "line 1 column 14 (char 13)"
    }
    ticket = await create_ticket(client, world, foo="ignored")
    assert "foo" not in ticket
    response = await client.post(
        "/api/tickets/",
        content=b"hello",
        headers={"Content-Type": "text/plain"},
        auth=world.staff_auth,
    )
    assert response.status_code == 415
    assert response.json() == {"detail": 'Unsupported media type "text/plain" in request.'}


async def test_retrieve_and_not_found(client: httpx.AsyncClient, world: World) -> None:
    ticket = await create_ticket(client, world)
    response = await client.get(f"/api/tickets/{ticket['id']}/", auth=world.staff_auth)
    assert response.status_code == 200
    assert response.json() == ticket
    assert list(ticket)[:13] == [
        "id",
        "queue",
        "title",
        "description",
        "resolution",
        "submitter_email",
        "assigned_to",
        "status",
        "on_hold",
        "priority",
        "due_date",
        "merged_to",
        "followup_set",
    ]
    response = await client.get("/api/tickets/999/", auth=world.staff_auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "No Ticket matches the given query."}
    response = await client.get("/api/tickets/abc/", auth=world.staff_auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


async def test_list_pagination_and_status_filter(client: httpx.AsyncClient, world: World) -> None:
    ids = [(await create_ticket(client, world, title=f"T{i}"))["id"] for i in range(5)]
    await client.patch(f"/api/tickets/{ids[1]}/", json={"status": 3}, auth=world.staff_auth)
    response = await client.get("/api/tickets/?page_size=2", auth=world.staff_auth)
    body = response.json()
    assert body["count"] == 5
    assert body["next"] == "http://testserver/api/tickets/?page=2&page_size=2"
    assert body["previous"] is None
    assert [t["id"] for t in body["results"]] == ids[:2]
    response = await client.get("/api/tickets/?page=2&page_size=2", auth=world.staff_auth)
    body = response.json()
    assert body["previous"] == "http://testserver/api/tickets/?page_size=2"
    assert body["next"] == "http://testserver/api/tickets/?page=3&page_size=2"
    response = await client.get("/api/tickets/?page=last&page_size=2", auth=world.staff_auth)
    assert [t["id"] for t in response.json()["results"]] == ids[4:]
    for page in ("99", "abc", "0"):
        response = await client.get(f"/api/tickets/?page={page}", auth=world.staff_auth)
        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid page."}
    response = await client.get("/api/tickets/?page_size=0", auth=world.staff_auth)
    assert len(response.json()["results"]) == 5
    response = await client.get("/api/tickets/?status=3", auth=world.staff_auth)
    assert [t["id"] for t in response.json()["results"]] == [ids[1]]
    response = await client.get("/api/tickets/?status=1,3", auth=world.staff_auth)
    assert response.json()["count"] == 5
    response = await client.get("/api/tickets/?status=Open", auth=world.staff_auth)
    assert response.json()["count"] == 5
    response = await client.get("/api/tickets/?status=4", auth=world.staff_auth)
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


async def test_put_and_patch_errors_change_nothing(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    ticket = await create_ticket(client, world)
    before = await counts(db)
    for body, expected in [
        ({"merged_to": ticket["id"]}, {"merged_to": ["A record cannot be merged into itself."]}),
        ({"merged_to": 999}, {"merged_to": ['Invalid pk "999" - object does not exist.']}),
        ({"priority": 0}, {"priority": ['"0" is not a valid choice.']}),
        ({"due_date": "soon"}, {"due_date": [DATETIME_ERROR]}),
        ({"queue": 999}, {"queue": ['Invalid pk "999" - object does not exist.']}),
    ]:
        response = await client.patch(
            f"/api/tickets/{ticket['id']}/", json=body, auth=world.staff_auth
        )
        assert response.status_code == 400, body
        assert response.json() == expected, body
    response = await client.patch(
        f"/api/tickets/{ticket['id']}/", json={"assigned_to": world.plain.id}, auth=world.staff_auth
    )
    assert response.status_code == 400
    assert list(response.json()) == ["assigned_to"]
    response = await client.patch("/api/tickets/999/", json={}, auth=world.staff_auth)
    assert response.status_code == 404
    assert await counts(db) == before
