"""OAuth2 access and refresh tokens as HS256 JWTs, with ServiceOps-style claims.

The claims follow what Spring Security OAuth2 puts in ServiceOps tokens (``user_name``,
``client_id``, ``scope`` as a list, ``authorities``, ``grant_type``, ``exp``, ``jti``, and
``ati`` on a refresh token), plus ``iat`` and ``typ`` (access | refresh) so that a refresh
token can never be used as an access token or the other way round.

The HMAC key is derived from the server's signing key rather than used as is: it is always
32 bytes long whatever the configured secret, and a JWT signature can never be confused with
another keyed digest made from the same secret.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt as pyjwt

from polydesk.core.enums import TokenKind
from polydesk.core.errors import Unauthenticated

ALGORITHM = "HS256"
_REQUIRED = ("exp", "iat", "jti", "typ", "client_id", "user_name")


class TokenInvalid(Unauthenticated):
    """A token that is malformed, forged, of the wrong type, or otherwise unusable."""

    code = "invalid_token"

    def __init__(self, message: str = "The token is invalid.") -> None:
        super().__init__(message)


class TokenExpired(TokenInvalid):
    """A well-formed, correctly signed token whose ``exp`` has passed (no leeway)."""

    def __init__(self, message: str = "The token has expired.") -> None:
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class TokenClaims:
    typ: TokenKind
    jti: str
    user_name: str
    client_id: str
    scope: tuple[str, ...]
    authorities: tuple[str, ...]
    grant_type: str
    issued_at: datetime
    expires_at: datetime
    ati: str | None = None
    """On a refresh token: the ``jti`` of the access token issued with it."""


def _hmac_key(signing_key: str) -> bytes:
    return hmac.new(signing_key.encode(), b"polydesk/jwt/hs256", hashlib.sha256).digest()


def _seconds(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("token timestamps must be aware datetimes")
    return int(value.timestamp())


def encode_token(
    signing_key: str,
    *,
    typ: TokenKind,
    user_name: str,
    client_id: str,
    scope: Sequence[str],
    authorities: Sequence[str],
    grant_type: str,
    issued_at: datetime,
    expires_at: datetime,
    jti: str | None = None,
    ati: str | None = None,
) -> tuple[str, TokenClaims]:
    """Sign a token. Timestamps are whole seconds, as JWT numeric dates are."""
    claims = TokenClaims(
        typ=typ,
        jti=jti or str(uuid.uuid4()),
        user_name=user_name,
        client_id=client_id,
        scope=tuple(scope),
        authorities=tuple(authorities),
        grant_type=grant_type,
        issued_at=datetime.fromtimestamp(_seconds(issued_at), UTC),
        expires_at=datetime.fromtimestamp(_seconds(expires_at), UTC),
        ati=ati,
    )
    payload: dict[str, Any] = {
        "user_name": claims.user_name,
        "client_id": claims.client_id,
        "scope": list(claims.scope),
        "authorities": list(claims.authorities),
        "grant_type": claims.grant_type,
        "iat": _seconds(claims.issued_at),
        "exp": _seconds(claims.expires_at),
        "jti": claims.jti,
        "typ": claims.typ.value,
    }
    if ati is not None:
        payload["ati"] = ati
    return pyjwt.encode(payload, _hmac_key(signing_key), algorithm=ALGORITHM), claims


def _string_list(payload: dict[str, Any], name: str) -> tuple[str, ...]:
    value = payload.get(name, [])
    if isinstance(value, str):
        return tuple(value.split())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TokenInvalid()
    return tuple(value)


def decode_token(
    signing_key: str, token: str, *, expected_typ: TokenKind | None = None
) -> TokenClaims:
    """Verify signature and expiry (leeway 0) and return the claims.

    Raises :class:`TokenExpired` for a genuine but expired token and :class:`TokenInvalid`
    for anything else wrong, including a token of the other ``typ``.
    """
    try:
        payload = pyjwt.decode(
            token,
            _hmac_key(signing_key),
            algorithms=[ALGORITHM],
            options={"require": list(_REQUIRED), "verify_exp": True, "verify_iat": True},
            leeway=0,
        )
    except pyjwt.ExpiredSignatureError as exc:
        raise TokenExpired() from exc
    except pyjwt.PyJWTError as exc:
        raise TokenInvalid() from exc
    try:
        typ = TokenKind(payload["typ"])
        strings = [payload[k] for k in ("jti", "user_name", "client_id")]
        if not all(isinstance(s, str) and s for s in strings):
            raise TokenInvalid()
        ati = payload.get("ati")
        if ati is not None and not isinstance(ati, str):
            raise TokenInvalid()
        claims = TokenClaims(
            typ=typ,
            jti=payload["jti"],
            user_name=payload["user_name"],
            client_id=payload["client_id"],
            scope=_string_list(payload, "scope"),
            authorities=_string_list(payload, "authorities"),
            grant_type=str(payload.get("grant_type", "")),
            issued_at=datetime.fromtimestamp(int(payload["iat"]), UTC),
            expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
            ati=ati,
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise TokenInvalid() from exc
    if expected_typ is not None and claims.typ is not expected_typ:
        needed = "An access token" if expected_typ is TokenKind.ACCESS else "A refresh token"
        raise TokenInvalid(f"{needed} is required; a {claims.typ.value} token was given.")
    return claims
