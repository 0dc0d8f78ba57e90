from __future__ import annotations

import asyncio
from datetime import timedelta

import jwt as pyjwt
import pytest
from sqlalchemy import select, update

from polydesk.core import jwt
from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.core.db import Database
from polydesk.core.enums import AccessLevel, Channel, Role, TokenKind
from polydesk.core.errors import Forbidden, Unauthenticated
from polydesk.core.settings import Settings
from polydesk.domains.integration import service, tasks
from polydesk.domains.integration.enums import AuthMethod
from polydesk.domains.integration.schemas import Principal, TokenPair
from polydesk.models import ApiClient, IssuedToken, User
from tests.domains.integration.factories import (
    PASSWORD,
    actor_for,
    count,
    database_text,
    events,
    make_admin,
    make_client,
    sql_statements,
)
from tests.factories import make_user


async def _setup(
    db: Database, *, access_level: AccessLevel = AccessLevel.ANY_USER
) -> tuple[ApiClient, User, User]:
    """An admin, a technician with a password, and a client."""
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        tech = await make_user(
            session,
            role=Role.TECHNICIAN,
            password=PASSWORD,
            email="tech@example.com",
            username="TechLogin",
        )
        client, _ = await make_client(
            session,
            admin,
            client_id="app-client",
            access_level=access_level,
            user_id=tech.id if access_level is AccessLevel.SPECIFIC_USER else None,
        )
    return client, admin, tech


async def _password_grant(
    db: Database, settings: Settings, client: ApiClient, login: str, password: str = PASSWORD
) -> TokenPair:
    async with db.unit_of_work() as session:
        return await service.password_grant(session, settings, client, login, password)


async def _authenticate(db: Database, settings: Settings, token: str) -> Principal:
    async with db.unit_of_work() as session:
        return await service.authenticate_access_token(session, settings, token)


async def test_password_grant_issues_a_serviceops_token_pair(
    db: Database, settings: Settings
) -> None:
    client, _admin, tech = await _setup(db)
    pair = await _password_grant(db, settings, client, "tech@example.com")

    body = pair.as_response()
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
    assert body["scope"] == "app-scope"
    claims = pyjwt.decode(pair.access_token, options={"verify_signature": False})
    assert claims["jti"] == pair.jti
    assert claims["user_name"] == "tech@example.com"
    assert claims["client_id"] == "app-client"
    assert claims["scope"] == ["app-scope"]
    assert claims["grant_type"] == "password"
    assert claims["exp"] - claims["iat"] == settings.access_token_ttl
    refresh_claims = pyjwt.decode(pair.refresh_token, options={"verify_signature": False})
    assert refresh_claims["ati"] == pair.jti
    assert refresh_claims["exp"] - refresh_claims["iat"] == settings.refresh_token_ttl

    async with db.unit_of_work() as session:
        rows = {r.jti: r for r in (await session.scalars(select(IssuedToken))).all()}
    assert set(rows) == {pair.jti, pair.refresh_jti}
    assert rows[pair.jti].kind == "access" and rows[pair.jti].user_id == tech.id
    assert rows[pair.refresh_jti].access_jti == pair.jti
    assert rows[pair.jti].expires_at == pair.access_expires_at
    assert rows[pair.refresh_jti].expires_at == pair.refresh_expires_at

    (event,) = await events(db, "oauth.token_issued")
    assert event.actor_id == tech.id and event.channel == "serviceops"
    assert event.after == {"user_id": tech.id, "grant_type": "password", "jti": pair.jti}
    stored = await database_text(db)
    assert pair.access_token not in stored and pair.refresh_token not in stored

    principal = await _authenticate(db, settings, pair.access_token)
    assert principal.user_id == tech.id
    assert principal.role is Role.TECHNICIAN
    assert principal.method is AuthMethod.OAUTH
    assert principal.client_id == client.id and principal.jti == pair.jti
    assert principal.scope == ("app-scope",)
    assert principal.actor(Channel.SERVICEOPS) == Actor(
        user_id=tech.id, role=Role.TECHNICIAN, channel=Channel.SERVICEOPS
    )


async def test_expires_in_follows_the_configured_lifetime(db: Database, settings: Settings) -> None:
    client, _admin, _tech = await _setup(db)
    short = settings.model_copy(update={"access_token_ttl": 60})
    pair = await _password_grant(db, short, client, "tech@example.com")
    assert pair.expires_in == 59


@pytest.mark.parametrize("login", ["TECH@Example.COM", "techlogin", "  tech@example.com "])
async def test_login_by_email_or_username_ignoring_case(
    db: Database, settings: Settings, login: str
) -> None:
    client, _admin, tech = await _setup(db)
    pair = await _password_grant(db, settings, client, login)
    assert (await _authenticate(db, settings, pair.access_token)).user_id == tech.id


async def test_bad_credentials_are_refused_alike(db: Database, settings: Settings) -> None:
    client, _admin, tech = await _setup(db)
    async with db.unit_of_work() as session:
        await make_user(session, role=Role.TECHNICIAN, email="nopass@example.com")
        gone = await make_user(
            session, role=Role.TECHNICIAN, password=PASSWORD, email="gone@example.com"
        )
        gone.is_active = False
    cases = [
        ("tech@example.com", "wrong", "wrong_password"),
        ("nobody@example.com", PASSWORD, "unknown_user"),
        ("nopass@example.com", PASSWORD, "wrong_password"),
        ("gone@example.com", PASSWORD, "inactive_user"),
        ("", PASSWORD, "unknown_user"),
    ]
    messages = set()
    for login, password, reason in cases:
        with pytest.raises(service.InvalidGrant) as info:
            await _password_grant(db, settings, client, login, password)
        assert info.value.reason == reason, login
        assert info.value.code == "invalid_grant"
        messages.add(info.value.message)
    assert messages == {"Bad credentials."}
    assert await count(db, IssuedToken) == 0
    assert await events(db, "oauth.token_issued") == []
    assert tech.id


async def test_requesters_get_no_token(db: Database, settings: Settings) -> None:
    client, _admin, _tech = await _setup(db)
    async with db.unit_of_work() as session:
        await make_user(session, role=Role.REQUESTER, password=PASSWORD, email="req@example.com")
    with pytest.raises(service.InvalidGrant) as info:
        await _password_grant(db, settings, client, "req@example.com")
    assert info.value.reason == "not_staff"
    assert await count(db, IssuedToken) == 0


async def test_any_user_client_accepts_admins(db: Database, settings: Settings) -> None:
    client, admin, _tech = await _setup(db)
    pair = await _password_grant(db, settings, client, admin.email)
    principal = await _authenticate(db, settings, pair.access_token)
    assert principal.role is Role.ADMIN
    claims = pyjwt.decode(pair.access_token, options={"verify_signature": False})
    assert claims["authorities"] == ["USER", "ADMIN"]


async def test_specific_user_client_only_serves_its_own_user(
    db: Database, settings: Settings
) -> None:
    client, admin, tech = await _setup(db, access_level=AccessLevel.SPECIFIC_USER)
    with pytest.raises(service.UnauthorizedClient) as info:
        await _password_grant(db, settings, client, admin.email)
    assert isinstance(info.value, Forbidden)
    assert info.value.code == "unauthorized_client"
    assert await count(db, IssuedToken) == 0
    # A wrong password is still a bad grant, whoever the user is.
    with pytest.raises(service.InvalidGrant):
        await _password_grant(db, settings, client, admin.email, "wrong")
    pair = await _password_grant(db, settings, client, "tech@example.com")
    assert (await _authenticate(db, settings, pair.access_token)).user_id == tech.id


async def test_expired_access_token_is_refused(db: Database, settings: Settings) -> None:
    client, _admin, _tech = await _setup(db)
    pair = await _password_grant(db, settings, client, "tech@example.com")
    now = utcnow()
    expired, _ = jwt.encode_token(
        settings.signing_key(),
        typ=TokenKind.ACCESS,
        user_name="tech@example.com",
        client_id="app-client",
        scope=["app-scope"],
        authorities=["USER"],
        grant_type="password",
        issued_at=now - timedelta(hours=3),
        expires_at=now - timedelta(seconds=1),
        jti=pair.jti,  # a jti the database knows and has not revoked
    )
    with pytest.raises(service.InvalidAccessToken) as info:
        await _authenticate(db, settings, expired)
    assert info.value.expired
    assert info.value.code == "invalid_token"


async def test_invalid_access_tokens_are_refused(db: Database, settings: Settings) -> None:
    client, _admin, _tech = await _setup(db)
    pair = await _password_grant(db, settings, client, "tech@example.com")
    other_key = settings.model_copy(update={"secret_key": "another-secret-key-entirely-0123456789"})
    now = utcnow()
    unknown_jti, _ = jwt.encode_token(
        settings.signing_key(),
        typ=TokenKind.ACCESS,
        user_name="tech@example.com",
        client_id="app-client",
        scope=[],
        authorities=[],
        grant_type="password",
        issued_at=now,
        expires_at=now + timedelta(hours=1),
    )
    cases = [
        (settings, pair.refresh_token, "invalid"),
        (settings, "garbage", "invalid"),
        (settings, "x" * 5000, "invalid"),
        (other_key, pair.access_token, "invalid"),
        (settings, unknown_jti, "unknown"),
    ]
    for used_settings, token, reason in cases:
        with pytest.raises(service.InvalidAccessToken) as info:
            await _authenticate(db, used_settings, token)
        assert info.value.reason == reason
        assert not info.value.expired


async def test_refresh_rotates_and_refuses_reuse(db: Database, settings: Settings) -> None:
    client, _admin, tech = await _setup(db)
    first = await _password_grant(db, settings, client, "tech@example.com")

    async with db.unit_of_work() as session:
        second = await service.refresh_grant(session, settings, client, first.refresh_token)
    assert second.jti != first.jti and second.refresh_jti != first.refresh_jti
    claims = pyjwt.decode(second.access_token, options={"verify_signature": False})
    assert claims["grant_type"] == "refresh_token"
    assert (await _authenticate(db, settings, second.access_token)).user_id == tech.id

    # The access token issued with the used refresh token is revoked.
    with pytest.raises(service.InvalidAccessToken) as info:
        await _authenticate(db, settings, first.access_token)
    assert info.value.reason == "revoked"

    (event,) = await events(db, "oauth.token_refreshed")
    assert event.before == {"jti": first.jti, "refresh_jti": first.refresh_jti}
    assert event.after == {"jti": second.jti, "refresh_jti": second.refresh_jti}

    # The used refresh token is refused; the refusal names what to revoke.
    with pytest.raises(service.RefreshTokenReused) as reused:
        async with db.unit_of_work() as session:
            await service.refresh_grant(session, settings, client, first.refresh_token)
    assert reused.value.code == "invalid_grant"
    assert (reused.value.client_pk, reused.value.user_id) == (client.id, tech.id)
    # The refusal rolled its unit of work back: the newest pair still works …
    assert (await _authenticate(db, settings, second.access_token)).user_id == tech.id
    # … until the caller revokes the chain, as a dialect does on this error.
    async with db.unit_of_work() as session:
        revoked = await service.revoke_tokens(
            session,
            Actor.system(Channel.SERVICEOPS),
            client_pk=reused.value.client_pk,
            user_id=reused.value.user_id,
        )
    assert revoked == 2
    with pytest.raises(service.InvalidAccessToken):
        await _authenticate(db, settings, second.access_token)
    with pytest.raises(service.RefreshTokenReused):
        async with db.unit_of_work() as session:
            await service.refresh_grant(session, settings, client, second.refresh_token)


async def test_concurrent_refreshes_with_one_token_let_exactly_one_win(
    db: Database, settings: Settings
) -> None:
    client, _admin, _tech = await _setup(db)
    pair = await _password_grant(db, settings, client, "tech@example.com")

    async def refresh() -> TokenPair | Exception:
        try:
            async with db.unit_of_work() as session:
                return await service.refresh_grant(session, settings, client, pair.refresh_token)
        except Unauthenticated as exc:
            return exc

    results = await asyncio.gather(refresh(), refresh())
    assert sum(isinstance(r, TokenPair) for r in results) == 1
    assert sum(isinstance(r, service.RefreshTokenReused) for r in results) == 1


async def test_refresh_token_of_another_client_is_refused(db: Database, settings: Settings) -> None:
    client, admin, _tech = await _setup(db)
    async with db.unit_of_work() as session:
        other, _ = await make_client(session, admin, client_id="other-client")
    pair = await _password_grant(db, settings, client, "tech@example.com")
    with pytest.raises(service.InvalidGrant) as info:
        async with db.unit_of_work() as session:
            await service.refresh_grant(session, settings, other, pair.refresh_token)
    assert info.value.reason == "other_client"
    # Not consumed: its own client can still use it.
    async with db.unit_of_work() as session:
        await service.refresh_grant(session, settings, client, pair.refresh_token)


async def test_expired_or_wrong_kind_refresh_tokens_are_refused(
    db: Database, settings: Settings
) -> None:
    client, _admin, _tech = await _setup(db)
    pair = await _password_grant(db, settings, client, "tech@example.com")
    now = utcnow()
    expired, _ = jwt.encode_token(
        settings.signing_key(),
        typ=TokenKind.REFRESH,
        user_name="tech@example.com",
        client_id="app-client",
        scope=[],
        authorities=[],
        grant_type="password",
        issued_at=now - timedelta(days=40),
        expires_at=now - timedelta(seconds=1),
        jti=pair.refresh_jti,
        ati=pair.jti,
    )
    for token, reason in [(expired, "expired"), (pair.access_token, "invalid"), ("x", "invalid")]:
        with pytest.raises(service.InvalidGrant) as info:
            async with db.unit_of_work() as session:
                await service.refresh_grant(session, settings, client, token)
        assert info.value.reason == reason


async def test_refresh_is_refused_once_the_user_may_no_longer_use_the_api(
    db: Database, settings: Settings
) -> None:
    client, _admin, tech = await _setup(db)
    pair = await _password_grant(db, settings, client, "tech@example.com")
    async with db.unit_of_work() as session:
        user = await session.get(User, tech.id)
        assert user is not None
        user.role = Role.REQUESTER.value
    with pytest.raises(service.InvalidGrant) as info:
        async with db.unit_of_work() as session:
            await service.refresh_grant(session, settings, client, pair.refresh_token)
    assert info.value.reason == "not_staff"
    with pytest.raises(service.InvalidAccessToken) as denied:
        await _authenticate(db, settings, pair.access_token)
    assert denied.value.reason == "inactive_user"


async def test_inactive_user_or_client_invalidates_access_tokens(
    db: Database, settings: Settings
) -> None:
    client, admin, tech = await _setup(db)
    pair = await _password_grant(db, settings, client, "tech@example.com")
    async with db.unit_of_work() as session:
        user = await session.get(User, tech.id)
        assert user is not None
        user.is_active = False
    with pytest.raises(service.InvalidAccessToken) as info:
        await _authenticate(db, settings, pair.access_token)
    assert info.value.reason == "inactive_user"

    async with db.unit_of_work() as session:
        user = await session.get(User, tech.id)
        assert user is not None
        user.is_active = True
    assert (await _authenticate(db, settings, pair.access_token)).user_id == tech.id
    async with db.unit_of_work() as session:
        await service.deactivate_client(session, actor_for(admin), "app-client")
    with pytest.raises(service.InvalidAccessToken) as info:
        await _authenticate(db, settings, pair.access_token)
    assert info.value.reason == "revoked"


async def test_revoke_token(db: Database, settings: Settings) -> None:
    client, _admin, _tech = await _setup(db)
    first = await _password_grant(db, settings, client, "tech@example.com")
    second = await _password_grant(db, settings, client, "tech@example.com")

    async with db.unit_of_work() as session:
        assert await service.revoke_token(session, settings, client, first.access_token)
        assert not await service.revoke_token(session, settings, client, first.access_token)
        assert not await service.revoke_token(session, settings, client, "garbage")
    with pytest.raises(service.InvalidAccessToken) as info:
        await _authenticate(db, settings, first.access_token)
    assert info.value.reason == "revoked"
    assert (await _authenticate(db, settings, second.access_token)).jti == second.jti

    # Revoking a refresh token takes its access token with it.
    async with db.unit_of_work() as session:
        assert await service.revoke_token(session, settings, client, second.refresh_token)
    with pytest.raises(service.InvalidAccessToken):
        await _authenticate(db, settings, second.access_token)
    with pytest.raises(service.RefreshTokenReused):
        async with db.unit_of_work() as session:
            await service.refresh_grant(session, settings, client, second.refresh_token)
    assert len(await events(db, "oauth.token_revoked")) == 2


async def test_revoke_token_leaves_other_clients_tokens_alone(
    db: Database, settings: Settings
) -> None:
    client, admin, _tech = await _setup(db)
    async with db.unit_of_work() as session:
        other, _ = await make_client(session, admin, client_id="other-client")
    pair = await _password_grant(db, settings, client, "tech@example.com")
    async with db.unit_of_work() as session:
        assert not await service.revoke_token(session, settings, other, pair.access_token)
    assert (await _authenticate(db, settings, pair.access_token)).jti == pair.jti


async def test_revoke_tokens_of_a_user(db: Database, settings: Settings) -> None:
    client, admin, tech = await _setup(db)
    pair = await _password_grant(db, settings, client, "tech@example.com")
    admin_pair = await _password_grant(db, settings, client, admin.email)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.revoke_tokens(session, actor_for(tech), user_id=admin.id)
    async with db.unit_of_work() as session:
        assert await service.revoke_tokens(session, actor_for(tech), user_id=tech.id) == 2
    with pytest.raises(service.InvalidAccessToken):
        await _authenticate(db, settings, pair.access_token)
    assert (await _authenticate(db, settings, admin_pair.access_token)).user_id == admin.id


async def test_access_token_check_is_one_query(db: Database, settings: Settings) -> None:
    client, _admin, _tech = await _setup(db)
    pair = await _password_grant(db, settings, client, "tech@example.com")
    with sql_statements(db) as statements:
        await _authenticate(db, settings, pair.access_token)
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT")


async def test_purge_expired_tokens(db: Database, settings: Settings) -> None:
    client, _admin, _tech = await _setup(db)
    old = await _password_grant(db, settings, client, "tech@example.com")
    fresh = await _password_grant(db, settings, client, "tech@example.com")
    async with db.unit_of_work() as session:
        await session.execute(
            update(IssuedToken)
            .where(IssuedToken.jti.in_([old.jti, old.refresh_jti]))
            .values(expires_at=utcnow() - timedelta(days=2))
        )
    async with db.unit_of_work() as session:
        assert await tasks.purge_expired_tokens(session) == 2
    async with db.unit_of_work() as session:
        remaining = set((await session.scalars(select(IssuedToken.jti))).all())
    assert remaining == {fresh.jti, fresh.refresh_jti}
