"""G2 request API over HTTP: create with every documented field, get, patch, delete, the
same record through the G1 incident API, and every refusal leaving the database unchanged."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Channel, CustomFieldType, RecordKind, Role
from polydesk.core.settings import Settings
from polydesk.domains.attachments import service as attachments
from polydesk.domains.catalog import service as catalog
from polydesk.domains.catalog.schemas import CategoryCreate
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.custom_fields.schemas import CustomFieldCreate
from polydesk.domains.departments import service as departments
from polydesk.domains.departments.schemas import DepartmentCreate
from polydesk.domains.integration import service as integration
from polydesk.domains.locations import service as locations
from polydesk.domains.locations.schemas import LocationCreate
from tests.api.serviceops.helpers import PASSWORD, Api, assert_error, login, snapshot
from tests.factories import make_user

SYSTEM = Actor.system(Channel.CLI)


async def reference_data(db: Database) -> None:
    """Department IT, location Ahmedabad, category Request and the seed's custom fields."""
    async with db.unit_of_work() as session:
        await departments.create_department(session, SYSTEM, DepartmentCreate(name="IT"))
        await locations.create_location(session, SYSTEM, LocationCreate(name="Ahmedabad"))
        await catalog.create_category(session, SYSTEM, CategoryCreate(name="Request"))
        for name, field_type, choices in (
            ("New Dropdown", CustomFieldType.LIST, ["1", "2"]),
            ("New Number", CustomFieldType.DECIMAL, None),
            ("New Text Area", CustomFieldType.TEXTAREA, None),
            ("New Text Input", CustomFieldType.TEXT, None),
            ("New Datetime", CustomFieldType.DATETIME, None),
        ):
            await custom_fields.define_field(
                session,
                SYSTEM,
                CustomFieldCreate(
                    kind=RecordKind.INCIDENT, name=name, field_type=field_type, choices=choices
                ),
            )


SEED_BODY: dict[str, Any] = {
    "requesterEmail": "a@b.com",
    "ccEmailSet": ["a@b.com"],
    "subject": "asdasd",
    "impactName": "Low",
    "priorityName": "Low",
    "statusName": "Open",
    "urgencyName": "Low",
    "departmentName": "IT",
    "spam": False,
    "supportLevel": "tier2",
    "customField": {
        "New Dropdown": "1",
        "New Number": 110.1,
        "New Text Area": "a11",
        "New Text Input": "111",
    },
    "name": "INC-1",
    "tags": ["asdasd"],
}


async def setup(client: httpx.AsyncClient, db: Database) -> Api:
    api = await login(client, db)
    await reference_data(db)
    return api


async def test_create_with_the_seed_body(client: httpx.AsyncClient, db: Database) -> None:
    api = await setup(client, db)
    response = await client.post("/api/v1/request", headers=api.headers, json=SEED_BODY)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body["id"], int)
    assert body["name"] == "INC-1"
    assert isinstance(body["createdTime"], int) and body["createdTime"] > 1_700_000_000_000
    assert body["updatedTime"] >= body["createdTime"]
    assert body["requesterEmail"] == "a@b.com"
    assert body["ccEmailSet"] == ["a@b.com"]
    assert body["subject"] == "asdasd"
    assert body["impactName"] == "Low"
    assert body["priorityName"] == "Low"
    assert body["statusName"] == "Open"
    assert body["urgencyName"] == "Low"
    assert body["departmentName"] == "IT"
    assert body["spam"] is False
    assert body["supportLevel"] == "tier2"
    assert body["source"] == "External"
    assert body["tags"] == ["asdasd"]
    assert body["fileAttachments"] == []
    assert body["createdByName"] == "Tim Cook" and body["updatedByName"] == "Tim Cook"
    assert body["customField"] == {
        "New Dropdown": "1",
        "New Number": 110.1,
        "New Text Area": "a11",
        "New Text Input": "111",
        "New Datetime": 0,
    }
    assert "locationName" not in body and "assigneeEmail" not in body  # no nulls
    assert None not in body.values()


async def test_create_with_the_observed_body(client: httpx.AsyncClient, db: Database) -> None:
    """The real 2025 exchange (spec §5.1), with a login name for the requester."""
    api = await setup(client, db)
    async with db.unit_of_work() as session:
        await make_user(
            session,
            email="snehashis.paul@motadata.com",
            username="paulsn",
            role=Role.REQUESTER,
            first_name="Snehashis",
            last_name="Paul",
        )
        await catalog.create_category(session, SYSTEM, CategoryCreate(name="Incident Category"))
    response = await client.post(
        "/api/v1/request",
        headers=api.headers,
        json={
            "customField": {"New Datetime": 1756304676767},
            "requesterEmail": "paulsn",
            "subject": "Incident Summary",
            "description": "<p>Incident Description</p>",
            "departmentName": "IT",
            "impactName": "Low",
            "urgencyName": "Low",
            "categoryName": "Incident Category",
            "source": "Email",
            "locationName": "Ahmedabad",
            "priorityName": "Low",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["requesterEmail"] == "snehashis.paul@motadata.com"
    assert body["requesterName"] == "Snehashis Paul"
    assert body["description"] == "Incident Description"
    assert body["source"] == "Email"
    assert body["categoryName"] == "Incident Category"
    assert body["locationName"] == "Ahmedabad"
    assert body["supportLevel"] == "tier0"
    assert body["customField"]["New Datetime"] == 1756304676767
    assert body["customField"]["New Number"] == 0.0
    assert body["customField"]["New Text Input"] == ""


async def test_unknown_requester_email_creates_a_requester(
    client: httpx.AsyncClient, db: Database
) -> None:
    api = await setup(client, db)
    response = await client.post(
        "/api/v1/request",
        headers=api.headers,
        json={"subject": "Hi", "requesterEmail": "New.Person@Example.com"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["requesterEmail"] == "New.Person@Example.com"
    response = await client.post(
        "/api/v1/request",
        headers=api.headers,
        json={"subject": "Again", "requesterEmail": "new.person@example.com"},
    )
    # The same requester, found ignoring case, with the address as first given.
    assert response.json()["requesterEmail"] == "New.Person@Example.com"


async def test_get_patch_delete_and_the_same_record_in_g1(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    api = await setup(client, db)
    created = (await client.post("/api/v1/request", headers=api.headers, json=SEED_BODY)).json()
    request_id = created["id"]

    got = await client.get(f"/api/v1/request/{request_id}", headers=api.headers)
    assert got.status_code == 200
    assert got.json() == created

    g1 = (await client.get(f"/api/v1/incident/{request_id}", headers=api.headers)).json()
    assert g1["subject"] == "asdasd" and g1["departmentName"] == "IT"

    async with db.unit_of_work() as session:
        upload = await attachments.store_upload(
            session,
            Actor(user_id=api.user.id, role=Role.TECHNICIAN, channel=Channel.SERVICEOPS),
            settings,
            filename="xyz.pdf",
            content_type=None,
            stream_or_bytes=b"%PDF",
        )
    response = await client.patch(
        f"/api/v1/request/{request_id}",
        headers=api.headers,
        json={
            "statusName": "In Progress",
            "priorityName": "urgent",
            "impactName": "On Business",
            "locationName": "ahmedabad",
            "departmentName": None,
            "tags": ["a", "b"],
            "assigneeEmail": "tim@acme.com",
            "fileAttachments": [{"refFileName": upload.ref_name, "realName": "xyz.pdf"}],
            "customField": {"New Number": 5},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["statusName"] == "In Progress"
    assert body["priorityName"] == "Urgent"
    assert body["impactName"] == "On Business"
    assert body["locationName"] == "Ahmedabad"
    assert "departmentName" not in body
    assert body["tags"] == ["a", "b"]
    assert body["assigneeEmail"] == "tim@acme.com"
    assert [f["refFileName"] for f in body["fileAttachments"]] == [upload.ref_name]
    assert body["fileAttachments"][0]["realName"] == "xyz.pdf"
    assert body["customField"]["New Number"] == 5.0
    assert body["customField"]["New Text Input"] == "111"  # untouched
    assert body["subject"] == "asdasd"

    g1 = (await client.get(f"/api/incident/{request_id}", headers=api.headers)).json()
    assert g1["status"] == "In Progress" and g1["priority"] == "URGENT"

    response = await client.delete(f"/api/v1/request/{request_id}", headers=api.headers)
    assert response.status_code == 200
    assert response.json() == {
        "returnCode": "SUCCESS",
        "status": 0,
        "userMessage": None,
        "id": request_id,
    }
    assert_error(await client.get(f"/api/v1/request/{request_id}", headers=api.headers), 404)
    assert_error(await client.get(f"/api/v1/incident/{request_id}", headers=api.headers), 404)


async def test_a_g1_incident_reads_through_g2(client: httpx.AsyncClient, db: Database) -> None:
    api = await setup(client, db)
    created = await client.post(
        "/api/v1/incident",
        headers=api.headers,
        json={"subject": "Need a new keyboard", "requesterEmail": "tim@acme.com"},
    )
    incident_id = created.json()["id"]
    body = (await client.get(f"/api/v1/request/{incident_id}", headers=api.headers)).json()
    assert body["id"] == incident_id and body["name"].startswith("INC-")
    assert body["subject"] == "Need a new keyboard"
    assert body["priorityName"] == "Low"


# Refusals ----------------------------------------------------------------------------------


async def test_no_credentials_and_bad_tokens(client: httpx.AsyncClient, db: Database) -> None:
    await setup(client, db)
    before = await snapshot(db)
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"}):
        assert_error(await client.post("/api/v1/request", headers=headers, json=SEED_BODY), 401)
        assert_error(await client.get("/api/v1/request/1", headers=headers), 401)
        assert_error(
            await client.post("/api/v1/request/search/byqual", headers=headers, json={}), 401
        )
    assert await snapshot(db) == before


@pytest.mark.parametrize(
    ("change", "field", "contains"),
    [
        ({"locationName": "Mars"}, "locationName", "Location Must Exist"),
        ({"departmentName": "Nowhere"}, "departmentName", "Department Must Exist"),
        ({"categoryName": "Nope"}, "categoryName", "Category Must Exist"),
        ({"statusName": "Sleeping"}, "statusName", "Status Must Exist"),
        ({"priorityName": "Whenever"}, "priorityName", "Whenever"),
        ({"impactName": "Galactic"}, "impactName", "Galactic"),
        ({"urgencyName": "Now"}, "urgencyName", "Now"),
        ({"supportLevel": "Tier9"}, "supportLevel", "Tier9"),
        ({"subject": "  "}, "subject", "blank"),
        ({"subject": None}, "subject", ""),
        ({"requesterEmail": "not a login"}, "requesterEmail", ""),
        ({"ccEmailSet": ["nope"]}, "ccEmailSet", ""),
        ({"spam": "perhaps"}, "spam", ""),
        ({"tags": "one"}, "tags", ""),
        ({"customField": {"No Such Field": 1}}, "customField.No Such Field", ""),
        ({"customField": {"New Number": "many"}}, "customField.New Number", ""),
        ({"customField": {"New Dropdown": "7"}}, "customField.New Dropdown", ""),
        ({"customField": {"New Dropdown": ["1", "2"]}}, "customField.New Dropdown", ""),
        ({"fileAttachments": [{"refFileName": "missing"}]}, "fileAttachments", "missing"),
        ({"linkAssetIds": [{"assetModel": "asset_hardware", "assetId": 999}]}, "linkAssetIds", ""),
        ({"assigneeEmail": "ghost@acme.com"}, "assigneeEmail", ""),
    ],
)
async def test_invalid_create_is_400_and_changes_nothing(
    client: httpx.AsyncClient,
    db: Database,
    change: dict[str, Any],
    field: str,
    contains: str,
) -> None:
    api = await setup(client, db)
    before = await snapshot(db)
    response = await client.post(
        "/api/v1/request", headers=api.headers, json={**SEED_BODY, **change}
    )
    assert_error(response, 400, field=field, contains=contains)
    assert await snapshot(db) == before


async def test_missing_required_fields_and_bad_bodies(
    client: httpx.AsyncClient, db: Database
) -> None:
    api = await setup(client, db)
    before = await snapshot(db)
    assert_error(
        await client.post("/api/v1/request", headers=api.headers, json={"subject": "x"}),
        400,
        field="requesterEmail",
    )
    assert_error(
        await client.post(
            "/api/v1/request", headers=api.headers, json={"requesterEmail": "a@b.com"}
        ),
        400,
        field="subject",
    )
    assert_error(
        await client.post(
            "/api/v1/request",
            headers={**api.headers, "Content-Type": "application/json"},
            content=b"{not json",
        ),
        400,
    )
    assert_error(await client.post("/api/v1/request", headers=api.headers, json=[1]), 400)
    assert await snapshot(db) == before


async def test_invalid_update_is_400_and_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    api = await setup(client, db)
    created = (await client.post("/api/v1/request", headers=api.headers, json=SEED_BODY)).json()
    before = await snapshot(db)
    for change, field in (
        ({"statusName": "Resolved", "locationName": "Mars"}, "locationName"),
        ({"tags": ["ok"], "priorityName": "Soon"}, "priorityName"),
        ({"subject": None}, "subject"),
        ({"statusName": None}, "statusName"),
        ({"customField": {"New Number": "x"}, "spam": True}, "customField.New Number"),
    ):
        response = await client.patch(
            f"/api/v1/request/{created['id']}", headers=api.headers, json=change
        )
        assert_error(response, 400, field=field)
    assert await snapshot(db) == before


async def test_unknown_ids_are_404(client: httpx.AsyncClient, db: Database) -> None:
    api = await setup(client, db)
    before = await snapshot(db)
    assert_error(await client.get("/api/v1/request/424242", headers=api.headers), 404)
    assert_error(
        await client.patch("/api/v1/request/424242", headers=api.headers, json={"tags": []}), 404
    )
    assert_error(await client.delete("/api/v1/request/424242", headers=api.headers), 404)
    assert_error(await client.get("/api/v1/request/abc", headers=api.headers), 400)
    assert await snapshot(db) == before


async def test_other_kinds_are_404_here(client: httpx.AsyncClient, db: Database) -> None:
    api = await setup(client, db)
    change = await client.post(
        "/api/v1/change",
        headers=api.headers,
        json={
            "subject": "Upgrade",
            "requesterEmail": "tim@acme.com",
            "startDate": 1756304676767,
            "endDate": 1756391076767,
        },
    )
    assert change.status_code == 200, change.text
    change_id = change.json()["id"]
    assert_error(await client.get(f"/api/v1/request/{change_id}", headers=api.headers), 404)


async def test_oversize_body_is_413_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    api = await setup(client, db)
    before = await snapshot(db)
    big = {**SEED_BODY, "description": "x" * (settings.max_body_bytes + 1)}
    assert_error(await client.post("/api/v1/request", headers=api.headers, json=big), 413)
    assert await snapshot(db) == before


async def test_the_same_record_in_every_dialect(client: httpx.AsyncClient, db: Database) -> None:
    """Created by ``POST /api/v1/request``, read by id through GoToAssist and django-helpdesk;
    changed there, read back here."""
    api = await setup(client, db)
    created = (await client.post("/api/v1/request", headers=api.headers, json=SEED_BODY)).json()
    record_id = created["id"]
    async with db.unit_of_work() as session:
        actor = Actor(user_id=api.user.id, role=Role.TECHNICIAN, channel=Channel.CLI)
        _row, token = await integration.create_api_token(session, actor, name="key")

    gotoassist = await client.get(f"/v1/incidents/{record_id}.json", auth=("x", token))
    assert gotoassist.status_code == 200, gotoassist.text
    assert str(record_id) in gotoassist.text and "asdasd" in gotoassist.text

    helpdesk = await client.get(f"/api/tickets/{record_id}/", auth=("tim@acme.com", PASSWORD))
    assert helpdesk.status_code == 200, helpdesk.text
    assert helpdesk.json()["id"] == record_id and helpdesk.json()["title"] == "asdasd"
    changed = await client.patch(
        f"/api/tickets/{record_id}/",
        auth=("tim@acme.com", PASSWORD),
        json={"title": "Renamed in django-helpdesk"},
    )
    assert changed.status_code == 200, changed.text
    again = (await client.get(f"/api/v1/request/{record_id}", headers=api.headers)).json()
    assert again["subject"] == "Renamed in django-helpdesk" and again["name"] == created["name"]
