from __future__ import annotations

import pytest

from polydesk.core import security
from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import AccessLevel, Channel, Role
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.integration import service
from polydesk.domains.integration.schemas import ApiClientCreate, ApiClientRead
from polydesk.models import ApiClient
from tests.domains.integration.factories import (
    actor_for,
    count,
    database_text,
    events,
    make_admin,
    make_client,
)
from tests.factories import make_user


async def test_create_client_generates_id_secret_and_scope(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        client, secret = await make_client(session, admin, name="Trip App")
    assert client.client_id == "Trip-App-client"
    assert client.scope == "Trip-App-scope"
    assert client.access_level == AccessLevel.ANY_USER.value
    assert client.user_id is None and client.is_active
    assert len(secret) >= 43
    assert client.secret_digest == security.digest(secret)
    assert secret not in await database_text(db)

    (event,) = await events(db, "api_client.created")
    assert event.object_id == client.id and event.actor_id == admin.id
    assert event.after == {
        "name": "Trip App",
        "client_id": "Trip-App-client",
        "access_level": "any-user",
        "user_id": None,
        "scope": "Trip-App-scope",
    }
    assert ApiClientRead.model_validate(client).client_id == "Trip-App-client"


async def test_create_client_with_given_id_and_secret(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        client, secret = await make_client(
            session, admin, client_id="main-web-app-client", secret="main-web-app-secret"
        )
    assert secret == "main-web-app-secret"
    assert client.scope == "main-web-app-scope"
    assert "main-web-app-secret" not in await database_text(db)


async def test_generated_client_ids_do_not_collide(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        first, _ = await make_client(session, admin, name="Postman")
        second, _ = await make_client(session, admin, name="Postman")
    assert first.client_id == "Postman-client"
    assert second.client_id != first.client_id
    assert second.client_id.startswith("Postman-") and second.client_id.endswith("-client")


async def test_duplicate_client_id_is_a_conflict_and_writes_nothing(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        await make_client(session, admin, client_id="dup-client")
    with pytest.raises(Conflict) as info:
        async with db.unit_of_work() as session:
            await make_client(session, admin, name="Other", client_id="dup-client")
    assert info.value.field == "client_id"
    assert await count(db, ApiClient) == 1
    assert len(await events(db, "api_client.created")) == 1


@pytest.mark.parametrize("client_id", ["has:colon", "has space", "", "-leading", "x" * 191])
async def test_malformed_client_id_is_invalid(db: Database, client_id: str) -> None:
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            admin = await make_admin(session)
            await make_client(session, admin, client_id=client_id)
    assert info.value.field == "client_id"
    assert await count(db, ApiClient) == 0


@pytest.mark.parametrize("secret", ["short", "x" * 201, "tab\tinside-the-secret"])
async def test_unusable_given_secret_is_invalid(db: Database, secret: str) -> None:
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            admin = await make_admin(session)
            await make_client(session, admin, secret=secret)
    assert info.value.field == "secret"


async def test_empty_name_is_invalid(db: Database) -> None:
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            admin = await make_admin(session)
            await make_client(session, admin, name="   ")
    assert info.value.field == "name"


async def test_specific_user_client_needs_an_active_staff_user(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        requester = await make_user(session, role=Role.REQUESTER)
        inactive = await make_user(session, role=Role.TECHNICIAN)
        inactive.is_active = False
        tech = await make_user(session, role=Role.TECHNICIAN)
    for user_id in (None, requester.id, inactive.id, 999_999):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await make_client(
                    session, admin, access_level=AccessLevel.SPECIFIC_USER, user_id=user_id
                )
        assert info.value.field == "user_id"
    async with db.unit_of_work() as session:
        client, _ = await make_client(
            session, admin, access_level=AccessLevel.SPECIFIC_USER, user_id=tech.id
        )
    assert client.user_id == tech.id
    assert client.access_level == "specific-user"


async def test_any_user_client_takes_no_user(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await make_client(session, admin, user_id=admin.id)


async def test_only_admins_manage_clients(db: Database) -> None:
    async with db.unit_of_work() as session:
        tech = await make_user(session, role=Role.TECHNICIAN)
    tech_actor = actor_for(tech)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.create_client(session, tech_actor, ApiClientCreate(name="Nope"))
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.list_clients(session, tech_actor)
    assert await count(db, ApiClient) == 0


async def test_authenticate_client(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        client, secret = await make_client(session, admin, client_id="app-client")

    async with db.unit_of_work() as session:
        found = await service.authenticate_client(session, "app-client", secret)
        assert found.id == client.id

    messages = set()
    for client_id, given, reason in [
        ("app-client", secret + "x", "wrong_secret"),
        ("app-client", "", "wrong_secret"),
        ("nobody-client", secret, "unknown_client"),
    ]:
        async with db.unit_of_work() as session:
            with pytest.raises(service.InvalidClient) as info:
                await service.authenticate_client(session, client_id, given)
        assert info.value.reason == reason
        assert info.value.code == "invalid_client"
        messages.add(info.value.message)

    async with db.unit_of_work() as session:
        await service.deactivate_client(session, actor_for(admin), "app-client")
    async with db.unit_of_work() as session:
        with pytest.raises(service.InvalidClient) as info:
            await service.authenticate_client(session, "app-client", secret)
    assert info.value.reason == "inactive_client"
    messages.add(info.value.message)
    assert len(messages) == 1, "every refusal must look the same from outside"


async def test_deactivate_and_list_clients(db: Database) -> None:
    async with db.unit_of_work() as session:
        admin = await make_admin(session)
        await make_client(session, admin, client_id="a-client")
        await make_client(session, admin, client_id="b-client")
    actor = actor_for(admin)
    async with db.unit_of_work() as session:
        client = await service.deactivate_client(session, actor, "a-client")
        assert not client.is_active
        # Deactivating twice changes nothing and records nothing more.
        await service.deactivate_client(session, actor, "a-client")
    async with db.unit_of_work() as session:
        listed = await service.list_clients(session, actor)
    assert [(c.client_id, c.is_active) for c in listed] == [("a-client", False), ("b-client", True)]
    (event,) = await events(db, "api_client.deactivated")
    assert event.before == {"is_active": True}
    with pytest.raises(NotFound):
        async with db.unit_of_work() as session:
            await service.deactivate_client(session, actor, "missing-client")


async def test_system_actor_may_register_clients(db: Database) -> None:
    async with db.unit_of_work() as session:
        client, _ = await service.create_client(
            session, Actor.system(Channel.CLI), ApiClientCreate(name="Demo", client_id="demo")
        )
    assert client.scope == "demo-scope"
