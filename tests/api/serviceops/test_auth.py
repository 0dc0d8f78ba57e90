"""Bearer and Apikey authentication on resource calls: every refusal is a 401 (403 for a
requester's key) in the dialect's error shape, and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import httpx
from sqlalchemy import select

from polydesk.core import jwt
from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.core.db import Database
from polydesk.core.enums import Channel, Role, TokenKind
from polydesk.core.settings import Settings
from polydesk.domains.integration import service as integration
from polydesk.models import ApiToken
from tests.api.serviceops.helpers import assert_error, bearer, login, make_staff, snapshot

URL = "/api/v1/incident/1"


async def _api_token(db: Database, email: str, role: Role = Role.TECHNICIAN) -> tuple[int, str]:
    user = await make_staff(db, email=email, role=role)
    async with db.unit_of_work() as session:
        actor = Actor(user_id=user.id, role=role, channel=Channel.CLI)
        row, token = await integration.create_api_token(session, actor, name="key")
        return row.id, token


async def test_no_credentials(client: httpx.AsyncClient, db: Database) -> None:
    before = await snapshot(db)
    for method, url in (
        ("GET", URL),
        ("POST", "/api/v1/incident"),
        ("POST", URL),
        ("DELETE", URL),
        ("GET", "/api/incident/1"),
        ("GET", "/api/ususer/form/incident"),
        ("GET", "/api/oprfile/abc"),
    ):
        response = await client.request(method, url, json={"subject": "x"})
        body = assert_error(response, 401, contains="Authorization")
        assert body["returnCode"] == "UNAUTHORIZED"
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert await snapshot(db) == before


async def test_malformed_credentials(client: httpx.AsyncClient, db: Database) -> None:
    await login(client, db)
    before = await snapshot(db)
    for header in ("Bearer", "Bearer not-a-jwt", "Token abc", "Basic dGltOjEyMw==", "Apikey"):
        response = await client.get(URL, headers={"Authorization": header})
        assert_error(response, 401)
    assert await snapshot(db) == before


async def test_expired_access_token(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    api = await login(client, db)
    past = utcnow() - timedelta(hours=3)
    token, _claims = jwt.encode_token(
        settings.signing_key(),
        typ=TokenKind.ACCESS,
        user_name=api.user.email,
        client_id="main-web-app-client",
        scope=["main-web-app-scope"],
        authorities=["USER"],
        grant_type="password",
        issued_at=past,
        expires_at=past + timedelta(hours=2),
    )
    before = await snapshot(db)
    response = await client.get(URL, headers=bearer(token))
    assert_error(response, 401, contains="expired")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert await snapshot(db) == before


async def test_refresh_token_is_not_an_access_token(
    client: httpx.AsyncClient, db: Database
) -> None:
    api = await login(client, db)
    response = await client.get(URL, headers=bearer(api.refresh_token))
    assert_error(response, 401)


async def test_forged_token(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    head, payload, _sig = api.access_token.split(".")
    response = await client.get(URL, headers=bearer(f"{head}.{payload}.AAAA"))
    assert_error(response, 401)


async def test_apikey_url_encoded_and_plain(client: httpx.AsyncClient, db: Database) -> None:
    _id, token = await _api_token(db, "tim@acme.com")
    for value in (quote(token, safe=""), token):
        response = await client.get(
            "/api/ususer/form/incident", headers={"Authorization": f"Apikey {value}"}
        )
        assert response.status_code == 200, response.text
    response = await client.get(
        "/api/ususer/form/incident", headers={"Authorization": f"APIKEY {token}"}
    )
    assert response.status_code == 200


async def test_apikey_revoked_or_unknown(client: httpx.AsyncClient, db: Database) -> None:
    token_id, token = await _api_token(db, "tim@acme.com")
    async with db.unit_of_work() as session:
        await integration.revoke_api_token(session, Actor.system(), token_id)
    before = await snapshot(db)
    response = await client.get(URL, headers={"Authorization": f"Apikey {quote(token)}"})
    assert_error(response, 401, contains="invalid")
    response = await client.get(URL, headers={"Authorization": "Apikey pdk_unknown"})
    assert_error(response, 401)
    assert await snapshot(db) == before


async def test_requester_apikey_is_forbidden(client: httpx.AsyncClient, db: Database) -> None:
    token_id, token = await _api_token(db, "req@acme.com", Role.REQUESTER)
    before = await snapshot(db, token_use=False)
    response = await client.post(
        "/api/v1/incident",
        headers={"Authorization": f"Apikey {token}"},
        json={"subject": "x", "requesterEmail": "req@acme.com"},
    )
    assert_error(response, 403)
    # Nothing is written but the key's last use.
    assert await snapshot(db, token_use=False) == before
    async with db.unit_of_work() as session:
        used = await session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token_id))
    assert used is not None
