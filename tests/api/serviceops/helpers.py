"""Set-up helpers for the ServiceOps tests: users, API clients, tokens over the real token
endpoint, and a snapshot of the database to prove an error changed nothing."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import AccessLevel, Channel, CustomFieldType, RecordKind, Role
from polydesk.domains.catalog import service as catalog
from polydesk.domains.catalog.schemas import CategoryCreate
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.custom_fields.schemas import CustomFieldCreate
from polydesk.domains.departments import service as departments
from polydesk.domains.departments.schemas import DepartmentCreate
from polydesk.domains.integration import service as integration
from polydesk.domains.integration.schemas import ApiClientCreate
from polydesk.domains.locations import service as locations
from polydesk.domains.locations.schemas import LocationCreate
from polydesk.models import ApiToken, Base, User
from tests.factories import make_user

PASSWORD = "s3cret-Passw0rd"
CLIENT_ID = "main-web-app-client"
CLIENT_SECRET = "main-web-app-secret"


def basic(client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Api:
    """A technician with an any-user client and a fresh access token."""

    user: User
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.access_token)


async def make_staff(
    db: Database, *, email: str = "tim@acme.com", role: Role = Role.TECHNICIAN
) -> User:
    async with db.unit_of_work() as session:
        return await make_user(
            session, email=email, role=role, password=PASSWORD, first_name="Tim", last_name="Cook"
        )


async def make_client(
    db: Database,
    *,
    client_id: str = CLIENT_ID,
    secret: str = CLIENT_SECRET,
    access_level: AccessLevel = AccessLevel.ANY_USER,
    user_id: int | None = None,
) -> None:
    async with db.unit_of_work() as session:
        await integration.create_client(
            session,
            Actor.system(Channel.CLI),
            ApiClientCreate(
                name=client_id.removesuffix("-client"),
                client_id=client_id,
                secret=secret,
                access_level=access_level,
                user_id=user_id,
            ),
        )


async def password_grant(
    client: httpx.AsyncClient,
    username: str = "tim@acme.com",
    password: str = PASSWORD,
    *,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return await client.post(
        "/api/oauth/token",
        headers=headers if headers is not None else basic(),
        files={
            "username": (None, username),
            "password": (None, password),
            "grant_type": (None, "password"),
        },
    )


async def login(client: httpx.AsyncClient, db: Database) -> Api:
    user = await make_staff(db)
    await make_client(db)
    response = await password_grant(client)
    assert response.status_code == 200, response.text
    body = response.json()
    return Api(user=user, access_token=body["access_token"], refresh_token=body["refresh_token"])


async def snapshot(db: Database, *, token_use: bool = True) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to compare before and after a refused call. ``token_use=False``
    leaves out API tokens' ``last_used_at``: a key's use is recorded even when the request it
    authenticated is refused."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    async with db.unit_of_work() as session:
        for table in Base.metadata.sorted_tables:
            columns = [
                c for c in table.c if token_use or c is not ApiToken.__table__.c.last_used_at
            ]
            rows = (await session.execute(select(*columns))).all()
            result[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return result


def assert_error(
    response: httpx.Response, status: int, *, field: str | None = None, contains: str = ""
) -> dict[str, Any]:
    """The dialect's error body: returnCode, status (the HTTP status), userMessage."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["returnCode"], str) and body["returnCode"] != "SUCCESS"
    assert isinstance(body["userMessage"], str) and body["userMessage"]
    if field is not None:
        assert body.get("field") == field, body
    if contains:
        assert contains.lower() in body["userMessage"].lower(), body
    return body


async def make_reference_data(db: Database) -> dict[str, int]:
    """Location Ahmedabad, department IT, category Incident, and one custom field of each
    shape; the ids by name."""
    actor = Actor.system(Channel.CLI)
    ids: dict[str, int] = {}
    async with db.unit_of_work() as session:
        ids["Ahmedabad"] = (
            await locations.create_location(session, actor, LocationCreate(name="Ahmedabad"))
        ).id
        ids["IT"] = (
            await departments.create_department(session, actor, DepartmentCreate(name="IT"))
        ).id
        ids["Incident"] = (
            await catalog.create_category(session, actor, CategoryCreate(name="Incident"))
        ).id
        for name, field_type, choices in (
            ("New Dropdown", CustomFieldType.LIST, ["1", "2", "3"]),
            ("New Number", CustomFieldType.NUMBER, None),
            ("New Decimal", CustomFieldType.DECIMAL, None),
            ("New Text Area", CustomFieldType.TEXTAREA, None),
            ("New Text Input", CustomFieldType.TEXT, None),
            ("New Checkbox", CustomFieldType.BOOLEAN, None),
            ("New Datetime", CustomFieldType.DATETIME, None),
            ("New Date", CustomFieldType.DATE, None),
        ):
            field = await custom_fields.define_field(
                session,
                actor,
                CustomFieldCreate(
                    kind=RecordKind.INCIDENT, name=name, field_type=field_type, choices=choices
                ),
            )
            ids[name] = field.id
    return ids
