"""``GET /api/ususer/form/{module}``: the custom fields with their ids and type codes."""

from __future__ import annotations

import httpx

from polydesk.core.db import Database
from tests.api.serviceops.helpers import assert_error, login, make_reference_data


async def test_form_lists_fields(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    ids = await make_reference_data(db)
    response = await client.get("/api/ususer/form/incident", headers=api.headers)
    assert response.status_code == 200, response.text
    form = response.json()
    assert form["module"] == "incident"
    by_name = {f["name"]: f for f in form["fields"]}
    assert by_name["New Dropdown"] == {
        "id": ids["New Dropdown"],
        "name": "New Dropdown",
        "label": "New Dropdown",
        "type": 1,
        "typeName": "STRING",
        "valueMember": "stringValue",
        "fieldType": "list",
        "required": False,
        "options": ["1", "2", "3"],
        "helpText": None,
    }
    assert by_name["New Number"]["type"] == 5
    assert by_name["New Decimal"]["valueMember"] == "doubleValue"
    assert by_name["New Text Area"]["type"] == 10
    assert by_name["New Checkbox"]["type"] == 4
    # The request module is the incidents' form too; other kinds have none defined here.
    assert (await client.get("/api/ususer/form/Request", headers=api.headers)).json()[
        "fields"
    ] == form["fields"]
    empty = await client.get("/api/ususer/form/change", headers=api.headers)
    assert empty.json() == {"module": "change", "fields": []}


async def test_form_refusals(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    assert_error(await client.get("/api/ususer/form/incident"), 401)
    assert_error(
        await client.get("/api/ususer/form/widgets", headers=api.headers), 404, field="module"
    )
