from __future__ import annotations

import pytest

from polydesk.core.db import Database
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.configuration import service
from polydesk.domains.configuration.enums import Direction, RelationshipStrength
from polydesk.domains.configuration.schemas import (
    ConfigItemCreate,
    ConfigTypeCreate,
    RelationshipCreate,
    RelationshipTypeCreate,
    RelationshipTypeUpdate,
)
from polydesk.models import ConfigRelationship, ConfigRelationshipType
from tests.domains.users.factories import (
    SYSTEM,
    actor_for,
    count,
    events,
    make_requester,
    make_technician,
    sql_statements,
)


async def _items(db: Database, n: int) -> list[int]:
    async with db.unit_of_work() as session:
        config_type = await service.create_config_type(
            session, SYSTEM, ConfigTypeCreate(name="Server")
        )
        return [
            (
                await service.create_config_item(
                    session,
                    SYSTEM,
                    ConfigItemCreate(name=f"server-{i}", config_type_id=config_type.id),
                )
            ).id
            for i in range(n)
        ]


async def _depends_on(db: Database) -> int:
    async with db.unit_of_work() as session:
        rtype = await service.create_relationship_type(
            session,
            SYSTEM,
            RelationshipTypeCreate(
                name="Depends on", reverse_name="Is depended on by", strength="hard"
            ),
        )
    return rtype.id


async def test_relationship_types(db: Database) -> None:
    async with db.unit_of_work() as session:
        hard = await service.create_relationship_type(
            session,
            SYSTEM,
            RelationshipTypeCreate(name=" Runs  on ", reverse_name="Hosts", strength="hard"),
        )
        soft = await service.create_relationship_type(
            session, SYSTEM, RelationshipTypeCreate(name="Connected to")
        )
    assert (hard.name, hard.reverse_name, hard.strength) == ("Runs on", "Hosts", "hard")
    assert (soft.reverse_name, soft.strength) == (None, "soft")
    (event, _) = await events(db, "config_relationship_type.created")
    assert event.after == {"name": "Runs on", "reverse_name": "Hosts", "strength": "hard"}
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.create_relationship_type(
                session, SYSTEM, RelationshipTypeCreate(name="RUNS ON")
            )
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_relationship_type(
                session, SYSTEM, soft.id, RelationshipTypeUpdate(name="runs on")
            )
    async with db.unit_of_work() as session:
        updated = await service.update_relationship_type(
            session,
            SYSTEM,
            soft.id,
            RelationshipTypeUpdate(strength=RelationshipStrength.HARD, reverse_name=""),
        )
        assert updated.strength == "hard"
        assert [t.name for t in await service.list_relationship_types(session)] == [
            "Connected to",
            "Runs on",
        ]
        by_name = await service.get_relationship_type_by_name(session, "CONNECTED TO")
        assert by_name is not None and by_name.id == soft.id
        with pytest.raises(NotFound):
            await service.get_relationship_type(session, 999999)
    (updated_event,) = await events(db, "config_relationship_type.updated")
    assert updated_event.before == {"strength": "soft"}
    assert updated_event.after == {"strength": "hard"}
    assert await count(db, ConfigRelationshipType) == 2


async def test_relate_two_items(db: Database) -> None:
    a, b = await _items(db, 2)
    rtype = await _depends_on(db)
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
    async with db.unit_of_work() as session:
        relationship = await service.create_relationship(
            session,
            actor_for(technician),
            RelationshipCreate(relationship_type_id=rtype, source_id=a, target_id=b),
        )
        # The other direction is a different relationship.
        await service.create_relationship(
            session,
            SYSTEM,
            RelationshipCreate(relationship_type_id=rtype, source_id=b, target_id=a),
        )
    (event, _) = await events(db, "config_relationship.created")
    assert event.object_id == relationship.id and event.actor_id == technician.id
    assert event.after == {"relationship_type_id": rtype, "source_id": a, "target_id": b}


async def test_relationship_rules(db: Database) -> None:
    a, b = await _items(db, 2)
    rtype = await _depends_on(db)
    async with db.unit_of_work() as session:
        await service.create_relationship(
            session,
            SYSTEM,
            RelationshipCreate(relationship_type_id=rtype, source_id=a, target_id=b),
        )
    invalid = [
        (RelationshipCreate(relationship_type_id=rtype, source_id=a, target_id=a), "target_id"),
        (
            RelationshipCreate(relationship_type_id=999999, source_id=a, target_id=b),
            "relationship_type_id",
        ),
        (
            RelationshipCreate(relationship_type_id=rtype, source_id=999999, target_id=b),
            "source_id",
        ),
        (
            RelationshipCreate(relationship_type_id=rtype, source_id=a, target_id=999999),
            "target_id",
        ),
    ]
    for data, field in invalid:
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.create_relationship(session, SYSTEM, data)
        assert info.value.field == field
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.create_relationship(
                session,
                SYSTEM,
                RelationshipCreate(relationship_type_id=rtype, source_id=a, target_id=b),
            )
    assert await count(db, ConfigRelationship) == 1
    assert len(await events(db, "config_relationship.created")) == 1


async def test_list_relationships_in_both_directions_in_bounded_queries(db: Database) -> None:
    hub, *others = await _items(db, 6)
    depends = await _depends_on(db)
    async with db.unit_of_work() as session:
        connected = await service.create_relationship_type(
            session, SYSTEM, RelationshipTypeCreate(name="Connected to")
        )
        for other in others[:3]:
            await service.create_relationship(
                session,
                SYSTEM,
                RelationshipCreate(relationship_type_id=depends, source_id=hub, target_id=other),
            )
        for other in others[3:]:
            await service.create_relationship(
                session,
                SYSTEM,
                RelationshipCreate(relationship_type_id=depends, source_id=other, target_id=hub),
            )
        await service.create_relationship(
            session,
            SYSTEM,
            RelationshipCreate(
                relationship_type_id=connected.id, source_id=others[4], target_id=hub
            ),
        )
        await service.create_relationship(
            session,
            SYSTEM,
            RelationshipCreate(
                relationship_type_id=depends, source_id=others[0], target_id=others[1]
            ),
        )
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            related = await service.list_relationships(session, hub)
    assert len(statements) == 3
    assert [(r.direction, r.item.id, r.label) for r in related] == [
        (Direction.OUTGOING, others[0], "Depends on"),
        (Direction.OUTGOING, others[1], "Depends on"),
        (Direction.OUTGOING, others[2], "Depends on"),
        (Direction.INCOMING, others[3], "Is depended on by"),
        (Direction.INCOMING, others[4], "Is depended on by"),
        (Direction.INCOMING, others[4], "Connected to"),
    ]
    async with db.unit_of_work() as session:
        with pytest.raises(NotFound):
            await service.list_relationships(session, 999999)


async def test_delete_relationship_type_in_use_is_a_conflict(db: Database) -> None:
    a, b = await _items(db, 2)
    rtype = await _depends_on(db)
    async with db.unit_of_work() as session:
        relationship = await service.create_relationship(
            session,
            SYSTEM,
            RelationshipCreate(relationship_type_id=rtype, source_id=a, target_id=b),
        )
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.delete_relationship_type(session, SYSTEM, rtype)
    async with db.unit_of_work() as session:
        await service.delete_relationship(session, SYSTEM, relationship.id)
        await service.delete_relationship_type(session, SYSTEM, rtype)
        with pytest.raises(NotFound):
            await service.delete_relationship(session, SYSTEM, relationship.id)
    (deleted,) = await events(db, "config_relationship.deleted")
    assert deleted.before == {"relationship_type_id": rtype, "source_id": a, "target_id": b}
    assert len(await events(db, "config_relationship_type.deleted")) == 1


async def test_deleting_an_item_takes_its_relationships(db: Database) -> None:
    a, b, c = await _items(db, 3)
    rtype = await _depends_on(db)
    async with db.unit_of_work() as session:
        for source, target in ((a, b), (c, a), (b, c)):
            await service.create_relationship(
                session,
                SYSTEM,
                RelationshipCreate(relationship_type_id=rtype, source_id=source, target_id=target),
            )
    async with db.unit_of_work() as session:
        await service.delete_config_item(session, SYSTEM, a)
    assert await count(db, ConfigRelationship) == 1


async def test_permissions(db: Database) -> None:
    a, b = await _items(db, 2)
    rtype = await _depends_on(db)
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
        requester = await make_requester(session)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.create_relationship_type(
                session, actor_for(technician), RelationshipTypeCreate(name="Mine")
            )
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.create_relationship(
                session,
                actor_for(requester),
                RelationshipCreate(relationship_type_id=rtype, source_id=a, target_id=b),
            )
    assert await count(db, ConfigRelationship) == 0
    assert await count(db, ConfigRelationshipType) == 1
