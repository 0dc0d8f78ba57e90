"""HTTP Basic with the API token as the password, and the hourly rate limit.

Any username is accepted (clients send ``x``); the password is an API token. A personal token
acts as its user, an account-wide token as the account (admin rights, no user). Requester
accounts do not use this API: their tokens are refused like unknown ones. A caller that sends
the token as the username with an empty password is accepted too.

Both checks run in :class:`polydesk.api.gotoassist.routing.GaPaths` before routing, in a short
unit of work of their own, so that every response of the surface carries the rate-limit
headers and a request that fails later is still counted.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection, Request

from polydesk.api.gotoassist.envelope import unauthenticated
from polydesk.api.gotoassist.formats import context
from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Channel, Role
from polydesk.core.settings import Settings
from polydesk.domains.integration import service as integration
from polydesk.domains.integration.schemas import Principal
from polydesk.domains.ratelimit import service as ratelimit
from polydesk.domains.ratelimit.schemas import RateState

MAX_HEADER_LENGTH = 2048


def basic_token(header: str | None) -> str | None:
    """The API token in an ``Authorization: Basic`` header, or ``None``."""
    if not header or len(header) > MAX_HEADER_LENGTH:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    username, _, password = decoded.partition(":")
    token = password.strip() or username.strip()
    return token or None


def _client_key(conn: HTTPConnection) -> str:
    host = conn.client.host if conn.client is not None else "unknown"
    return f"gotoassist:ip:{host}"[:128]


async def authenticate_and_count(
    conn: HTTPConnection, db: Database, settings: Settings
) -> tuple[Principal | None, RateState]:
    """The caller (``None`` when the token is missing or refused) and its rate state after
    counting this request: per token when it is valid, else per client address."""
    token = basic_token(conn.headers.get("authorization"))
    # Read-only: its writes (the counter, a token's last use) are single statements.
    async with db.unit_of_work(read_only=True) as session:
        principal: Principal | None = None
        if token is not None:
            try:
                principal = await integration.authenticate_api_token(session, token)
            except integration.CredentialsRefused:
                principal = None
        if principal is not None and principal.role is Role.REQUESTER:
            principal = None
        key = (
            f"gotoassist:token:{principal.token_id}" if principal is not None else _client_key(conn)
        )
        rate = await ratelimit.hit(session, key, settings.rate_limit_per_hour)
    return principal, rate


async def get_principal(request: Request) -> Principal:
    principal = context(request).principal
    if principal is None:
        raise unauthenticated()
    return principal


async def get_actor(principal: Annotated[Principal, Depends(get_principal)]) -> Actor:
    return principal.actor(Channel.GOTOASSIST)


GaPrincipal = Annotated[Principal, Depends(get_principal)]
CurrentActor = Annotated[Actor, Depends(get_actor)]
