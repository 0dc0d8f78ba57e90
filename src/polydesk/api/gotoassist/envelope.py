"""The GoToAssist envelope, its errors, and responses in JSON or XML.

Success: ``{"result": …, "version": "1.0", "status": "Success"}``. Failure: ``{"errors":
[{"error": "[Ennn] …"}], "version": "1.0", "status": "Failed"}``, with no ``result``. The
guide's codes: ``[E400]`` for anything specific to a call (validation, not found — answered
with HTTP 200, as the guide and its clients expect), ``[E902]`` when the hourly rate limit is
exceeded, ``[E906]`` for a missing or wrong API token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from polydesk.api.gotoassist import xml
from polydesk.api.gotoassist.formats import Format, context
from polydesk.core.settings import Settings

VERSION = "1.0"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"

E400 = "E400"
E902 = "E902"
E906 = "E906"

VALIDATION_STATUS = 200
"""``[E400]`` answers, validation and not found alike, come with HTTP 200 (guide, §3.5)."""
AUTH_FAILURE_STATUS = 401
"""``[E906]`` when ``POLYDESK_GOTOASSIST_AUTH_FAILURE_STATUS=401`` (with ``WWW-Authenticate:
Basic``); by default it comes with HTTP 200, like every failure the guide's clients see."""
RATE_LIMIT_STATUS = 429
"""``[E902]`` when ``POLYDESK_GOTOASSIST_RATE_LIMIT_STATUS=429``; HTTP 200 by default. Both
carry ``Retry-After``."""
AUTH_CHALLENGE = 'Basic realm="GoToAssist Service Desk API"'

INVALID_VERIFIER = "Invalid verifier"
RATE_LIMITED = "The application has exceeded the request rate limit for this hour"


class GaError(Exception):
    """An answer in the Failed envelope. Raised anywhere in a request of this surface; the
    route class renders it (and the unit of work rolls back)."""

    def __init__(
        self,
        messages: str | Sequence[str],
        *,
        code: str = E400,
        status_code: int = VALIDATION_STATUS,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))
        self.code = code
        self.status_code = status_code
        self.headers = headers


def invalid(*messages: str) -> GaError:
    """``[E400]`` with one error per message, e.g. ``invalid("title can't be blank")``."""
    return GaError(list(messages))


def not_found(resource: str) -> GaError:
    """``[E400] no <resource> found``, the guide's not-found wording."""
    return GaError(f"no {resource} found")


def unauthenticated() -> GaError:
    return GaError(
        INVALID_VERIFIER,
        code=E906,
        status_code=AUTH_FAILURE_STATUS,
        headers={"WWW-Authenticate": AUTH_CHALLENGE},
    )


def render(fmt: Format, payload: dict[str, Any], status_code: int = 200) -> Response:
    if fmt.is_xml:
        return Response(xml.dumps(payload), status_code=status_code, media_type=XML_TYPE)
    return Response(
        orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS),
        status_code=status_code,
        media_type=JSON_TYPE,
    )


def success_payload(result: Any) -> dict[str, Any]:
    return {"result": result, "version": VERSION, "status": "Success"}


def failure_payload(code: str, messages: Sequence[str]) -> dict[str, Any]:
    errors = [{"error": f"[{code}] {message}"} for message in messages]
    return {"errors": errors, "version": VERSION, "status": "Failed"}


def success(conn: HTTPConnection, result: Any) -> Response:
    return render(context(conn).format, success_payload(result))


def _status(conn: HTTPConnection, error: GaError) -> int:
    """``[E906]`` and ``[E902]`` answer with the configured status (200 by default)."""
    settings: Settings = conn.app.state.settings
    if error.code == E906:
        return settings.gotoassist_auth_failure_status
    if error.code == E902:
        return settings.gotoassist_rate_limit_status
    return error.status_code


def failure(conn: HTTPConnection, error: GaError) -> Response:
    status_code = _status(conn, error)
    response = render(
        context(conn).format, failure_payload(error.code, error.messages), status_code
    )
    for name, value in (error.headers or {}).items():
        if name.lower() == "www-authenticate" and status_code != 401:
            continue
        response.headers[name] = value
    return response


def render_error(
    request: Request, status_code: int, message: str, headers: dict[str, str] | None
) -> Response:
    """Errors raised outside this surface's routes (unknown path, wrong method, body too large,
    invalid request): the Failed envelope with the same HTTP status."""
    if status_code == 401:
        error = unauthenticated()
    elif status_code == 429:
        error = GaError(RATE_LIMITED, code=E902, status_code=RATE_LIMIT_STATUS)
    else:
        text = {404: "no such API call", 405: "method not allowed for this API call"}.get(
            status_code, message.rstrip(".")
        )
        status = VALIDATION_STATUS if status_code in (400, 422) else status_code
        error = GaError(text, status_code=status)
    if headers:
        error.headers = {**(error.headers or {}), **headers}
    return failure(request, error)
