from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from polydesk.core import security
from polydesk.core.clock import utcnow
from polydesk.core.db import Database
from polydesk.core.enums import Role
from polydesk.core.settings import Settings
from polydesk.domains.integration import service
from polydesk.domains.integration.enums import AuthMethod
from polydesk.domains.integration.schemas import Principal
from polydesk.models import User
from tests.domains.integration.factories import PASSWORD
from tests.factories import make_user


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Counts argon2 verifications; the database stays real."""
    calls: list[str] = []
    real = security.verify_password

    def counting(password_hash: str | None, password: str) -> bool:
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(security, "verify_password", counting)
    yield calls


async def _basic(
    db: Database, settings: Settings, cache: service.BasicCredentialCache, login: str, pw: str
) -> Principal | None:
    async with db.unit_of_work() as session:
        return await service.authenticate_basic(session, settings, cache, login, pw)


async def _user(db: Database, role: Role = Role.TECHNICIAN, **fields: object) -> User:
    async with db.unit_of_work() as session:
        return await make_user(session, role=role, password=PASSWORD, **fields)  # type: ignore[arg-type]


async def test_cache_hit_avoids_argon2(
    db: Database, settings: Settings, verifications: list[str]
) -> None:
    user = await _user(db, email="agent@example.com")
    cache = service.BasicCredentialCache(60)

    first = await _basic(db, settings, cache, "agent@example.com", PASSWORD)
    assert first == Principal(user_id=user.id, role=Role.TECHNICIAN, method=AuthMethod.BASIC)
    assert len(verifications) == 1

    for _ in range(5):
        assert await _basic(db, settings, cache, "agent@example.com", PASSWORD) == first
    assert len(verifications) == 1
    assert len(cache) == 1


async def test_concurrent_requests_on_a_cold_cache_verify_once(
    db: Database, settings: Settings, verifications: list[str]
) -> None:
    """When the entry is missing or has expired, the requests carrying the credential wait
    for one verification instead of each running argon2."""
    user = await _user(db, email="agent@example.com")
    cache = service.BasicCredentialCache(60)
    found = await asyncio.gather(
        *(_basic(db, settings, cache, "agent@example.com", PASSWORD) for _ in range(8))
    )
    assert {p.user_id if p else None for p in found} == {user.id}
    assert len(verifications) == 1
    assert not cache._verifying
    wrong = await asyncio.gather(
        *(_basic(db, settings, cache, "agent@example.com", "wrong") for _ in range(3))
    )
    assert wrong == [None, None, None]
    assert len(verifications) == 4  # a refused password is never remembered


async def test_cache_keys_reveal_nothing(db: Database, settings: Settings) -> None:
    await _user(db, email="agent@example.com")
    cache = service.BasicCredentialCache(60)
    await _basic(db, settings, cache, "agent@example.com", PASSWORD)
    (key,) = cache._entries
    assert key == security.keyed_digest(settings.signing_key(), "agent@example.com", PASSWORD)
    assert PASSWORD not in repr(cache._entries) and "agent@example.com" not in key


async def test_wrong_passwords_are_never_cached(
    db: Database, settings: Settings, verifications: list[str]
) -> None:
    await _user(db, email="agent@example.com")
    cache = service.BasicCredentialCache(60)
    for _ in range(3):
        assert await _basic(db, settings, cache, "agent@example.com", "wrong") is None
    assert len(verifications) == 3
    assert len(cache) == 0


async def test_unknown_login_costs_a_verification_too(
    db: Database, settings: Settings, verifications: list[str]
) -> None:
    cache = service.BasicCredentialCache(60)
    assert await _basic(db, settings, cache, "ghost@example.com", PASSWORD) is None
    assert len(verifications) == 1
    assert await _basic(db, settings, cache, "", PASSWORD) is None
    assert await _basic(db, settings, cache, "ghost@example.com", "") is None


async def test_password_change_drops_the_cached_credential(
    db: Database, settings: Settings, verifications: list[str]
) -> None:
    user = await _user(db, email="agent@example.com")
    cache = service.BasicCredentialCache(60)
    assert await _basic(db, settings, cache, "agent@example.com", PASSWORD) is not None

    async with db.unit_of_work() as session:
        stored = await session.get(User, user.id)
        assert stored is not None
        stored.password_hash = security.hash_password("a-new-password")
        stored.password_changed_at = utcnow()
    verifications.clear()

    assert await _basic(db, settings, cache, "agent@example.com", PASSWORD) is None
    assert len(verifications) == 1, "a stale entry must fall back to a real verification"
    assert len(cache) == 0
    assert await _basic(db, settings, cache, "agent@example.com", "a-new-password") is not None


async def test_new_hash_alone_also_drops_the_cached_credential(
    db: Database, settings: Settings
) -> None:
    user = await _user(db, email="agent@example.com")
    cache = service.BasicCredentialCache(60)
    assert await _basic(db, settings, cache, "agent@example.com", PASSWORD) is not None
    async with db.unit_of_work() as session:
        stored = await session.get(User, user.id)
        assert stored is not None
        stored.password_hash = security.hash_password("a-new-password")
    assert await _basic(db, settings, cache, "agent@example.com", PASSWORD) is None


async def test_deactivated_user_is_refused_despite_the_cache(
    db: Database, settings: Settings
) -> None:
    user = await _user(db, email="agent@example.com")
    cache = service.BasicCredentialCache(60)
    assert await _basic(db, settings, cache, "agent@example.com", PASSWORD) is not None
    async with db.unit_of_work() as session:
        stored = await session.get(User, user.id)
        assert stored is not None
        stored.is_active = False
    assert await _basic(db, settings, cache, "agent@example.com", PASSWORD) is None


async def test_changed_login_misses_the_cache(
    db: Database, settings: Settings, verifications: list[str]
) -> None:
    user = await _user(db, email="agent@example.com")
    cache = service.BasicCredentialCache(60)
    assert await _basic(db, settings, cache, "agent@example.com", PASSWORD) is not None
    async with db.unit_of_work() as session:
        stored = await session.get(User, user.id)
        assert stored is not None
        stored.email = stored.email_key = "renamed@example.com"
    assert await _basic(db, settings, cache, "agent@example.com", PASSWORD) is None


async def test_entries_expire_a_ttl_after_their_last_use(
    db: Database, settings: Settings, verifications: list[str]
) -> None:
    """A credential in use is not verified again (the same password against the same hash
    can only succeed again); one left unused for the TTL is."""
    await _user(db, email="agent@example.com")
    clock = Clock()
    cache = service.BasicCredentialCache(60, clock=clock)
    await _basic(db, settings, cache, "agent@example.com", PASSWORD)
    for _ in range(3):
        clock.now += 59
        assert await _basic(db, settings, cache, "agent@example.com", PASSWORD) is not None
    assert len(verifications) == 1
    clock.now += 61
    assert await _basic(db, settings, cache, "agent@example.com", PASSWORD) is not None
    assert len(verifications) == 2


async def test_zero_ttl_disables_the_cache(
    db: Database, settings: Settings, verifications: list[str]
) -> None:
    await _user(db, email="agent@example.com")
    cache = service.BasicCredentialCache.from_settings(
        settings.model_copy(update={"basic_auth_cache_seconds": 0})
    )
    for _ in range(2):
        assert await _basic(db, settings, cache, "agent@example.com", PASSWORD) is not None
    assert len(verifications) == 2
    assert len(cache) == 0


async def test_cache_is_bounded_and_evicts_the_least_recently_used(
    db: Database, settings: Settings, verifications: list[str]
) -> None:
    for n in range(3):
        await _user(db, email=f"agent{n}@example.com")
    cache = service.BasicCredentialCache(60, max_entries=2)
    await _basic(db, settings, cache, "agent0@example.com", PASSWORD)
    await _basic(db, settings, cache, "agent1@example.com", PASSWORD)
    await _basic(db, settings, cache, "agent0@example.com", PASSWORD)  # agent0 used last
    await _basic(db, settings, cache, "agent2@example.com", PASSWORD)  # evicts agent1
    assert len(cache) == 2
    verifications.clear()
    await _basic(db, settings, cache, "agent0@example.com", PASSWORD)
    assert verifications == []
    await _basic(db, settings, cache, "agent1@example.com", PASSWORD)
    assert len(verifications) == 1


async def test_requesters_and_usernames_authenticate(db: Database, settings: Settings) -> None:
    user = await _user(db, Role.REQUESTER, email="req@example.com", username="Requester1")
    cache = service.BasicCredentialCache(60)
    principal = await _basic(db, settings, cache, "requester1", PASSWORD)
    assert principal is not None
    assert principal.user_id == user.id and principal.role is Role.REQUESTER
