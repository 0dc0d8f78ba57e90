from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from polydesk.api.limits import BodySizeLimit
from polydesk.core.settings import Settings


async def test_body_over_the_limit_is_refused_with_413(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.post("/healthz", content=b"x" * (settings.max_body_bytes + 1))
    assert response.status_code == 413
    assert response.json()["limit"] == settings.max_body_bytes


def _echo_app(limit: int) -> BodySizeLimit:
    async def echo(request: Request) -> Response:
        return Response(str(len(await request.body())))

    return BodySizeLimit(
        Starlette(routes=[Route("/echo", echo, methods=["POST"])]),
        max_bytes=limit,
        upload_max_bytes=limit,
    )


async def _post_chunks(app: BodySizeLimit, total: int) -> httpx.Response:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(total // 1024):
            yield b"y" * 1024

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        return await c.post("/echo", content=chunks())


async def test_chunked_body_over_the_limit_is_refused_while_streaming() -> None:
    response = await _post_chunks(_echo_app(4096), 8192)
    assert response.status_code == 413


async def test_chunked_body_within_the_limit_is_read_whole() -> None:
    response = await _post_chunks(_echo_app(4096), 4096)
    assert response.status_code == 200
    assert response.text == "4096"


async def test_body_within_the_limit_reaches_the_route(client: httpx.AsyncClient) -> None:
    response = await client.post("/healthz", content=b"small")
    assert response.status_code == 405
