"""Configuration: top-level config types, one config type, relationship types, config items
shown, created (also under their type) and updated, with attributes and relationships;
errors that change nothing."""

from __future__ import annotations

from dataclasses import dataclass

from polydesk.core.actor import Actor
from polydesk.core.enums import CustomFieldType, RecordKind
from polydesk.domains.configuration import service as configuration
from polydesk.domains.configuration.enums import RelationshipStrength
from polydesk.domains.configuration.schemas import (
    AttributeDefinition,
    ConfigItemCreate,
    ConfigTypeCreate,
    RelationshipTypeCreate,
)
from polydesk.domains.links import service as links
from tests.api.gotoassist.conftest import Desk, failed
from tests.factories import make_record


@dataclass
class Cmdb:
    hardware: int
    laptop: int
    software: int
    depends: int
    server: int


async def _cmdb(desk: Desk) -> Cmdb:
    actor = Actor.system()
    async with desk.db.unit_of_work() as session:
        hardware = await configuration.create_config_type(
            session, actor, ConfigTypeCreate(name="Hardware", description="Things")
        )
        laptop = await configuration.create_config_type(
            session,
            actor,
            ConfigTypeCreate(
                name="Laptop",
                parent_id=hardware.id,
                attributes=[
                    AttributeDefinition(name="Serial", required=True),
                    AttributeDefinition(name="RAM", field_type=CustomFieldType.NUMBER),
                ],
            ),
        )
        software = await configuration.create_config_type(
            session, actor, ConfigTypeCreate(name="Software")
        )
        depends = await configuration.create_relationship_type(
            session,
            actor,
            RelationshipTypeCreate(
                name="depends on", reverse_name="is needed by", strength=RelationshipStrength.HARD
            ),
        )
        server = await configuration.create_config_item(
            session, actor, ConfigItemCreate(name="Server", config_type_id=software.id)
        )
    return Cmdb(hardware.id, laptop.id, software.id, depends.id, server.id)


async def _items(desk: Desk) -> int:
    async with desk.db.unit_of_work() as session:
        return (await configuration.list_config_items(session))[1]


async def test_config_types_and_relationship_types(desk: Desk) -> None:
    cmdb = await _cmdb(desk)
    top = await desk.ok(await desk.get("/v1/config_types.json"))
    assert top["config_types"] == [
        {
            "id": cmdb.hardware,
            "name": "Hardware",
            "description": "Things",
            "parent_id": None,
            "has_children": True,
            "config_type_link": f"/v1/config_types/{cmdb.hardware}",
        },
        {
            "id": cmdb.software,
            "name": "Software",
            "description": None,
            "parent_id": None,
            "has_children": False,
            "config_type_link": f"/v1/config_types/{cmdb.software}",
        },
    ]
    laptop = (await desk.ok(await desk.get(f"/v1/config_types/{cmdb.laptop}.json")))["config_type"]
    assert laptop["parent"]["id"] == cmdb.hardware
    assert laptop["attributes"][0] == {
        "attribute": {
            "id": 1,
            "name": "Serial",
            "field_type": "text",
            "required": True,
            "choices": None,
        }
    }
    hardware = (await desk.ok(await desk.get(f"/v1/config_type/{cmdb.hardware}")))["config_type"]
    assert hardware["child_types"] == [
        {
            "config_type": {
                "id": cmdb.laptop,
                "name": "Laptop",
                "config_type_link": f"/v1/config_types/{cmdb.laptop}",
            }
        }
    ]
    software = (await desk.ok(await desk.get(f"/v1/config_types/{cmdb.software}.json")))[
        "config_type"
    ]
    assert software["config_items_count"] == 1
    assert software["config_items"][0]["config_item"]["id"] == cmdb.server

    kinds = await desk.ok(await desk.get("/v1/config_relationship_types.json"))
    assert kinds["config_relationship_types"] == [
        {
            "id": cmdb.depends,
            "name": "depends on",
            "reverse_name": "is needed by",
            "strength": "hard",
            "config_relationship_type_link": f"/v1/config_relationship_types/{cmdb.depends}",
        }
    ]
    assert failed(await desk.get("/v1/config_types/999999.json")) == ["no config type found"]


async def test_create_show_update_config_item(desk: Desk) -> None:
    cmdb = await _cmdb(desk)
    body = {
        "config_item": {
            "name": "Laptop 7",
            "config_type_id": str(cmdb.laptop),
            "attributes": {"serial": "SN-1", "RAM": "16"},
            "relationships": [
                {"config_relationship_type_id": cmdb.depends, "related_config_item_id": cmdb.server}
            ],
        }
    }
    item = (await desk.ok(await desk.post("/v1/config_items.json", body)))["config_item"]
    assert item["name"] == "Laptop 7"
    assert item["config_type"]["name"] == "Laptop"
    assert item["attributes"] == {"Serial": "SN-1", "RAM": 16}
    assert item["config_item_link"] == f"/v1/config_items/{item['id']}"
    relationship = item["relationships"][0]["relationship"]
    assert relationship["name"] == "depends on"
    assert relationship["direction"] == "outgoing"
    assert relationship["related_config_item"]["id"] == cmdb.server
    assert (item["incidents"], item["watches"]) == ([], [])

    # Seen from the other end, with the reverse name.
    server = (await desk.ok(await desk.get(f"/v1/config_items/{cmdb.server}.json")))["config_item"]
    assert server["relationships"][0]["relationship"]["name"] == "is needed by"

    # Re-sending what Show answered works and adds nothing.
    resent = await desk.ok(
        await desk.put(f"/v1/config_items/{item['id']}.json", {"config_item": item})
    )
    assert len(resent["config_item"]["relationships"]) == 1
    updated = await desk.ok(
        await desk.put(
            f"/external_api/v1/configuration_items/{item['id']}.json",
            {"config_item": {"description": "Dan's", "attributes": {"RAM": None}}},
        )
    )
    assert updated["config_item"]["description"] == "Dan's"
    assert updated["config_item"]["attributes"] == {"Serial": "SN-1"}
    assert updated["config_item"]["config_item_link"].startswith("/external_api/v1/config_items/")
    assert updated["config_item"]["version"] == 2

    typed = await desk.ok(
        await desk.post(
            f"/v1/config_types/{cmdb.software}/config_items.json", {"config_item": {"name": "DB"}}
        )
    )
    assert typed["config_item"]["config_type_id"] == cmdb.software


async def test_config_item_lists_linked_records(desk: Desk) -> None:
    cmdb = await _cmdb(desk)
    async with desk.db.unit_of_work() as session:
        record = await make_record(session, kind=RecordKind.CHANGE, service_id=desk.service.id)
        await links.link_config_item(session, Actor.system(), record.id, cmdb.server)
    server = (await desk.ok(await desk.get(f"/v1/config_items/{cmdb.server}.json")))["config_item"]
    assert server["changes"] == [
        {"change_id": record.id, "change_link": f"/v1/changes/{record.id}"}
    ]


async def test_config_item_errors_change_nothing(desk: Desk) -> None:
    cmdb = await _cmdb(desk)
    path = "/v1/config_items.json"
    assert failed(await desk.post(path, {"config_item": {"config_type_id": cmdb.laptop}})) == [
        "name can't be blank"
    ]
    assert failed(await desk.post(path, {"config_item": {"name": "x"}})) == [
        "config_type_id can't be blank"
    ]
    assert failed(
        await desk.post(path, {"config_item": {"name": "x", "config_type_id": 999999}})
    ) == ["no config type found"]
    missing = failed(
        await desk.post(path, {"config_item": {"name": "x", "config_type_id": cmdb.laptop}})
    )
    assert "required" in missing[0]
    assert failed(
        await desk.post(
            path,
            {
                "config_item": {
                    "name": "x",
                    "config_type_id": cmdb.laptop,
                    "attributes": {"Serial": "1", "RAM": "lots"},
                }
            },
        )
    )
    assert failed(
        await desk.post(
            path,
            {
                "config_item": {
                    "name": "x",
                    "config_type_id": cmdb.software,
                    "attributes": {"Colour": "red"},
                }
            },
        )
    )
    # A bad relationship undoes the item created before it.
    assert failed(
        await desk.post(
            path,
            {
                "config_item": {
                    "name": "x",
                    "config_type_id": cmdb.software,
                    "relationships": [
                        {
                            "config_relationship_type_id": cmdb.depends,
                            "related_config_item_id": 999999,
                        }
                    ],
                }
            },
        )
    ) == ["no related config item found"]
    assert failed(
        await desk.post(
            path,
            {
                "config_item": {
                    "name": "x",
                    "config_type_id": cmdb.software,
                    "relationships": [
                        {
                            "config_relationship_type_id": 999999,
                            "related_config_item_id": cmdb.server,
                        }
                    ],
                }
            },
        )
    ) == ["no relationship type found"]
    assert failed(await desk.get(f"/v1/config_items/{10**20}.json")) == ["no config item found"]
    assert failed(
        await desk.put("/v1/config_items/999999.json", {"config_item": {"name": "y"}})
    ) == ["no config item found"]
    assert failed(
        await desk.put(f"/v1/config_items/{cmdb.server}.json", {"config_item": {"name": ""}})
    ) == ["name can't be blank"]
    assert failed(await desk.post("/v1/config_types/999999/config_items.json", {"name": "x"})) == [
        "no config type found"
    ]
    # A refused update changes nothing, not even the fields before the bad relationship.
    refused = await desk.put(
        f"/v1/config_items/{cmdb.server}.json",
        {
            "config_item": {
                "description": "changed",
                "relationships": [
                    {
                        "config_relationship_type_id": cmdb.depends,
                        "related_config_item_id": cmdb.server,
                    }
                ],
            }
        },
    )
    assert failed(refused) == ["a config item cannot be related to itself"]
    server = (await desk.ok(await desk.get(f"/v1/config_items/{cmdb.server}.json")))["config_item"]
    assert (server["description"], server["version"]) == (None, 1)
    assert await _items(desk) == 1
