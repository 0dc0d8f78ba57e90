"""What a surface (an API dialect, the console) hands to ``create_app()``.

Dialects share one ASGI application and some share a path prefix (ServiceOps and django-helpdesk
both live under ``/api/``), so each surface names the path prefixes it owns. Errors raised before
a surface's own code runs — unknown path, wrong method, body too large — are rendered in the
shape of the surface that owns the path, through its ``render_error``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.datastructures import URLPath
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

ErrorRenderer = Callable[[Request, int, str, dict[str, str] | None], Response]
"""``(request, status code, message, headers) -> response`` in the surface's own error shape."""


@dataclass(frozen=True)
class Surface:
    name: str
    prefixes: Sequence[str]
    """Path prefixes this surface owns, e.g. ``("/v1/", "/external_api/v1/")``."""
    routers: Sequence[APIRouter] = ()
    render_error: ErrorRenderer | None = None
    setup: Callable[[FastAPI], None] | None = field(default=None)
    """Anything else the surface needs on the application (state, mounts)."""
    claims: Callable[[Scope], bool] | None = field(default=None)
    """A request this surface's middleware has already taken (and may have rewritten the path
    of, as GoToAssist strips its prefix and suffix); checked before the prefixes."""

    def owns(self, path: str) -> bool:
        return any(path == p.rstrip("/") or path.startswith(p) for p in self.prefixes)


def owner(surfaces: Sequence[Surface], path: str) -> Surface | None:
    """The surface owning ``path``: the one with the longest matching prefix."""
    best: tuple[int, Surface] | None = None
    for surface in surfaces:
        for prefix in surface.prefixes:
            if (path == prefix.rstrip("/") or path.startswith(prefix)) and (
                best is None or len(prefix) > best[0]
            ):
                best = (len(prefix), surface)
    return best[1] if best else None


class SurfaceRoutes(BaseRoute):
    """Every surface's routes behind one test of the path.

    A request is matched only against the routes of the surface that owns it (see
    :func:`owner`), never against the other dialects' routes: with three dialects in one
    application, scanning them all cost more than the rest of a cached request. A path no
    surface owns does not match here and falls through to the application's other routes
    (health) and its 404.
    """

    def __init__(self, surfaces: Sequence[Surface]) -> None:
        self.surfaces = tuple(surfaces)
        self.claiming = tuple(s for s in self.surfaces if s.claims is not None)
        self.routers: dict[str, APIRouter] = {}
        for surface in self.surfaces:
            router = APIRouter()
            for included in surface.routers:
                router.include_router(included)
            self.routers[surface.name] = router

    def _owner(self, scope: Scope) -> Surface | None:
        for surface in self.claiming:
            assert surface.claims is not None
            if surface.claims(scope):
                return surface
        return owner(self.surfaces, scope["path"])

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        surface = self._owner(scope)
        if surface is None:
            return Match.NONE, {}
        return Match.FULL, {SURFACE_KEY: surface.name}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.routers[scope[SURFACE_KEY]].app(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for router in self.routers.values():
            try:
                return router.url_path_for(name, **path_params)
            except NoMatchFound:
                continue
        raise NoMatchFound(name, path_params)


SURFACE_KEY = "polydesk.surface"
"""The scope key naming the surface a request was routed to."""
