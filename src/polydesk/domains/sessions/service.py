"""Rules of browser sessions.

A session is created when a user signs in with a password and is named by a random token kept
in a cookie; the database holds only the token's digest, so a copy of the table signs nobody
in. Each session carries its own CSRF token, which unsafe requests made with the cookie must
echo. A session expires after ``ttl`` without use (sliding expiry, written at most once per
:data:`TOUCH_INTERVAL` so the read path stays read-mostly), when it is revoked (sign-out), and
at once when its user is deactivated or changes password after the session started.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core import security
from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.domains.audit import service as audit
from polydesk.domains.sessions import repository
from polydesk.domains.sessions.schemas import ActiveSession, StartedSession
from polydesk.models import WebSession

DEFAULT_TTL = timedelta(weeks=2)
"""Django's ``SESSION_COOKIE_AGE``."""
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 256
"""Longer presented tokens are refused before any digest or query."""


def new_csrf_token() -> str:
    return security.new_reference(32)


async def start_session(
    session: AsyncSession, actor: Actor, user_id: int, *, ttl: timedelta = DEFAULT_TTL
) -> StartedSession:
    """Sign ``user_id`` in (the caller has verified the password)."""
    token = security.new_secret(32)
    csrf = new_csrf_token()
    now = utcnow()
    row = WebSession(
        digest=security.digest(token),
        user_id=user_id,
        csrf_token=csrf,
        created_at=now,
        last_seen_at=now,
        expires_at=now + ttl,
    )
    await repository.add(session, row)
    await audit.record(
        session,
        actor,
        "session.started",
        object_type="user",
        object_id=user_id,
        after={"expires_at": row.expires_at},
    )
    return StartedSession(token=token, csrf_token=csrf, user_id=user_id, expires_at=row.expires_at)


async def lookup(
    session: AsyncSession, token: str | None, *, ttl: timedelta = DEFAULT_TTL
) -> ActiveSession | None:
    """The live session the cookie names, or ``None`` (unknown, expired, user inactive or
    password changed since sign-in). Use extends the expiry."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = security.digest(token)
    found = await repository.get_with_user(session, digest)
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if row.expires_at <= now or not user.is_active:
        return None
    if user.password_changed_at is not None and user.password_changed_at > row.created_at:
        return None
    expires_at = row.expires_at
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        expires_at = now + ttl
        await repository.touch(session, digest, now, expires_at)
    return ActiveSession(user_id=row.user_id, csrf_token=row.csrf_token, expires_at=expires_at)


async def revoke(session: AsyncSession, actor: Actor, token: str | None) -> bool:
    """Sign out: the session ends now. ``False`` when there was none."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    found = await repository.get_with_user(session, security.digest(token))
    if found is None:
        return False
    await repository.delete_one(session, found[0].digest)
    await audit.record(
        session, actor, "session.ended", object_type="user", object_id=found[0].user_id
    )
    return True


async def revoke_all(session: AsyncSession, actor: Actor, user_id: int) -> int:
    """End every session of a user; how many there were."""
    count = await repository.delete_for_user(session, user_id)
    if count:
        await audit.record(
            session,
            actor,
            "session.ended",
            object_type="user",
            object_id=user_id,
            before={"sessions": count},
        )
    return count


async def purge_expired(session: AsyncSession, now: datetime | None = None) -> int:
    """Delete sessions past their expiry; how many went."""
    return await repository.delete_expired(session, now or utcnow())
