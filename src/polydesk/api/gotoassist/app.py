"""The GoToAssist Service Desk surface: its routes, its path middleware and its error envelope.

Every resource module exposes ``router``; add it to :data:`ROUTERS` (one list for the whole
surface). Order matters only where a fixed segment shares a position with an id
(``/v1/users/current`` before ``/v1/users/{id}``): a module registers its fixed paths first.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from polydesk.api.gotoassist.envelope import render_error
from polydesk.api.gotoassist.formats import PREFIXES, SCOPE_KEY
from polydesk.api.gotoassist.routes import (
    change_testers,
    changes,
    companies,
    config,
    customers,
    incidents,
    issues,
    links,
    notes,
    openapi,
    problems,
    release_records,
    releases,
    review_users,
    services,
    time_entries,
    users,
    watches,
)
from polydesk.api.gotoassist.routing import GaPaths
from polydesk.api.surface import Surface

ROUTERS: list[APIRouter] = [
    openapi.router,
    incidents.router,
    problems.router,
    changes.router,
    releases.router,
    users.router,
    customers.router,
    companies.router,
    services.router,
    config.router,
    watches.router,
    change_testers.router,
    issues.router,
    review_users.router,
    release_records.router,
    time_entries.router,
    links.router,
    notes.router,  # last: its note collection segment is a path parameter
]


def setup(app: FastAPI) -> None:
    app.add_middleware(GaPaths)


surface = Surface(
    name="gotoassist",
    prefixes=tuple(f"{prefix}/" for prefix in PREFIXES),
    routers=ROUTERS,
    render_error=render_error,
    setup=setup,
    claims=lambda scope: SCOPE_KEY in scope,
)
