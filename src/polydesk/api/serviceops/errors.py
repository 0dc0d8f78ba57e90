"""The ServiceOps error shapes.

ServiceOps publishes no error body. Resource calls answer in the family of the G1 success
envelope (``{"returnCode":"SUCCESS","status":0,"userMessage":null,"id":N}``): ``returnCode``
names the failure, ``status`` is the HTTP status (never 0), ``userMessage`` says what went
wrong in words a person can act on, and ``field`` names the wire field at fault when there is
one. The token endpoint answers as Spring Security OAuth2 does: ``{"error", "error_description"}``.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from polydesk.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    Unauthenticated,
)

OAUTH_PREFIX = "/api/oauth/"
REALM = "ServiceOps API"

RETURN_CODES: dict[int, str] = {
    400: "INVALID_INPUT",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "INVALID_INPUT",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
}

_STATUS_OF: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (Invalid, 400),
    (Conflict, 409),
    (Forbidden, 403),
    (Unauthenticated, 401),
    (TooLarge, 413),
)


class ErrorBody(BaseModel):
    """Every error of a ``/api/v1/…``, ``/api/incident``, ``/api/oprfile`` or ``/api/ususer``
    call."""

    returnCode: str = Field(examples=["INVALID_INPUT"])
    """``INVALID_INPUT`` (400), ``UNAUTHORIZED`` (401), ``FORBIDDEN`` (403), ``NOT_FOUND``
    (404), ``METHOD_NOT_ALLOWED`` (405), ``CONFLICT`` (409), ``PAYLOAD_TOO_LARGE`` (413),
    ``UNSUPPORTED_MEDIA_TYPE`` (415)."""
    status: int = Field(examples=[400])
    """The HTTP status code (the success envelope's ``status`` is 0)."""
    userMessage: str = Field(examples=["Location Must Exist with same name: 'Mars'."])
    field: str | None = Field(default=None, examples=["locationName"])
    """The request field at fault, when there is one (omitted otherwise)."""


class OAuthErrorBody(BaseModel):
    """An error of ``POST /api/oauth/token`` (RFC 6749 §5.2, as Spring answers)."""

    error: str = Field(examples=["invalid_grant"])
    error_description: str = Field(examples=["Bad credentials"])


def _json(body: dict[str, Any], status_code: int, headers: dict[str, str] | None) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status_code,
        headers=headers,
        media_type="application/json",
    )


def error_response(
    status_code: int,
    message: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The dialect's error body with its status; 401s carry a ``WWW-Authenticate`` header."""
    body: dict[str, Any] = {
        "returnCode": RETURN_CODES.get(status_code, "FAILURE"),
        "status": status_code,
        "userMessage": message,
    }
    if field is not None:
        body["field"] = field
    headers = dict(headers or {})
    if status_code == 401:
        headers.setdefault("WWW-Authenticate", f'Bearer realm="{REALM}"')
    return _json(body, status_code, headers or None)


def oauth_error(
    status_code: int, error: str, description: str, headers: dict[str, str] | None = None
) -> Response:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache", **(headers or {})}
    return _json({"error": error, "error_description": description}, status_code, headers)


def status_of(exc: DomainError) -> int:
    for cls, code in _STATUS_OF:
        if isinstance(exc, cls):
            return code
    return 400


def domain_error_response(exc: DomainError, field_names: FieldNames | None = None) -> Response:
    status_code = status_of(exc)
    headers: dict[str, str] | None = None
    if status_code == 401 and exc.code == "invalid_token":
        description = exc.message.replace('"', "'")
        headers = {
            "WWW-Authenticate": (
                f'Bearer realm="{REALM}", error="invalid_token", error_description="{description}"'
            )
        }
    field = (field_names or FieldNames()).wire(exc.field)
    return error_response(status_code, exc.message, field=field, headers=headers)


class FieldNames:
    """Domain field names (``location_id``, ``custom:<slug>``) → the wire names a generation
    uses (``locationName``, ``customFieldValueDetails``)."""

    def __init__(self, names: dict[str, str] | None = None, custom: str | None = None) -> None:
        self.names = names or {}
        self.custom = custom

    def wire(self, field: str | None) -> str | None:
        if field is None:
            return None
        if field.startswith("custom:") and self.custom is not None:
            return f"{self.custom}.{field.removeprefix('custom:')}"
        return self.names.get(field, field)


MAX_SHOWN = 80


def shown(value: object) -> str:
    """``repr`` of a value for a message, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else f"{text[: MAX_SHOWN - 4]}...{text[-1]}"


def _location(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        parts = parts[1:]
    return ".".join(parts)


def validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    """One sentence about the first problem, and the field it concerns."""
    errors = exc.errors()
    if not errors:
        return "The request is not valid.", None
    first = errors[0]
    kind = first.get("type", "")
    where = _location(tuple(first.get("loc", ())))
    if kind == "json_invalid":
        return "The request body is not valid JSON.", None
    if kind == "missing" and not where:
        return "The request body is required (a JSON object).", None
    if kind == "missing":
        return f"The field {where!r} is required.", where
    if kind in ("model_attributes_type", "dict_type") and not where:
        return (
            "The request body must be a JSON object, sent with Content-Type: application/json.",
            None,
        )
    message = str(first.get("msg", "Invalid value"))
    if where:
        value = first.get("input")
        given = f" {shown(value)}" if isinstance(value, str | int | float | bool) else ""
        return f"Invalid value{given} for {where!r}: {message}.", where
    return f"The request is not valid: {message}.", None


def validation_error_response(exc: RequestValidationError) -> Response:
    message, field = validation_message(exc)
    return error_response(400, message, field=field)


_OAUTH_ERRORS: dict[int, str] = {
    400: "invalid_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "invalid_request",
    415: "invalid_request",
}


def render_error(
    request: Request, status_code: int, message: str, headers: dict[str, str] | None
) -> Response:
    """The surface's renderer for errors raised outside a route (unknown path, wrong method,
    body too large): OAuth2 shape under ``/api/oauth/``, the dialect's shape elsewhere."""
    if request.url.path.startswith(OAUTH_PREFIX):
        error = _OAUTH_ERRORS.get(status_code, "server_error" if status_code >= 500 else "error")
        return oauth_error(status_code, error, message, headers)
    if status_code == 404 and message == "Not Found":
        message = f"No such resource: {request.method} {request.url.path}."
    elif status_code == 405 and message == "Method Not Allowed":
        message = f"Method {request.method} is not allowed on {request.url.path}."
    return error_response(status_code, message, headers=headers)
