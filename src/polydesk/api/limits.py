"""Request body size limit, enforced while the body streams in (not after buffering it)."""

from __future__ import annotations

from collections.abc import Callable

import orjson
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TooLargeRenderer = Callable[[Scope, int], Response | None]
"""``(scope, limit) -> response``: a 413 in the shape of the surface owning the path, or
``None`` for the default JSON body."""


class BodySizeLimit:
    """Refuse bodies larger than ``max_bytes`` with 413, whether announced by Content-Length or
    discovered while reading a chunked body. Upload routes get their own, larger limit from
    ``upload_max_bytes`` (multipart requests)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        upload_max_bytes: int,
        render: TooLargeRenderer | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes
        self.render = render

    async def _reply_413(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = self.render(scope, limit) if self.render is not None else None
        if response is None:
            await _reply_413(send, limit)
        else:
            await response(scope, receive, send)

    def _limit(self, scope: Scope) -> int:
        for name, value in scope.get("headers", []):
            if name == b"content-type" and value.lower().startswith(b"multipart/"):
                # Room for the multipart framing around a file of the maximum upload size.
                return max(self.max_bytes, self.upload_max_bytes + 64 * 1024)
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    announced = int(value)
                except ValueError:
                    await self._reply_413(scope, receive, send, limit)
                    return
                if announced > limit:
                    await self._reply_413(scope, receive, send, limit)
                    return
        received = 0
        response_started = False
        refused = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answer 413 now; the application sees a disconnected client and whatever
                    # it sends afterwards is dropped.
                    refused = True
                    if not response_started:
                        await self._reply_413(scope, receive, send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if refused:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not refused:
                raise


async def _reply_413(send: Send, limit: int) -> None:
    body = orjson.dumps(
        {"detail": f"Request body is larger than the limit of {limit} bytes.", "limit": limit}
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
