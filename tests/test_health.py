from __future__ import annotations

from pathlib import Path

import httpx

from polydesk.app import create_app
from polydesk.core.settings import Settings


async def test_healthz_answers_200_with_database_reachable(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_healthz_answers_503_when_database_unreachable(tmp_path: Path) -> None:
    settings = Settings(
        env="test",
        data_dir=tmp_path,
        database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
        secret_key="x" * 40,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        response = await c.get("/healthz")
    await app.state.db.dispose()
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
