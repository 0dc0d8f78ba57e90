"""What a surface (an API dialect, the console) hands to ``create_app()``.

Dialects share one ASGI application and some share a path prefix (ServiceOps and django-helpdesk
both live under ``/api/``), so each surface names the path prefixes it owns. Errors raised before
a surface's own code runs — unknown path, wrong method, body too large — are rendered in the
shape of the surface that owns the path, through its ``render_error``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import Response

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
