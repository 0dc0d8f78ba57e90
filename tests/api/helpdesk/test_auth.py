"""Authentication: HTTP Basic (username or e-mail) with the verified-credential cache, and
the session cookie from ``/api-auth/login/`` with CSRF on unsafe methods (spec §2)."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from polydesk.core import security
from polydesk.core.db import Database
from polydesk.models import WebSession
from tests.api.helpdesk.conftest import PASSWORD, World, counts, create_ticket


async def _login(client: httpx.AsyncClient, login: str = "staff") -> str:
    """Sign in through the form; the session's CSRF token comes back."""
    form = await client.get("/api-auth/login/?next=/api/tickets/")
    assert form.status_code == 200
    assert form.headers["content-type"].startswith("text/html")
    token = client.cookies["csrftoken"]
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert match is not None and match.group(1) == token
    response = await client.post(
        "/api-auth/login/",
        data={
            "username": login,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token,
            "next": "/api/tickets/",
        },
        headers={"Referer": "http://testserver/api-auth/login/"},
    )
    assert response.status_code == 302
    assert response.headers["location"] == "/api/tickets/"
    assert "sessionid" in client.cookies
    set_cookie = response.headers.get_list("set-cookie")
    assert any(c.startswith("sessionid=") and "HttpOnly" in c for c in set_cookie)
    return client.cookies["csrftoken"]


async def test_basic_accepts_username_or_email(client: httpx.AsyncClient, world: World) -> None:
    for login in ("staff", "staff@example.com", "STAFF@example.com"):
        response = await client.get("/api/tickets/", auth=(login, PASSWORD))
        assert response.status_code == 200, login


async def test_basic_failures_are_403_without_a_challenge(
    client: httpx.AsyncClient, world: World
) -> None:
    cases = [
        ("Basic", "Invalid basic header. No credentials provided."),
        ("Basic a b", "Invalid basic header. Credentials string should not contain spaces."),
        ("Basic %%%", "Invalid basic header. Credentials not correctly base64 encoded."),
        ("Basic " + "bm9ib2R5Om5vcGU=", "Invalid username/password."),
    ]
    for header, message in cases:
        response = await client.get("/api/tickets/", headers={"Authorization": header})
        assert response.status_code == 403, header
        assert response.json() == {"detail": message}
        assert "www-authenticate" not in response.headers
    root = await client.get("/api/", auth=("staff", "wrong"))
    assert root.status_code == 403


async def test_basic_does_not_verify_the_password_every_time(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = security.verify_password

    def counting(password_hash: str | None, password: str) -> bool:
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(security, "verify_password", counting)
    for _ in range(5):
        response = await client.get("/api/tickets/", auth=world.staff_auth)
        assert response.status_code == 200
    assert len(calls) == 1


async def test_session_login_reads_and_writes_with_csrf(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    ticket = await create_ticket(client, world)
    csrf = await _login(client)
    response = await client.get("/api/tickets/")
    assert response.status_code == 200
    assert response.json()["count"] == 1

    before = await counts(db)
    missing = await client.patch(f"/api/tickets/{ticket['id']}/", json={"priority": 1})
    assert missing.status_code == 403
    assert missing.json() == {"detail": "CSRF Failed: CSRF token missing."}
    wrong = await client.patch(
        f"/api/tickets/{ticket['id']}/", json={"priority": 1}, headers={"X-CSRFToken": "nope"}
    )
    assert wrong.status_code == 403
    assert wrong.json() == {"detail": "CSRF Failed: CSRF token incorrect."}
    assert await counts(db) == before

    ok = await client.patch(
        f"/api/tickets/{ticket['id']}/",
        json={"priority": 1},
        headers={"X-CSRFToken": csrf, "Referer": "http://testserver/api/"},
    )
    assert ok.status_code == 200
    assert ok.json()["priority"] == 1


async def test_session_of_a_requester_is_not_staff(client: httpx.AsyncClient, world: World) -> None:
    await _login(client, "plain")
    response = await client.get("/api/tickets/")
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert (await client.get("/api/user_tickets/")).status_code == 200


async def test_login_failures(client: httpx.AsyncClient, world: World, db: Database) -> None:
    await client.get("/api-auth/login/")
    token = client.cookies["csrftoken"]
    wrong = await client.post(
        "/api-auth/login/",
        data={"username": "staff", "password": "wrong", "csrfmiddlewaretoken": token},
    )
    assert wrong.status_code == 200
    assert "Please enter a correct username and password." in wrong.text
    assert "sessionid" not in client.cookies
    no_csrf = await client.post(
        "/api-auth/login/", data={"username": "staff", "password": PASSWORD}
    )
    assert no_csrf.status_code == 403
    fresh = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with fresh:
        no_cookie = await fresh.post(
            "/api-auth/login/",
            data={"username": "staff", "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        assert no_cookie.status_code == 403
    async with db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(WebSession)) == 0


async def test_login_form_escapes_and_refuses_foreign_next(
    client: httpx.AsyncClient, world: World
) -> None:
    form = await client.get('/api-auth/login/?next="><script>alert(1)</script>')
    assert "<script>alert(1)" not in form.text
    await client.get("/api-auth/login/")
    token = client.cookies["csrftoken"]
    response = await client.post(
        "/api-auth/login/",
        data={
            "username": "staff",
            "password": PASSWORD,
            "csrfmiddlewaretoken": token,
            "next": "//evil.example.com/",
        },
    )
    assert response.status_code == 302
    assert response.headers["location"] == "/api/"


async def test_logout_ends_the_session(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    csrf = await _login(client)
    response = await client.post("/api-auth/logout/", data={"csrfmiddlewaretoken": csrf})
    assert response.status_code == 302
    async with db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(WebSession)) == 0
    client.cookies.delete("sessionid")
    assert (await client.get("/api/tickets/")).status_code == 403
