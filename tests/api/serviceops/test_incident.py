"""G1 incident API over HTTP: create, get, update, delete, and every refusal."""

from __future__ import annotations

import httpx

from polydesk.core.db import Database
from tests.api.serviceops.helpers import assert_error, login, snapshot


async def test_create_get_update_delete(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    response = await client.post(
        "/api/v1/incident",
        headers=api.headers,
        json={
            "tags": ["mouse"],
            "subject": "Need a new keyboard",
            "description": "Need a wireless keyboard",
            "requesterEmail": "jane@acme.com",
            "requesterName": "Jane Roe",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["returnCode"] == "SUCCESS" and body["status"] == 0 and body["userMessage"] is None
    incident_id = body["id"]

    response = await client.get(f"/api/incident/{incident_id}", headers=api.headers)
    assert response.status_code == 200, response.text
    read = response.json()
    assert read["subject"] == "Need a new keyboard"
    assert read["requesterEmail"] == "jane@acme.com"
    assert read["requesterName"] == "Jane Roe"
    assert read["priority"] == "LOW" and read["impact"] == "LOW" and read["urgency"] == "LOW"
    assert read["status"] == "Open"
    assert read["tags"] == ["mouse"]
    assert read["fileAttachments"] is None
    assert read["customFieldValueDetails"] == {}

    response = await client.post(
        f"/api/incident/{incident_id}", headers=api.headers, json={"status": "Resolved"}
    )
    assert response.json() == {
        "returnCode": "SUCCESS",
        "status": 0,
        "userMessage": None,
        "id": incident_id,
    }
    read = (await client.get(f"/api/v1/incident/{incident_id}", headers=api.headers)).json()
    assert read["status"] == "Resolved"

    response = await client.delete(f"/api/v1/incident/{incident_id}", headers=api.headers)
    assert response.status_code == 200
    response = await client.get(f"/api/v1/incident/{incident_id}", headers=api.headers)
    assert_error(response, 404)


async def test_unknown_location_changes_nothing(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    before = await snapshot(db)
    response = await client.post(
        "/api/v1/incident",
        headers=api.headers,
        json={"subject": "x", "requesterEmail": "new@acme.com", "locationName": "Mars"},
    )
    assert_error(response, 400, field="locationName", contains="Location Must Exist")
    assert await snapshot(db) == before
