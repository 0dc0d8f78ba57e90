"""Rules of issues.

An issue is raised against a change or a release, or stands alone (no record). It has a title,
an optional description, a free-text status (``open`` until someone says otherwise) and a user
(the actor unless another existing user is named). Staff manage issues.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.core.enums import RecordKind
from polydesk.core.errors import Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog.service import check_page, clean_name, clean_optional_text
from polydesk.domains.issues import repository
from polydesk.domains.issues.schemas import IssueCreate, IssueUpdate
from polydesk.domains.users import service as users
from polydesk.models import RecordIssue

MAX_TITLE_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 100_000
MAX_STATUS_LENGTH = 32
ISSUE_KINDS = frozenset({RecordKind.CHANGE.value, RecordKind.RELEASE.value})

_STATE_FIELDS = ("record_id", "title", "description", "status", "user_id")


def _state(issue: RecordIssue) -> dict[str, Any]:
    return {name: getattr(issue, name) for name in _STATE_FIELDS}


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden("Only staff may manage issues.")


async def _require_parent(session: AsyncSession, record_id: int) -> None:
    kind = await repository.record_kind(session, record_id)
    if kind is None:
        raise NotFound(f"No record with id {record_id}.", field="record_id", value=record_id)
    if kind not in ISSUE_KINDS:
        raise Invalid(
            f"Only changes and releases have issues; record {record_id} is of kind {kind}.",
            field="record_id",
            value=record_id,
        )


async def _check_user(session: AsyncSession, user_id: int) -> int:
    try:
        await users.get_user(session, user_id)
    except NotFound as exc:
        raise Invalid(exc.message, field="user_id", value=user_id) from exc
    return user_id


def _title(value: str | None) -> str:
    return clean_name(value, field="title", max_length=MAX_TITLE_LENGTH)


def _description(value: str | None) -> str | None:
    return clean_optional_text(value, field="description", max_length=MAX_DESCRIPTION_LENGTH)


def _status(value: str | None) -> str:
    return clean_name(value, field="status", max_length=MAX_STATUS_LENGTH)


async def add_issue(
    session: AsyncSession, actor: Actor, record_id: int | None, data: IssueCreate
) -> RecordIssue:
    """Raise an issue on a change or release, or a stand-alone one when ``record_id`` is
    ``None``."""
    _require_staff(actor)
    if record_id is not None:
        await _require_parent(session, record_id)
    issue = RecordIssue(
        record_id=record_id,
        title=_title(data.title),
        description=_description(data.description),
        status=_status(data.status),
        user_id=actor.user_id if data.user_id is None else await _check_user(session, data.user_id),
    )
    await repository.add(session, issue)
    await audit.record(
        session,
        actor,
        "issue.created",
        object_type="issue",
        object_id=issue.id,
        record_id=record_id,
        after=_state(issue),
    )
    return issue


async def update_issue(
    session: AsyncSession,
    actor: Actor,
    issue_id: int,
    data: IssueUpdate,
    *,
    record_id: int | None = None,
) -> RecordIssue:
    """Change the given fields; ``description`` or ``user_id`` given as ``None`` clears them.
    An issue stays with the record it was raised on."""
    _require_staff(actor)
    issue = await get_issue(session, issue_id, record_id=record_id)
    fields = data.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "title" in fields:
        changes["title"] = _title(data.title)
    if "description" in fields:
        changes["description"] = _description(data.description)
    if "status" in fields:
        changes["status"] = _status(data.status)
    if "user_id" in fields and data.user_id != issue.user_id:
        changes["user_id"] = (
            None if data.user_id is None else await _check_user(session, data.user_id)
        )
    changed = {k: v for k, v in changes.items() if getattr(issue, k) != v}
    if not changed:
        return issue
    before_state = _state(issue)
    await repository.apply(session, issue, {**changed, "updated_at": utcnow()})
    before, after = audit.diff(before_state, _state(issue))
    await audit.record(
        session,
        actor,
        "issue.updated",
        object_type="issue",
        object_id=issue.id,
        record_id=issue.record_id,
        before=before,
        after=after,
    )
    return issue


async def delete_issue(
    session: AsyncSession, actor: Actor, issue_id: int, *, record_id: int | None = None
) -> None:
    """GoToAssist has no such operation; the console and clean-ups use it."""
    _require_staff(actor)
    issue = await get_issue(session, issue_id, record_id=record_id)
    before = _state(issue)
    await repository.delete(session, issue)
    await audit.record(
        session,
        actor,
        "issue.deleted",
        object_type="issue",
        object_id=issue_id,
        record_id=before["record_id"],
        before=before,
    )


async def get_issue(
    session: AsyncSession, issue_id: int, *, record_id: int | None = None
) -> RecordIssue:
    """The issue; with ``record_id``, not found unless it was raised on that record."""
    issue = await repository.get(session, issue_id)
    if issue is None or (record_id is not None and issue.record_id != record_id):
        where = f" on record {record_id}" if record_id is not None else ""
        raise NotFound(f"No issue with id {issue_id}{where}.", field="issue_id", value=issue_id)
    return issue


async def list_issues(
    session: AsyncSession, *, record_id: int | None = None, offset: int = 0, limit: int = 100
) -> tuple[Sequence[RecordIssue], int]:
    """A page of one change's or release's issues (or of every issue), oldest first, and the
    total."""
    check_page(offset, limit)
    if record_id is not None:
        await _require_parent(session, record_id)
    return await repository.list_issues(session, record_id=record_id, offset=offset, limit=limit)


async def issues_for(
    session: AsyncSession, record_ids: Sequence[int]
) -> dict[int, list[RecordIssue]]:
    """The issues of many records, in one query; every id asked for is a key."""
    grouped: dict[int, list[RecordIssue]] = {record_id: [] for record_id in record_ids}
    for issue in await repository.for_records(session, record_ids):
        assert issue.record_id is not None
        grouped[issue.record_id].append(issue)
    return grouped
