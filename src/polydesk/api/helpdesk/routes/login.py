"""``/api-auth/login/`` and ``/api-auth/logout/``: the sign-in form django-helpdesk deployments
offer for DRF's browsable API (``rest_framework.urls``), which sets the session cookie that
session authentication reads.

GET shows a small HTML form carrying a CSRF token (also set as the ``csrftoken`` cookie);
POST checks that token against the cookie, verifies the password, starts a session and sets
``sessionid`` and a fresh ``csrftoken`` (the session's own token, to be sent back as
``X-CSRFToken`` on unsafe API calls), then redirects to ``next`` (a local path) or ``/api/``.
A wrong password shows the form again. POST ``/api-auth/logout/`` (with the CSRF token) ends
the session.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from polydesk.api.deps import AppSettings
from polydesk.api.helpdesk.auth import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from polydesk.api.helpdesk.body import read_body
from polydesk.api.helpdesk.views import DbSession, HelpdeskRoute
from polydesk.core import security
from polydesk.core.actor import Actor
from polydesk.core.enums import Channel, Role
from polydesk.domains.sessions import service as sessions
from polydesk.domains.users import service as users

router = APIRouter(route_class=HelpdeskRoute)

LOGIN_PATH = "/api-auth/login/"
LOGOUT_PATH = "/api-auth/logout/"
DEFAULT_NEXT = "/api/"
BAD_LOGIN = (
    "Please enter a correct username and password. Note that both fields may be case-sensitive."
)
MAX_FIELD = 1024

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Log in | Polydesk REST API</title></head>
<body><h1>Polydesk REST API</h1>{error}
<form action="{action}" method="post">
<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<p><label for="id_username">Username:</label>
<input type="text" name="username" id="id_username" value="{username}" autofocus required></p>
<p><label for="id_password">Password:</label>
<input type="password" name="password" id="id_password" required></p>
<p><button type="submit">Log in</button></p>
</form></body></html>
"""


def _safe_next(value: str | None) -> str:
    """Only a local path: no scheme, no host, no ``//`` or back-slash tricks."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return DEFAULT_NEXT
    if any(c in value for c in "\\\r\n\t") or len(value) > 2000:
        return DEFAULT_NEXT
    return value


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _set_csrf_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        token,
        max_age=365 * 24 * 3600,
        path="/",
        samesite="lax",
        secure=_secure(request),
        httponly=False,
    )


def _form(
    request: Request, csrf: str, *, next_path: str, username: str = "", error: str = ""
) -> HTMLResponse:
    html = _PAGE.format(
        action=escape(LOGIN_PATH),
        csrf=escape(csrf),
        next=escape(next_path),
        username=escape(username),
        error=f'<p class="error">{escape(error)}</p>' if error else "",
    )
    response = HTMLResponse(html, headers={"Cache-Control": "no-store", "Vary": "Cookie"})
    _set_csrf_cookie(response, request, csrf)
    return response


def _csrf_cookie(request: Request) -> str:
    token = request.cookies.get(CSRF_COOKIE, "")
    if token and len(token) <= 64 and token.isalnum():
        return token
    return sessions.new_csrf_token()


def _csrf_refused(reason: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!DOCTYPE html><title>403 Forbidden</title><h1>Forbidden (403)</h1>"
        f"<p>CSRF verification failed. Request aborted.</p><p>{escape(reason)}</p>",
        status_code=403,
    )


def _csrf_ok(request: Request, submitted: object) -> str | None:
    """``None`` when the submitted token matches the cookie, else the reason."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie:
        return "CSRF cookie not set."
    given = submitted if isinstance(submitted, str) and submitted else None
    given = given or request.headers.get(CSRF_HEADER)
    if not given:
        return "CSRF token missing."
    if not security.constant_time_equals(given, cookie):
        return "CSRF token incorrect."
    return None


@router.get(LOGIN_PATH, include_in_schema=False)
async def login_form(request: Request) -> Response:
    return _form(
        request, _csrf_cookie(request), next_path=_safe_next(request.query_params.get("next"))
    )


@router.post(LOGIN_PATH, include_in_schema=False)
async def login(request: Request, session: DbSession, settings: AppSettings) -> Response:
    body = await read_body(request)
    reason = _csrf_ok(request, body.get("csrfmiddlewaretoken"))
    if reason is not None:
        return _csrf_refused(reason)
    username = body.get("username")
    password = body.get("password")
    next_path = _safe_next(body.get("next") or request.query_params.get("next"))
    login_name = username if isinstance(username, str) else ""
    user = None
    if login_name and isinstance(password, str) and len(login_name) <= MAX_FIELD:
        user = await users.authenticate(session, login_name, password)
    if user is None:
        return _form(
            request,
            _csrf_cookie(request),
            next_path=next_path,
            username=login_name,
            error=BAD_LOGIN,
        )
    actor = Actor(user_id=user.id, role=Role(user.role), channel=Channel.HELPDESK)
    started = await sessions.start_session(session, actor, user.id)
    response = RedirectResponse(next_path, status_code=302)
    response.set_cookie(
        SESSION_COOKIE,
        started.token,
        max_age=int(sessions.DEFAULT_TTL.total_seconds()),
        path="/",
        samesite="lax",
        secure=_secure(request),
        httponly=True,
    )
    _set_csrf_cookie(response, request, started.csrf_token)
    return response


@router.post(LOGOUT_PATH, include_in_schema=False)
async def logout(request: Request, session: DbSession) -> Response:
    body = await read_body(request)
    reason = _csrf_ok(request, body.get("csrfmiddlewaretoken"))
    if reason is not None:
        return _csrf_refused(reason)
    await sessions.revoke(
        session,
        Actor(user_id=None, role=None, channel=Channel.HELPDESK),
        request.cookies.get(SESSION_COOKIE),
    )
    response = RedirectResponse(_safe_next(body.get("next")), status_code=302)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
