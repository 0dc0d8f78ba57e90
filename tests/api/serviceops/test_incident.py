"""G1 incident API over HTTP: create, get, update, delete, and every refusal (with the
database unchanged)."""

from __future__ import annotations

from typing import Any

import httpx

from polydesk.core.db import Database
from polydesk.core.enums import RecordKind
from tests.api.serviceops.helpers import (
    Api,
    assert_error,
    login,
    make_reference_data,
    snapshot,
)
from tests.factories import make_record


async def _create(client: httpx.AsyncClient, api: Api, **body: Any) -> int:
    payload = {"subject": "Need a new keyboard", "requesterEmail": "tim@acme.com", **body}
    response = await client.post("/api/v1/incident", headers=api.headers, json=payload)
    assert response.status_code == 200, response.text
    envelope = response.json()
    assert envelope["returnCode"] == "SUCCESS"
    assert envelope["status"] == 0
    assert envelope["userMessage"] is None
    assert isinstance(envelope["id"], int)
    return int(envelope["id"])


async def _get(client: httpx.AsyncClient, api: Api, incident_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/v1/incident/{incident_id}", headers=api.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


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
    assert read["description"] == "Need a wireless keyboard"
    assert read["requesterEmail"] == "jane@acme.com"
    assert read["requesterName"] == "Jane Roe"
    assert read["priority"] == "LOW" and read["impact"] == "LOW" and read["urgency"] == "LOW"
    assert read["status"] == "Open"
    assert read["tags"] == ["mouse"]
    assert read["ccEmailSet"] == []
    assert read["spam"] is False
    assert read["categoryName"] is None and read["locationName"] is None
    assert read["fileAttachments"] is None
    assert read["customFieldValueDetails"] == {}
    assert read["name"].startswith("INC-")

    response = await client.post(
        f"/api/incident/{incident_id}", headers=api.headers, json={"status": "Resolved"}
    )
    assert response.json() == {
        "returnCode": "SUCCESS",
        "status": 0,
        "userMessage": None,
        "id": incident_id,
    }
    read = await _get(client, api, incident_id)
    assert read["status"] == "Resolved"
    assert read["subject"] == "Need a new keyboard"

    response = await client.delete(f"/api/v1/incident/{incident_id}", headers=api.headers)
    assert response.status_code == 200
    assert response.json()["id"] == incident_id
    response = await client.get(f"/api/v1/incident/{incident_id}", headers=api.headers)
    assert_error(response, 404, contains=str(incident_id))


async def test_all_fields(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    await make_reference_data(db)
    incident_id = await _create(
        client,
        api,
        categoryName="incident",
        impact="ONDEPARTMENT",
        priority="urgent",
        urgency="HIGH",
        locationName="AHMEDABAD",
        departmentName="it",
        ccEmailSet=["a@b.com"],
        status="in progress",
        spam=True,
    )
    read = await _get(client, api, incident_id)
    assert read["categoryName"] == "Incident"
    assert read["impact"] == "ONDEPARTMENT"
    assert read["priority"] == "URGENT"
    assert read["urgency"] == "HIGH"
    assert read["locationName"] == "Ahmedabad"
    assert read["departmentName"] == "IT"
    assert read["ccEmailSet"] == ["a@b.com"]
    assert read["status"] == "In Progress"
    assert read["spam"] is True
    assert read["requesterName"] == "Tim Cook"

    response = await client.post(
        f"/api/v1/incident/{incident_id}",
        headers=api.headers,
        json={"locationName": None, "tags": ["a", "b"], "priority": "MEDIUM", "spam": False},
    )
    assert response.status_code == 200, response.text
    read = await _get(client, api, incident_id)
    assert read["locationName"] is None
    assert read["tags"] == ["a", "b"]
    assert read["priority"] == "MEDIUM"
    assert read["spam"] is False
    assert read["departmentName"] == "IT"


async def test_custom_fields(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    ids = await make_reference_data(db)
    incident_id = await _create(
        client,
        api,
        customFieldValueDetails={
            str(ids["New Dropdown"]): {"type": 1, "stringValue": "2"},
            str(ids["New Number"]): {"type": 5, "longValue": 110},
            str(ids["New Decimal"]): {"type": 3, "doubleValue": 110.5},
            str(ids["New Text Area"]): {"type": 10, "stringValue": "a11"},
            str(ids["New Text Input"]): {"type": 1, "stringValue": "111"},
            str(ids["New Checkbox"]): {"type": 4, "booleanValue": True},
            str(ids["New Datetime"]): {"type": 5, "longValue": 1756304676767},
            str(ids["New Date"]): {"stringValue": "2026-12-01"},
        },
    )
    values = (await _get(client, api, incident_id))["customFieldValueDetails"]
    assert values == {
        str(ids["New Dropdown"]): {"type": 1, "stringValue": "2"},
        str(ids["New Number"]): {"type": 5, "longValue": 110},
        str(ids["New Decimal"]): {"type": 3, "doubleValue": 110.5},
        str(ids["New Text Area"]): {"type": 10, "stringValue": "a11"},
        str(ids["New Text Input"]): {"type": 1, "stringValue": "111"},
        str(ids["New Checkbox"]): {"type": 4, "booleanValue": True},
        str(ids["New Datetime"]): {"type": 5, "longValue": 1756304676767},
        str(ids["New Date"]): {"type": 1, "stringValue": "2026-12-01"},
    }
    # Update one value and clear another.
    response = await client.post(
        f"/api/v1/incident/{incident_id}",
        headers=api.headers,
        json={
            "customFieldValueDetails": {
                str(ids["New Number"]): {"type": 2, "integerValue": 7},
                str(ids["New Text Input"]): {"type": 1, "stringValue": None},
            }
        },
    )
    assert response.status_code == 200, response.text
    values = (await _get(client, api, incident_id))["customFieldValueDetails"]
    assert values[str(ids["New Number"])] == {"type": 5, "longValue": 7}
    assert str(ids["New Text Input"]) not in values


async def test_custom_field_refusals(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    ids = await make_reference_data(db)
    before = await snapshot(db)
    number = str(ids["New Number"])
    for details, field in (
        ({number: {"type": 5, "longValue": "abc"}}, f"customFieldValueDetails.{number}.longValue"),
        ({number: {"type": 1, "stringValue": "abc"}}, f"customFieldValueDetails.{number}"),
        ({"99999": {"type": 1, "stringValue": "x"}}, "customFieldValueDetails.99999"),
        ({number: {"type": 6, "stringValue": "1"}}, f"customFieldValueDetails.{number}.type"),
        (
            {str(ids["New Dropdown"]): {"type": 1, "stringValue": "9"}},
            f"customFieldValueDetails.{ids['New Dropdown']}",
        ),
    ):
        response = await client.post(
            "/api/v1/incident",
            headers=api.headers,
            json={
                "subject": "x",
                "requesterEmail": "new@acme.com",
                "customFieldValueDetails": details,
            },
        )
        assert_error(response, 400, field=field)
    assert await snapshot(db) == before


async def test_unknown_location_changes_nothing(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    await make_reference_data(db)
    before = await snapshot(db)
    response = await client.post(
        "/api/v1/incident",
        headers=api.headers,
        json={"subject": "x", "requesterEmail": "new@acme.com", "locationName": "Mars"},
    )
    body = assert_error(response, 400, field="locationName", contains="Location Must Exist")
    assert "Mars" in body["userMessage"]
    assert await snapshot(db) == before

    incident_id = await _create(client, api)
    before = await snapshot(db)
    response = await client.post(
        f"/api/v1/incident/{incident_id}",
        headers=api.headers,
        json={"subject": "changed", "locationName": "Mars"},
    )
    assert_error(response, 400, field="locationName")
    assert await snapshot(db) == before


async def test_other_unknown_names(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    before = await snapshot(db)
    for key, value in (
        ("categoryName", "Nope"),
        ("departmentName", "Nope"),
        ("status", "Nope"),
    ):
        response = await client.post(
            "/api/v1/incident",
            headers=api.headers,
            json={"subject": "x", "requesterEmail": "tim@acme.com", key: value},
        )
        assert_error(response, 400, field=key, contains="Nope")
    response = await client.post(
        "/api/v1/incident",
        headers=api.headers,
        json={"subject": "x", "requesterEmail": "nobody-login"},
    )
    assert_error(response, 400, field="requesterEmail")
    assert await snapshot(db) == before


async def test_invalid_enum(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    before = await snapshot(db)
    for key in ("impact", "priority", "urgency"):
        response = await client.post(
            "/api/v1/incident",
            headers=api.headers,
            json={"subject": "x", "requesterEmail": "new@acme.com", key: "SUPER"},
        )
        body = assert_error(response, 400, field=key, contains="SUPER")
        assert body["returnCode"] == "INVALID_INPUT"
    incident_id = await _create(client, api)
    before = await snapshot(db)
    response = await client.post(
        f"/api/v1/incident/{incident_id}", headers=api.headers, json={"impact": "HUGE"}
    )
    assert_error(response, 400, field="impact")
    assert await snapshot(db) == before


async def test_validation(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    incident_id = await _create(client, api)
    before = await snapshot(db)
    cases: list[tuple[str, str, Any, str | None]] = [
        ("POST", "/api/v1/incident", {"requesterEmail": "a@b.com"}, "subject"),
        ("POST", "/api/v1/incident", {"subject": "x"}, "requesterEmail"),
        ("POST", "/api/v1/incident", {"subject": " ", "requesterEmail": "a@b.com"}, "subject"),
        ("POST", "/api/v1/incident", [1, 2], None),
        ("POST", f"/api/v1/incident/{incident_id}", {"subject": None}, "subject"),
        ("POST", f"/api/v1/incident/{incident_id}", {"status": None}, "status"),
        ("POST", f"/api/v1/incident/{incident_id}", {"tags": "x"}, "tags"),
        ("POST", f"/api/v1/incident/{incident_id}", {"spam": "maybe"}, "spam"),
    ]
    for method, url, body, field in cases:
        response = await client.request(method, url, headers=api.headers, json=body)
        assert_error(response, 400, field=field)
    response = await client.post(
        "/api/v1/incident",
        headers={**api.headers, "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert_error(response, 400, contains="JSON")
    response = await client.get("/api/v1/incident/abc", headers=api.headers)
    assert_error(response, 400, field="incident_id")
    assert await snapshot(db) == before


async def test_unknown_id(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    async with db.unit_of_work() as session:
        problem = await make_record(session, kind=RecordKind.PROBLEM)
    before = await snapshot(db)
    for incident_id in (987654, problem.id):
        for method, body in (("GET", None), ("POST", {"status": "Resolved"}), ("DELETE", None)):
            response = await client.request(
                method, f"/api/v1/incident/{incident_id}", headers=api.headers, json=body
            )
            body_ = assert_error(response, 404, contains=str(incident_id))
            assert body_["returnCode"] == "NOT_FOUND"
    assert await snapshot(db) == before


async def test_service_request_is_reachable(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    async with db.unit_of_work() as session:
        request = await make_record(session, kind=RecordKind.REQUEST, title="New laptop")
    read = await _get(client, api, request.id)
    assert read["subject"] == "New laptop"
    assert read["name"] == f"SR-{request.number}"
    assert read["requesterEmail"] is None


async def test_unknown_requester_email_creates_requester(
    client: httpx.AsyncClient, db: Database
) -> None:
    api = await login(client, db)
    incident_id = await _create(
        client, api, requesterEmail="Someone.New@Example.com", requesterName="Some One"
    )
    read = await _get(client, api, incident_id)
    assert read["requesterEmail"] == "Someone.New@Example.com"
    assert read["requesterName"] == "Some One"
    # The same requester again, found ignoring case: no second account.
    again = await _get(
        client, api, await _create(client, api, requesterEmail="someone.new@example.com")
    )
    assert again["requesterName"] == "Some One"
    assert again["requesterEmail"] == "Someone.New@Example.com"


async def test_extra_keys_are_ignored(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    incident_id = await _create(client, api, name="INC-1", unknownKey=[1])
    assert (await _get(client, api, incident_id))["subject"] == "Need a new keyboard"


async def test_content_type(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    body = b'{"subject": "No content type", "requesterEmail": "tim@acme.com"}'
    response = await client.post("/api/v1/incident", headers=api.headers, content=body)
    assert response.status_code == 200, response.text
    before = await snapshot(db)
    response = await client.post(
        "/api/v1/incident",
        headers={**api.headers, "Content-Type": "application/x-www-form-urlencoded"},
        content=b"subject=x&requesterEmail=tim@acme.com",
    )
    assert_error(response, 400, contains="application/json")
    assert await snapshot(db) == before


async def test_nul_characters_are_refused(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    incident_id = await _create(client, api)
    before = await snapshot(db)
    for body, field in (
        ({"subject": "a\u0000b", "requesterEmail": "tim@acme.com"}, "subject"),
        ({"subject": "x", "requesterEmail": "a\u0000@b.com"}, "requesterEmail"),
        ({"subject": "x", "requesterEmail": "tim@acme.com", "tags": ["\u0000"]}, "tags[0]"),
    ):
        response = await client.post("/api/v1/incident", headers=api.headers, json=body)
        assert_error(response, 400, field=field, contains="NUL")
    response = await client.post(
        f"/api/v1/incident/{incident_id}", headers=api.headers, json={"description": "\u0000"}
    )
    assert_error(response, 400, field="description")
    assert_error(await client.get("/api/oprfile/a%00b", headers=api.headers), 400)
    assert await snapshot(db) == before


async def test_long_values_are_cut_in_messages(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    response = await client.post(
        "/api/v1/incident",
        headers=api.headers,
        json={"subject": "x", "requesterEmail": "tim@acme.com", "locationName": "L" * 5000},
    )
    body = assert_error(response, 400, field="locationName")
    assert len(body["userMessage"]) < 200
