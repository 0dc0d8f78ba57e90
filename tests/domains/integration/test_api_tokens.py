from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from polydesk.core import security
from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.core.db import Database
from polydesk.core.enums import Channel, Role
from polydesk.core.errors import Forbidden, Invalid, NotFound
from polydesk.domains.integration import service
from polydesk.domains.integration.enums import AuthMethod
from polydesk.domains.integration.schemas import ApiTokenRead, Principal
from polydesk.models import ApiToken, User
from tests.domains.integration.factories import (
    actor_for,
    count,
    database_text,
    events,
    make_admin,
    sql_statements,
)
from tests.factories import make_user


async def _authenticate(db: Database, token: str) -> Principal:
    async with db.unit_of_work() as session:
        return await service.authenticate_api_token(session, token)


async def _stored(db: Database, token_id: int) -> ApiToken:
    async with db.unit_of_work() as session:
        row = await session.get(ApiToken, token_id)
        assert row is not None
        return row


async def test_personal_token_acts_as_its_user(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session, role=Role.TECHNICIAN)
        api_token, token = await service.create_api_token(
            session, actor_for(tech), name="  my   script "
        )
    assert api_token.user_id == tech.id and api_token.created_by_id == tech.id
    assert api_token.name == "my script"
    assert len(token) >= 4 + 43
    assert api_token.prefix == token[:12]
    assert api_token.digest == security.digest(token)
    stored = await database_text(db)
    assert token not in stored
    assert token[12:] not in stored

    principal = await _authenticate(db, token)
    assert principal == Principal(
        user_id=tech.id, role=Role.TECHNICIAN, method=AuthMethod.API_TOKEN, token_id=api_token.id
    )
    assert not principal.is_account
    (event,) = await events(db, "api_token.created")
    assert event.after == {
        "name": "my script",
        "prefix": api_token.prefix,
        "user_id": tech.id,
        "account": False,
    }
    assert ApiTokenRead.model_validate(api_token).prefix == api_token.prefix


async def test_account_token_acts_with_admin_rights(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        api_token, token = await service.create_api_token(
            session, actor_for(admin), account=True, name="Account"
        )
    assert api_token.user_id is None
    principal = await _authenticate(db, token)
    assert principal.is_account
    assert principal.role is Role.ADMIN
    assert principal.actor(Channel.GOTOASSIST) == Actor(
        user_id=None, role=Role.ADMIN, channel=Channel.GOTOASSIST
    )


async def test_who_may_create_which_tokens(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        tech = await make_user(session, role=Role.TECHNICIAN)
        other = await make_user(session, role=Role.TECHNICIAN)
        gone = await make_user(session, role=Role.TECHNICIAN)
        gone.is_active = False
    tech_actor = actor_for(tech)
    forbidden: list[dict[str, Any]] = [
        {"account": True},
        {"user_id": other.id},
    ]
    for kwargs in forbidden:
        with pytest.raises(Forbidden):
            async with db.unit_of_work() as session:
                await service.create_api_token(session, tech_actor, name="t", **kwargs)
    invalid: list[tuple[Actor, dict[str, Any]]] = [
        (actor_for(admin), {"account": True, "user_id": tech.id}),
        (actor_for(admin), {"user_id": 999_999}),
        (actor_for(admin), {"user_id": gone.id}),
        (Actor.system(), {}),
        (actor_for(admin), {"name": " "}),
    ]
    for actor, kwargs in invalid:
        with pytest.raises(Invalid):
            async with db.unit_of_work() as session:
                await service.create_api_token(session, actor, **{"name": "t", **kwargs})
    assert await count(db, ApiToken) == 0
    assert await events(db, "api_token.created") == []

    async with db.unit_of_work() as session:
        for_other, _ = await service.create_api_token(
            session, actor_for(admin), user_id=other.id, name="for other"
        )
    assert for_other.user_id == other.id and for_other.created_by_id == admin.id


async def test_unknown_revoked_and_inactive_tokens_are_refused(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session, role=Role.TECHNICIAN)
        api_token, token = await service.create_api_token(session, actor_for(tech), name="t")
        _, other_token = await service.create_api_token(session, actor_for(tech), name="u")

    for bad, reason in [("pdk_nope", "unknown"), ("", "malformed"), ("x" * 600, "malformed")]:
        with pytest.raises(service.InvalidApiToken) as info:
            await _authenticate(db, bad)
        assert info.value.reason == reason

    async with db.unit_of_work() as session:
        revoked = await service.revoke_api_token(session, actor_for(tech), api_token.id)
        assert revoked.revoked_at is not None
    with pytest.raises(service.InvalidApiToken) as info:
        await _authenticate(db, token)
    assert info.value.reason == "revoked"
    (event,) = await events(db, "api_token.revoked")
    assert event.object_id == api_token.id and event.before == {"revoked_at": None}
    # Revoking twice records nothing more.
    async with db.unit_of_work() as session:
        await service.revoke_api_token(session, actor_for(tech), api_token.id)
    assert len(await events(db, "api_token.revoked")) == 1

    async with db.unit_of_work() as session:
        user = await session.get(User, tech.id)
        assert user is not None
        user.is_active = False
    with pytest.raises(service.InvalidApiToken) as info:
        await _authenticate(db, other_token)
    assert info.value.reason == "inactive_user"


async def test_last_used_at_is_written_at_most_once_a_minute(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session, role=Role.TECHNICIAN)
        api_token, token = await service.create_api_token(session, actor_for(tech), name="t")
    assert (await _stored(db, api_token.id)).last_used_at is None

    await _authenticate(db, token)
    first = (await _stored(db, api_token.id)).last_used_at
    assert first is not None

    await _authenticate(db, token)
    assert (await _stored(db, api_token.id)).last_used_at == first

    stale = utcnow() - timedelta(minutes=2)
    async with db.unit_of_work() as session:
        await session.execute(
            update(ApiToken).where(ApiToken.id == api_token.id).values(last_used_at=stale)
        )
    await _authenticate(db, token)
    later = (await _stored(db, api_token.id)).last_used_at
    assert later is not None and later > stale + timedelta(minutes=1)


async def test_listing_and_revoking_respect_ownership(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        tech = await make_user(session, role=Role.TECHNICIAN)
        other = await make_user(session, role=Role.TECHNICIAN)
        mine, _ = await service.create_api_token(session, actor_for(tech), name="mine")
        theirs, _ = await service.create_api_token(session, actor_for(other), name="theirs")
        account, _ = await service.create_api_token(
            session, actor_for(admin), account=True, name="account"
        )
    tech_actor, admin_actor = actor_for(tech), actor_for(admin)
    async with db.unit_of_work() as session:
        assert [t.id for t in await service.list_api_tokens(session, tech_actor)] == [mine.id]
        all_ids = [t.id for t in await service.list_api_tokens(session, admin_actor)]
        assert all_ids == [mine.id, theirs.id, account.id]
        by_user = await service.list_api_tokens(session, admin_actor, user_id=other.id)
        assert [t.id for t in by_user] == [theirs.id]
        by_account = await service.list_api_tokens(session, admin_actor, account=True)
        assert [t.id for t in by_account] == [account.id]
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.list_api_tokens(session, tech_actor, user_id=other.id)
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.revoke_api_token(session, tech_actor, theirs.id)
    assert (await _stored(db, theirs.id)).revoked_at is None

    async with db.unit_of_work() as session:
        await service.revoke_api_token(session, admin_actor, theirs.id)
        active = await service.list_api_tokens(session, admin_actor)
        everything = await service.list_api_tokens(session, admin_actor, include_revoked=True)
    assert theirs.id not in [t.id for t in active]
    assert theirs.id in [t.id for t in everything]


async def test_api_token_check_is_one_query(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session, role=Role.TECHNICIAN)
        _, token = await service.create_api_token(session, actor_for(tech), name="t")
    with sql_statements(db) as first:
        await _authenticate(db, token)
    assert [s.lstrip().split()[0].upper() for s in first] == ["SELECT", "UPDATE"]
    with sql_statements(db) as later:
        await _authenticate(db, token)
    assert [s.lstrip().split()[0].upper() for s in later] == ["SELECT"]
