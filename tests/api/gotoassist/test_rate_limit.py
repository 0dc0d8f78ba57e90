"""[E902] once a token has made more than POLYDESK_RATE_LIMIT_PER_HOUR requests this hour;
X-RateLimit-* headers on every response; the counters are in the database, so two worker
processes share them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from polydesk.app import create_app
from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Role
from polydesk.core.settings import Settings
from polydesk.domains.integration import service as integration
from tests.api.gotoassist.conftest import Desk, basic, failed
from tests.cli_support import cli_env, serving
from tests.factories import make_user


@pytest.fixture
async def limited(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"rate_limit_per_hour": 3}))
    app.state.db = db
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_headers_on_every_response(desk: Desk) -> None:
    first = await desk.get("/v1/services.json")
    second = await desk.get("/v1/incidents/123456.json")
    assert int(first.headers["x-ratelimit-limit"]) == 3600
    assert int(first.headers["x-ratelimit-remaining"]) - 1 == int(
        second.headers["x-ratelimit-remaining"]
    )
    assert int(first.headers["x-ratelimit-reset"]) > 0
    anonymous = await desk.client.get("/v1/services.json")
    assert "x-ratelimit-remaining" in anonymous.headers


async def test_e902_after_the_limit(limited: httpx.AsyncClient, desk: Desk) -> None:
    for remaining in (2, 1, 0):
        response = await limited.get("/v1/services.json", headers=desk.auth)
        assert response.status_code == 200
        assert response.headers["x-ratelimit-remaining"] == str(remaining)
    response = await limited.get("/v1/services.xml", headers=desk.auth)
    assert failed(response, "E902", 200) == [
        "The application has exceeded the request rate limit for this hour"
    ]
    assert int(response.headers["retry-after"]) >= 1
    # other tokens have their own count
    other = await limited.get("/v1/services.json", headers=basic(desk.account_token))
    assert other.status_code == 200


async def test_e902_with_http_429_when_configured(
    settings: Settings, db: Database, desk: Desk
) -> None:
    app = create_app(
        settings.model_copy(update={"rate_limit_per_hour": 1, "gotoassist_rate_limit_status": 429})
    )
    app.state.db = db
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/v1/services.json", headers=desk.auth)).status_code == 200
        response = await client.get("/v1/services.json", headers=desk.auth)
    assert failed(response, "E902", 429)
    assert int(response.headers["retry-after"]) >= 1


async def test_a_write_refused_by_the_limit_changes_nothing(
    limited: httpx.AsyncClient, desk: Desk
) -> None:
    for _ in range(3):
        await limited.get("/v1/services.json", headers=desk.auth)
    body = b'{"company": {"name": "Late"}}'
    response = await limited.post(
        "/v1/companies.json",
        content=body,
        headers={**desk.auth, "Content-Type": "application/json"},
    )
    failed(response, "E902", 200)
    listed = await desk.ok(await desk.get("/v1/companies.json"))
    assert listed["total_entries"] == 0


def test_two_workers_share_the_counter(tmp_path: Path) -> None:
    """Against a real server with two worker processes: with a limit of 12, exactly 12 of 40
    concurrent requests succeed (per-process counting would let up to 24 through)."""
    env = cli_env(
        tmp_path,
        POLYDESK_RATE_LIMIT_PER_HOUR="12",
        POLYDESK_ENV="test",
        POLYDESK_GOTOASSIST_RATE_LIMIT_STATUS="429",
    )
    with serving(env, "--workers", "2") as (base, _proc):
        settings = Settings(
            env="test",
            data_dir=Path(env["POLYDESK_DATA_DIR"]),
            database_url=env["POLYDESK_DATABASE_URL"],
        )

        async def make_token() -> str:
            database = Database(settings)
            try:
                async with database.unit_of_work() as session:
                    user = await make_user(session, role=Role.TECHNICIAN)
                    _, token = await integration.create_api_token(
                        session, Actor.system(), user_id=user.id, name="load"
                    )
                return token
            finally:
                await database.dispose()

        token = asyncio.run(make_token())

        async def hammer() -> list[httpx.Response]:
            limits = httpx.Limits(max_connections=20, max_keepalive_connections=0)
            async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
                return list(
                    await asyncio.gather(
                        *(
                            client.get("/v1/users/current.json", headers=basic(token))
                            for _ in range(40)
                        )
                    )
                )

        responses = asyncio.run(hammer())
    ok = [r for r in responses if r.status_code == 200]
    limited = [r for r in responses if r.status_code == 429]
    assert len(ok) == 12, [r.status_code for r in responses]
    assert len(limited) == 28
    assert all(r.json()["errors"][0]["error"].startswith("[E902]") for r in limited)
