"""The django-helpdesk surface: its routes and its error shape."""

from __future__ import annotations

from polydesk.api.surface import Surface

surface = Surface(
    name="helpdesk",
    prefixes=(
        "/api/",
        "/api/tickets",
        "/api/followups",
        "/api/followups-attachments",
        "/api/user_tickets",
        "/api/users",
    ),
)
