"""Loading what the ticket, follow-up and attachment shapes need, in a bounded number of
queries whatever the page size (records, custom values, notes, attachments, services,
statuses and users: one query each)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from polydesk.api.helpdesk import mapping
from polydesk.api.helpdesk.errors import detail
from polydesk.api.helpdesk.views import Ctx
from polydesk.core.enums import RecordKind
from polydesk.core.errors import NotFound
from polydesk.domains.attachments import service as attachments
from polydesk.domains.catalog import service as catalog
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.notes import service as notes
from polydesk.domains.records import service as records
from polydesk.domains.users import service as users
from polydesk.models import Attachment, CustomField, Note, Record

TICKET_KIND = RecordKind.INCIDENT
TICKET_KINDS = [TICKET_KIND]


def base_url(ctx: Ctx) -> str:
    url = ctx.request.url
    return f"{url.scheme}://{url.netloc}"


async def context(
    ctx: Ctx, records_: Sequence[mapping.TicketFacts], user_ids: Sequence[int | None] = ()
) -> mapping.Context:
    service_ids = sorted({r.service_id for r in records_ if r.service_id is not None})
    wanted = {r.assignee_id for r in records_ if r.assignee_id is not None}
    wanted |= {u for u in user_ids if u is not None}
    return mapping.Context(
        origin=functools.partial(base_url, ctx),
        signing_key=ctx.settings.signing_key(),
        statuses=await status_map(ctx),
        services=await catalog.services_by_ids(ctx.session, service_ids) if service_ids else {},
        users=await users.users_to_show(ctx.session, wanted) if wanted else {},
    )


_T = TypeVar("_T")
_S = TypeVar("_S")
_derived: dict[str, tuple[list[Any], Any]] = {}


def derived(name: str, sources: Sequence[_S], build: Callable[[Sequence[_S]], _T]) -> _T:
    """``build(sources)``, built again only when ``sources`` are other objects than last time:
    the reference cache hands out the same objects until it reloads them, so what the shapes
    derive from the statuses and custom fields is built once per reload, not per request."""
    known = _derived.get(name)
    if (
        known is not None
        and len(known[0]) == len(sources)
        and all(a is b for a, b in zip(known[0], sources, strict=True))
    ):
        value: _T = known[1]
        return value
    value = build(sources)
    _derived[name] = (list(sources), value)
    return value


async def status_map(ctx: Ctx) -> mapping.StatusMap:
    statuses = await catalog.list_statuses(ctx.session)
    return derived("status_map", statuses, mapping.StatusMap.build)


async def ticket_fields(ctx: Ctx, *, staff: bool = True) -> list[CustomField]:
    fields = await custom_fields.list_fields(ctx.session, TICKET_KIND)
    return [f for f in fields if staff or not f.staff_only]


async def get_ticket(ctx: Ctx, record_id: int) -> Record:
    try:
        return await records.get_record(ctx.session, record_id, kind=TICKET_KIND)
    except NotFound:
        raise detail(404, "No Ticket matches the given query.") from None


async def ticket_exists(ctx: Ctx, record_id: int) -> Record | None:
    try:
        return await records.get_record(ctx.session, record_id, kind=TICKET_KIND)
    except NotFound:
        return None


Followups = tuple[
    Mapping[int, Sequence[mapping.FollowupFacts]], Mapping[int, Sequence[mapping.FileFacts]]
]
"""Follow-ups by record id, and their attachments by follow-up id."""


async def tickets_out(
    ctx: Ctx,
    page: Sequence[mapping.TicketFacts],
    *,
    written: Followups | None = None,
    values: Mapping[int, Mapping[str, object]] | None = None,
) -> list[dict[str, Any]]:
    """Full ticket shapes (custom values, follow-ups, attachments) for a page of records.
    ``written``: the follow-ups and their files of records created in this request, which
    therefore have no others (they are not read back); otherwise they are read as plain
    rows. ``values``: the records' custom values, when already read."""
    ids = [r.id for r in page]
    fields = await ticket_fields(ctx)
    if values is None:
        values = await custom_fields.values_for(ctx.session, ids) if ids else {}
    by_record: Mapping[int, Sequence[mapping.FollowupFacts]]
    files: Mapping[int, Sequence[mapping.FileFacts]]
    if written is not None:
        by_record, files = written
    else:
        by_record, files = await notes.briefs_with_files_for(ctx.session, ids)
    mctx = await context(ctx, page)
    columns = derived("columns", fields, mapping.custom_columns)
    out = []
    for record in page:
        followups = [
            mapping.followup_out(mctx, record, note, files.get(note.id, []))
            for note in by_record.get(record.id, [])
        ]
        out.append(mapping.ticket_out(mctx, record, columns, values.get(record.id, {}), followups))
    return out


async def ticket_out(ctx: Ctx, record_id: int) -> dict[str, Any]:
    try:
        record, values = await records.get_brief_with_values(
            ctx.session, record_id, kind=TICKET_KIND
        )
    except NotFound:
        raise detail(404, "No Ticket matches the given query.") from None
    return (await tickets_out(ctx, [record], values={record.id: values}))[0]


async def _records(
    ctx: Ctx, record_ids: Sequence[int], known: Sequence[Record] = ()
) -> dict[int, Record]:
    """The records of a page of follow-ups or attachments; those in ``known`` (already in
    hand, e.g. the one just written to) are not read again."""
    loaded = {r.id: r for r in known}
    missing = sorted({i for i in record_ids if i not in loaded})
    if missing:
        loaded.update(await records.records_by_ids(ctx.session, missing))
    return loaded


async def followups_out(
    ctx: Ctx,
    page: Sequence[Note],
    known: Sequence[Record] = (),
    written: dict[int, list[Attachment]] | None = None,
) -> list[dict[str, Any]]:
    """``written``: the files of follow-ups created in this request (not read back)."""
    loaded = await _records(ctx, [n.record_id for n in page], known)
    if written is not None:
        files = written
    else:
        files = await attachments.list_for_notes(ctx.session, [n.id for n in page]) if page else {}
    mctx = await context(ctx, list(loaded.values()))
    return [
        mapping.followup_out(mctx, loaded[n.record_id], n, files.get(n.id, []))
        for n in page
        if n.record_id in loaded
    ]


async def attachments_out(ctx: Ctx, page: Sequence[Attachment]) -> list[dict[str, Any]]:
    loaded = await _records(ctx, [a.record_id for a in page if a.record_id is not None])
    mctx = await context(ctx, list(loaded.values()))
    return [
        mapping.attachment_out(mctx, loaded[a.record_id], a)
        for a in page
        if a.record_id is not None and a.record_id in loaded
    ]
