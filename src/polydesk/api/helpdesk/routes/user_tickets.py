"""``/api/user_tickets/``: read-only "my tickets" for any signed-in user, staff included.

A user sees the tickets whose submitter e-mail is exactly theirs (case matters, as in
django-helpdesk 2.6.1), and those without a submitter e-mail whose requester they are (tickets
created through the other dialects), newest first, without staff-only custom fields. As in
2.6.1, the detail route shows no custom values.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from polydesk.api.helpdesk import auth, mapping, pagination
from polydesk.api.helpdesk.errors import detail, respond
from polydesk.api.helpdesk.routes import common
from polydesk.api.helpdesk.views import Ctx, Endpoint, HelpdeskRoute, register
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.records import service as records
from polydesk.domains.records.schemas import RecordQuery, Submitter

router = APIRouter(route_class=HelpdeskRoute)


def _submitter(ctx: Ctx) -> Submitter:
    user = ctx.staff.user
    return Submitter(user_id=user.id, email=user.email)


def _query(ctx: Ctx) -> RecordQuery:
    return RecordQuery(
        kinds=common.TICKET_KINDS,
        submitted_by=_submitter(ctx),
        order_by="created_at",
        descending=True,
    )


async def list_user_tickets(ctx: Ctx) -> Response:
    page = pagination.page_request(ctx.request)
    query = _query(ctx).model_copy(update={"limit": page.size})
    if page.number is None:
        total = (
            await records.list_records(ctx.session, query.model_copy(update={"limit": 1}))
        ).total
        query = query.model_copy(update={"offset": page.offset(total)})
    else:
        query = query.model_copy(update={"offset": (page.number - 1) * page.size})
    found = await records.list_records(ctx.session, query)
    page.resolve(found.total)
    items = list(found.items)
    fields = await common.ticket_fields(ctx, staff=False)
    ids = [r.id for r in items]
    values = (
        await custom_fields.values_for(ctx.session, ids, include_staff_only=False) if ids else {}
    )
    mctx = await common.context(ctx, items)
    columns = common.derived("public_columns", fields, mapping.custom_columns)
    results = [mapping.user_ticket_out(mctx, r, columns, values.get(r.id, {})) for r in items]
    return respond(pagination.envelope(ctx.request, page, found.total, results))


async def retrieve_user_ticket(ctx: Ctx) -> Response:
    assert ctx.pk is not None
    record = await common.ticket_exists(ctx, ctx.pk)
    if record is None or not records.is_submitted_by(record, _submitter(ctx)):
        raise detail(404, "No Ticket matches the given query.")
    mctx = await common.context(ctx, [record])
    return respond(mapping.user_ticket_out(mctx, record, (), {}))


def _user(caller: auth.Caller | None, _method: str) -> auth.Caller | None:
    return auth.require_user(caller)


register(
    router,
    "/api/user_tickets",
    collection=Endpoint(
        name="User Ticket List",
        description="The tickets the signed-in user submitted, newest first.",
        handlers={"GET": list_user_tickets},
        permission=_user,
    ),
    instance=Endpoint(
        name="User Ticket Instance",
        description="One of the signed-in user's tickets.",
        handlers={"GET": retrieve_user_ticket},
        permission=_user,
    ),
)
