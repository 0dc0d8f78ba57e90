"""Reproducible benchmark data set, loaded with COPY into Polydesk's and the peer's tables.

    python bench/datagen.py polydesk --records 1000 [--seed 42] [--dsn postgresql://…/bench_polydesk]
    python bench/datagen.py peer --records 1000 [--seed 42] [--dsn postgresql://…/bench_peer]

The same seed gives the same tickets on both sides: ids 1..N, title, description, status,
priority, submitter, assignee, due date, 0–4 notes (follow-ups), 0–2 watchers (CC e-mails) and
four custom field values (the demo's New Dropdown / New Number / New Text Area / New Text
Input). The Polydesk database must be migrated and hold the demo set (users, services, custom
fields); the peer must have been set up by bench/peer/setup.sh. Existing tickets are replaced.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg

BATCH = 20_000
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)

SUBJECTS = [
    "Laptop",
    "Printer",
    "VPN",
    "E-mail",
    "Shared drive",
    "Phone line",
    "Monitor",
    "Wi-Fi",
    "Payroll app",
    "CRM",
    "Badge reader",
    "Projector",
    "Backup job",
    "Password",
    "Docking station",
]
PROBLEMS = [
    "does not start",
    "is very slow",
    "shows an error on login",
    "keeps disconnecting",
    "is not reachable",
    "lost its configuration",
    "needs a replacement",
    "prints blank pages",
    "asks for the password again",
    "was stolen",
    "makes a clicking noise",
    "is out of licences",
]
SENTENCES = [
    "It worked yesterday; nothing was installed since.",
    "I restarted my computer but nothing changed.",
    "This blocks my work on the monthly report.",
    "Several colleagues on the third floor have the same problem.",
    "The error message says the service is temporarily unavailable.",
    "Please call me back on my mobile before noon.",
    "It happens every morning around nine.",
    "I attached a screenshot of the message to my previous e-mail.",
    "The cable looks fine and the lights are on.",
    "We have a customer demo on Friday, so this is urgent.",
]
REPLIES = [
    "Thanks, we are looking into it.",
    "Could you send the exact error text?",
    "A technician will come by this afternoon.",
    "We replaced the power supply; please try again.",
    "The account was unlocked, please sign in again.",
    "Escalated to the network team.",
    "Closing as the issue no longer occurs.",
]
FIRST = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]
DOMAINS = ["example.com", "example.org", "acme.test"]

# Peer status number -> Polydesk status name (default statuses).
STATUS_NAMES = {1: "Open", 2: "Reopened", 3: "Resolved", 4: "Closed", 5: "Duplicate"}


@dataclass
class Ticket:
    id: int
    title: str
    description: str
    status: int
    priority: int
    submitter: str
    assigned: bool
    due: datetime | None
    created: datetime
    resolution: str | None
    notes: list[tuple[str, str, bool, datetime]] = field(default_factory=list)
    watchers: list[str] = field(default_factory=list)
    custom: tuple[str, str, str, str] = ("", "", "", "")


def tickets(n: int, seed: int) -> Iterator[Ticket]:
    rng = random.Random(seed)
    for i in range(1, n + 1):
        created = BASE_TIME + timedelta(minutes=i * 3, seconds=rng.randrange(60))
        status = rng.choices([1, 2, 3, 4, 5], weights=[50, 5, 20, 20, 5])[0]
        name = rng.choice(FIRST)
        t = Ticket(
            id=i,
            title=f"{rng.choice(SUBJECTS)} {rng.choice(PROBLEMS)}",
            description=" ".join(rng.sample(SENTENCES, rng.randint(1, 4))),
            status=status,
            priority=rng.randint(1, 5),
            submitter=f"{name}.{i % 997}@{rng.choice(DOMAINS)}",
            assigned=rng.random() < 0.6,
            due=created + timedelta(days=rng.randint(1, 14)) if rng.random() < 0.5 else None,
            created=created,
            resolution=rng.choice(REPLIES) if status in (3, 4) else None,
        )
        for k in range(rng.randint(0, 4)):
            t.notes.append(
                (
                    t.title if k else "Ticket Opened",
                    rng.choice(REPLIES) if k else t.description,
                    rng.random() < 0.7,
                    created + timedelta(hours=k),
                )
            )
        t.watchers = [
            f"{w}.{i % 89}@example.net" for w in rng.sample(FIRST, rng.choice([0, 0, 1, 2]))
        ]
        t.custom = (
            str(rng.randint(1, 3)),
            f"{rng.randint(0, 99999) / 100:.2f}",
            " ".join(rng.sample(SENTENCES, 2)),
            f"REF-{rng.randint(1000, 9999)}",
        )
        yield t


def batches(n: int, seed: int) -> Iterator[list[Ticket]]:
    batch: list[Ticket] = []
    for t in tickets(n, seed):
        batch.append(t)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


async def load_polydesk(dsn: str, n: int, seed: int) -> None:
    con = await asyncpg.connect(dsn)
    try:
        status_ids = {r["name"]: r["id"] for r in await con.fetch("select id, name from status")}
        status = {k: status_ids[v] for k, v in STATUS_NAMES.items()}
        tech = await con.fetchval("select id from user_account where username = 'tim'")
        service = await con.fetchval("select min(id) from service")
        fields = [
            r["id"]
            for r in await con.fetch(
                "select id from custom_field where kind = 'incident' order by position"
            )
        ][:4]
        await con.execute("truncate record, event restart identity cascade")
        note_id = watch_id = cfv_id = 0
        for batch in batches(n, seed):
            records, notes, watches, values = [], [], [], []
            for t in batch:
                closed = t.status in (4, 5)
                records.append(
                    (t.id, "incident", t.id, t.title, t.description, status[t.status],
                     t.priority, service, t.submitter, tech if t.assigned else None,
                     "API", False, False, t.due, t.resolution, "[]", "[]", t.created,
                     t.created, t.created, t.created if t.status == 3 else None,
                     t.created if closed else None, tech, tech, 1)
                )  # fmt: skip
                for title, body, public, at in t.notes:
                    note_id += 1
                    notes.append((note_id, t.id, "followup", title, body, public, tech, at, at))
                for email in t.watchers:
                    watch_id += 1
                    watches.append((watch_id, t.id, email, t.created))
                for fid, value in zip(fields, t.custom, strict=False):
                    cfv_id += 1
                    number = float(value) if fid == fields[1] else None
                    values.append((cfv_id, t.id, fid, value, number))
            await con.copy_records_to_table(
                "record",
                records=records,
                columns=[
                    "id", "kind", "number", "title", "description", "status_id", "priority",
                    "service_id", "submitter_email", "assignee_id", "source", "spam",
                    "on_hold", "due_date", "resolution", "tags", "cc_emails", "created_at",
                    "updated_at", "last_active_at", "resolved_at", "closed_at",
                    "created_by_id", "updated_by_id", "version",
                ],
            )  # fmt: skip
            await con.copy_records_to_table(
                "note",
                records=notes,
                columns=["id", "record_id", "note_type", "title", "body", "public",
                         "author_id", "created_at", "updated_at"],
            )  # fmt: skip
            await con.copy_records_to_table(
                "watch",
                records=watches,
                columns=["id", "record_id", "external_email", "created_at"],
            )
            await con.copy_records_to_table(
                "custom_field_value",
                records=values,
                columns=["id", "record_id", "field_id", "value_text", "value_number"],
            )
        for table, last in (("record", n), ("note", note_id), ("watch", watch_id),
                            ("custom_field_value", cfv_id)):  # fmt: skip
            await con.execute(
                f"select setval(pg_get_serial_sequence('{table}', 'id'), $1, true)",
                max(last, 1),
            )
        await con.execute("update record_counter set last_number = $1 where kind = 'incident'", n)
        await con.execute("update record_counter set last_number = 0 where kind <> 'incident'")
        for kind in ("incident", "request", "problem", "change", "release"):  # migration 0004
            await con.execute(
                f"select setval('record_number_{kind}', $1, false)",
                n + 1 if kind == "incident" else 1,
            )
        # The tally behind list totals (polydesk.models.tally), as the migration fills it.
        await con.execute("delete from record_tally")
        await con.execute(
            "insert into record_tally (kind, status_id, shard, count) "
            "select kind, status_id, 0, count(*) from record group by kind, status_id"
        )
        # Vacuumed now rather than by autovacuum in the middle of a measured run.
        await con.execute("vacuum analyze")
    finally:
        await con.close()


async def load_peer(dsn: str, n: int, seed: int) -> None:
    con = await asyncpg.connect(dsn)
    try:
        tech = await con.fetchval("select id from auth_user where username = 'tim'")
        queue = await con.fetchval("select id from helpdesk_queue where slug = 'support'")
        fields = [
            r["id"]
            for r in await con.fetch("select id from helpdesk_customfield order by ordering")
        ][:4]
        await con.execute("truncate helpdesk_ticket restart identity cascade")
        rng = random.Random(seed ^ 0x5EC)
        note_id = cc_id = cfv_id = 0
        for batch in batches(n, seed):
            rows, notes, ccs, values = [], [], [], []
            for t in batch:
                rows.append(
                    (t.id, t.title[:200], t.created, t.created, t.submitter, t.status, False,
                     t.description, t.resolution, t.priority, t.due,
                     tech if t.assigned else None, queue,
                     str(uuid.UUID(int=rng.getrandbits(128), version=4)))
                )  # fmt: skip
                for title, body, public, at in t.notes:
                    note_id += 1
                    notes.append((note_id, at, title, body, public, t.id, tech, "[]"))
                for email in t.watchers:
                    cc_id += 1
                    ccs.append((cc_id, email, True, False, t.id))
                for fid, value in zip(fields, t.custom, strict=False):
                    cfv_id += 1
                    values.append((cfv_id, value, fid, t.id))
            await con.copy_records_to_table(
                "helpdesk_ticket",
                records=rows,
                columns=["id", "title", "created", "modified", "submitter_email", "status",
                         "on_hold", "description", "resolution", "priority", "due_date",
                         "assigned_to_id", "queue_id", "secret_key"],
            )  # fmt: skip
            await con.copy_records_to_table(
                "helpdesk_followup",
                records=notes,
                columns=["id", "date", "title", "comment", "public", "ticket_id", "user_id",
                         "email_recipients"],
            )  # fmt: skip
            await con.copy_records_to_table(
                "helpdesk_ticketcc",
                records=ccs,
                columns=["id", "email", "can_view", "can_update", "ticket_id"],
            )
            await con.copy_records_to_table(
                "helpdesk_ticketcustomfieldvalue",
                records=values,
                columns=["id", "value", "field_id", "ticket_id"],
            )
        for table, last in (("helpdesk_ticket", n), ("helpdesk_followup", note_id),
                            ("helpdesk_ticketcc", cc_id),
                            ("helpdesk_ticketcustomfieldvalue", cfv_id)):  # fmt: skip
            await con.execute(
                f"select setval(pg_get_serial_sequence('{table}', 'id'), $1, true)",
                max(last, 1),
            )
        # Vacuumed now rather than by autovacuum in the middle of a measured run.
        await con.execute("vacuum analyze")
    finally:
        await con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=["polydesk", "peer"])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dsn", default=None)
    args = parser.parse_args()
    default_db = "bench_polydesk" if args.target == "polydesk" else "bench_peer"
    dsn = args.dsn or f"postgresql://postgres@127.0.0.1:5432/{default_db}"
    loader = load_polydesk if args.target == "polydesk" else load_peer
    asyncio.run(loader(dsn, args.records, args.seed))
    print(f"{args.target}: {args.records} records loaded (seed {args.seed})")


if __name__ == "__main__":
    main()
