"""G2 conversations over HTTP on requests, problems, changes and releases, and service
requests."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Channel, NoteType
from polydesk.domains.catalog import service as catalog
from polydesk.domains.catalog.schemas import CategoryCreate, ServiceCreate
from polydesk.domains.notes import service as notes
from polydesk.domains.notes.schemas import NoteCreate
from tests.api.serviceops.helpers import Api, assert_error, login, snapshot
from tests.api.serviceops.test_request import SEED_BODY, reference_data

SYSTEM = Actor.system(Channel.CLI)
CHANGE = {
    "subject": "Upgrade",
    "requesterEmail": "tim@acme.com",
    "startDate": 1756304676767,
    "endDate": 1756391076767,
}
BODIES: dict[str, dict[str, Any]] = {
    "request": SEED_BODY,
    "change": CHANGE,
    "problem": {"subject": "Disk full"},
    "release": {"subject": "Spring release"},
}
SEARCH_NOTES = {
    "qualDetails": {
        "type": "FlatQualificationRest",
        "quals": [
            {
                "type": "RelationalQualificationRest",
                "leftOperand": {
                    "type": "PropertyOperandRest",
                    "key": ".conversation.conversationType",
                },
                "operator": "equal",
                "rightOperand": {
                    "type": "ValueOperandRest",
                    "value": {"type": "EnumValueRest", "value": "note"},
                },
            }
        ],
    }
}


async def setup(client: httpx.AsyncClient, db: Database) -> Api:
    api = await login(client, db)
    await reference_data(db)
    return api


@pytest.mark.parametrize("module", ["request", "change", "problem", "release"])
async def test_conversation_life(client: httpx.AsyncClient, db: Database, module: str) -> None:
    api = await setup(client, db)
    ticket = await client.post(f"/api/v1/{module}", headers=api.headers, json=BODIES[module])
    assert ticket.status_code == 200, ticket.text
    ticket_id = ticket.json()["id"]
    base = f"/api/v1/{module}/{ticket_id}/conversation"

    response = await client.post(
        base,
        headers=api.headers,
        json={
            "conversationType": "note",
            "details": "<p>This is an internal note about the request progress.</p>",
            "subject": "Progress Update",
            "conversationState": "published",
        },
    )
    assert response.status_code == 200, response.text
    note = response.json()
    assert note["conversationType"] == "note"
    assert note["details"] == "<p>This is an internal note about the request progress.</p>"
    assert note["subject"] == "Progress Update"
    assert note["conversationState"] == "published"
    assert note["createdByName"] == "Tim Cook" and note["createdByEmail"] == "tim@acme.com"
    assert re.fullmatch(r"\w{3}, \w{3} \d{2}, \d{4} \d{2}:\d{2} (am|pm)", note["createdTime"])
    assert note["fileAttachments"] == [] and note["updatable"] and note["deletable"]

    collaborate = await client.post(
        base, headers=api.headers, json={"conversationType": "collaborate", "details": "Help?"}
    )
    assert collaborate.json()["conversationType"] == "collaborate"
    assert collaborate.json()["subject"].startswith("[")

    found = await client.post(f"{base}/search/byqual", headers=api.headers, json=SEARCH_NOTES)
    assert found.status_code == 200, found.text
    assert found.json()["totalCount"] == 1
    assert [c["id"] for c in found.json()["objectList"]] == [note["id"]]
    everything = await client.post(f"{base}/search/byqual", headers=api.headers, json={})
    assert everything.json()["totalCount"] == 2

    response = await client.patch(
        f"{base}/{note['id']}",
        headers=api.headers,
        json={"details": "<p>Done.</p>", "conversationType": "requestor_to_technician"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["details"] == "<p>Done.</p>"
    assert response.json()["conversationType"] == "requestor_to_technician"
    assert response.json()["subject"] == "Progress Update"

    got = await client.get(f"{base}/{note['id']}", headers=api.headers)
    assert got.json()["details"] == "<p>Done.</p>"

    before = await snapshot(db)
    for bad, field in (
        ({"details": ""}, "details"),
        ({"details": "x", "conversationType": "gossip"}, "conversationType"),
        ({"details": "x", "conversationState": "draft"}, "conversationState"),
        ({"details": "x", "fileAttachments": [{"refFileName": "nope"}]}, "fileAttachments"),
    ):
        assert_error(await client.post(base, headers=api.headers, json=bad), 400, field=field)
    assert_error(
        await client.patch(f"{base}/{note['id']}", headers=api.headers, json={"details": " "}),
        400,
        field="details",
    )
    assert_error(
        await client.patch(f"{base}/999999", headers=api.headers, json={"details": "x"}), 404
    )
    assert_error(
        await client.post(
            f"/api/v1/{module}/999999/conversation", headers=api.headers, json={"details": "x"}
        ),
        404,
    )
    bad_search = {"qualDetails": {"type": "FlatQualificationRest", "quals": [{"type": "X"}]}}
    assert_error(
        await client.post(f"{base}/search/byqual", headers=api.headers, json=bad_search),
        400,
        field="qualDetails",
    )
    assert_error(await client.post(base, headers={}, json={"details": "x"}), 401)
    assert await snapshot(db) == before

    response = await client.delete(f"{base}/{note['id']}", headers=api.headers)
    assert response.status_code == 200
    assert_error(await client.get(f"{base}/{note['id']}", headers=api.headers), 404)


async def test_notes_from_other_surfaces_are_conversations(
    client: httpx.AsyncClient, db: Database
) -> None:
    api = await setup(client, db)
    ticket_id = (await client.post("/api/v1/request", headers=api.headers, json=SEED_BODY)).json()[
        "id"
    ]
    async with db.unit_of_work() as session:
        await notes.add_note(
            session,
            SYSTEM,
            ticket_id,
            NoteCreate(body="Public reply", note_type=NoteType.COMMENT, public=True),
        )
        await notes.add_note(
            session,
            SYSTEM,
            ticket_id,
            NoteCreate(body="Cause", note_type=NoteType.ROOT_CAUSE, public=False),
        )
    found = await client.post(
        f"/api/v1/request/{ticket_id}/conversation/search/byqual?size=1&offset=1",
        headers=api.headers,
        json={},
    )
    body = found.json()
    assert body["totalCount"] == 2
    assert [(c["details"], c["conversationType"]) for c in body["objectList"]] == [
        ("Cause", "note")
    ]


async def test_conversation_on_another_modules_record_is_404(
    client: httpx.AsyncClient, db: Database
) -> None:
    api = await setup(client, db)
    change_id = (await client.post("/api/v1/change", headers=api.headers, json=CHANGE)).json()["id"]
    assert_error(
        await client.post(
            f"/api/v1/request/{change_id}/conversation", headers=api.headers, json={"details": "x"}
        ),
        404,
    )


# Service requests ----------------------------------------------------------------------------


async def test_service_request(client: httpx.AsyncClient, db: Database) -> None:
    api = await setup(client, db)
    async with db.unit_of_work() as session:
        service = await catalog.create_service(session, SYSTEM, ServiceCreate(name="HW 1"))
        await catalog.create_category(session, SYSTEM, CategoryCreate(name="Hardware"))
        await catalog.create_category(
            session, SYSTEM, CategoryCreate(name="SR Category", service_id=service.id)
        )
    response = await client.post(
        "/api/v1/service_catalog/servicerequest",
        headers=api.headers,
        json={
            "requester": "tim@acme.com",
            "description": "<p>SR Description</p>",
            "departmentName": "IT",
            "impactName": "Low",
            "urgencyName": "Low",
            "categoryName": "SR Category",
            "source": "Email",
            "locationName": "Ahmedabad",
            "priorityName": "Low",
            "serviceName": "HW 1",
            "serviceCategoryName": "Hardware",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "SR-1"
    assert body["subject"] == "HW 1"
    assert body["source"] == "External"
    assert body["serviceName"] == "HW 1"
    assert body["categoryName"] == "SR Category"
    assert body["requesterEmail"] == "tim@acme.com"
    assert body["description"] == "SR Description"

    sr_id = body["id"]
    patched = await client.patch(
        f"/api/v1/request/{sr_id}", headers=api.headers, json={"statusName": "Pending"}
    )
    assert patched.status_code == 200 and patched.json()["name"] == "SR-1"
    assert patched.json()["statusName"] == "Pending"
    g1 = await client.get(f"/api/v1/incident/{sr_id}", headers=api.headers)
    assert g1.status_code == 200 and g1.json()["status"] == "Pending"

    without_category = await client.post(
        "/api/v1/service_catalog/servicerequest",
        headers=api.headers,
        json={
            "requester": "tim@acme.com",
            "serviceName": "hw 1",
            "serviceCategoryName": "hardware",
        },
    )
    assert without_category.json()["categoryName"] == "Hardware"

    before = await snapshot(db)
    for change, field in (
        ({"serviceName": "Nothing"}, "serviceName"),
        ({"serviceCategoryName": "Nothing"}, "serviceCategoryName"),
        ({"requester": "ghost"}, "requester"),
        ({"requester": None}, "requester"),
        ({"locationName": "Mars"}, "locationName"),
    ):
        body = {
            "requester": "tim@acme.com",
            "serviceName": "HW 1",
            "serviceCategoryName": "Hardware",
            **change,
        }
        assert_error(
            await client.post(
                "/api/v1/service_catalog/servicerequest", headers=api.headers, json=body
            ),
            400,
            field=field,
        )
    assert await snapshot(db) == before


async def test_the_vendors_double_slash_paths(client: httpx.AsyncClient, db: Database) -> None:
    """Spec §2: the samples' ``/api//v1/request/104/conversation/2`` is served too."""
    api = await setup(client, db)
    ticket_id = (await client.post("/api/v1/request", headers=api.headers, json=SEED_BODY)).json()[
        "id"
    ]
    created = await client.post(
        f"/api//v1/request/{ticket_id}/conversation", headers=api.headers, json={"details": "a"}
    )
    assert created.status_code == 200, created.text
    note_id = created.json()["id"]
    updated = await client.patch(
        f"/api//v1/request/{ticket_id}/conversation/{note_id}",
        headers=api.headers,
        json={"details": "b"},
    )
    assert updated.status_code == 200 and updated.json()["details"] == "b"
    found = await client.post(
        f"/api//v1/request/{ticket_id}/conversation/search/byqual", headers=api.headers, json={}
    )
    assert found.json()["totalCount"] == 1
    assert_error(
        await client.get(f"/api//v1/request/{ticket_id}/conversation/999999", headers=api.headers),
        404,
    )
    assert_error(
        await client.post(f"/api//v1/request/{ticket_id}/conversation", json={"details": "a"}),
        401,
    )
