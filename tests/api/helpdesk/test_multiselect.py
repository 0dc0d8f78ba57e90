"""A multi-choice (``multiselect``) custom field through django-helpdesk: ``custom_<slug>``
reads and writes a list of choices (a JSON array, or a repeated form field)."""

from __future__ import annotations

import httpx

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import CustomFieldType, RecordKind
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.custom_fields.schemas import CustomFieldCreate
from polydesk.domains.records import service as records
from polydesk.domains.records.schemas import RecordUpdate
from tests.api.helpdesk.conftest import World, counts, create_ticket


async def _define(db: Database) -> None:
    async with db.unit_of_work() as session:
        for name, field_type, choices in (
            ("New Multi-Select Dropdown", CustomFieldType.MULTISELECT, ["A", "B", "C"]),
            ("New Radio", CustomFieldType.LIST, ["A", "B", "C"]),
        ):
            await custom_fields.define_field(
                session,
                Actor.system(),
                CustomFieldCreate(
                    kind=RecordKind.INCIDENT, name=name, field_type=field_type, choices=choices
                ),
            )


async def test_json_lists_round_trip(client: httpx.AsyncClient, world: World, db: Database) -> None:
    await _define(db)
    ticket = await create_ticket(client, world, custom_new_multi_select_dropdown=["C", "A", "C"])
    assert ticket["custom_new_multi_select_dropdown"] == ["C", "A"]  # repeats collapse
    assert ticket["custom_new_radio"] is None
    again = await client.get(f"/api/tickets/{ticket['id']}/", auth=world.staff_auth)
    assert again.json()["custom_new_multi_select_dropdown"] == ["C", "A"]
    listing = await client.get("/api/tickets/", auth=world.staff_auth)
    assert listing.status_code == 200
    (item,) = [t for t in listing.json()["results"] if t["id"] == ticket["id"]]
    assert item["custom_new_multi_select_dropdown"] == ["C", "A"]

    cleared = await client.patch(
        f"/api/tickets/{ticket['id']}/",
        json={"custom_new_multi_select_dropdown": []},
        auth=world.staff_auth,
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["custom_new_multi_select_dropdown"] is None


async def test_repeated_form_fields(client: httpx.AsyncClient, world: World, db: Database) -> None:
    await _define(db)
    response = await client.post(
        "/api/tickets/",
        data={
            "queue": str(world.queue_id),
            "title": "Form",
            "description": "d",
            "submitter_email": "test@mail.com",
            "priority": "3",
            "custom_new_multi_select_dropdown": ["B", "A"],
        },
        auth=world.staff_auth,
    )
    assert response.status_code == 201, response.text
    assert response.json()["custom_new_multi_select_dropdown"] == ["B", "A"]


async def test_a_value_written_elsewhere_renders_as_a_list(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    """A record whose multi-choice value was set through another dialect (here the core)."""
    await _define(db)
    ticket = await create_ticket(client, world)
    async with db.unit_of_work() as session:
        await records.update_record(
            session,
            Actor.system(),
            int(str(ticket["id"])),
            RecordUpdate(custom_fields={"New Multi-Select Dropdown": ["A", "C"]}),
        )
    got = await client.get(f"/api/tickets/{ticket['id']}/", auth=world.staff_auth)
    assert got.status_code == 200
    assert got.json()["custom_new_multi_select_dropdown"] == ["A", "C"]


async def test_errors(client: httpx.AsyncClient, world: World, db: Database) -> None:
    await _define(db)
    before = await counts(db)
    for value, message in (
        (["A", "Z"], '"Z" is not a valid choice.'),
        ("A", 'Expected a list of items but got type "str".'),
        ({"A": 1}, 'Expected a list of items but got type "dict".'),
    ):
        response = await client.post(
            "/api/tickets/",
            json={
                "queue": world.queue_id,
                "title": "t",
                "description": "d",
                "priority": 3,
                "custom_new_multi_select_dropdown": value,
            },
            auth=world.staff_auth,
        )
        assert response.status_code == 400, response.text
        assert response.json() == {"custom_new_multi_select_dropdown": [message]}
    assert await counts(db) == before


async def test_options_and_openapi_describe_the_field(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    await _define(db)
    options = await client.options("/api/tickets/", auth=world.staff_auth)
    assert options.status_code == 200
    meta = options.json()["actions"]["POST"]["custom_new_multi_select_dropdown"]
    assert meta["type"] == "multiple choice"
    assert [c["value"] for c in meta["choices"]] == ["A", "B", "C"]
    document = (await client.get("/api/openapi.json")).json()
    schemas = document["components"]["schemas"]
    found = [
        s["properties"]["custom_new_multi_select_dropdown"]
        for s in schemas.values()
        if "custom_new_multi_select_dropdown" in s.get("properties", {})
    ]
    assert found
    assert any("array" in repr(schema) for schema in found)
