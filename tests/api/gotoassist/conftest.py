"""Fixtures of the GoToAssist suite: a technician with a personal API token, an account-wide
token, a service with its priorities, and helpers that speak the dialect over HTTP."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from defusedxml.ElementTree import fromstring

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Role
from polydesk.domains.catalog import service as catalog
from polydesk.domains.catalog.schemas import ServiceCreate
from polydesk.domains.integration import service as integration
from polydesk.models import Service, User
from tests.factories import make_user


def basic(token: str, username: str = "x") -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{token}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


@dataclass
class Desk:
    """Who calls, and what exists, in a GoToAssist test."""

    client: httpx.AsyncClient
    db: Database
    tech: User
    admin: User
    token: str
    account_token: str
    service: Service

    @property
    def auth(self) -> dict[str, str]:
        return basic(self.token)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}
        return await self.client.get(path, headers=headers, **kwargs)

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}
        if body is not None:
            kwargs["content"] = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        return await self.client.post(path, headers=headers, **kwargs)

    async def put(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}
        if body is not None:
            kwargs["content"] = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        return await self.client.put(path, headers=headers, **kwargs)

    async def ok(self, response: httpx.Response) -> Any:
        """The ``result`` of a Success envelope (asserting it is one)."""
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "Success", body
        assert list(body) == ["result", "version", "status"]
        assert body["version"] == "1.0"
        return body["result"]


def failed(response: httpx.Response, code: str = "E400", status: int = 200) -> list[str]:
    """The error texts of a Failed envelope (asserting its shape, code and HTTP status)."""
    assert response.status_code == status, response.text
    if response.headers["content-type"].startswith("application/xml"):
        root = fromstring(response.content)
        assert root.findtext("status") == "Failed"
        assert root.findtext("version") == "1.0"
        assert root.find("result") is None
        texts = [e.text or "" for e in root.find("errors") or []]
    else:
        body = response.json()
        assert list(body) == ["errors", "version", "status"], body
        assert body["status"] == "Failed" and body["version"] == "1.0"
        texts = [e["error"] for e in body["errors"]]
    assert texts and all(t.startswith(f"[{code}] ") for t in texts), texts
    return [t[len(code) + 3 :] for t in texts]


@pytest.fixture
async def desk(client: httpx.AsyncClient, db: Database) -> AsyncIterator[Desk]:
    async with db.unit_of_work() as session:
        admin = await make_user(session, role=Role.ADMIN, first_name="Ada", last_name="Admin")
        tech = await make_user(session, role=Role.TECHNICIAN, first_name="Dan", last_name="Lee")
        actor = Actor.system()
        _, token = await integration.create_api_token(session, actor, user_id=tech.id, name="t")
        _, account = await integration.create_api_token(session, actor, account=True, name="a")
        service = await catalog.create_service(session, actor, ServiceCreate(name="Service Desk"))
    yield Desk(
        client=client,
        db=db,
        tech=tech,
        admin=admin,
        token=token,
        account_token=account,
        service=service,
    )
