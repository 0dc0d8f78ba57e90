"""First start: default statuses, and an administrator when there is none.

The administrator comes from ``POLYDESK_ADMIN_EMAIL`` / ``POLYDESK_ADMIN_PASSWORD`` when they are
set; otherwise it is ``admin@localhost`` with a generated password that the caller prints once
(only its argon2 hash is stored). A database that already has an administrator, active or not,
is left alone, so running this at every start is safe.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core import security
from polydesk.core.actor import Actor
from polydesk.core.enums import Channel, Role
from polydesk.domains.catalog import service as catalog
from polydesk.domains.setup.schemas import AdminCreated
from polydesk.domains.users import service as users
from polydesk.domains.users.schemas import UserCreate

DEFAULT_ADMIN_EMAIL = "admin@localhost"


async def ensure_admin(
    session: AsyncSession, *, email: str | None = None, password: str | None = None
) -> AdminCreated | None:
    """Create the first administrator, or nothing when one exists."""
    if await users.count_admins(session, active_only=False) > 0:
        return None
    generated = security.new_secret(12) if password is None else None
    user = await users.create_user(
        session,
        Actor.system(Channel.CLI),
        UserCreate(
            email=email or DEFAULT_ADMIN_EMAIL,
            role=Role.ADMIN,
            password=password if password is not None else generated,
            first_name="Administrator",
        ),
    )
    return AdminCreated(user=user, generated_password=generated)


async def first_start(
    session: AsyncSession, *, email: str | None = None, password: str | None = None
) -> AdminCreated | None:
    """Everything a fresh database needs before it serves."""
    await catalog.ensure_defaults(session)
    return await ensure_admin(session, email=email, password=password)
