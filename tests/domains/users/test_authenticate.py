from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from polydesk.core import security
from polydesk.core.db import Database
from polydesk.domains.users import service
from polydesk.models import User
from tests.domains.users.factories import PASSWORD, events, events_text, make_requester
from tests.factories import make_user


async def test_authenticate_by_email_or_username_ignoring_case(db: Database) -> None:
    async with db.unit_of_work() as session:
        user = await make_requester(session, email="dana@example.com", username="DScully")
    async with db.unit_of_work() as session:
        for login in ("dana@example.com", "Dana@Example.com", "dscully", "DSCULLY"):
            found = await service.authenticate(session, login, PASSWORD)
            assert found is not None and found.id == user.id, login


async def test_wrong_password_fails(db: Database) -> None:
    async with db.unit_of_work() as session:
        user = await make_requester(session)
    async with db.unit_of_work() as session:
        assert await service.authenticate(session, user.email, PASSWORD + "x") is None
        assert await service.authenticate(session, user.email, PASSWORD.upper()) is None
        assert await service.authenticate(session, user.email, "") is None


async def test_inactive_user_fails_even_with_the_right_password(db: Database) -> None:
    async with db.unit_of_work() as session:
        user = await make_requester(session)
        user.is_active = False
    async with db.unit_of_work() as session:
        assert await service.authenticate(session, user.email, PASSWORD) is None


async def test_unknown_login_and_passwordless_user_pay_for_a_verification(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    burned: list[str] = []
    real_burn = security.burn_password_verify

    def burn(password: str) -> None:
        burned.append(password)
        real_burn(password)

    monkeypatch.setattr(security, "burn_password_verify", burn)
    async with db.unit_of_work() as session:
        passwordless = await make_user(session, email="nopass@example.com")
    async with db.unit_of_work() as session:
        assert await service.authenticate(session, "nobody@example.com", "guess one") is None
        assert await service.authenticate(session, passwordless.email, "guess two") is None
    assert burned == ["guess one", "guess two"]


async def test_outdated_hash_is_replaced_on_login(db: Database) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    async with db.unit_of_work() as session:
        user = await make_requester(session)
        user.password_hash = weak.hash(PASSWORD)
        old_hash = user.password_hash
        changed_at = user.password_changed_at
    assert security.password_needs_rehash(old_hash)
    async with db.unit_of_work() as session:
        found = await service.authenticate(session, user.email, PASSWORD)
    assert found is not None
    async with db.unit_of_work() as session:
        stored = await session.get(User, user.id)
        assert stored is not None and stored.password_hash is not None
        assert stored.password_hash != old_hash
        assert not security.password_needs_rehash(stored.password_hash)
        assert security.verify_password(stored.password_hash, PASSWORD)
        assert stored.password_changed_at == changed_at
    (event,) = await events(db, "user.password_rehashed")
    assert event.object_id == user.id and event.before is None and event.after is None
    text = await events_text(db)
    assert PASSWORD not in text and "$argon2" not in text


async def test_current_hash_is_not_rewritten(db: Database) -> None:
    async with db.unit_of_work() as session:
        user = await make_requester(session)
        original = user.password_hash
    async with db.unit_of_work() as session:
        found = await service.authenticate(session, user.email, PASSWORD)
        assert found is not None and found.password_hash == original
    assert await events(db, "user.password_rehashed") == []


async def test_overlong_password_is_refused_without_hashing(db: Database) -> None:
    async with db.unit_of_work() as session:
        user = await make_requester(session)
    async with db.unit_of_work() as session:
        assert await service.authenticate(session, user.email, "x" * 100_000) is None
