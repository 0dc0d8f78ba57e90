"""Who is calling: ``Authorization: Bearer <access token>`` or ``Authorization: Apikey <key>``.

A bearer token is an OAuth2 access token from ``POST /api/oauth/token`` (signature, expiry and
revocation are checked by the integration domain, with one query). An API key is a Polydesk
API token, sent URL-encoded as ServiceOps 8.5 clients do (``%2B``, ``%2F``, ``%3D``, ``%40``
are decoded; a key sent as is works too). Schemes match case-insensitively. Every failure is a
401 with a sentence saying what was wrong; a valid credential of someone who may not use the
API (a requester's API token) is a 403.
"""

from __future__ import annotations

from urllib.parse import unquote

from fastapi import Request

from polydesk.api.deps import database_of
from polydesk.core.db import Session
from polydesk.core.errors import Forbidden, Unauthenticated
from polydesk.core.settings import Settings
from polydesk.domains.integration import service as integration
from polydesk.domains.integration.schemas import Principal

MAX_CREDENTIAL_LENGTH = 4096


class MissingCredentials(Unauthenticated):
    code = "unauthorized"


def _credentials(request: Request) -> tuple[str, str]:
    header = request.headers.get("authorization", "").strip()
    if not header:
        raise MissingCredentials(
            "Full authentication is required to access this resource: send "
            "'Authorization: Bearer <access token>' or 'Authorization: Apikey <key>'."
        )
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if not value:
        raise MissingCredentials(f"The Authorization header has no credentials after {scheme!r}.")
    if len(value) > MAX_CREDENTIAL_LENGTH:
        raise MissingCredentials("The credentials in the Authorization header are too long.")
    return scheme.lower(), value


async def authenticate(request: Request, session: Session, settings: Settings) -> Principal:
    scheme, value = _credentials(request)
    if scheme == "bearer":
        return await integration.authenticate_access_token(session, settings, value)
    if scheme in ("apikey", "api-key", "api_key"):
        # In a unit of work of its own, as GoToAssist's: the key's last use is recorded
        # whatever becomes of the request (refused, failed, or a GET, which writes nothing).
        async with database_of(request).unit_of_work(read_only=True) as own:
            return await integration.authenticate_api_token(own, unquote(value))
    raise MissingCredentials(
        f"The authorization scheme {scheme!r} is not supported: use Bearer or Apikey."
    )


def require_staff(principal: Principal) -> Principal:
    if principal.role.value not in integration.STAFF_ROLES:
        raise Forbidden("Only technicians and administrators may use the ServiceOps API.")
    return principal
