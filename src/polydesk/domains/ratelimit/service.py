"""Rules of rate limits: fixed one-hour windows counted in the database.

The counter lives in the ``rate_counter`` table, so every worker process and every node behind
a load balancer shares it; each request adds one with a single atomic upsert. Call :func:`hit`
in a unit of work of its own (committed at once) rather than in the request's, so that the
counter row is locked only for that short transaction and a request that later fails is still
counted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.clock import utcnow
from polydesk.core.errors import Invalid
from polydesk.domains.ratelimit import repository
from polydesk.domains.ratelimit.schemas import RateState

WINDOW = timedelta(hours=1)
MAX_KEY_LENGTH = 128


def window_start(now: datetime) -> datetime:
    """The start of the clock hour containing ``now`` (aware UTC)."""
    return now.replace(minute=0, second=0, microsecond=0)


async def hit(
    session: AsyncSession, key: str, limit: int, *, now: datetime | None = None
) -> RateState:
    """Count one request of ``key`` in the current hour and say where it stands.

    The first request of a key in a new window also drops that key's older windows, so the
    table holds about one row per active caller.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Invalid(f"A rate-limit key has 1 to {MAX_KEY_LENGTH} characters.", field="key")
    if limit < 1:
        raise Invalid("A rate limit is at least 1.", field="limit", value=limit)
    start = window_start(now or utcnow())
    count = await repository.increment(session, key, start)
    if count == 1:
        await repository.delete_before(session, start, key=key)
    return RateState(limit=limit, count=count, window_start=start, reset_at=start + WINDOW)


async def purge(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Drop every counter of a window that has ended; the number dropped."""
    return await repository.delete_before(session, window_start(now or utcnow()))
