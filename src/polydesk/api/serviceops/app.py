"""The ServiceOps surface: its routes and its error shape."""

from __future__ import annotations

from polydesk.api.surface import Surface

surface = Surface(
    name="serviceops",
    prefixes=("/api/oauth/", "/api/v1/", "/api/incident", "/api/oprfile", "/api/ususer/"),
)
