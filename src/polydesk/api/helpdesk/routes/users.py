"""``/api/users/``: create only, by an administrator (django-helpdesk needs staff holding
``auth.add_user``). The new user is an active requester; Django's password validators apply.
The answer has no ``id`` and no password, as in 2.6.1."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from polydesk.api.helpdesk import auth, passwords, schemas
from polydesk.api.helpdesk.body import read_body
from polydesk.api.helpdesk.errors import invalid, respond
from polydesk.api.helpdesk.fields import Field, ordered_errors, validate
from polydesk.api.helpdesk.views import Ctx, Endpoint, HelpdeskRoute, register
from polydesk.core.enums import Role
from polydesk.core.errors import Conflict, Invalid
from polydesk.domains.users import service as users
from polydesk.domains.users.schemas import UserCreate

router = APIRouter(route_class=HelpdeskRoute)
USERNAME = users.USERNAME_PATTERN


async def _fields(_ctx: Ctx) -> list[Field]:
    return schemas.user_fields()


async def create_user(ctx: Ctx) -> Response:
    body = await read_body(ctx.request)
    fields = schemas.user_fields()
    checked = validate(fields, body, partial=False)
    values = checked.values
    username = values.get("username")
    if username is not None:
        if not USERNAME.fullmatch(username):
            checked.errors["username"] = [
                "Enter a valid username. This value may contain only letters, numbers, and "
                "@/./+/-/_ characters."
            ]
        elif await users.get_user_by_login(ctx.session, username) is not None:
            checked.errors["username"] = ["A user with that username already exists."]
    email = values.get("email")
    if email and await users.get_user_by_email(ctx.session, email) is not None:
        checked.errors["email"] = ["A user with that email address already exists."]
    password = values.get("password")
    if password is not None and "password" not in checked.errors:
        found = passwords.problems(password, username=username or "", email=email or "")
        if found:
            checked.errors["password"] = found
    if checked.errors:
        raise invalid(ordered_errors(fields, checked.errors))
    try:
        await users.create_user(
            ctx.session,
            ctx.staff.actor,
            UserCreate(
                email=email,
                username=username,
                password=password,
                first_name=values.get("first_name", ""),
                last_name=values.get("last_name", ""),
                role=Role.REQUESTER,
            ),
        )
    except (Invalid, Conflict) as exc:
        raise invalid({exc.field or "detail": [exc.message]}) from exc
    return respond(
        {
            "first_name": values.get("first_name", ""),
            "last_name": values.get("last_name", ""),
            "username": username,
            "email": email,
        },
        201,
    )


def _admin(caller: auth.Caller | None, _method: str) -> auth.Caller | None:
    return auth.require_admin(caller)


register(
    router,
    "/api/users",
    collection=Endpoint(
        name="Create User",
        description="Create a user (administrators only).",
        handlers={"POST": create_user},
        permission=_admin,
        fields=_fields,
    ),
)
