from __future__ import annotations

import pytest

from polydesk.core.db import Database
from polydesk.core.enums import CustomFieldType
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound
from polydesk.domains.configuration import service
from polydesk.domains.configuration.schemas import (
    AttributeDefinition,
    ConfigItemCreate,
    ConfigTypeCreate,
    ConfigTypeUpdate,
)
from polydesk.models import ConfigType
from tests.domains.users.factories import (
    SYSTEM,
    actor_for,
    count,
    events,
    make_technician,
    sql_statements,
)


async def _tree(db: Database) -> dict[str, int]:
    """Hardware > Computer > Laptop, and Software."""
    async with db.unit_of_work() as session:
        hardware = await service.create_config_type(
            session, SYSTEM, ConfigTypeCreate(name="Hardware")
        )
        computer = await service.create_config_type(
            session, SYSTEM, ConfigTypeCreate(name="Computer", parent_id=hardware.id)
        )
        laptop = await service.create_config_type(
            session, SYSTEM, ConfigTypeCreate(name="Laptop", parent_id=computer.id)
        )
        software = await service.create_config_type(
            session, SYSTEM, ConfigTypeCreate(name="Software")
        )
    return {
        "hardware": hardware.id,
        "computer": computer.id,
        "laptop": laptop.id,
        "software": software.id,
    }


async def test_create_type_with_attribute_definitions(db: Database) -> None:
    async with db.unit_of_work() as session:
        created = await service.create_config_type(
            session,
            SYSTEM,
            ConfigTypeCreate(
                name=" Server ",
                description="Rack hardware",
                attributes=[
                    AttributeDefinition(
                        name=" Serial  Number ", field_type=CustomFieldType.TEXT, required=True
                    ),
                    AttributeDefinition(name="RAM (GB)", field_type=CustomFieldType.NUMBER),
                    AttributeDefinition(
                        name="Tier", field_type=CustomFieldType.LIST, choices=["Gold", "Silver"]
                    ),
                ],
            ),
        )
    assert created.name == "Server" and created.parent_id is None
    assert created.attributes == [
        {"name": "Serial Number", "field_type": "text", "required": True},
        {"name": "RAM (GB)", "field_type": "number", "required": False},
        {"name": "Tier", "field_type": "list", "required": False, "choices": ["Gold", "Silver"]},
    ]
    (event,) = await events(db, "config_type.created")
    assert event.object_id == created.id
    assert event.after is not None and event.after["attributes"] == created.attributes
    assert event.after["description"] == "Rack hardware"


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ([AttributeDefinition(name=" ")], "attributes[0].name"),
        ([AttributeDefinition(name="A"), AttributeDefinition(name=" a ")], "attributes[1].name"),
        (
            [AttributeDefinition(name="A", field_type=CustomFieldType.TEXT, choices=["x"])],
            "attributes[0].choices",
        ),
        (
            [AttributeDefinition(name="A", field_type=CustomFieldType.LIST, choices=[])],
            "attributes[0].choices",
        ),
        (
            [AttributeDefinition(name="A", field_type=CustomFieldType.LIST, choices=["x", "X"])],
            "attributes[0].choices",
        ),
    ],
)
async def test_attribute_definitions_are_checked(
    db: Database, attributes: list[AttributeDefinition], field: str
) -> None:
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.create_config_type(
                session, SYSTEM, ConfigTypeCreate(name="T", attributes=attributes)
            )
    assert info.value.field == field
    assert await count(db, ConfigType) == 0


async def test_names_are_unique_among_siblings(db: Database) -> None:
    ids = await _tree(db)
    for name, parent in (("HARDWARE", None), ("computer", ids["hardware"])):
        with pytest.raises(Conflict) as info:
            async with db.unit_of_work() as session:
                await service.create_config_type(
                    session, SYSTEM, ConfigTypeCreate(name=name, parent_id=parent)
                )
        assert info.value.field == "name"
    async with db.unit_of_work() as session:
        # The same name under another parent is fine.
        await service.create_config_type(
            session, SYSTEM, ConfigTypeCreate(name="Computer", parent_id=ids["software"])
        )
    with pytest.raises(Invalid) as invalid:
        async with db.unit_of_work() as session:
            await service.create_config_type(
                session, SYSTEM, ConfigTypeCreate(name="Orphan", parent_id=999999)
            )
    assert invalid.value.field == "parent_id"
    assert await count(db, ConfigType) == 5


async def test_no_cycles_when_reparenting(db: Database) -> None:
    ids = await _tree(db)
    for moving, parent in (
        ("hardware", "hardware"),
        ("hardware", "computer"),
        ("hardware", "laptop"),
        ("computer", "laptop"),
    ):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.update_config_type(
                    session, SYSTEM, ids[moving], ConfigTypeUpdate(parent_id=ids[parent])
                )
        assert info.value.field == "parent_id"
    async with db.unit_of_work() as session:
        moved = await service.update_config_type(
            session, SYSTEM, ids["laptop"], ConfigTypeUpdate(parent_id=ids["hardware"])
        )
        assert moved.parent_id == ids["hardware"]
        top = await service.update_config_type(
            session, SYSTEM, ids["computer"], ConfigTypeUpdate(parent_id=None)
        )
        assert top.parent_id is None
    (first, second) = await events(db, "config_type.updated")
    assert first.before == {"parent_id": ids["computer"]}
    assert first.after == {"parent_id": ids["hardware"]}
    assert second.after == {"parent_id": None}


async def test_moving_next_to_a_namesake_is_a_conflict(db: Database) -> None:
    ids = await _tree(db)
    async with db.unit_of_work() as session:
        await service.create_config_type(
            session, SYSTEM, ConfigTypeCreate(name="Laptop", parent_id=ids["software"])
        )
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_config_type(
                session, SYSTEM, ids["laptop"], ConfigTypeUpdate(parent_id=ids["software"])
            )
    with pytest.raises(Conflict):
        async with db.unit_of_work() as session:
            await service.update_config_type(
                session, SYSTEM, ids["software"], ConfigTypeUpdate(name="hardware")
            )


async def test_reading_the_tree(db: Database) -> None:
    ids = await _tree(db)
    async with db.unit_of_work() as session:
        top = await service.list_top_level_config_types(session)
        assert [t.name for t in top] == ["Hardware", "Software"]
        children = await service.list_child_config_types(session, ids["hardware"])
        assert [t.name for t in children] == ["Computer"]
        with pytest.raises(NotFound):
            await service.get_config_type(session, 999999)
        by_path = await service.get_config_type_by_path(session, ["HARDWARE", "computer", "Laptop"])
        assert by_path is not None and by_path.id == ids["laptop"]
        assert await service.get_config_type_by_path(session, ["Computer"]) is None
        assert await service.get_config_type_by_path(session, []) is None
        found = await service.config_types_by_ids(session, [ids["software"], 999999])
        assert list(found) == [ids["software"]]
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            parents = await service.config_types_with_children(
                session, [ids["hardware"], ids["computer"], ids["laptop"], ids["software"]]
            )
            assert await service.config_types_with_children(session, []) == set()
    assert parents == {ids["hardware"], ids["computer"]}
    assert len(statements) == 1
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            details = await service.get_config_type_details(session, ids["computer"])
    assert len(statements) == 3
    assert details.config_type.id == ids["computer"]
    assert details.parent is not None and details.parent.id == ids["hardware"]
    assert [c.id for c in details.children] == [ids["laptop"]]


async def test_update_replaces_definitions_and_records_the_difference(db: Database) -> None:
    async with db.unit_of_work() as session:
        created = await service.create_config_type(
            session,
            SYSTEM,
            ConfigTypeCreate(name="Server", attributes=[AttributeDefinition(name="Serial")]),
        )
    async with db.unit_of_work() as session:
        await service.update_config_type(
            session,
            SYSTEM,
            created.id,
            ConfigTypeUpdate(
                description="Racks",
                attributes=[
                    AttributeDefinition(name="Serial", required=True),
                    AttributeDefinition(name="Owner", field_type=CustomFieldType.EMAIL),
                ],
            ),
        )
        await service.update_config_type(session, SYSTEM, created.id, ConfigTypeUpdate())
    (event,) = await events(db, "config_type.updated")
    assert event.before == {
        "description": None,
        "attributes": [{"name": "Serial", "field_type": "text", "required": False}],
    }
    assert event.after is not None and event.after["description"] == "Racks"
    assert len(event.after["attributes"]) == 2


async def test_delete_only_leaves_without_items(db: Database) -> None:
    ids = await _tree(db)
    async with db.unit_of_work() as session:
        await service.create_config_item(
            session, SYSTEM, ConfigItemCreate(name="Pat's laptop", config_type_id=ids["laptop"])
        )
    for name in ("hardware", "laptop"):
        with pytest.raises(Conflict):
            async with db.unit_of_work() as session:
                await service.delete_config_type(session, SYSTEM, ids[name])
    async with db.unit_of_work() as session:
        await service.delete_config_type(session, SYSTEM, ids["software"])
    assert await count(db, ConfigType) == 3
    (event,) = await events(db, "config_type.deleted")
    assert event.object_id == ids["software"]
    assert event.before is not None and event.before["name"] == "Software"


async def test_only_admins_manage_types(db: Database) -> None:
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.create_config_type(
                session, actor_for(technician), ConfigTypeCreate(name="Mine")
            )
    assert await count(db, ConfigType) == 0
