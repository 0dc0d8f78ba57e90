"""``POST /api/users/``: upstream ``CreateUserTest`` (2.6.x) and spec §7."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from polydesk.core.db import Database
from polydesk.core.security import verify_password
from polydesk.models import User
from tests.api.helpdesk.conftest import World, counts

NEW = {
    "first_name": "Dana",
    "last_name": "Scully",
    "username": "dscully",
    "email": "dana@example.com",
    "password": "x-files-are-out-there",
}


async def test_only_admins_create_users(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    before = await counts(db)
    anonymous = await client.post("/api/users/", json=NEW)
    assert anonymous.status_code == 403
    assert anonymous.json() == {"detail": "Authentication credentials were not provided."}
    for auth in (world.staff_auth, world.plain_auth):
        response = await client.post("/api/users/", json=NEW, auth=auth)
        assert response.status_code == 403
        assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert await counts(db) == before


async def test_admin_creates_an_active_user_with_a_hashed_password(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    response = await client.post("/api/users/", data=NEW, auth=world.admin_auth)
    assert response.status_code == 201, response.text
    assert response.json() == {
        "first_name": "Dana",
        "last_name": "Scully",
        "username": "dscully",
        "email": "dana@example.com",
    }
    async with db.unit_of_work() as session:
        user = (await session.scalars(select(User).where(User.username == "dscully"))).one()
    assert user.is_active and user.role == "requester"
    assert verify_password(user.password_hash, NEW["password"])
    signed_in = await client.get("/api/user_tickets/", auth=("dscully", NEW["password"]))
    assert signed_in.status_code == 200


async def test_the_email_is_kept_as_given_and_signs_in_in_any_case(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    body = {**NEW, "email": "Dana.Scully@Example.com"}
    response = await client.post("/api/users/", json=body, auth=world.admin_auth)
    assert response.status_code == 201, response.text
    assert response.json()["email"] == "Dana.Scully@Example.com"
    async with db.unit_of_work() as session:
        user = (await session.scalars(select(User).where(User.username == "dscully"))).one()
    assert user.email == "Dana.Scully@Example.com"
    for login in ("dana.scully@example.com", "DANA.SCULLY@EXAMPLE.COM"):
        signed_in = await client.get("/api/user_tickets/", auth=(login, NEW["password"]))
        assert signed_in.status_code == 200, login
    before = await counts(db)
    again = {**NEW, "username": "other", "email": "dana.scully@example.com"}
    duplicate = await client.post("/api/users/", json=again, auth=world.admin_auth)
    assert duplicate.status_code == 400
    assert duplicate.json() == {"email": ["A user with that email address already exists."]}
    assert await counts(db) == before


async def test_user_errors(client: httpx.AsyncClient, world: World, db: Database) -> None:
    before = await counts(db)
    cases: list[tuple[dict[str, object], dict[str, object]]] = [
        (
            {},
            {
                "username": ["This field is required."],
                "email": ["This field is required."],
                "password": ["This field is required."],
            },
        ),
        (
            {**NEW, "username": "staff"},
            {"username": ["A user with that username already exists."]},
        ),
        (
            {**NEW, "password": "1234"},
            {
                "password": [
                    "This password is too short. It must contain at least 8 characters.",
                    "This password is too common.",
                    "This password is entirely numeric.",
                ]
            },
        ),
        ({**NEW, "password": "password"}, {"password": ["This password is too common."]}),
        (
            {**NEW, "username": "new-user", "password": "new-user-1234"},
            {"password": ["The password is too similar to the username."]},
        ),
        (
            {**NEW, "username": "bad name"},
            {
                "username": [
                    "Enter a valid username. This value may contain only letters, numbers, "
                    "and @/./+/-/_ characters."
                ]
            },
        ),
        (
            {**NEW, "email": "plain@example.com"},
            {"email": ["A user with that email address already exists."]},
        ),
    ]
    for body, expected in cases:
        response = await client.post("/api/users/", json=body, auth=world.admin_auth)
        assert response.status_code == 400, body
        assert response.json() == expected, body
    assert await counts(db) == before
    strong = await client.post(
        "/api/users/",
        json={**NEW, "username": "new-user", "password": "correct horse battery staple"},
        auth=world.admin_auth,
    )
    assert strong.status_code == 201


async def test_no_list_retrieve_or_update(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/api/users/", auth=world.admin_auth)
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "GET" not allowed.'}
    assert response.headers["allow"] == "POST, OPTIONS"
    response = await client.get(f"/api/users/{world.admin.id}/", auth=world.admin_auth)
    assert response.status_code == 404
