"""Rules of API clients, OAuth2 tokens, API tokens and HTTP Basic credentials.

Secrets (client secrets, API tokens) are shown once and stored only as SHA-256 digests; OAuth2
tokens are signed JWTs whose ``jti`` is recorded so that they can be revoked. Refusals carry
one outward message per kind of credential whatever went wrong, so a caller cannot probe which
client ids or logins exist; the internal ``reason`` says what it was, for logs and tests.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core import jwt, security
from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.core.enums import AccessLevel, Channel, Role, TokenKind
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from polydesk.core.settings import Settings
from polydesk.domains.audit import service as audit
from polydesk.domains.integration import repository
from polydesk.domains.integration.enums import AuthMethod, GrantType
from polydesk.domains.integration.schemas import ApiClientCreate, Principal, TokenPair
from polydesk.domains.users import service as users
from polydesk.models import ApiClient, ApiToken, IssuedToken, User

STAFF_ROLES = frozenset({Role.ADMIN.value, Role.TECHNICIAN.value})
CLIENT_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~@+-]{0,189}")
"""No colon (HTTP Basic splits on the first one) and no white space."""
MIN_SECRET_LENGTH = 16
MAX_SECRET_LENGTH = 200
MAX_TOKEN_LENGTH = 512
"""Longer presented credentials are refused before any hashing or query."""
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
"""``last_used_at`` is written at most this often, to keep the auth path read-mostly."""


# Errors ------------------------------------------------------------------------------------


class CredentialsRefused(Unauthenticated):
    """A refused credential. ``code`` is the OAuth2 error a dialect may show; ``reason`` is
    internal only (unknown, inactive, wrong secret, expired, revoked …)."""

    outward_message = "Authentication failed."

    def __init__(self, reason: str, message: str | None = None) -> None:
        super().__init__(message or self.outward_message)
        self.reason = reason


class InvalidClient(CredentialsRefused):
    code = "invalid_client"
    outward_message = "Client authentication failed."


class InvalidGrant(CredentialsRefused):
    code = "invalid_grant"
    outward_message = "Bad credentials."


class RefreshTokenReused(InvalidGrant):
    """A refresh token presented again after it was used or revoked: a sign that it leaked.

    The refusal rolls back the caller's unit of work, so the caller revokes what
    :attr:`client_pk` and :attr:`user_id` name in a fresh one with :func:`revoke_tokens`.
    """

    def __init__(self, *, client_pk: int, user_id: int) -> None:
        super().__init__("reused")
        self.client_pk = client_pk
        self.user_id = user_id


class InvalidAccessToken(CredentialsRefused):
    code = "invalid_token"
    outward_message = "The access token is invalid."

    @property
    def expired(self) -> bool:
        return self.reason == "expired"


class InvalidApiToken(CredentialsRefused):
    code = "invalid_token"
    outward_message = "The API token is invalid."


class UnauthorizedClient(Forbidden):
    """The client is genuine but may not act for this user."""

    code = "unauthorized_client"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# Helpers -----------------------------------------------------------------------------------


def _require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise Forbidden(f"Only administrators may {what}.")


def _clean_text(value: str, field: str, max_length: int) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise Invalid(f"The {field} must not be empty.", field=field, value=value)
    if len(cleaned) > max_length:
        raise Invalid(
            f"The {field} must be at most {max_length} characters long.", field=field, value=value
        )
    return cleaned


def _actor_for(user: User, channel: Channel) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), channel=channel)


def default_scope(client_id: str) -> str:
    """``main-web-app-client`` → ``main-web-app-scope``, as in ServiceOps' own sample."""
    base = client_id[: -len("-client")] if client_id.endswith("-client") else client_id
    return f"{base}-scope"


async def _generated_client_id(session: AsyncSession, name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._~@+-]+", "-", name).strip("-._~@+")[:150] or "api"
    candidate = f"{base}-client"
    while await repository.client_id_taken(session, candidate):
        candidate = f"{base}-{security.new_reference(6)}-client"
    return candidate


# API clients -------------------------------------------------------------------------------


async def create_client(
    session: AsyncSession, actor: Actor, data: ApiClientCreate
) -> tuple[ApiClient, str]:
    """Register a client; the secret is returned here once and never again."""
    _require_admin(actor, "register API clients")
    name = _clean_text(data.name, "name", 200)

    if data.client_id is not None:
        client_id = data.client_id.strip()
        if not CLIENT_ID_PATTERN.fullmatch(client_id):
            raise Invalid(
                f"The client_id {data.client_id!r} is not valid: use 1 to 190 letters, digits "
                "and . _ ~ @ + -, starting with a letter or digit.",
                field="client_id",
                value=data.client_id,
            )
        if await repository.client_id_taken(session, client_id):
            raise Conflict(
                f"An API client with client_id {client_id!r} already exists.",
                field="client_id",
                value=client_id,
            )
    else:
        client_id = await _generated_client_id(session, name)

    if data.secret is not None:
        secret = data.secret
        if not MIN_SECRET_LENGTH <= len(secret) <= MAX_SECRET_LENGTH or not secret.isprintable():
            raise Invalid(
                f"The secret must be {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} printable "
                "characters long.",
                field="secret",
            )
    else:
        secret = security.new_secret(32)

    user_id: int | None = None
    if data.access_level is AccessLevel.SPECIFIC_USER:
        if data.user_id is None:
            raise Invalid(
                "A specific-user client needs the user it acts as (user_id).", field="user_id"
            )
        user = await repository.get_user(session, data.user_id)
        if user is None:
            raise Invalid(f"No user with id {data.user_id}.", field="user_id", value=data.user_id)
        if not user.is_active or user.role not in STAFF_ROLES:
            raise Invalid(
                f"User {data.user_id} cannot use the API: a specific-user client needs an active "
                "technician or administrator.",
                field="user_id",
                value=data.user_id,
            )
        user_id = user.id
    elif data.user_id is not None:
        raise Invalid(
            "user_id applies only to a specific-user client.", field="user_id", value=data.user_id
        )

    scope = (
        _clean_text(data.scope, "scope", 200)
        if data.scope is not None
        else default_scope(client_id)
    )
    client = ApiClient(
        name=name,
        client_id=client_id,
        secret_digest=security.digest(secret),
        access_level=data.access_level.value,
        user_id=user_id,
        scope=scope,
        is_active=True,
    )
    if not await repository.add_unique(session, client):
        raise Conflict(
            f"An API client with client_id {client_id!r} already exists.",
            field="client_id",
            value=client_id,
        )
    await audit.record(
        session,
        actor,
        "api_client.created",
        object_type="api_client",
        object_id=client.id,
        after={
            "name": name,
            "client_id": client_id,
            "access_level": client.access_level,
            "user_id": user_id,
            "scope": scope,
        },
    )
    return client, secret


async def authenticate_client(session: AsyncSession, client_id: str, secret: str) -> ApiClient:
    """The client named by HTTP Basic on the token endpoint, if its secret matches."""
    client = await repository.get_client_by_client_id(session, client_id)
    presented = security.digest(secret)
    if client is None:
        raise InvalidClient("unknown_client")
    if not security.constant_time_equals(presented, client.secret_digest):
        raise InvalidClient("wrong_secret")
    if not client.is_active:
        raise InvalidClient("inactive_client")
    return client


async def get_client(session: AsyncSession, actor: Actor, client_id: str) -> ApiClient:
    _require_admin(actor, "see API clients")
    client = await repository.get_client_by_client_id(session, client_id)
    if client is None:
        raise NotFound(f"No API client with client_id {client_id!r}.", field="client_id")
    return client


async def list_clients(session: AsyncSession, actor: Actor) -> Sequence[ApiClient]:
    _require_admin(actor, "see API clients")
    return await repository.list_clients(session)


async def deactivate_client(session: AsyncSession, actor: Actor, client_id: str) -> ApiClient:
    """Disable a client and revoke every token it was given."""
    client = await get_client(session, actor, client_id)
    if not client.is_active:
        return client
    client.is_active = False
    await repository.add(session, client)
    revoked = await repository.revoke_issued_for(
        session, utcnow(), client_pk=client.id, user_id=None
    )
    await audit.record(
        session,
        actor,
        "api_client.deactivated",
        object_type="api_client",
        object_id=client.id,
        before={"is_active": True},
        after={"is_active": False, "tokens_revoked": revoked},
    )
    return client


# OAuth2 ------------------------------------------------------------------------------------


def _authorities(user: User) -> list[str]:
    return ["USER", "ADMIN"] if user.role == Role.ADMIN.value else ["USER"]


async def _issue(
    session: AsyncSession,
    settings: Settings,
    client: ApiClient,
    user: User,
    grant_type: str,
) -> TokenPair:
    key = settings.signing_key()
    now = utcnow().replace(microsecond=0)
    access_exp = now + timedelta(seconds=settings.access_token_ttl)
    refresh_exp = now + timedelta(seconds=settings.refresh_token_ttl)

    def encode(
        typ: TokenKind, expires_at: datetime, ati: str | None
    ) -> tuple[str, jwt.TokenClaims]:
        return jwt.encode_token(
            key,
            typ=typ,
            user_name=user.email,
            client_id=client.client_id,
            scope=client.scope.split(),
            authorities=_authorities(user),
            grant_type=grant_type,
            issued_at=now,
            expires_at=expires_at,
            ati=ati,
        )

    access, access_claims = encode(TokenKind.ACCESS, access_exp, None)
    refresh, refresh_claims = encode(TokenKind.REFRESH, refresh_exp, access_claims.jti)
    await repository.add(
        session,
        IssuedToken(
            jti=access_claims.jti,
            kind=TokenKind.ACCESS.value,
            client_id=client.id,
            user_id=user.id,
            expires_at=access_exp,
        ),
        IssuedToken(
            jti=refresh_claims.jti,
            kind=TokenKind.REFRESH.value,
            client_id=client.id,
            user_id=user.id,
            access_jti=access_claims.jti,
            expires_at=refresh_exp,
        ),
    )
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=settings.access_token_ttl - 1,
        scope=client.scope,
        jti=access_claims.jti,
        refresh_jti=refresh_claims.jti,
        access_expires_at=access_exp,
        refresh_expires_at=refresh_exp,
    )


def _check_user_for_client(client: ApiClient, user: User) -> None:
    """Which users a client may act for. Password and refresh grants both apply it."""
    if not user.is_active:
        raise InvalidGrant("inactive_user")
    if user.role not in STAFF_ROLES:
        raise InvalidGrant("not_staff", "Only technicians and administrators may use the API.")
    if client.access_level == AccessLevel.SPECIFIC_USER.value and client.user_id != user.id:
        raise UnauthorizedClient(
            "wrong_user", "This API client may only be used with the credentials of its own user."
        )


async def issue_tokens(
    session: AsyncSession,
    settings: Settings,
    client: ApiClient,
    user: User,
    *,
    grant_type: str,
    channel: Channel = Channel.SERVICEOPS,
) -> TokenPair:
    """Issue an access and a refresh token for ``user`` through ``client``."""
    if not client.is_active:
        raise InvalidClient("inactive_client")
    _check_user_for_client(client, user)
    pair = await _issue(session, settings, client, user, grant_type)
    await audit.record(
        session,
        _actor_for(user, channel),
        "oauth.token_issued",
        object_type="api_client",
        object_id=client.id,
        after={"user_id": user.id, "grant_type": grant_type, "jti": pair.jti},
    )
    return pair


async def password_grant(
    session: AsyncSession,
    settings: Settings,
    client: ApiClient,
    login: str,
    password: str,
    *,
    channel: Channel = Channel.SERVICEOPS,
) -> TokenPair:
    """``grant_type=password``: a technician or admin's e-mail or username and password.

    Unknown login, wrong password and inactive user all answer :class:`InvalidGrant` with the
    same message; a requester gets :class:`InvalidGrant` saying why; a specific-user client
    used with another user's credentials gets :class:`UnauthorizedClient`.
    """
    if len(login) > 320 or len(password) > 1024:
        raise InvalidGrant("too_long")
    user = await repository.find_user_by_login(session, login)
    if user is None:
        await security.burn_password_verify_async(password)
        raise InvalidGrant("unknown_user")
    if not await security.verify_password_async(user.password_hash, password):
        raise InvalidGrant("wrong_password")
    return await issue_tokens(
        session, settings, client, user, grant_type=GrantType.PASSWORD.value, channel=channel
    )


async def refresh_grant(
    session: AsyncSession,
    settings: Settings,
    client: ApiClient,
    refresh_token: str,
    *,
    channel: Channel = Channel.SERVICEOPS,
) -> TokenPair:
    """``grant_type=refresh_token``, rotating: the refresh token used and the access token
    issued with it are revoked, and a new pair is issued. A refresh token that was already
    used or revoked raises :class:`RefreshTokenReused`."""
    if len(refresh_token) > 4096:
        raise InvalidGrant("invalid")
    try:
        claims = jwt.decode_token(
            settings.signing_key(), refresh_token, expected_typ=TokenKind.REFRESH
        )
    except jwt.TokenExpired as exc:
        raise InvalidGrant("expired", "The refresh token has expired.") from exc
    except jwt.TokenInvalid as exc:
        raise InvalidGrant("invalid", "The refresh token is invalid.") from exc
    if claims.client_id != client.client_id:
        raise InvalidGrant("other_client", "The refresh token is invalid.")
    issued = await repository.get_issued(session, claims.jti)
    if issued is None or issued.kind != TokenKind.REFRESH.value or issued.client_id != client.id:
        raise InvalidGrant("unknown", "The refresh token is invalid.")
    now = utcnow()
    if not await repository.revoke_issued_if_active(session, issued.jti, now):
        raise RefreshTokenReused(client_pk=client.id, user_id=issued.user_id)
    if issued.access_jti is not None:
        await repository.revoke_issued_if_active(session, issued.access_jti, now)
    user = await repository.get_user(session, issued.user_id)
    if user is None:
        raise InvalidGrant("unknown_user", "The refresh token is invalid.")
    if not client.is_active:
        raise InvalidClient("inactive_client")
    _check_user_for_client(client, user)
    pair = await _issue(session, settings, client, user, GrantType.REFRESH_TOKEN.value)
    await audit.record(
        session,
        _actor_for(user, channel),
        "oauth.token_refreshed",
        object_type="api_client",
        object_id=client.id,
        before={"jti": issued.access_jti, "refresh_jti": issued.jti},
        after={"jti": pair.jti, "refresh_jti": pair.refresh_jti},
    )
    return pair


async def authenticate_access_token(
    session: AsyncSession, settings: Settings, token: str
) -> Principal:
    """A bearer access token: signature, expiry, ``typ``, and one primary-key query for
    revocation, the client and the user's current standing."""
    if len(token) > 4096:
        raise InvalidAccessToken("invalid")
    try:
        claims = jwt.decode_token(settings.signing_key(), token, expected_typ=TokenKind.ACCESS)
    except jwt.TokenExpired as exc:
        raise InvalidAccessToken("expired", "The access token has expired.") from exc
    except jwt.TokenInvalid as exc:
        raise InvalidAccessToken("invalid") from exc
    row = await repository.access_token_row(session, claims.jti)
    if row is None or row.kind != TokenKind.ACCESS.value or row.client_id != claims.client_id:
        raise InvalidAccessToken("unknown")
    if row.revoked_at is not None:
        raise InvalidAccessToken("revoked", "The access token has been revoked.")
    if row.expires_at <= utcnow():
        raise InvalidAccessToken("expired", "The access token has expired.")
    if not row.client_active:
        raise InvalidAccessToken("inactive_client")
    if not row.user_active or row.role not in STAFF_ROLES:
        raise InvalidAccessToken("inactive_user")
    return Principal(
        user_id=row.user_id,
        role=Role(row.role),
        method=AuthMethod.OAUTH,
        client_id=row.client_pk,
        jti=claims.jti,
        scope=claims.scope,
    )


async def revoke_token(
    session: AsyncSession,
    settings: Settings,
    client: ApiClient,
    token: str,
    *,
    channel: Channel = Channel.SERVICEOPS,
) -> bool:
    """Revoke an access or refresh token the client holds (RFC 7009).

    Revoking a refresh token also revokes its access token. A token that is invalid, expired,
    unknown or another client's is left alone and reported as ``False``, never as an error.
    """
    try:
        claims = jwt.decode_token(settings.signing_key(), token)
    except jwt.TokenInvalid:
        return False
    if claims.client_id != client.client_id:
        return False
    issued = await repository.get_issued(session, claims.jti)
    if issued is None or issued.client_id != client.id:
        return False
    now = utcnow()
    revoked = await repository.revoke_issued_if_active(session, issued.jti, now)
    if issued.kind == TokenKind.REFRESH.value and issued.access_jti is not None:
        revoked = (
            await repository.revoke_issued_if_active(session, issued.access_jti, now) or revoked
        )
    if revoked:
        user = await repository.get_user(session, issued.user_id)
        actor = (
            _actor_for(user, channel)
            if user is not None
            else Actor(user_id=None, role=None, channel=channel)
        )
        await audit.record(
            session,
            actor,
            "oauth.token_revoked",
            object_type="api_client",
            object_id=client.id,
            after={"jti": issued.jti, "kind": issued.kind, "user_id": issued.user_id},
        )
    return revoked


async def revoke_tokens(
    session: AsyncSession,
    actor: Actor,
    *,
    client_pk: int | None = None,
    user_id: int | None = None,
) -> int:
    """Revoke every outstanding OAuth2 token of a client, of a user, or of a user through a
    client (after a refresh token was reused, a password change, a deactivation)."""
    if client_pk is None and user_id is None:
        raise Invalid("Name a client or a user whose tokens to revoke.", field="user_id")
    if not actor.is_admin and actor.user_id != user_id:
        raise Forbidden("Only administrators may revoke other users' tokens.")
    count = await repository.revoke_issued_for(
        session, utcnow(), client_pk=client_pk, user_id=user_id
    )
    if count:
        await audit.record(
            session,
            actor,
            "oauth.token_revoked",
            object_type="api_client" if client_pk is not None else "user",
            object_id=client_pk if client_pk is not None else user_id,
            after={"user_id": user_id, "client_pk": client_pk, "tokens_revoked": count},
        )
    return count


# API tokens --------------------------------------------------------------------------------


async def create_api_token(
    session: AsyncSession,
    actor: Actor,
    *,
    user_id: int | None = None,
    account: bool = False,
    name: str,
) -> tuple[ApiToken, str]:
    """A personal token (for ``user_id``, default the actor) or an account-wide one.

    Anyone may create personal tokens for themselves; tokens for others and account-wide
    tokens (which act with admin rights) need an administrator. The token is returned once.
    """
    clean_name = _clean_text(name, "name", 200)
    owner: int | None
    if account:
        if user_id is not None:
            raise Invalid(
                "An account-wide token belongs to no user: leave user_id out.",
                field="user_id",
                value=user_id,
            )
        _require_admin(actor, "create account-wide API tokens")
        owner = None
    else:
        owner = user_id if user_id is not None else actor.user_id
        if owner is None:
            raise Invalid("A personal API token needs its user (user_id).", field="user_id")
        if owner != actor.user_id:
            _require_admin(actor, "create API tokens for other users")
        user = await repository.get_user(session, owner)
        if user is None:
            raise Invalid(f"No user with id {owner}.", field="user_id", value=owner)
        if not user.is_active:
            raise Invalid(f"User {owner} is inactive.", field="user_id", value=owner)
    token = security.new_api_token()
    api_token = ApiToken(
        name=clean_name,
        digest=security.digest(token),
        prefix=token[:12],
        user_id=owner,
        created_by_id=actor.user_id,
    )
    await repository.add(session, api_token)
    await audit.record(
        session,
        actor,
        "api_token.created",
        object_type="api_token",
        object_id=api_token.id,
        after={
            "name": clean_name,
            "prefix": api_token.prefix,
            "user_id": owner,
            "account": account,
        },
    )
    return api_token, token


async def authenticate_api_token(session: AsyncSession, token: str) -> Principal:
    """One query by digest. ``last_used_at`` is written at most once a minute."""
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidApiToken("malformed")
    row = await repository.api_token_row(session, security.digest(token))
    if row is None:
        raise InvalidApiToken("unknown")
    if row.revoked_at is not None:
        raise InvalidApiToken("revoked")
    if row.user_id is None:
        role = Role.ADMIN
    elif not row.user_active or row.role is None:
        raise InvalidApiToken("inactive_user")
    else:
        role = Role(row.role)
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= API_TOKEN_TOUCH_INTERVAL:
        await repository.touch_api_token(session, row.id, now, now - API_TOKEN_TOUCH_INTERVAL)
    return Principal(user_id=row.user_id, role=role, method=AuthMethod.API_TOKEN, token_id=row.id)


async def _visible_token(session: AsyncSession, actor: Actor, token_id: int) -> ApiToken:
    token = await repository.get_api_token(session, token_id)
    # Other people's tokens are invisible to non-admins rather than forbidden: their ids
    # say nothing to whoever is not allowed to manage them.
    if token is None or (not actor.is_admin and token.user_id != actor.user_id):
        raise NotFound(f"No API token with id {token_id}.", field="id", value=token_id)
    return token


async def revoke_api_token(session: AsyncSession, actor: Actor, token_id: int) -> ApiToken:
    token = await _visible_token(session, actor, token_id)
    if token.revoked_at is not None:
        return token
    token.revoked_at = utcnow()
    await repository.add(session, token)
    await audit.record(
        session,
        actor,
        "api_token.revoked",
        object_type="api_token",
        object_id=token.id,
        before={"revoked_at": None},
        after={"revoked_at": token.revoked_at, "prefix": token.prefix},
    )
    return token


async def list_api_tokens(
    session: AsyncSession,
    actor: Actor,
    *,
    user_id: int | None = None,
    account: bool = False,
    include_revoked: bool = False,
) -> Sequence[ApiToken]:
    """Admins see every token (or one user's, or the account-wide ones); others their own."""
    if not actor.is_admin:
        if account or (user_id is not None and user_id != actor.user_id):
            raise Forbidden("Only administrators may see other users' API tokens.")
        if actor.user_id is None:
            return []
        user_id = actor.user_id
    return await repository.list_api_tokens(
        session, user_id=user_id, account_only=account, include_revoked=include_revoked
    )


# HTTP Basic --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifiedCredential:
    """What a cache entry remembers: whose password it was, and which password."""

    user_id: int
    password_changed_at: datetime | None
    hash_digest: str
    expires: float


class BasicCredentialCache:
    """Logins whose password was verified recently, so HTTP Basic does not pay argon2 on
    every request.

    Keys are keyed digests of login and password: the cache holds neither, and a memory dump
    without the server's key cannot be used to test guesses. An entry counts only while the
    user's password (its hash and ``password_changed_at``) is the one verified and the user
    is active (the user as the reference cache has it: a password change or deactivation
    takes effect at once in the process that made it, within ``reference_cache_seconds`` in
    the others). It is local to the process: a miss costs one argon2 verification, never a
    wrong answer.
    """

    def __init__(
        self,
        ttl_seconds: float,
        *,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, VerifiedCredential] = OrderedDict()
        self._verifying: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def verifying(self, key: str) -> AsyncIterator[None]:
        """One verification per key at a time: when an entry expires under load, the
        requests carrying that credential wait for the first one's argon2 instead of each
        paying their own (dozens at once can stall a worker for seconds)."""
        lock, users = self._verifying.get(key, (asyncio.Lock(), 0))
        self._verifying[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._verifying[key]
            if users <= 1:
                del self._verifying[key]
            else:
                self._verifying[key] = (lock, users - 1)

    @classmethod
    def from_settings(cls, settings: Settings) -> BasicCredentialCache:
        return cls(settings.basic_auth_cache_seconds)

    @property
    def enabled(self) -> bool:
        return self.ttl_seconds > 0 and self.max_entries > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> VerifiedCredential | None:
        """The entry, its life renewed: an entry lasts ``ttl_seconds`` after its last use.

        A credential in use is never verified again: verifying the same password (the key)
        against the same hash (the entry's digest, checked against the user on every use)
        can only succeed again, and under load every request carrying it would wait for that
        verification (the worst latency of a busy worker, once a minute)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        now = self._clock()
        if entry.expires <= now:
            del self._entries[key]
            return None
        entry = self._entries[key] = replace(entry, expires=now + self.ttl_seconds)
        self._entries.move_to_end(key)
        return entry

    def put(self, key: str, user: User) -> None:
        if not self.enabled:
            return
        self._entries[key] = VerifiedCredential(
            user_id=user.id,
            password_changed_at=user.password_changed_at,
            hash_digest=security.digest(user.password_hash or ""),
            expires=self._clock() + self.ttl_seconds,
        )
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def discard(self, key: str) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


def _still_valid(entry: VerifiedCredential, user: User | None, login: str) -> bool:
    if user is None or not user.is_active:
        return False
    if user.password_changed_at != entry.password_changed_at:
        return False
    if not security.constant_time_equals(
        security.digest(user.password_hash or ""), entry.hash_digest
    ):
        return False
    key = login.strip().lower()
    return key in (user.email_key, (user.username or "").lower())


async def authenticate_basic(
    session: AsyncSession,
    settings: Settings,
    cache: BasicCredentialCache,
    login: str,
    password: str,
) -> Principal | None:
    """A user by e-mail or username and password, or ``None``. Any active user, requesters
    included: what they may do is the caller's business."""
    if not login or not password or len(login) > 320 or len(password) > 1024:
        return None
    key = security.keyed_digest(settings.signing_key(), login, password)
    if not cache.enabled:
        return await _verify_basic(session, cache, key, login, password)
    found = await _cached_basic(session, cache, key, login)
    if found is not None:
        return found
    async with cache.verifying(key):
        # Another request may have verified the same credential while this one waited.
        return await _cached_basic(session, cache, key, login) or await _verify_basic(
            session, cache, key, login, password
        )


async def _cached_basic(
    session: AsyncSession, cache: BasicCredentialCache, key: str, login: str
) -> Principal | None:
    entry = cache.get(key)
    if entry is None:
        return None
    user = (await users.users_to_show(session, [entry.user_id])).get(entry.user_id)
    if user is not None and _still_valid(entry, user, login):
        return Principal(user_id=user.id, role=Role(user.role), method=AuthMethod.BASIC)
    cache.discard(key)
    return None


async def _verify_basic(
    session: AsyncSession, cache: BasicCredentialCache, key: str, login: str, password: str
) -> Principal | None:
    user = await repository.find_user_by_login(session, login)
    if user is None:
        await security.burn_password_verify_async(password)
        return None
    if not await security.verify_password_async(user.password_hash, password) or not user.is_active:
        return None
    cache.put(key, user)
    return Principal(user_id=user.id, role=Role(user.role), method=AuthMethod.BASIC)
