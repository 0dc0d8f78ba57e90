from __future__ import annotations

import uuid
from datetime import timedelta

import jwt as pyjwt
import pytest

from polydesk.core import jwt
from polydesk.core.clock import utcnow
from polydesk.core.enums import TokenKind

KEY = "a-signing-key-for-the-token-tests-0123456789"


def _encode(**overrides: object) -> tuple[str, jwt.TokenClaims]:
    now = utcnow()
    fields: dict[str, object] = {
        "typ": TokenKind.ACCESS,
        "user_name": "tim@acme.com",
        "client_id": "main-web-app-client",
        "scope": ["main-web-app-scope"],
        "authorities": ["USER"],
        "grant_type": "password",
        "issued_at": now,
        "expires_at": now + timedelta(hours=2),
    }
    fields.update(overrides)
    return jwt.encode_token(KEY, **fields)  # type: ignore[arg-type]


def test_access_token_carries_the_serviceops_claims() -> None:
    token, claims = _encode()
    payload = pyjwt.decode(token, options={"verify_signature": False})
    assert set(payload) == {
        "user_name",
        "client_id",
        "scope",
        "authorities",
        "grant_type",
        "exp",
        "iat",
        "jti",
        "typ",
    }
    assert payload["scope"] == ["main-web-app-scope"]
    assert payload["authorities"] == ["USER"]
    assert payload["typ"] == "access"
    assert uuid.UUID(payload["jti"]).version == 4
    assert pyjwt.get_unverified_header(token)["alg"] == "HS256"
    decoded = jwt.decode_token(KEY, token, expected_typ=TokenKind.ACCESS)
    assert decoded == claims


def test_refresh_token_names_its_access_token_in_ati() -> None:
    _access, access_claims = _encode()
    token, _claims = _encode(typ=TokenKind.REFRESH, ati=access_claims.jti)
    payload = pyjwt.decode(token, options={"verify_signature": False})
    assert payload["ati"] == access_claims.jti
    assert payload["typ"] == "refresh"
    assert jwt.decode_token(KEY, token).ati == access_claims.jti


def test_expired_token_is_told_apart_from_an_invalid_one() -> None:
    now = utcnow()
    token, _ = _encode(issued_at=now - timedelta(hours=1), expires_at=now - timedelta(seconds=1))
    with pytest.raises(jwt.TokenExpired):
        jwt.decode_token(KEY, token)


def test_no_leeway_on_expiry() -> None:
    now = utcnow()
    token, _ = _encode(issued_at=now - timedelta(minutes=5), expires_at=now)
    with pytest.raises(jwt.TokenExpired):
        jwt.decode_token(KEY, token)


def test_tampered_or_foreign_tokens_are_invalid_not_expired() -> None:
    token, _ = _encode()
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    for bad in (forged, "not-a-jwt", "", token + "x"):
        with pytest.raises(jwt.TokenInvalid) as info:
            jwt.decode_token(KEY, bad)
        assert not isinstance(info.value, jwt.TokenExpired)
    with pytest.raises(jwt.TokenInvalid):
        jwt.decode_token("another-signing-key-of-sufficient-length-xyz", token)


def test_unsigned_token_is_refused() -> None:
    now = utcnow()
    payload = {
        "user_name": "tim@acme.com",
        "client_id": "c",
        "scope": [],
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(hours=1)).timestamp()),
        "jti": str(uuid.uuid4()),
        "typ": "access",
    }
    unsigned = pyjwt.encode(payload, None, algorithm="none")
    with pytest.raises(jwt.TokenInvalid):
        jwt.decode_token(KEY, unsigned)


def test_missing_claims_are_refused() -> None:
    now = utcnow()
    payload = {"user_name": "tim@acme.com", "exp": int((now + timedelta(hours=1)).timestamp())}
    raw = pyjwt.encode(payload, jwt._hmac_key(KEY), algorithm="HS256")
    with pytest.raises(jwt.TokenInvalid):
        jwt.decode_token(KEY, raw)


def test_the_wrong_kind_of_token_is_refused() -> None:
    access, _ = _encode()
    refresh, _ = _encode(typ=TokenKind.REFRESH)
    with pytest.raises(jwt.TokenInvalid, match="refresh token is required"):
        jwt.decode_token(KEY, access, expected_typ=TokenKind.REFRESH)
    with pytest.raises(jwt.TokenInvalid, match="access token is required"):
        jwt.decode_token(KEY, refresh, expected_typ=TokenKind.ACCESS)


def test_a_short_configured_secret_still_signs_without_warnings() -> None:
    now = utcnow()
    token, _ = jwt.encode_token(
        "short",
        typ=TokenKind.ACCESS,
        user_name="u",
        client_id="c",
        scope=[],
        authorities=[],
        grant_type="password",
        issued_at=now,
        expires_at=now + timedelta(minutes=1),
    )
    assert jwt.decode_token("short", token).user_name == "u"
