from __future__ import annotations

from sqlalchemy import select

from polydesk.core.db import Database
from polydesk.core.enums import Role
from polydesk.domains.setup import service
from polydesk.domains.users import service as users
from polydesk.models import Event
from tests.factories import make_user


async def test_first_start_creates_admin_localhost_with_a_generated_password(db: Database) -> None:
    async with db.unit_of_work() as session:
        created = await service.first_start(session)
    assert created is not None and created.generated_password is not None
    assert len(created.generated_password) >= 16
    async with db.unit_of_work() as session:
        admin = await users.authenticate(session, "admin@localhost", created.generated_password)
        assert admin is not None and admin.role == "admin"
        actions = (await session.scalars(select(Event.action))).all()
        assert "user.created" in actions


async def test_first_start_is_safe_to_repeat(db: Database) -> None:
    async with db.unit_of_work() as session:
        assert await service.first_start(session) is not None
    async with db.unit_of_work() as session:
        assert await service.first_start(session) is None
        assert await users.count_admins(session) == 1


async def test_given_email_and_password_are_used_and_nothing_is_generated(db: Database) -> None:
    async with db.unit_of_work() as session:
        created = await service.ensure_admin(
            session, email="Boss@Example.com", password="correct horse battery"
        )
    assert created is not None and created.generated_password is None
    async with db.unit_of_work() as session:
        admin = await users.authenticate(session, "boss@example.com", "correct horse battery")
        assert admin is not None and admin.role == "admin"


async def test_an_existing_admin_even_inactive_means_no_new_one(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_user(session, role=Role.ADMIN)
        admin.is_active = False
    async with db.unit_of_work() as session:
        assert await service.ensure_admin(session) is None
        assert await users.get_user_by_email(session, "admin@localhost") is None
