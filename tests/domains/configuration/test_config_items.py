from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from polydesk.core.db import Database
from polydesk.core.enums import CustomFieldType
from polydesk.core.errors import Forbidden, Invalid, NotFound
from polydesk.domains.configuration import service
from polydesk.domains.configuration.schemas import (
    AttributeDefinition,
    ConfigItemCreate,
    ConfigItemUpdate,
    ConfigTypeCreate,
    ConfigTypeUpdate,
)
from polydesk.models import ConfigItem
from tests.domains.users.factories import (
    SYSTEM,
    actor_for,
    count,
    events,
    make_requester,
    make_technician,
    sql_statements,
)

EVERY_TYPE = [
    AttributeDefinition(name=kind.value.title(), field_type=kind) for kind in CustomFieldType
]


async def _type(db: Database, attributes: list[AttributeDefinition], name: str = "Thing") -> int:
    async with db.unit_of_work() as session:
        created = await service.create_config_type(
            session, SYSTEM, ConfigTypeCreate(name=name, attributes=attributes)
        )
    return created.id


async def _item(db: Database, type_id: int, attributes: dict[str, Any]) -> ConfigItem:
    async with db.unit_of_work() as session:
        return await service.create_config_item(
            session,
            SYSTEM,
            ConfigItemCreate(name="Item", config_type_id=type_id, attributes=attributes),
        )


VALID = [
    ("text", "  hello ", "hello"),
    ("text", 42, "42"),
    ("textarea", "line one\nline two", "line one\nline two"),
    ("number", 7, 7),
    ("number", "-12", -12),
    ("number", 3.0, 3),
    ("decimal", "12.50", "12.50"),
    ("decimal", 1.5, "1.5"),
    ("decimal", 3, "3"),
    ("boolean", True, True),
    ("boolean", "no", False),
    ("boolean", 1, True),
    ("date", "2026-11-22", "2026-11-22"),
    ("date", date(2026, 1, 2), "2026-01-02"),
    ("time", "09:30", "09:30:00"),
    ("time", time(23, 59, 1), "23:59:01"),
    ("datetime", "2026-11-22T10:00:00+01:00", "2026-11-22T09:00:00+00:00"),
    ("datetime", "2026-11-22T10:00:00", "2026-11-22T10:00:00+00:00"),
    ("datetime", 1756304677083, datetime.fromtimestamp(1756304677.083, UTC).isoformat()),
    ("email", "Ops@Example.com", "ops@example.com"),
    ("url", "https://example.com/path?q=1", "https://example.com/path?q=1"),
    ("ipaddress", "10.0.0.1", "10.0.0.1"),
    ("ipaddress", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
    ("slug", "rack-12_b", "rack-12_b"),
    ("list", "anything", "anything"),
    ("list", ["a", "b"], ["a", "b"]),
]

INVALID = [
    ("text", "x" * 1001),
    ("text", True),
    ("text", {"a": 1}),
    ("number", 1.5),
    ("number", "12a"),
    ("number", True),
    ("decimal", "ten"),
    ("decimal", "NaN"),
    ("decimal", False),
    ("boolean", "maybe"),
    ("boolean", 2),
    ("date", "22/11/2026"),
    ("date", "2026-02-30"),
    ("time", "25:00"),
    ("time", "10:00+01:00"),
    ("datetime", "yesterday"),
    ("datetime", 10**20),
    ("email", "not an address"),
    ("url", "javascript:alert(1)"),
    ("url", "example.com"),
    ("ipaddress", "300.1.1.1"),
    ("slug", "has space"),
    ("list", {"a": 1}),
    ("list", ["ok", None]),
]


@pytest.mark.parametrize(("kind", "value", "stored"), VALID)
async def test_valid_values_are_stored_canonically(
    db: Database, kind: str, value: object, stored: object
) -> None:
    type_id = await _type(db, EVERY_TYPE)
    item = await _item(db, type_id, {kind: value})
    assert item.attributes == {kind.title(): stored}


@pytest.mark.parametrize(("kind", "value"), INVALID)
async def test_invalid_values_are_refused(db: Database, kind: str, value: object) -> None:
    type_id = await _type(db, EVERY_TYPE)
    with pytest.raises(Invalid) as info:
        await _item(db, type_id, {kind: value})
    assert info.value.field == f"attributes.{kind.title()}"
    assert await count(db, ConfigItem) == 0


async def test_list_choices_match_ignoring_case(db: Database) -> None:
    type_id = await _type(
        db,
        [
            AttributeDefinition(
                name="Tier", field_type=CustomFieldType.LIST, choices=["Gold", "Silver"]
            )
        ],
    )
    item = await _item(db, type_id, {"tier": "GOLD"})
    assert item.attributes == {"Tier": "Gold"}
    multi = await _item(db, type_id, {"Tier": ["silver", "Gold"]})
    assert multi.attributes == {"Tier": ["Silver", "Gold"]}
    with pytest.raises(Invalid) as info:
        await _item(db, type_id, {"Tier": "Bronze"})
    assert "'Gold', 'Silver'" in info.value.message


async def test_required_and_unknown_attributes(db: Database) -> None:
    type_id = await _type(
        db,
        [
            AttributeDefinition(name="Serial", required=True),
            AttributeDefinition(name="Note"),
        ],
    )
    for attributes in ({}, {"Serial": ""}, {"Serial": None, "Note": "x"}, {"Serial": "  "}):
        with pytest.raises(Invalid) as info:
            await _item(db, type_id, attributes)
        assert info.value.field == "attributes.Serial"
    with pytest.raises(Invalid) as unknown:
        await _item(db, type_id, {"Serial": "1", "Colour": "red"})
    assert unknown.value.field == "attributes.Colour"
    assert await count(db, ConfigItem) == 0
    item = await _item(db, type_id, {"SERIAL": "SN-1", "note": None})
    assert item.attributes == {"Serial": "SN-1"}


async def test_create_item(db: Database) -> None:
    type_id = await _type(db, [AttributeDefinition(name="Serial")])
    async with db.unit_of_work() as session:
        technician = await make_technician(session)
    async with db.unit_of_work() as session:
        item = await service.create_config_item(
            session,
            actor_for(technician),
            ConfigItemCreate(
                name=" Web  01 ",
                config_type_id=type_id,
                description="Front end",
                asset_model="HardwareAsset",
                attributes={"serial": "SN-9"},
            ),
        )
    assert (item.name, item.version, item.asset_model) == ("Web 01", 1, "HardwareAsset")
    (event,) = await events(db, "config_item.created")
    assert event.actor_id == technician.id and event.object_id == item.id
    assert event.after == {
        "name": "Web 01",
        "description": "Front end",
        "config_type_id": type_id,
        "asset_model": "HardwareAsset",
        "attributes": {"Serial": "SN-9"},
    }


async def test_item_needs_a_name_and_an_existing_type(db: Database) -> None:
    type_id = await _type(db, [])
    for data, field in (
        (ConfigItemCreate(name=" ", config_type_id=type_id), "name"),
        (ConfigItemCreate(name="x" * 301, config_type_id=type_id), "name"),
        (ConfigItemCreate(name="A", config_type_id=999999), "config_type_id"),
        (ConfigItemCreate(name="A", config_type_id=type_id, asset_model="m" * 65), "asset_model"),
    ):
        with pytest.raises(Invalid) as info:
            async with db.unit_of_work() as session:
                await service.create_config_item(session, SYSTEM, data)
        assert info.value.field == field
    assert await count(db, ConfigItem) == 0


async def test_update_merges_attributes_and_bumps_the_version(db: Database) -> None:
    type_id = await _type(
        db,
        [
            AttributeDefinition(name="Serial", required=True),
            AttributeDefinition(name="Owner", field_type=CustomFieldType.EMAIL),
            AttributeDefinition(name="Rack", field_type=CustomFieldType.NUMBER),
        ],
    )
    item = await _item(db, type_id, {"Serial": "SN-1", "Owner": "a@example.com"})
    with sql_statements(db) as statements:
        async with db.unit_of_work() as session:
            updated = await service.update_config_item(
                session,
                SYSTEM,
                item.id,
                ConfigItemUpdate(attributes={"rack": "4", "owner": None}),
            )
    assert updated.attributes == {"Serial": "SN-1", "Rack": 4}
    assert updated.version == 2
    (update,) = [s for s in statements if s.lstrip().upper().startswith("UPDATE CONFIG_ITEM")]
    assert "attributes" in update and "version" in update and "name" not in update
    (event,) = await events(db, "config_item.updated")
    assert event.before == {"attributes": {"Serial": "SN-1", "Owner": "a@example.com"}}
    assert event.after == {"attributes": {"Serial": "SN-1", "Rack": 4}}
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.update_config_item(
                session, SYSTEM, item.id, ConfigItemUpdate(attributes={"Serial": None})
            )
    async with db.unit_of_work() as session:
        same = await service.update_config_item(
            session, SYSTEM, item.id, ConfigItemUpdate(attributes={"Rack": 4}, name="Item")
        )
        assert same.version == 2
        renamed = await service.update_config_item(
            session, SYSTEM, item.id, ConfigItemUpdate(name="Renamed", description="d")
        )
        assert renamed.version == 3
    assert len(await events(db, "config_item.updated")) == 2


async def test_changing_the_type_rechecks_the_values(db: Database) -> None:
    server = await _type(db, [AttributeDefinition(name="Serial")], name="Server")
    switch = await _type(
        db, [AttributeDefinition(name="Ports", field_type=CustomFieldType.NUMBER)], name="Switch"
    )
    item = await _item(db, server, {"Serial": "SN-1"})
    with pytest.raises(Invalid) as info:
        async with db.unit_of_work() as session:
            await service.update_config_item(
                session, SYSTEM, item.id, ConfigItemUpdate(config_type_id=switch)
            )
    assert info.value.field == "attributes.Serial"
    for data in (ConfigItemUpdate(config_type_id=999999), ConfigItemUpdate(config_type_id=None)):
        with pytest.raises(Invalid):
            async with db.unit_of_work() as session:
                await service.update_config_item(session, SYSTEM, item.id, data)
    async with db.unit_of_work() as session:
        moved = await service.update_config_item(
            session,
            SYSTEM,
            item.id,
            ConfigItemUpdate(config_type_id=switch, attributes={"Serial": None, "Ports": 48}),
        )
    assert (moved.config_type_id, moved.attributes) == (switch, {"Ports": 48})


async def test_a_changed_definition_is_enforced_on_the_next_write(db: Database) -> None:
    type_id = await _type(db, [AttributeDefinition(name="Serial")])
    item = await _item(db, type_id, {})
    async with db.unit_of_work() as session:
        await service.update_config_type(
            session,
            SYSTEM,
            type_id,
            ConfigTypeUpdate(attributes=[AttributeDefinition(name="Serial", required=True)]),
        )
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.update_config_item(
                session, SYSTEM, item.id, ConfigItemUpdate(attributes={})
            )
    async with db.unit_of_work() as session:
        fixed = await service.update_config_item(
            session, SYSTEM, item.id, ConfigItemUpdate(attributes={"Serial": "SN"})
        )
        assert fixed.attributes == {"Serial": "SN"}


async def test_get_list_delete(db: Database) -> None:
    server = await _type(db, [], name="Server")
    switch = await _type(db, [], name="Switch")
    async with db.unit_of_work() as session:
        items = [
            await service.create_config_item(
                session, SYSTEM, ConfigItemCreate(name=name, config_type_id=type_id)
            )
            for name, type_id in (("web-01", server), ("web-02", server), ("core", switch))
        ]
    async with db.unit_of_work() as session:
        assert (await service.get_config_item(session, items[0].id)).name == "web-01"
        with pytest.raises(NotFound):
            await service.get_config_item(session, 999999)
        rows, total = await service.list_config_items(session)
        assert total == 3 and [i.id for i in rows] == [i.id for i in items]
        rows, total = await service.list_config_items(session, config_type_id=server)
        assert total == 2
        rows, total = await service.list_config_items(session, query="WEB-0", limit=1)
        assert total == 2 and len(rows) == 1
        found = await service.config_items_by_ids(session, [items[2].id, 999999])
        assert list(found) == [items[2].id]
        await service.delete_config_item(session, SYSTEM, items[2].id)
    assert await count(db, ConfigItem) == 2
    (event,) = await events(db, "config_item.deleted")
    assert event.object_id == items[2].id
    assert event.before is not None and event.before["name"] == "core"


async def test_only_staff_manage_items(db: Database) -> None:
    type_id = await _type(db, [])
    item = await _item(db, type_id, {})
    async with db.unit_of_work() as session:
        requester = await make_requester(session)
    actor = actor_for(requester)
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.create_config_item(
                session, actor, ConfigItemCreate(name="Mine", config_type_id=type_id)
            )
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.update_config_item(session, actor, item.id, ConfigItemUpdate(name="X"))
    with pytest.raises(Forbidden):
        async with db.unit_of_work() as session:
            await service.delete_config_item(session, actor, item.id)
    assert await count(db, ConfigItem) == 1


async def test_a_failed_call_rolls_back_the_whole_unit_of_work(db: Database) -> None:
    type_id = await _type(db, [AttributeDefinition(name="Serial", required=True)])
    with pytest.raises(Invalid):
        async with db.unit_of_work() as session:
            await service.create_config_item(
                session,
                SYSTEM,
                ConfigItemCreate(name="ok", config_type_id=type_id, attributes={"Serial": "1"}),
            )
            await service.create_config_item(
                session, SYSTEM, ConfigItemCreate(name="bad", config_type_id=type_id)
            )
    assert await count(db, ConfigItem) == 0
    assert await events(db, "config_item.created") == []
