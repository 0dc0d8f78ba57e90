"""The bare limit: Starlette + asyncpg on Polydesk's tables, no framework layers, no ORM.

Answers the django-helpdesk dialect's three hot paths with the fewest round trips we can
think of, so that Polydesk's figures have a ceiling to be compared with:

- ``GET /api/tickets/{id}/``: the incident, its custom values and its notes (3 queries);
- ``GET /api/tickets/?status=1,3``: count + first page of 25 + their notes and values;
- ``POST /api/tickets/`` (JSON): number from the kind's sequence, insert record + first note.

Basic auth is a constant-time comparison with one precomputed header (``LIMIT_AUTH``, the
base64 of ``tim:123`` by default). Serve with ``LIMIT_DSN=postgresql://…/bench_limit`` and
``gunicorn bench.limit:app --workers 2 --worker-class bench.limit.Worker --reuse-port``: uvicorn
workers with a listening socket each, as Polydesk's (``polydesk.serving``).
"""

from __future__ import annotations

import base64
import hmac
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from uvicorn_worker import UvicornWorker

DSN = os.environ.get("LIMIT_DSN", "postgresql://postgres@127.0.0.1:5432/bench_limit")
AUTH = "Basic " + base64.b64encode(os.environ.get("LIMIT_AUTH", "tim:123").encode()).decode()
STATUS_OUT = {"Open": 1, "Reopened": 2, "Resolved": 3, "Closed": 4, "Duplicate": 5}
STATE: dict[str, Any] = {}

RECORD_SQL = """
select r.id, r.service_id, r.title, r.description, r.resolution, r.submitter_email,
       r.assignee_id, s.name as status, r.on_hold, r.priority, r.due_date, r.merged_to_id
from record r join status s on s.id = r.status_id
where r.kind = 'incident' and r.id = any($1::bigint[]) order by r.id
"""
NOTES_SQL = """
select id, record_id, author_id, title, body, public, new_status_id, time_spent_seconds,
       created_at from note where record_id = any($1::bigint[]) order by created_at, id
"""
VALUES_SQL = """
select v.record_id, f.slug, v.value_text from custom_field_value v
join custom_field f on f.id = v.field_id where v.record_id = any($1::bigint[])
"""


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status, media_type="application/json")


def _forbidden() -> Response:
    return _json({"detail": "Authentication credentials were not provided."}, 403)


def _authorised(request: Request) -> bool:
    return hmac.compare_digest(request.headers.get("authorization", ""), AUTH)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def _tickets(con: asyncpg.Connection, ids: list[int]) -> list[dict[str, Any]]:
    rows = await con.fetch(RECORD_SQL, ids)
    notes = await con.fetch(NOTES_SQL, ids)
    values = await con.fetch(VALUES_SQL, ids)
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        out[r["id"]] = {
            "id": r["id"],
            "queue": r["service_id"],
            "title": r["title"],
            "description": r["description"],
            "resolution": r["resolution"],
            "submitter_email": r["submitter_email"] or "",
            "assigned_to": r["assignee_id"],
            "status": STATUS_OUT.get(r["status"], 1),
            "on_hold": r["on_hold"],
            "priority": r["priority"],
            "due_date": _iso(r["due_date"]),
            "merged_to": r["merged_to_id"],
            "followup_set": [],
        }
    for n in notes:
        out[n["record_id"]]["followup_set"].append(
            {
                "id": n["id"],
                "ticket": n["record_id"],
                "user": n["author_id"],
                "title": n["title"],
                "comment": n["body"],
                "public": n["public"],
                "new_status": None,
                "time_spent": None,
                "followupattachment_set": [],
                "date": _iso(n["created_at"]),
                "message_id": None,
                "email_recipients": [],
            }
        )
    for v in values:
        out[v["record_id"]]["custom_" + v["slug"]] = v["value_text"]
    return list(out.values())


async def get_ticket(request: Request) -> Response:
    if not _authorised(request):
        return _forbidden()
    try:
        ticket_id = int(request.path_params["id"])
    except ValueError:
        return _json({"detail": "Not found."}, 404)
    async with STATE["pool"].acquire() as con:
        found = await _tickets(con, [ticket_id])
    if not found:
        return _json({"detail": "No Ticket matches the given query."}, 404)
    return _json(found[0])


async def tickets(request: Request) -> Response:
    if not _authorised(request):
        return _forbidden()
    if request.method == "POST":
        return await create_ticket(request)
    wanted = [
        name
        for name, number in STATUS_OUT.items()
        for token in request.query_params.get("status", "").split(",")
        if token.strip() == str(number)
    ]
    where = "kind = 'incident'"
    args: list[Any] = []
    if wanted:
        where += " and status_id in (select id from status where name = any($1::text[]))"
        args.append(wanted)
    async with STATE["pool"].acquire() as con:
        count = await con.fetchval(f"select count(*) from record where {where}", *args)
        ids = [
            r["id"]
            for r in await con.fetch(
                f"select id from record where {where} order by id limit 25", *args
            )
        ]
        results = await _tickets(con, ids)
    base = f"http://{request.headers.get('host', '127.0.0.1')}/api/tickets/"
    return _json(
        {
            "count": count,
            "next": f"{base}?page=2" if count > 25 else None,
            "previous": None,
            "results": results,
        }
    )


async def create_ticket(request: Request) -> Response:
    try:
        body = orjson.loads(await request.body())
        title, description = str(body["title"]), str(body["description"])
        queue, priority = int(body["queue"]), int(body["priority"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return _json({"detail": "Invalid input."}, 400)
    now = datetime.now(UTC)
    async with STATE["pool"].acquire() as con, con.transaction():
        number = await con.fetchval("select nextval('record_number_incident')")
        ticket_id = await con.fetchval(
            "insert into record (kind, number, title, description, status_id, priority, "
            "service_id, submitter_email, source, spam, on_hold, tags, cc_emails, created_at, "
            "updated_at, last_active_at, version) values ('incident', $1, $2, $3, "
            "(select id from status where name = 'Open'), $4, $5, $6, 'API', false, false, "
            "'[]', '[]', $7, $7, $7, 1) returning id",
            number, title, description, priority, queue, body.get("submitter_email"), now,
        )  # fmt: skip
        await con.execute(
            "insert into note (record_id, note_type, title, body, public, created_at, "
            "updated_at) values ($1, 'followup', 'Ticket Opened', $2, true, $3, $3)",
            ticket_id,
            description,
            now,
        )
        found = await _tickets(con, [ticket_id])
    return _json(found[0], 201)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    STATE["pool"] = await asyncpg.create_pool(DSN, min_size=2, max_size=10)
    yield
    await STATE["pool"].close()


app = Starlette(
    routes=[
        Route("/api/tickets/", tickets, methods=["GET", "POST"]),
        Route("/api/tickets/{id}/", get_ticket, methods=["GET"]),
    ],
    lifespan=lifespan,
)


class Worker(UvicornWorker):  # type: ignore[misc]  # uvicorn-worker is untyped
    """uvicorn with uvloop and httptools and no access log, as Polydesk's workers."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {"loop": "auto", "http": "auto", "access_log": False}
