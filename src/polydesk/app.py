"""``create_app()``: one ASGI application; each surface (API dialect) plugs in its routes and
renders the errors raised on its paths in its own shape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from polydesk.api import health
from polydesk.api.gotoassist.app import surface as gotoassist
from polydesk.api.helpdesk.app import surface as helpdesk
from polydesk.api.limits import BodySizeLimit
from polydesk.api.serviceops.app import surface as serviceops
from polydesk.api.surface import Surface, SurfaceRoutes, owner
from polydesk.core.db import Database
from polydesk.core.settings import Settings, get_settings

SURFACES: tuple[Surface, ...] = (serviceops, gotoassist, helpdesk)


def _render(
    request: Request, status_code: int, message: str, headers: dict[str, str] | None
) -> Response:
    surface = owner(SURFACES, request.url.path)
    if surface is not None and surface.render_error is not None:
        return surface.render_error(request, status_code, message, headers)
    return JSONResponse({"detail": message}, status_code=status_code, headers=headers)


def _too_large(scope: Scope, limit: int) -> Response | None:
    surface = owner(SURFACES, scope["path"])
    if surface is None or surface.render_error is None:
        return None
    message = f"Request body is larger than the limit of {limit} bytes."
    return surface.render_error(Request(scope), 413, message, None)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    db = Database(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await db.dispose()

    app = FastAPI(
        title="Polydesk",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    app.include_router(health.router)
    app.router.routes.append(SurfaceRoutes(SURFACES))
    for surface in SURFACES:
        if surface.setup is not None:
            surface.setup(app)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return _render(request, exc.status_code, str(exc.detail), dict(exc.headers or {}) or None)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return _render(request, 400, "The request is not valid.", None)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.max_upload_bytes,
        render=_too_large,
    )
    return app
