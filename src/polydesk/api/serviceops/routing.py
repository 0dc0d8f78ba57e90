"""The route class of every ServiceOps router.

Exception handlers are application-wide and three dialects share the application, so this
dialect renders its own errors inside its routes: a :class:`DomainError` or a request
validation error becomes the dialect's error body (``errors.py``) with its status, after the
request's unit of work is rolled back, so an error never leaves a write behind. Anything else
unexpected is logged and answered as a 500 in the same shape rather than as plain text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any, ClassVar

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.serviceops.errors import (
    FieldNames,
    domain_error_response,
    error_response,
    validation_error_response,
)
from polydesk.core.db import Session
from polydesk.core.errors import DomainError

log = logging.getLogger("polydesk.api.serviceops")

SESSION_STATE = "serviceops_session"
"""``request.state`` attribute holding the request's unit of work (set by ``deps.DbSession``)."""

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


async def _roll_back(request: Request) -> None:
    session: Session | None = getattr(request.state, SESSION_STATE, None)
    if session is not None:
        await session.rollback()


class ServiceOpsRoute(APIRoute):
    """Renders domain and validation errors in the dialect's shape, with nothing written.

    Subclasses set :attr:`field_names` to translate the domain's field names into the wire
    names of their generation (G1 ``status``/``impact`` vs G2 ``statusName``/``impactName``).
    """

    field_names: ClassVar[FieldNames] = FieldNames()

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        field_names = self.field_names

        async def serviceops_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as exc:
                await _roll_back(request)
                return domain_error_response(exc, field_names)
            except RequestValidationError as exc:
                await _roll_back(request)
                return validation_error_response(exc)
            except HTTPException:
                await _roll_back(request)
                raise
            except Exception:
                log.exception("unexpected error in %s %s", request.method, request.url.path)
                await _roll_back(request)
                return error_response(500, "The server could not complete the request.")

        return serviceops_handler


def new_router(route_class: type[ServiceOpsRoute] = ServiceOpsRoute, **kwargs: Any) -> APIRouter:
    """A router for this dialect: full paths in the decorators, no prefix. A JSON body sent
    without a ``Content-Type`` is read as JSON (clients of this API often leave it out)."""
    kwargs.setdefault("strict_content_type", False)
    return APIRouter(route_class=route_class, **kwargs)
