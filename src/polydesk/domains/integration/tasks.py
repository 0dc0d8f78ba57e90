"""Background work on issued OAuth2 tokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.clock import utcnow
from polydesk.domains.integration import repository

EXPIRED_TOKEN_RETENTION = timedelta(days=1)


async def purge_expired_tokens(
    session: AsyncSession, *, retention: timedelta = EXPIRED_TOKEN_RETENTION
) -> int:
    """Delete issued-token rows that expired more than ``retention`` ago.

    Safe at any time: an expired token is refused by its own ``exp`` claim before its row is
    looked at, so the row only keeps ``issued_token`` from growing with every login.
    """
    return await repository.delete_issued_expired_before(session, utcnow() - retention)
