"""All SQL of API clients, API tokens, issued OAuth2 tokens and credential look-ups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.models import ApiClient, ApiToken, IssuedToken, User


async def add(session: AsyncSession, *objs: object) -> None:
    session.add_all(objs)
    await session.flush()


async def add_unique(session: AsyncSession, obj: object) -> bool:
    """Insert in a savepoint; ``False`` (and nothing written) when a unique key is taken."""
    try:
        async with session.begin_nested():
            session.add(obj)
            await session.flush()
    except IntegrityError:
        return False
    return True


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


# Users -------------------------------------------------------------------------------------


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def find_user_by_login(session: AsyncSession, login: str) -> User | None:
    """By e-mail (through the unique ``email_key``) first, then by username, ignoring case."""
    key = login.strip().lower()
    if not key:
        return None
    user: User | None = await session.scalar(select(User).where(User.email_key == key))
    if user is not None:
        return user
    rows = (await session.scalars(select(User).where(func.lower(User.username) == key))).all()
    return rows[0] if len(rows) == 1 else None


# API clients -------------------------------------------------------------------------------


async def get_client_by_client_id(session: AsyncSession, client_id: str) -> ApiClient | None:
    result: ApiClient | None = await session.scalar(
        select(ApiClient).where(ApiClient.client_id == client_id)
    )
    return result


async def client_id_taken(session: AsyncSession, client_id: str) -> bool:
    found = await session.scalar(select(ApiClient.id).where(ApiClient.client_id == client_id))
    return found is not None


async def list_clients(session: AsyncSession) -> Sequence[ApiClient]:
    return (await session.scalars(select(ApiClient).order_by(ApiClient.id))).all()


# Issued OAuth2 tokens ----------------------------------------------------------------------


async def get_issued(session: AsyncSession, jti: str) -> IssuedToken | None:
    return await session.get(IssuedToken, jti)


@dataclass(frozen=True, slots=True)
class AccessTokenRow:
    kind: str
    revoked_at: datetime | None
    expires_at: datetime
    user_id: int
    role: str
    user_active: bool
    client_pk: int
    client_id: str
    client_active: bool


async def access_token_row(session: AsyncSession, jti: str) -> AccessTokenRow | None:
    """Everything an access-token check needs, in one primary-key query."""
    row = (
        await session.execute(
            select(
                IssuedToken.kind,
                IssuedToken.revoked_at,
                IssuedToken.expires_at,
                IssuedToken.user_id,
                User.role,
                User.is_active,
                ApiClient.id,
                ApiClient.client_id,
                ApiClient.is_active,
            )
            .join(User, User.id == IssuedToken.user_id)
            .join(ApiClient, ApiClient.id == IssuedToken.client_id)
            .where(IssuedToken.jti == jti)
        )
    ).first()
    return None if row is None else AccessTokenRow(*row)


async def revoke_issued_if_active(session: AsyncSession, jti: str, now: datetime) -> bool:
    """Revoke one token; ``False`` if it was already revoked (or unknown).

    The condition is checked by the database, so of two concurrent uses of one refresh token
    exactly one wins.
    """
    result = await session.execute(
        update(IssuedToken)
        .where(IssuedToken.jti == jti, IssuedToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def revoke_issued_for(
    session: AsyncSession, now: datetime, *, client_pk: int | None, user_id: int | None
) -> int:
    stmt = update(IssuedToken).where(IssuedToken.revoked_at.is_(None))
    if client_pk is not None:
        stmt = stmt.where(IssuedToken.client_id == client_pk)
    if user_id is not None:
        stmt = stmt.where(IssuedToken.user_id == user_id)
    result = await session.execute(
        stmt.values(revoked_at=now).execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def delete_issued_expired_before(session: AsyncSession, cutoff: datetime) -> int:
    result = await session.execute(
        delete(IssuedToken)
        .where(IssuedToken.expires_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


# API tokens --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiTokenRow:
    id: int
    user_id: int | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    role: str | None
    user_active: bool | None


async def api_token_row(session: AsyncSession, token_digest: str) -> ApiTokenRow | None:
    """The token and its user's standing, in one query on the unique digest index."""
    row = (
        await session.execute(
            select(
                ApiToken.id,
                ApiToken.user_id,
                ApiToken.revoked_at,
                ApiToken.last_used_at,
                User.role,
                User.is_active,
            )
            .outerjoin(User, User.id == ApiToken.user_id)
            .where(ApiToken.digest == token_digest)
        )
    ).first()
    return None if row is None else ApiTokenRow(*row)


async def touch_api_token(
    session: AsyncSession, token_id: int, now: datetime, older_than: datetime
) -> None:
    await session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < older_than),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


async def get_api_token(session: AsyncSession, token_id: int) -> ApiToken | None:
    return await session.get(ApiToken, token_id)


async def list_api_tokens(
    session: AsyncSession, *, user_id: int | None, account_only: bool, include_revoked: bool
) -> Sequence[ApiToken]:
    """All tokens, one user's (``user_id``), or only the account-wide ones."""
    stmt = select(ApiToken).order_by(ApiToken.id)
    if account_only:
        stmt = stmt.where(ApiToken.user_id.is_(None))
    elif user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return (await session.scalars(stmt)).all()
