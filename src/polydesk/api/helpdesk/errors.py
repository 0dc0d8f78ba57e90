"""DRF's error shapes: ``{"detail": message}`` or ``{field: [messages]}``.

Routes raise :class:`DrfError`; the route class renders it (and every ``DomainError``) after
the unit of work has rolled back, so an error never leaves a partial write.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

VARY = "Accept, Cookie"

NOT_AUTHENTICATED = "Authentication credentials were not provided."
BAD_CREDENTIALS = "Invalid username/password."
NOT_PERMITTED = "You do not have permission to perform this action."
NOT_FOUND = "Not found."
INVALID_PAGE = "Invalid page."
NOT_ACCEPTABLE = "Could not satisfy the request Accept header."
REQUIRED = "This field is required."


class DrfError(Exception):
    """An answer in DRF's error shape; raised so that the unit of work rolls back."""

    def __init__(
        self, status_code: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code, body)
        self.status_code = status_code
        self.body = body
        self.headers = headers or {}


def detail(status_code: int, message: str, headers: dict[str, str] | None = None) -> DrfError:
    return DrfError(status_code, {"detail": message}, headers)


def invalid(errors: dict[str, Any]) -> DrfError:
    return DrfError(400, errors)


def not_allowed(method: str, allow: str) -> DrfError:
    return detail(405, f'Method "{method}" not allowed.', {"Allow": allow})


class DrfResponse(Response):
    """``application/json`` without a charset, as DRF sends it."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if content is None:
            return b""
        return orjson.dumps(content)


def respond(
    content: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> DrfResponse:
    merged = {"Vary": VARY}
    if headers:
        merged.update(headers)
    if status_code == 204:
        response = DrfResponse(None, status_code=204, headers=merged)
        del response.headers["content-type"]
        return response
    return DrfResponse(content, status_code=status_code, headers=merged)


def render_error(
    request: Request, status_code: int, message: str, headers: dict[str, str] | None
) -> Response:
    """Errors raised before a helpdesk route runs (unknown path, method, body too large)."""
    if status_code == 404:
        message = NOT_FOUND
    elif status_code == 405:
        message = f'Method "{request.method}" not allowed.'
    elif status_code == 400 and message == "The request is not valid.":
        message = "Malformed request."
    return respond({"detail": message}, status_code, headers)
