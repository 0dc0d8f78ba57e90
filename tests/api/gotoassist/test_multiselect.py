"""A record holding a multi-choice (``multiselect``) custom value: GoToAssist shows it in
``additional_values`` as an array of choice names (JSON and XML), and takes one on write."""

from __future__ import annotations

from xml.etree.ElementTree import fromstring

from polydesk.core.actor import Actor
from polydesk.core.enums import CustomFieldType, RecordKind
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.custom_fields.schemas import CustomFieldCreate
from tests.api.gotoassist.conftest import Desk, failed

MULTI = "New Multi-Select Dropdown"


async def _define(desk: Desk) -> None:
    async with desk.db.unit_of_work() as session:
        await custom_fields.define_field(
            session,
            Actor.system(),
            CustomFieldCreate(
                kind=RecordKind.INCIDENT,
                name=MULTI,
                field_type=CustomFieldType.MULTISELECT,
                choices=["A", "B", "C"],
            ),
        )


async def test_multi_choice_values_show_as_arrays(desk: Desk) -> None:
    await _define(desk)
    body = {
        "incident": {
            "title": "Multi",
            "service_id": str(desk.service.id),
            "additional_values": {MULTI: ["C", "A"]},
        }
    }
    created = (await desk.ok(await desk.post("/v1/incidents.json", body)))["incident"]
    shown = await desk.ok(await desk.get(f"/v1/incidents/{created['id']}.json"))
    assert shown["incident"]["additional_values"] == {MULTI: ["C", "A"]}

    xml = await desk.get(f"/v1/incidents/{created['id']}.xml")
    assert xml.status_code == 200, xml.text
    root = fromstring(xml.content)
    assert root.findtext("status") == "Success"
    arrays = [
        [item.text for item in element]
        for element in root.iter()
        if element.get("type") == "array" and [item.text for item in element] == ["C", "A"]
    ]
    assert arrays, xml.text

    listed = await desk.ok(await desk.get("/v1/incidents.json"))
    assert listed["incidents"][0]["id"] == created["id"]

    updated = await desk.put(
        f"/v1/incidents/{created['id']}.json",
        {"incident": {"additional_values": {MULTI: []}}},
    )
    await desk.ok(updated)
    shown = await desk.ok(await desk.get(f"/v1/incidents/{created['id']}.json"))
    assert shown["incident"]["additional_values"] == {}


async def test_a_bad_choice_is_refused(desk: Desk) -> None:
    await _define(desk)
    body = {
        "incident": {
            "title": "Multi",
            "service_id": str(desk.service.id),
            "additional_values": {MULTI: ["A", "Z"]},
        }
    }
    errors = failed(await desk.post("/v1/incidents.json", body))
    assert any("'Z'" in e for e in errors), errors
