"""How a caller proved who it is."""

from __future__ import annotations

from enum import StrEnum


class AuthMethod(StrEnum):
    BASIC = "basic"
    """Username (or e-mail) and password on every request (django-helpdesk)."""
    OAUTH = "oauth"
    """An OAuth2 bearer access token (ServiceOps)."""
    API_TOKEN = "api_token"
    """A long-lived API token (GoToAssist's Basic ``x:<token>``, ServiceOps' ``Apikey``)."""


class GrantType(StrEnum):
    PASSWORD = "password"
    REFRESH_TOKEN = "refresh_token"
