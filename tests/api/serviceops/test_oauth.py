"""``POST /api/oauth/token`` over HTTP: both grants, both body encodings, and every refusal in
the OAuth2 shape with the database unchanged."""

from __future__ import annotations

import base64

import httpx

from polydesk.core.db import Database
from polydesk.core.enums import AccessLevel, Role
from polydesk.core.settings import Settings
from tests.api.serviceops.helpers import (
    PASSWORD,
    assert_error,
    basic,
    bearer,
    login,
    make_client,
    make_staff,
    password_grant,
    snapshot,
)


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert isinstance(body["error_description"], str) and body["error_description"]
    assert response.headers["cache-control"] == "no-store"


async def test_password_grant_multipart(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    await make_staff(db)
    await make_client(db)
    response = await password_grant(client)
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == [
        "access_token",
        "token_type",
        "refresh_token",
        "expires_in",
        "scope",
        "jti",
    ]
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == settings.access_token_ttl - 1
    assert body["scope"] == "main-web-app-scope"
    assert body["access_token"].count(".") == 2
    assert response.headers["cache-control"] == "no-store"
    # The token works on a resource call.
    got = await client.get("/api/ususer/form/incident", headers=bearer(body["access_token"]))
    assert got.status_code == 200


async def test_password_grant_urlencoded_and_login_name(
    client: httpx.AsyncClient, db: Database
) -> None:
    await make_staff(db)
    await make_client(db)
    response = await client.post(
        "/api/oauth/token",
        headers=basic(),
        data={"username": "TIM@acme.com", "password": PASSWORD, "grant_type": "password"},
    )
    assert response.status_code == 200, response.text


async def test_no_client_credentials(client: httpx.AsyncClient, db: Database) -> None:
    await make_staff(db)
    await make_client(db)
    before = await snapshot(db)
    response = await password_grant(client, headers={})
    assert_oauth_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Basic")
    assert await snapshot(db) == before


async def test_wrong_client_secret(client: httpx.AsyncClient, db: Database) -> None:
    await make_staff(db)
    await make_client(db)
    before = await snapshot(db)
    response = await password_grant(client, headers=basic(secret="not-the-secret-at-all"))
    assert_oauth_error(response, 401, "invalid_client")
    response = await password_grant(client, headers=basic(client_id="unknown-client"))
    assert_oauth_error(response, 401, "invalid_client")
    garbage = {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()}
    assert_oauth_error(await password_grant(client, headers=garbage), 401, "invalid_client")
    assert await snapshot(db) == before


async def test_wrong_user_password(client: httpx.AsyncClient, db: Database) -> None:
    await make_staff(db)
    await make_client(db)
    before = await snapshot(db)
    response = await password_grant(client, password="wrong-password")
    assert_oauth_error(response, 400, "invalid_grant")
    assert response.json()["error_description"] == "Bad credentials"
    response = await password_grant(client, username="nobody@acme.com")
    assert_oauth_error(response, 400, "invalid_grant")
    assert await snapshot(db) == before


async def test_requester_gets_no_token(client: httpx.AsyncClient, db: Database) -> None:
    await make_staff(db, email="req@acme.com", role=Role.REQUESTER)
    await make_client(db)
    before = await snapshot(db)
    response = await password_grant(client, username="req@acme.com")
    assert_oauth_error(response, 400, "invalid_grant")
    assert await snapshot(db) == before


async def test_specific_user_client(client: httpx.AsyncClient, db: Database) -> None:
    own = await make_staff(db, email="own@acme.com")
    await make_staff(db, email="other@acme.com")
    await make_client(
        db,
        client_id="specific-client",
        secret="specific-client-secret",
        access_level=AccessLevel.SPECIFIC_USER,
        user_id=own.id,
    )
    headers = basic("specific-client", "specific-client-secret")
    before = await snapshot(db)
    response = await password_grant(client, username="other@acme.com", headers=headers)
    assert_oauth_error(response, 400, "unauthorized_client")
    assert await snapshot(db) == before
    response = await password_grant(client, username="own@acme.com", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "specific-scope"


async def test_any_user_client_accepts_admins(client: httpx.AsyncClient, db: Database) -> None:
    await make_staff(db, email="boss@acme.com", role=Role.ADMIN)
    await make_client(db)
    response = await password_grant(client, username="boss@acme.com")
    assert response.status_code == 200, response.text


async def test_refresh_rotation(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    response = await client.post(
        "/api/oauth/token",
        headers=basic(),
        files={"grant_type": (None, "refresh_token"), "refresh_token": (None, api.refresh_token)},
    )
    assert response.status_code == 200, response.text
    fresh = response.json()
    assert fresh["refresh_token"] != api.refresh_token
    assert fresh["jti"] != ""
    # The new access token works; the one issued with the used refresh token is revoked.
    ok = await client.get("/api/ususer/form/incident", headers=bearer(fresh["access_token"]))
    assert ok.status_code == 200
    old = await client.get("/api/ususer/form/incident", headers=api.headers)
    assert_error(old, 401, contains="revoked")

    # The old refresh token is refused ...
    response = await client.post(
        "/api/oauth/token",
        headers=basic(),
        data={"grant_type": "refresh_token", "refresh_token": api.refresh_token},
    )
    assert_oauth_error(response, 400, "invalid_grant")
    # ... and, since its reuse means it may have leaked, the pair issued from it is revoked.
    gone = await client.get("/api/ususer/form/incident", headers=bearer(fresh["access_token"]))
    assert_error(gone, 401)


async def test_refresh_token_of_another_client(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    await make_client(db, client_id="other-client", secret="other-client-secret")
    before = await snapshot(db)
    response = await client.post(
        "/api/oauth/token",
        headers=basic("other-client", "other-client-secret"),
        data={"grant_type": "refresh_token", "refresh_token": api.refresh_token},
    )
    assert_oauth_error(response, 400, "invalid_grant")
    response = await client.post(
        "/api/oauth/token",
        headers=basic(),
        data={"grant_type": "refresh_token", "refresh_token": api.access_token},
    )
    assert_oauth_error(response, 400, "invalid_grant")
    assert await snapshot(db) == before


async def test_bad_requests(client: httpx.AsyncClient, db: Database) -> None:
    await make_staff(db)
    await make_client(db)
    before = await snapshot(db)
    response = await client.post(
        "/api/oauth/token", headers=basic(), data={"grant_type": "client_credentials"}
    )
    assert_oauth_error(response, 400, "unsupported_grant_type")
    response = await client.post("/api/oauth/token", headers=basic(), data={"username": "x"})
    assert_oauth_error(response, 400, "invalid_request")
    response = await client.post(
        "/api/oauth/token", headers=basic(), data={"grant_type": "password", "username": "x"}
    )
    assert_oauth_error(response, 400, "invalid_request")
    response = await client.post("/api/oauth/token", headers=basic(), json={"a": 1})
    assert_oauth_error(response, 400, "invalid_request")
    assert await snapshot(db) == before


async def test_wrong_method_in_oauth_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/oauth/token")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


async def test_query_string_parameters(client: httpx.AsyncClient, db: Database) -> None:
    await make_staff(db)
    await make_client(db)
    response = await client.post(
        "/api/oauth/token",
        headers=basic(),
        params={"grant_type": "password", "username": "tim@acme.com", "password": PASSWORD},
    )
    assert response.status_code == 200, response.text


async def test_nul_characters(client: httpx.AsyncClient, db: Database) -> None:
    await make_staff(db)
    await make_client(db)
    before = await snapshot(db)
    response = await client.post(
        "/api/oauth/token",
        headers=basic(),
        data={"grant_type": "password", "username": "tim\u0000@acme.com", "password": "x"},
    )
    assert_oauth_error(response, 400, "invalid_request")
    assert_oauth_error(
        await password_grant(client, headers=basic("a\u0000b")), 401, "invalid_client"
    )
    assert await snapshot(db) == before
