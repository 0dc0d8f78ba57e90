"""Rules of the service catalogue and the status set."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.enums import StatusCategory
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog import repository
from polydesk.models import Status

DEFAULT_STATUSES: tuple[tuple[str, StatusCategory], ...] = (
    ("Open", StatusCategory.OPEN),
    ("In Progress", StatusCategory.IN_PROGRESS),
    ("Pending", StatusCategory.PENDING),
    ("Resolved", StatusCategory.RESOLVED),
    ("Closed", StatusCategory.CLOSED),
    ("Reopened", StatusCategory.OPEN),
    ("Duplicate", StatusCategory.CLOSED),
)
"""The statuses every instance has. The first is the default for new records; django-helpdesk's
status numbers 1–5 are Open, Reopened, Resolved, Closed and Duplicate."""


def name_key(name: str) -> str:
    """Names of reference data match case-insensitively and ignoring surrounding space."""
    return " ".join(name.split()).casefold()


async def ensure_defaults(session: AsyncSession, actor: Actor | None = None) -> None:
    """Create the default statuses that are missing. Safe to run on every start."""
    actor = actor or Actor.system()
    for position, (name, category) in enumerate(DEFAULT_STATUSES):
        if await repository.get_status_by_key(session, name_key(name)) is not None:
            continue
        status = Status(
            name=name,
            name_key=name_key(name),
            category=category.value,
            position=position,
            is_default=position == 0,
        )
        await repository.add(session, status)
        await audit.record(
            session,
            actor,
            "status.created",
            object_type="status",
            object_id=status.id,
            after={"name": name, "category": category.value},
        )
