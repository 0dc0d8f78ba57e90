"""Profile one scenario in-process: the ASGI application called directly, no socket, no wrk.

    POLYDESK_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench_polydesk \\
        .venv/bin/python bench/hotpath.py hd_get --requests 2000 [--pyinstrument out.html]

The collector runs as in a served worker (start-up frozen, the workers' thresholds). Prints
requests/s of one sequential client, the server process's CPU time per request (what
bounds throughput once the database answers from memory) and SQL statements per request; with
``--pyinstrument`` it writes a profile (HTML, or text when the name ends in ``.txt``). The
requests are those of the wrk scripts in bench/wrk/. Credentials as bench/run.py: tim / 123
(Basic), an OAuth token for ServiceOps, an API token for GoToAssist (``--ga-key``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import event

from polydesk.app import create_app
from polydesk.core.settings import get_settings
from polydesk.serving import GC_THRESHOLDS

Request = tuple[str, str, bytes]
BODY = "Smoke from tray 2, the paper is brown at the edges."


def scenarios(records: int, rng: random.Random) -> dict[str, Callable[[int], Request]]:
    def pick() -> int:
        return rng.randint(1, records)

    def patch(_: int) -> Request:
        i = pick()
        body = json.dumps({"priority": i % 5 + 1, "on_hold": i % 2 == 0})
        return ("PATCH", f"/api/tickets/{i}/", body.encode())

    return {
        "hd_get": lambda _: ("GET", f"/api/tickets/{pick()}/", b""),
        "hd_list": lambda _: ("GET", "/api/tickets/", b""),
        "hd_list_status": lambda _: ("GET", "/api/tickets/?status=1,2", b""),
        "hd_create": lambda n: (
            "POST",
            "/api/tickets/",
            json.dumps(
                {
                    "queue": 1,
                    "title": f"Printer on fire {n}",
                    "description": BODY,
                    "submitter_email": "alice@example.com",
                    "priority": 2,
                }
            ).encode(),
        ),
        "hd_patch": patch,
        "hd_followup": lambda _: (
            "POST",
            "/api/followups/",
            json.dumps({"ticket": pick(), "comment": "Replaced the PSU.", "public": True}).encode(),
        ),
        "so_get": lambda _: ("GET", f"/api/v1/incident/{pick()}", b""),
        "so_create": lambda n: (
            "POST",
            "/api/v1/incident",
            json.dumps(
                {"subject": f"Printer {n}", "requesterEmail": "tim@acme.com", "description": BODY}
            ).encode(),
        ),
        "ga_get": lambda _: ("GET", f"/v1/incidents/{pick()}.json", b""),
        "ga_list": lambda _: ("GET", "/v1/incidents.json", b""),
        "ga_create": lambda n: (
            "POST",
            "/v1/incidents.json",
            json.dumps(
                {"incident": {"title": f"Printer {n}", "service_id": 1, "description": BODY}}
            ).encode(),
        ),
    }


async def call(
    app: Any,
    method: str,
    target: str,
    body: bytes,
    auth: str,
    content_type: str = "application/json",
) -> tuple[int, bytes]:
    """One request through the ASGI application: status and body."""
    path, _, query = target.partition("?")
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"authorization", auth.encode()),
        (b"accept", b"application/json"),
    ]
    if body:
        headers += [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def credentials(app: Any) -> dict[str, str]:
    client = "Basic " + base64.b64encode(b"main-web-app-client:main-web-app-secret").decode()
    form = urlencode({"grant_type": "password", "username": "tim@acme.com", "password": "123"})
    status, raw = await call(
        app,
        "POST",
        "/api/oauth/token",
        form.encode(),
        client,
        content_type="application/x-www-form-urlencoded",
    )
    if status != 200:
        raise SystemExit(f"token request failed: {status} {raw[:200]!r}")
    token = json.loads(raw)["access_token"]
    return {
        "hd": "Basic " + base64.b64encode(b"tim:123").decode(),
        "so": f"Bearer {token}",
        "ga": "",
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--ga-key", default=None, help="GoToAssist API token (ga_* scenarios)")
    parser.add_argument("--pyinstrument", default=None, help="write a profile to this file")
    parser.add_argument("--show", action="store_true", help="print the last response")
    parser.add_argument("--sql", action="store_true", help="print the last request's statements")
    args = parser.parse_args()

    app = create_app(get_settings())
    statements = 0
    last: list[str] = []

    @event.listens_for(app.state.db.engine.sync_engine, "before_cursor_execute")
    def _count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        nonlocal statements
        statements += 1
        last.append(" ".join(statement.split()))

    async with app.router.lifespan_context(app):
        auth = await credentials(app)
        if args.ga_key:
            auth["ga"] = "Basic " + base64.b64encode(f"x:{args.ga_key}".encode()).decode()
        make = scenarios(args.records, random.Random(42))[args.scenario]
        header = auth[args.scenario.split("_", 1)[0]]
        for n in range(args.warmup):
            status, raw = await call(app, *make(n), header)
            if status >= 300:
                raise SystemExit(f"{args.scenario}: {status} {raw[:300]!r}")
        # As in a served worker (polydesk.serving): what start-up built is frozen, and the
        # collector runs at the workers' thresholds.
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        profiler = None
        if args.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="enabled", interval=0.0005)
            profiler.start()
        statements = 0
        cpu = time.process_time()
        started = time.perf_counter()
        for n in range(args.warmup, args.warmup + args.requests):
            last.clear()
            status, raw = await call(app, *make(n), header)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        if profiler is not None:
            profiler.stop()
            with open(args.pyinstrument, "w") as out:
                if args.pyinstrument.endswith(".txt"):
                    out.write(profiler.output_text(show_all=False, color=False))
                else:
                    out.write(profiler.output_html())
        print(
            f"{args.scenario}: {args.requests / elapsed:,.0f} req/s sequential, "
            f"{elapsed / args.requests * 1e3:.2f} ms/request, "
            f"{cpu / args.requests * 1e3:.2f} ms CPU/request, "
            f"{statements / args.requests:.1f} SQL statements/request"
        )
        if args.show:
            print(status, raw[:2000].decode(errors="replace"))
        if args.sql:
            print("\n".join(f"{i}. {sql[:400]}" for i, sql in enumerate(last, 1)))


if __name__ == "__main__":
    import uvloop  # as under `polydesk serve` (uvicorn picks uvloop when installed)

    uvloop.run(main())
