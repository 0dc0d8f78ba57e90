"""Issues: Show Issues, Show Issue, Create Issue, Update Issue (no Delete in the guide).

Served at the top level, ``/v1/issues[/{id}]`` (every issue; a create may name the record with
``change_id`` or ``release_id``), and under the record they were raised on,
``/v1/<changes|releases>/{id}/issues[/{id}]``. Lists are paged (``limit``, ``page``,
``total_entries``, ``total_pages``). ``issue_link`` is always the top-level path, which reaches
every issue.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import DbSession
from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.auth import CurrentActor
from polydesk.api.gotoassist.embed import KIND_NAME, KIND_SEGMENT, links_for, user_ref
from polydesk.api.gotoassist.envelope import not_found, success
from polydesk.api.gotoassist.mapping_sub import (
    issue_create_from,
    issue_to_wire,
    issue_update_from,
    parent_from,
)
from polydesk.api.gotoassist.records import load
from polydesk.api.gotoassist.routing import QueryParam, ga_router, op
from polydesk.api.gotoassist.schemas_sub import IssueIn, IssueOut
from polydesk.core.db import Session
from polydesk.core.enums import RecordKind
from polydesk.core.errors import NotFound
from polydesk.domains.issues import service as issues
from polydesk.domains.records import service as records
from polydesk.domains.users import service as users
from polydesk.models import RecordIssue

router = ga_router()

PARENTS = (RecordKind.CHANGE, RecordKind.RELEASE)
PAGE_QUERY = (
    QueryParam("limit", "integer", "Page size (at most 1000).", 10),
    QueryParam("page", "integer", "1-based page.", 1),
)


async def wire_many(
    request: Request, session: Session, found: Sequence[RecordIssue]
) -> list[dict[str, Any]]:
    """Issues with their users and the kinds of their records, in two more queries."""
    people = await users.users_by_ids(
        session, sorted({i.user_id for i in found if i.user_id is not None})
    )
    record_ids = sorted({i.record_id for i in found if i.record_id is not None})
    kinds = {
        loaded.record.id: RecordKind(loaded.record.kind)
        for loaded in await records.load_records(session, record_ids)
    }
    links = links_for(request)
    return [
        issue_to_wire(
            i,
            user=user_ref(links, people.get(i.user_id) if i.user_id is not None else None),
            base=links.prefix,
            parent_kind=kinds.get(i.record_id) if i.record_id is not None else None,
        )
        for i in found
    ]


async def _one(request: Request, session: Session, issue: RecordIssue) -> dict[str, Any]:
    return {"issue": (await wire_many(request, session, [issue]))[0]}


async def _issue(session: Session, raw_id: str, record_id: int | None = None) -> RecordIssue:
    issue_id = params.path_id(raw_id, "issue")
    try:
        return await issues.get_issue(session, issue_id, record_id=record_id)
    except NotFound:
        raise not_found("issue") from None


async def _list(request: Request, session: Session, record_id: int | None) -> dict[str, Any]:
    limit, page = params.page_params(request)
    found, total = await issues.list_issues(
        session, record_id=record_id, offset=params.page_offset(limit, page), limit=limit
    )
    return {
        "total_entries": total,
        "total_pages": -(-total // limit),
        "issues": await wire_many(request, session, found),
    }


@router.get(
    "/v1/issues",
    name="list_issues",
    openapi_extra=op("Show Issues", result="issues", schema=IssueOut, paged=True, query=PAGE_QUERY),
)
async def list_issues(request: Request, actor: CurrentActor, session: DbSession) -> Response:
    return success(request, await _list(request, session, None))


@router.get(
    "/v1/issues/{issue_id}",
    name="show_issue",
    openapi_extra=op("Show Issue", result="issue", schema=IssueOut),
)
async def show_issue(
    issue_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    return success(request, await _one(request, session, await _issue(session, issue_id)))


@router.post(
    "/v1/issues",
    name="create_issue",
    openapi_extra=op(
        "Create Issue (change_id or release_id raises it on that record)",
        result="issue",
        schema=IssueOut,
        body="issue",
        body_schema=IssueIn,
    ),
)
async def create_issue(request: Request, actor: CurrentActor, session: DbSession) -> Response:
    fields = await params.read_fields(request, "issue")
    data = issue_create_from(fields)
    parent = parent_from(fields, PARENTS)
    record_id = None
    if parent is not None:
        record_id = (await load(session, parent[0], str(parent[1]))).id
    issue = await issues.add_issue(session, actor, record_id, data)
    return success(request, await _one(request, session, issue))


@router.put(
    "/v1/issues/{issue_id}",
    name="update_issue",
    openapi_extra=op(
        "Update Issue", result="issue", schema=IssueOut, body="issue", body_schema=IssueIn
    ),
)
async def update_issue(
    issue_id: str, request: Request, actor: CurrentActor, session: DbSession
) -> Response:
    issue = await _issue(session, issue_id)
    data = issue_update_from(await params.read_fields(request, "issue"))
    issue = await issues.update_issue(session, actor, issue.id, data)
    return success(request, await _one(request, session, issue))


def _register(kind: RecordKind) -> None:
    name = KIND_NAME[kind]
    base = f"/v1/{KIND_SEGMENT[kind]}/{{record_id}}/issues"
    label = name.capitalize()

    @router.get(
        base,
        name=f"list_{name}_issues",
        openapi_extra=op(
            f"Show Issues ({label})", result="issues", schema=IssueOut, paged=True, query=PAGE_QUERY
        ),
    )
    async def list_record_issues(
        record_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        record = await load(session, kind, record_id)
        return success(request, await _list(request, session, record.id))

    @router.get(
        f"{base}/{{issue_id}}",
        name=f"show_{name}_issue",
        openapi_extra=op(f"Show Issue ({label})", result="issue", schema=IssueOut),
    )
    async def show_record_issue(
        record_id: str, issue_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        record = await load(session, kind, record_id)
        issue = await _issue(session, issue_id, record.id)
        return success(request, await _one(request, session, issue))

    @router.post(
        base,
        name=f"create_{name}_issue",
        openapi_extra=op(
            f"Create Issue ({label})",
            result="issue",
            schema=IssueOut,
            body="issue",
            body_schema=IssueIn,
        ),
    )
    async def create_record_issue(
        record_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        record = await load(session, kind, record_id)
        data = issue_create_from(await params.read_fields(request, "issue"))
        issue = await issues.add_issue(session, actor, record.id, data)
        return success(request, await _one(request, session, issue))

    @router.put(
        f"{base}/{{issue_id}}",
        name=f"update_{name}_issue",
        openapi_extra=op(
            f"Update Issue ({label})",
            result="issue",
            schema=IssueOut,
            body="issue",
            body_schema=IssueIn,
        ),
    )
    async def update_record_issue(
        record_id: str, issue_id: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        record = await load(session, kind, record_id)
        issue = await _issue(session, issue_id, record.id)
        data = issue_update_from(await params.read_fields(request, "issue"))
        issue = await issues.update_issue(session, actor, issue.id, data, record_id=record.id)
        return success(request, await _one(request, session, issue))


for _kind in PARENTS:
    _register(_kind)
