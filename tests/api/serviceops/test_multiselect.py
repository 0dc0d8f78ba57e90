"""Multi-choice custom fields over both ServiceOps generations: string arrays in G2's
``customField``, type 8 (STRING LIST, ``stringListValue``) in G1's ``customFieldValueDetails``,
epoch milliseconds for date-times, and the type shown by the form listing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Channel, CustomFieldType, RecordKind
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.custom_fields.schemas import CustomFieldCreate
from tests.api.serviceops.helpers import Api, assert_error, login, snapshot

SYSTEM = Actor.system(Channel.CLI)
FIELDS = (
    ("New Multi-Select Dropdown", CustomFieldType.MULTISELECT, ["A", "B", "C"]),
    ("New Checkbox", CustomFieldType.MULTISELECT, ["A", "B", "C"]),
    ("New Datetime", CustomFieldType.DATETIME, None),
    ("New Radio", CustomFieldType.LIST, ["A", "B", "C"]),
    ("New Text Input", CustomFieldType.TEXT, None),
)
MULTI = "New Multi-Select Dropdown"


async def setup(client: httpx.AsyncClient, db: Database) -> tuple[Api, dict[str, int]]:
    api = await login(client, db)
    ids: dict[str, int] = {}
    async with db.unit_of_work() as session:
        for name, field_type, choices in FIELDS:
            field = await custom_fields.define_field(
                session,
                SYSTEM,
                CustomFieldCreate(
                    kind=RecordKind.INCIDENT, name=name, field_type=field_type, choices=choices
                ),
            )
            ids[name] = field.id
    return api, ids


def request_body(custom: dict[str, Any]) -> dict[str, Any]:
    return {"subject": "Multi", "requesterEmail": "tim@acme.com", "customField": custom}


async def test_g2_string_arrays_round_trip(client: httpx.AsyncClient, db: Database) -> None:
    api, _ids = await setup(client, db)
    response = await client.post(
        "/api/v1/request",
        headers=api.headers,
        json=request_body(
            {MULTI: ["A", "C"], "New Checkbox": ["C", "B"], "New Datetime": 1756304676767}
        ),
    )
    assert response.status_code == 200, response.text
    created = response.json()
    assert created["customField"] == {
        MULTI: ["A", "C"],
        "New Checkbox": ["C", "B"],  # the order sent
        "New Datetime": 1756304676767,
        "New Radio": "",
        "New Text Input": "",
    }
    record_id = created["id"]
    got = await client.get(f"/api/v1/request/{record_id}", headers=api.headers)
    assert got.json()["customField"] == created["customField"]

    # An empty array clears; a new array replaces; a single choice is a list of one.
    response = await client.patch(
        f"/api/v1/request/{record_id}",
        headers=api.headers,
        json={"customField": {MULTI: [], "New Checkbox": "a", "New Radio": "B"}},
    )
    assert response.status_code == 200, response.text
    custom = response.json()["customField"]
    assert custom[MULTI] == [] and custom["New Checkbox"] == ["A"] and custom["New Radio"] == "B"
    async with db.unit_of_work() as session:
        values = await custom_fields.values_for(session, [record_id])
    assert values[record_id]["new_checkbox"] == ["A"]
    assert "new_multi_select_dropdown" not in values[record_id]

    # The Power BI search shows the arrays too.
    page = await client.post("/api/v1/request/search/byqual", headers=api.headers, json={})
    (item,) = page.json()["objectList"]
    assert item["customField"]["New Checkbox"] == ["A"]


@pytest.mark.parametrize(
    ("custom", "field", "contains"),
    [
        ({MULTI: ["A", "D"]}, f"customField.{MULTI}", "'D'"),
        ({MULTI: ["A", "a"]}, f"customField.{MULTI}", "twice"),
        ({MULTI: ["A", None]}, f"customField.{MULTI}", "None"),
        ({MULTI: {"A": True}}, f"customField.{MULTI}", "an array of choice names"),
        ({"New Radio": ["A", "B"]}, "customField.New Radio", ""),
        ({"New Text Input": ["x"]}, "customField.New Text Input", ""),
        ({"New Datetime": [1756304676767]}, "customField.New Datetime", ""),
    ],
)
async def test_g2_refusals_name_the_field_and_change_nothing(
    client: httpx.AsyncClient, db: Database, custom: dict[str, Any], field: str, contains: str
) -> None:
    api, _ids = await setup(client, db)
    before = await snapshot(db)
    response = await client.post("/api/v1/request", headers=api.headers, json=request_body(custom))
    assert_error(response, 400, field=field, contains=contains)
    assert await snapshot(db) == before


async def test_g1_string_list_values(client: httpx.AsyncClient, db: Database) -> None:
    api, ids = await setup(client, db)
    multi, checkbox, moment = (str(ids[n]) for n in (MULTI, "New Checkbox", "New Datetime"))
    response = await client.post(
        "/api/v1/incident",
        headers=api.headers,
        json={
            "subject": "Multi",
            "requesterEmail": "tim@acme.com",
            "customFieldValueDetails": {
                multi: {"type": 8, "stringListValue": ["A", "C"]},
                checkbox: {"type": 8, "stringListValue": ["C", "B"]},
                moment: {"type": 5, "longValue": 1756304676767},
            },
        },
    )
    assert response.status_code == 200, response.text
    incident_id = response.json()["id"]
    read = (await client.get(f"/api/v1/incident/{incident_id}", headers=api.headers)).json()
    assert read["customFieldValueDetails"] == {
        multi: {"type": 8, "stringListValue": ["A", "C"]},
        checkbox: {"type": 8, "stringListValue": ["C", "B"]},
        moment: {"type": 5, "longValue": 1756304676767},
    }
    # The same record through G2.
    g2 = (await client.get(f"/api/v1/request/{incident_id}", headers=api.headers)).json()
    assert g2["customField"][MULTI] == ["A", "C"]

    # An empty list clears; a null clears.
    response = await client.post(
        f"/api/v1/incident/{incident_id}",
        headers=api.headers,
        json={
            "customFieldValueDetails": {
                multi: {"type": 8, "stringListValue": []},
                checkbox: {"type": 8, "stringListValue": None},
            }
        },
    )
    assert response.status_code == 200, response.text
    read = (await client.get(f"/api/v1/incident/{incident_id}", headers=api.headers)).json()
    assert read["customFieldValueDetails"] == {moment: {"type": 5, "longValue": 1756304676767}}


async def test_g1_refusal_names_the_field_id(client: httpx.AsyncClient, db: Database) -> None:
    api, ids = await setup(client, db)
    before = await snapshot(db)
    multi = str(ids[MULTI])
    response = await client.post(
        "/api/v1/incident",
        headers=api.headers,
        json={
            "subject": "Multi",
            "requesterEmail": "tim@acme.com",
            "customFieldValueDetails": {multi: {"type": 8, "stringListValue": ["B", "Z"]}},
        },
    )
    assert_error(response, 400, field=f"customFieldValueDetails.{multi}", contains="'Z'")
    assert await snapshot(db) == before


async def test_form_shows_string_list_type(client: httpx.AsyncClient, db: Database) -> None:
    api, ids = await setup(client, db)
    response = await client.get("/api/ususer/form/incident", headers=api.headers)
    assert response.status_code == 200, response.text
    by_name = {f["name"]: f for f in response.json()["fields"]}
    assert by_name[MULTI] == {
        "id": ids[MULTI],
        "name": MULTI,
        "label": MULTI,
        "type": 8,
        "typeName": "STRING LIST",
        "valueMember": "stringListValue",
        "fieldType": "multiselect",
        "required": False,
        "options": ["A", "B", "C"],
        "helpText": None,
    }
    assert by_name["New Datetime"]["type"] == 5
    assert by_name["New Datetime"]["valueMember"] == "longValue"
    assert by_name["New Radio"]["type"] == 1 and by_name["New Radio"]["options"] == ["A", "B", "C"]
