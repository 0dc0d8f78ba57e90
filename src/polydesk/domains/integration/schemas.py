"""Inputs and outputs of the integration services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from polydesk.core.actor import Actor
from polydesk.core.enums import AccessLevel, Channel, Role
from polydesk.domains.integration.enums import AuthMethod


class ApiClientCreate(BaseModel):
    name: str
    client_id: str | None = None
    """Generated from the name (``<Name>-client``, as ServiceOps shows them) when omitted."""
    secret: str | None = None
    """Generated when omitted. Either way it is returned once and only its digest is kept."""
    access_level: AccessLevel = AccessLevel.ANY_USER
    user_id: int | None = None
    """The only user a ``specific-user`` client may act as."""
    scope: str | None = None


class ApiClientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    client_id: str
    access_level: AccessLevel
    user_id: int | None
    scope: str
    is_active: bool
    created_at: datetime


class ApiTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    user_id: int | None
    """``None`` for an account-wide token."""
    created_by_id: int | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class TokenPair:
    """What the OAuth2 token endpoint hands out."""

    access_token: str
    refresh_token: str
    expires_in: int
    """Seconds the access token lives, minus one, as Spring's token endpoint reports it."""
    scope: str
    jti: str
    """The access token's ``jti``."""
    refresh_jti: str
    access_expires_at: datetime
    refresh_expires_at: datetime
    token_type: str = "bearer"

    def as_response(self) -> dict[str, str | int]:
        """The token endpoint's JSON body, keys in the order ServiceOps sends them."""
        return {
            "access_token": self.access_token,
            "token_type": self.token_type,
            "refresh_token": self.refresh_token,
            "expires_in": self.expires_in,
            "scope": self.scope,
            "jti": self.jti,
        }


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller, before a dialect turns it into an :class:`Actor`.

    ``user_id`` is ``None`` only for an account-wide API token, which acts with admin rights.
    """

    user_id: int | None
    role: Role
    method: AuthMethod
    client_id: int | None = None
    """The ``api_client`` row behind an OAuth2 token."""
    token_id: int | None = None
    """The ``api_token`` row behind an API-token call."""
    jti: str | None = None
    """The access token's ``jti`` behind an OAuth2 call."""
    scope: tuple[str, ...] = ()

    @property
    def is_account(self) -> bool:
        return self.user_id is None

    def actor(self, channel: Channel) -> Actor:
        return Actor(user_id=self.user_id, role=self.role, channel=channel)
