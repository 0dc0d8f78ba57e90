"""G2 changes, problems and releases over HTTP: create, get, update, delete, search, and the
refusals (unknown names, invalid enumerations, missing or reversed dates, unknown ids)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from polydesk.core.db import Database
from tests.api.serviceops.helpers import Api, assert_error, login, snapshot
from tests.api.serviceops.test_request import reference_data

START, END = 1756304676767, 1756391076767
CHANGE: dict[str, Any] = {
    "requesterEmail": "tim@acme.com",
    "subject": "Upgrade the mail server",
    "description": "<p>Move to the new version</p>",
    "priorityName": "High",
    "urgencyName": "Medium",
    "impactName": "On Users",
    "riskType": "Low",
    "changeType": "Minor",
    "targetEnvironment": "Production",
    "locationName": "Ahmedabad",
    "departmentName": "IT",
    "tags": ["mail"],
    "assigneeEmail": "tim@acme.com",
    "startDate": START,
    "endDate": END,
}


async def setup(client: httpx.AsyncClient, db: Database) -> Api:
    api = await login(client, db)
    await reference_data(db)
    return api


async def test_change_life(client: httpx.AsyncClient, db: Database) -> None:
    api = await setup(client, db)
    response = await client.post("/api/v1/change", headers=api.headers, json=CHANGE)
    assert response.status_code == 200, response.text
    change = response.json()
    assert change["name"] == "CHG-1"
    assert change["statusName"] == "Open"
    assert change["startDate"] == START and change["endDate"] == END
    assert change["riskType"] == "Low" and change["changeType"] == "Minor"
    assert change["targetEnvironment"] == "Production"
    assert change["impactName"] == "On Users" and change["priorityName"] == "High"
    assert change["description"] == "Move to the new version"
    assert change["assigneeEmail"] == "tim@acme.com"
    assert change["fileAttachments"] == [] and change["customField"] == {}

    got = await client.get(f"/api/v1/change/{change['id']}", headers=api.headers)
    assert got.json() == change

    response = await client.patch(
        f"/api/v1/change/{change['id']}",
        headers=api.headers,
        json={"riskType": "high", "statusName": "Closed", "endDate": END + 1000},
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["riskType"] == "High" and updated["statusName"] == "Closed"
    assert updated["endDate"] == END + 1000 and "lastClosedTime" in updated

    # spec §8.2: search by id not_in [90]
    search = {
        "qualDetails": {
            "type": "FlatQualificationRest",
            "quals": [
                {
                    "type": "RelationalQualificationRest",
                    "leftOperand": {"type": "DbOperandRest", "key": "id"},
                    "operator": "not_in",
                    "rightOperand": {
                        "type": "ValueOperandRest",
                        "value": {"type": "ListLongValueRest", "value": [90]},
                    },
                }
            ],
        }
    }
    found = await client.post("/api/v1/change/search/byqual", headers=api.headers, json=search)
    assert found.status_code == 200, found.text
    assert found.json()["totalCount"] == 1
    assert found.json()["objectList"][0]["name"] == "CHG-1"

    response = await client.delete(f"/api/v1/change/{change['id']}", headers=api.headers)
    assert response.status_code == 200 and response.json()["id"] == change["id"]
    assert_error(await client.get(f"/api/v1/change/{change['id']}", headers=api.headers), 404)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"riskType": "Extreme"}, "riskType"),
        ({"changeType": "Tiny"}, "changeType"),
        ({"targetEnvironment": "Moon"}, "targetEnvironment"),
        ({"startDate": "tomorrow"}, "startDate"),
        ({"startDate": None}, "startDate"),
        ({"endDate": START - 1}, "endDate"),
        ({"startDate": -5}, "startDate"),
        ({"locationName": "Mars"}, "locationName"),
        ({"statusName": "Sleeping"}, "statusName"),
        ({"impactName": "Huge"}, "impactName"),
    ],
)
async def test_invalid_change_is_400_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, change: dict[str, Any], field: str
) -> None:
    api = await setup(client, db)
    before = await snapshot(db)
    body = {k: v for k, v in {**CHANGE, **change}.items()}
    assert_error(
        await client.post("/api/v1/change", headers=api.headers, json=body), 400, field=field
    )
    assert await snapshot(db) == before


async def test_missing_dates_and_requester(client: httpx.AsyncClient, db: Database) -> None:
    api = await setup(client, db)
    before = await snapshot(db)
    for key in ("startDate", "endDate", "requesterEmail", "subject"):
        body = {k: v for k, v in CHANGE.items() if k != key}
        assert_error(
            await client.post("/api/v1/change", headers=api.headers, json=body), 400, field=key
        )
    assert await snapshot(db) == before


@pytest.mark.parametrize(("module", "prefix"), [("problem", "PRB"), ("release", "REL")])
async def test_problem_and_release_life(
    client: httpx.AsyncClient, db: Database, module: str, prefix: str
) -> None:
    api = await setup(client, db)
    extra: dict[str, Any] = (
        {"rootCause": "Disk full", "workaround": "Delete logs", "knownError": True}
        if module == "problem"
        else {"startDate": START, "endDate": END, "releaseType": "Minor"}
    )
    response = await client.post(
        f"/api/v1/{module}",
        headers=api.headers,
        json={"subject": "Mail down", "priorityName": "Urgent", **extra},
    )
    assert response.status_code == 200, response.text
    created = response.json()
    assert created["name"] == f"{prefix}-1" and created["priorityName"] == "Urgent"
    for key, value in extra.items():
        assert created[key] == value
    assert "requesterEmail" not in created

    response = await client.patch(
        f"/api/v1/{module}/{created['id']}",
        headers=api.headers,
        json={"statusName": "Resolved", "subject": "Mail was down"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["statusName"] == "Resolved"
    assert "resolvedTime" in response.json()

    found = await client.post(
        f"/api/v1/{module}/search/byqual?offset=0&size=5&sort_by=-createdTime",
        headers=api.headers,
        json={
            "qualDetails": {
                "type": "FlatQualificationRest",
                "quals": [
                    {
                        "type": "RelationalQualificationRest",
                        "leftOperand": {"type": "PropertyOperandRest", "key": f"{module}.subject"},
                        "operator": "Contains",
                        "rightOperand": {
                            "type": "ValueOperandRest",
                            "value": {"type": "StringValueRest", "value": "was down"},
                        },
                    }
                ],
            }
        },
    )
    assert found.status_code == 200, found.text
    assert [t["id"] for t in found.json()["objectList"]] == [created["id"]]

    # the other kinds' ids are 404 here, and the record is not a request
    assert_error(await client.get(f"/api/v1/request/{created['id']}", headers=api.headers), 404)
    other = "release" if module == "problem" else "problem"
    assert_error(await client.get(f"/api/v1/{other}/{created['id']}", headers=api.headers), 404)

    before = await snapshot(db)
    assert_error(
        await client.patch(
            f"/api/v1/{module}/{created['id']}", headers=api.headers, json={"subject": ""}
        ),
        400,
        field="subject",
    )
    assert_error(await client.patch(f"/api/v1/{module}/999999", headers=api.headers, json={}), 404)
    assert_error(await client.post(f"/api/v1/{module}", headers=api.headers, json={}), 400)
    assert_error(await client.get(f"/api/v1/{module}/1", headers={}), 401)
    assert await snapshot(db) == before

    response = await client.delete(f"/api/v1/{module}/{created['id']}", headers=api.headers)
    assert response.status_code == 200
