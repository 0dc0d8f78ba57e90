"""The ServiceOps surface: its routes and its error shape.

``ROUTERS`` lists every router of the dialect; a new route module adds its ``router`` here
(and it appears in ``/api/v1/openapi.json`` at once).
"""

from __future__ import annotations

from fastapi import APIRouter

from polydesk.api.serviceops.errors import render_error
from polydesk.api.serviceops.routes import asset as asset_routes
from polydesk.api.serviceops.routes import change as change_routes
from polydesk.api.serviceops.routes import conversation as conversation_routes
from polydesk.api.serviceops.routes import form, incident, oauth, openapi, upload
from polydesk.api.serviceops.routes import problem as problem_routes
from polydesk.api.serviceops.routes import release as release_routes
from polydesk.api.serviceops.routes import request as request_routes
from polydesk.api.serviceops.routes import requester as requester_routes
from polydesk.api.serviceops.routes import service_request as service_request_routes
from polydesk.api.surface import Surface

ROUTERS: list[APIRouter] = [
    oauth.router,
    incident.router,
    upload.router,
    form.router,
    request_routes.router,
    change_routes.router,
    problem_routes.router,
    release_routes.router,
    service_request_routes.router,
    conversation_routes.router,
    requester_routes.router,
    asset_routes.router,
    openapi.router,
]

surface = Surface(
    name="serviceops",
    prefixes=(
        "/api/oauth/",
        "/api/v1/",
        "/api//v1/",
        "/api/incident",
        "/api/oprfile",
        "/api/ususer/",
    ),
    routers=ROUTERS,
    render_error=render_error,
)
