from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from polydesk.core import security
from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.core.db import Database
from polydesk.core.enums import Channel, Role
from polydesk.domains.sessions import service
from polydesk.models import Event, User, WebSession
from tests.factories import make_user

ACTOR = Actor(user_id=None, role=None, channel=Channel.HELPDESK)


async def _user(db: Database) -> int:
    async with db.unit_of_work() as session:
        return (await make_user(session, role=Role.TECHNICIAN)).id


async def test_start_stores_only_the_digest_and_lookup_finds_the_user(db: Database) -> None:
    user_id = await _user(db)
    async with db.unit_of_work() as session:
        started = await service.start_session(session, ACTOR, user_id)
    async with db.unit_of_work() as session:
        rows = (await session.scalars(select(WebSession))).all()
        assert [r.digest for r in rows] == [security.digest(started.token)]
        assert rows[0].csrf_token == started.csrf_token
        found = await service.lookup(session, started.token)
        events = await session.scalar(
            select(func.count()).select_from(Event).where(Event.action == "session.started")
        )
    assert found is not None and found.user_id == user_id
    assert found.csrf_token == started.csrf_token
    assert events == 1


async def test_unknown_overlong_and_empty_tokens_find_nothing(db: Database) -> None:
    async with db.unit_of_work() as session:
        assert await service.lookup(session, "nope") is None
        assert await service.lookup(session, "") is None
        assert await service.lookup(session, None) is None
        assert await service.lookup(session, "x" * 1000) is None


async def test_expired_session_is_not_found_and_purged(db: Database) -> None:
    user_id = await _user(db)
    async with db.unit_of_work() as session:
        started = await service.start_session(session, ACTOR, user_id, ttl=timedelta(seconds=-1))
    async with db.unit_of_work() as session:
        assert await service.lookup(session, started.token) is None
        assert await service.purge_expired(session) == 1
        assert await session.scalar(select(func.count()).select_from(WebSession)) == 0


async def test_lookup_slides_the_expiry_at_most_once_a_minute(db: Database) -> None:
    user_id = await _user(db)
    async with db.unit_of_work() as session:
        started = await service.start_session(session, ACTOR, user_id, ttl=timedelta(hours=1))
    async with db.unit_of_work() as session:
        first = await service.lookup(session, started.token, ttl=timedelta(hours=1))
    assert first is not None and first.expires_at == started.expires_at
    async with db.unit_of_work() as session:
        row = await session.get(WebSession, security.digest(started.token))
        assert row is not None
        row.last_seen_at = utcnow() - timedelta(minutes=5)
    async with db.unit_of_work() as session:
        later = await service.lookup(session, started.token, ttl=timedelta(hours=2))
    assert later is not None and later.expires_at > started.expires_at


async def test_revoke_ends_the_session(db: Database) -> None:
    user_id = await _user(db)
    async with db.unit_of_work() as session:
        started = await service.start_session(session, ACTOR, user_id)
    async with db.unit_of_work() as session:
        assert await service.revoke(session, ACTOR, started.token) is True
        assert await service.revoke(session, ACTOR, started.token) is False
    async with db.unit_of_work() as session:
        assert await service.lookup(session, started.token) is None


async def test_deactivated_user_or_changed_password_ends_sessions(db: Database) -> None:
    user_id = await _user(db)
    async with db.unit_of_work() as session:
        one = await service.start_session(session, ACTOR, user_id)
    async with db.unit_of_work() as session:
        user = await session.get(User, user_id)
        assert user is not None
        user.password_changed_at = utcnow() + timedelta(seconds=1)
    async with db.unit_of_work() as session:
        assert await service.lookup(session, one.token) is None
        user = await session.get(User, user_id)
        assert user is not None
        user.password_changed_at = None
        user.is_active = False
    async with db.unit_of_work() as session:
        assert await service.lookup(session, one.token) is None


async def test_revoke_all_ends_every_session_of_the_user(db: Database) -> None:
    user_id = await _user(db)
    async with db.unit_of_work() as session:
        await service.start_session(session, ACTOR, user_id)
        await service.start_session(session, ACTOR, user_id)
    async with db.unit_of_work() as session:
        assert await service.revoke_all(session, ACTOR, user_id) == 2
        assert await service.revoke_all(session, ACTOR, user_id) == 0
