"""The GoToAssist Service Desk surface: its routes and its error envelope."""

from __future__ import annotations

from polydesk.api.surface import Surface

surface = Surface(name="gotoassist", prefixes=("/v1/", "/external_api/v1/"))
