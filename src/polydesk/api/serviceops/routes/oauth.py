"""``POST /api/oauth/token``: OAuth2 password and refresh-token grants, as Spring Security
OAuth2 serves them for ServiceOps.

The client authenticates with HTTP Basic (client id : client secret); the body is
``multipart/form-data`` (the vendor's samples) or ``application/x-www-form-urlencoded``.
Errors use the OAuth2 shape ``{"error", "error_description"}``: 401 for client
authentication, 400 for everything else (RFC 6749 §5.2).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from polydesk.api.serviceops.deps import AppDatabase, AppSettings
from polydesk.api.serviceops.errors import OAuthErrorBody, oauth_error
from polydesk.api.serviceops.routing import new_router
from polydesk.core.actor import Actor
from polydesk.core.enums import Channel, Role
from polydesk.core.errors import DomainError
from polydesk.domains.integration import service as integration
from polydesk.domains.integration.enums import GrantType

router = new_router(tags=["OAuth"])

MAX_FIELD_LENGTH = 4096
CLIENT_REALM = 'Basic realm="oauth2/client"'


class TokenResponse(BaseModel):
    access_token: str = Field(examples=["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.<payload>.<sig>"])
    token_type: str = Field(examples=["bearer"])
    refresh_token: str = Field(examples=["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.<payload>.<sig>"])
    expires_in: int = Field(examples=[7199])
    """Seconds the access token lives, minus one (``POLYDESK_ACCESS_TOKEN_TTL`` − 1)."""
    scope: str = Field(examples=["main-web-app-scope"])
    jti: str = Field(examples=["6d3bd1e9-7a96-41fe-aff9-82bd5d5f5cbf"])


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _client_credentials(request: Request) -> tuple[str, str]:
    header = request.headers.get("authorization", "").strip()
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        raise _Refused(
            oauth_error(
                401,
                "unauthorized",
                "Full authentication is required to access this resource: send the client id "
                "and secret with HTTP Basic.",
                {"WWW-Authenticate": CLIENT_REALM},
            )
        )
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    client_id, colon, secret = decoded.partition(":")
    if not colon or not client_id or "\x00" in decoded:
        raise _Refused(
            oauth_error(
                401,
                "invalid_client",
                "The HTTP Basic credentials are malformed: send base64(client id:client secret).",
                {"WWW-Authenticate": CLIENT_REALM},
            )
        )
    # RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    return unquote(client_id), unquote(secret)


def _field(form: FormData, name: str, *, required: bool = True) -> str | None:
    value = form.get(name)
    if isinstance(value, UploadFile):
        raise _Refused(oauth_error(400, "invalid_request", f"The {name} must be a plain value."))
    if value is None or value == "":
        if required:
            raise _Refused(
                oauth_error(400, "invalid_request", f"Missing the required parameter {name}.")
            )
        return None
    if len(value) > MAX_FIELD_LENGTH:
        raise _Refused(oauth_error(400, "invalid_request", f"The {name} is too long."))
    if "\x00" in value:
        raise _Refused(
            oauth_error(400, "invalid_request", f"The {name} must not contain NUL characters.")
        )
    return value


async def _form(request: Request) -> FormData:
    content_type = request.headers.get("content-type", "").lower()
    if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        # Spring also reads the parameters from the query string.
        if request.query_params:
            items: list[tuple[str, str | UploadFile]] = list(request.query_params.multi_items())
            return FormData(items)
        raise _Refused(
            oauth_error(
                400,
                "invalid_request",
                "Send the parameters as multipart/form-data or application/x-www-form-urlencoded.",
            )
        )
    try:
        form = await request.form(max_files=0, max_fields=50)
    except Exception:
        raise _Refused(
            oauth_error(400, "invalid_request", "The request body could not be parsed.")
        ) from None
    return form


def _refusal(exc: DomainError) -> Response:
    if isinstance(exc, integration.InvalidClient):
        return oauth_error(
            401, "invalid_client", "Bad client credentials", {"WWW-Authenticate": CLIENT_REALM}
        )
    if isinstance(exc, integration.UnauthorizedClient):
        return oauth_error(400, "unauthorized_client", exc.message)
    if isinstance(exc, integration.InvalidGrant):
        return oauth_error(400, "invalid_grant", exc.message.rstrip("."))
    return oauth_error(400, "invalid_request", exc.message)


@router.post(
    "/api/oauth/token",
    response_model=TokenResponse,
    responses={
        400: {"model": OAuthErrorBody, "description": "Bad user credentials, bad grant"},
        401: {"model": OAuthErrorBody, "description": "Missing or bad client credentials"},
    },
    summary="Get an access token",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["password", "refresh_token"]},
                            "username": {"type": "string"},
                            "password": {"type": "string"},
                            "refresh_token": {"type": "string"},
                        },
                    }
                }
                for media in ("multipart/form-data", "application/x-www-form-urlencoded")
            },
        }
    },
)
async def token(request: Request, db: AppDatabase, settings: AppSettings) -> Response:
    """``grant_type=password`` (``username``, ``password``) or ``grant_type=refresh_token``
    (``refresh_token``, rotating: the token used is revoked and a new pair is issued).
    Client authentication: HTTP Basic with the client id and secret."""
    try:
        client_id, secret = _client_credentials(request)
        form = await _form(request)
        grant_type = _field(form, "grant_type")
        if grant_type not in (GrantType.PASSWORD.value, GrantType.REFRESH_TOKEN.value):
            raise _Refused(
                oauth_error(
                    400,
                    "unsupported_grant_type",
                    f"Unsupported grant type: {grant_type}",
                )
            )
        username = password = refresh = None
        if grant_type == GrantType.PASSWORD.value:
            username = _field(form, "username")
            password = _field(form, "password")
        else:
            refresh = _field(form, "refresh_token")
    except _Refused as refused:
        return refused.response

    try:
        async with db.unit_of_work() as session:
            client = await integration.authenticate_client(session, client_id, secret)
            if refresh is not None:
                pair = await integration.refresh_grant(session, settings, client, refresh)
            else:
                assert username is not None and password is not None
                pair = await integration.password_grant(
                    session, settings, client, username, password
                )
    except integration.RefreshTokenReused as exc:
        # A used refresh token came back: it may have leaked, so everything issued to this
        # user through this client is revoked (in its own transaction: the refusal rolled
        # the request's back).
        async with db.unit_of_work() as session:
            await integration.revoke_tokens(
                session,
                Actor(user_id=exc.user_id, role=Role.TECHNICIAN, channel=Channel.SERVICEOPS),
                client_pk=exc.client_pk,
                user_id=exc.user_id,
            )
        return oauth_error(400, "invalid_grant", "Invalid refresh token (already used)")
    except DomainError as exc:
        return _refusal(exc)
    body: dict[str, Any] = dict(pair.as_response())
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
