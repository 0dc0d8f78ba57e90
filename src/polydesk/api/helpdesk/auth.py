"""Who is calling: DRF's default order, session cookie first, then HTTP Basic.

Every failure is 403 with no ``WWW-Authenticate`` header, because DRF's first authenticator
(the session) has no challenge to offer. The session cookie is Polydesk's own browser session
(``polydesk.domains.sessions``), signed in through ``/api-auth/login/``; with it, unsafe
methods need the session's CSRF token in ``X-CSRFToken``. Basic accepts the username or the
e-mail address, and verified credentials are cached per process (``BasicCredentialCache`` on
``app.state``), so a Basic request does not pay an argon2 verification each time.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.requests import Request

from polydesk.api.helpdesk.errors import (
    BAD_CREDENTIALS,
    NOT_AUTHENTICATED,
    NOT_PERMITTED,
    DrfError,
    detail,
)
from polydesk.core import security
from polydesk.core.actor import Actor
from polydesk.core.db import Session
from polydesk.core.enums import Channel, Role
from polydesk.core.settings import Settings
from polydesk.domains.integration import service as integration
from polydesk.domains.integration.service import BasicCredentialCache
from polydesk.domains.sessions import service as sessions
from polydesk.domains.users import service as users
from polydesk.models import User

SESSION_COOKIE = "sessionid"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CACHE_STATE = "helpdesk_basic_cache"


def setup(app: FastAPI) -> None:
    """One verified-credential cache per process."""
    settings: Settings = app.state.settings
    setattr(app.state, CACHE_STATE, BasicCredentialCache.from_settings(settings))


def _cache(request: Request) -> BasicCredentialCache:
    cache: BasicCredentialCache | None = getattr(request.app.state, CACHE_STATE, None)
    if cache is None:
        cache = BasicCredentialCache.from_settings(request.app.state.settings)
        setattr(request.app.state, CACHE_STATE, cache)
    return cache


@dataclass(frozen=True, slots=True)
class Caller:
    user: User
    actor: Actor
    by_session: bool

    @property
    def is_staff(self) -> bool:
        return self.actor.is_staff

    @property
    def is_admin(self) -> bool:
        return self.actor.is_admin


def _actor(user: User) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), channel=Channel.HELPDESK)


def csrf_failure(reason: str) -> DrfError:
    return detail(403, f"CSRF Failed: {reason}")


async def _from_session(request: Request, session: Session) -> Caller | None:
    active = await sessions.lookup(session, request.cookies.get(SESSION_COOKIE))
    if active is None:
        return None
    if request.method not in SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER)
        if not given:
            raise csrf_failure("CSRF token missing.")
        if not security.constant_time_equals(given, active.csrf_token):
            raise csrf_failure("CSRF token incorrect.")
    user = await users.get_user(session, active.user_id)
    return Caller(user=user, actor=_actor(user), by_session=True)


async def _from_basic(request: Request, session: Session, settings: Settings) -> Caller | None:
    header = request.headers.get("authorization", "")
    parts = header.split()
    if not parts or parts[0].lower() != "basic":
        return None
    if len(parts) == 1:
        raise detail(403, "Invalid basic header. No credentials provided.")
    if len(parts) > 2:
        raise detail(403, "Invalid basic header. Credentials string should not contain spaces.")
    try:
        decoded = base64.b64decode(parts[1], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise detail(
            403, "Invalid basic header. Credentials not correctly base64 encoded."
        ) from exc
    login, _colon, password = decoded.partition(":")
    principal = await integration.authenticate_basic(
        session, settings, _cache(request), login, password
    )
    if principal is None or principal.user_id is None:
        raise detail(403, BAD_CREDENTIALS)
    # The user just authenticated, as the reference cache has it (read only).
    user = (await users.users_to_show(session, [principal.user_id])).get(principal.user_id)
    if user is None:
        raise detail(403, BAD_CREDENTIALS)
    return Caller(user=user, actor=_actor(user), by_session=False)


async def authenticate(request: Request, session: Session, settings: Settings) -> Caller | None:
    """The caller, ``None`` when anonymous; 403 on bad credentials or a CSRF failure."""
    caller = await _from_session(request, session)
    if caller is not None:
        return caller
    return await _from_basic(request, session, settings)


def require_user(caller: Caller | None) -> Caller:
    if caller is None:
        raise detail(403, NOT_AUTHENTICATED)
    return caller


def require_staff(caller: Caller | None) -> Caller:
    """DRF's ``IsAdminUser``: technicians and administrators are staff."""
    found = require_user(caller)
    if not found.is_staff:
        raise detail(403, NOT_PERMITTED)
    return found


def require_admin(caller: Caller | None) -> Caller:
    """``/api/users/``: staff holding ``auth.add_user``, which in Polydesk means an admin."""
    found = require_user(caller)
    if not found.is_admin:
        raise detail(403, NOT_PERMITTED)
    return found
