"""The django-helpdesk surface: its routes, its error shape and its Basic credential cache."""

from __future__ import annotations

from polydesk.api.helpdesk import auth
from polydesk.api.helpdesk.errors import render_error
from polydesk.api.helpdesk.routes import (
    attachments,
    followups,
    login,
    media,
    openapi,
    root,
    tickets,
    user_tickets,
    users,
)
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
        "/api-auth/",
        "/media/helpdesk/",
    ),
    routers=(
        openapi.router,
        root.router,
        tickets.router,
        followups.router,
        attachments.router,
        user_tickets.router,
        users.router,
        login.router,
        media.router,
    ),
    render_error=render_error,
    setup=auth.setup,
)
