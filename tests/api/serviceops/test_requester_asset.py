"""G2 requesters and assets (configuration items) over HTTP, and assets linked to requests."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Channel, CustomFieldType
from polydesk.domains.configuration import service as configuration
from polydesk.domains.configuration.schemas import AttributeDefinition, ConfigTypeCreate
from tests.api.serviceops.helpers import Api, assert_error, login, snapshot
from tests.api.serviceops.test_request import SEED_BODY, reference_data

SYSTEM = Actor.system(Channel.CLI)
DATE = re.compile(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}")


async def setup(client: httpx.AsyncClient, db: Database) -> Api:
    api = await login(client, db)
    await reference_data(db)
    async with db.unit_of_work() as session:
        hardware = await configuration.create_config_type(
            session, SYSTEM, ConfigTypeCreate(name="Hardware")
        )
        await configuration.create_config_type(
            session,
            SYSTEM,
            ConfigTypeCreate(
                name="Computer",
                parent_id=hardware.id,
                attributes=[
                    AttributeDefinition(name="IP Address", field_type=CustomFieldType.IPADDRESS),
                    AttributeDefinition(name="Serial Number"),
                ],
            ),
        )
    return api


async def test_create_requester(client: httpx.AsyncClient, db: Database) -> None:
    api = await setup(client, db)
    response = await client.post(
        "/api/v1/requester",
        headers=api.headers,
        json={
            "name": "Jane Doe",
            "email": "jane@acme.com",
            "userLogOnName": "jane",
            "contactNo": "+91 99999 00000",
            "locationName": "Ahmedabad",
            "departmentName": "IT",
            "manager": "tim@acme.com",
            "altContactNo1": "1",
            "altContactNo2": "2",
            "allowToLogin": True,
            "verified": True,
            "vipRequester": False,
            "customField": {},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["email"] == "jane@acme.com" and body["name"] == "Jane Doe"
    assert body["locationName"] == "Ahmedabad" and body["departmentName"] == "IT"
    assert body["userLogOnName"] == "jane" and body["contactNo"] == "+91 99999 00000"
    assert body["allowToLogin"] is False
    assert DATE.fullmatch(body["createdDate"])
    got = await client.get(f"/api/v1/requester/{body['id']}", headers=api.headers)
    assert got.json() == body
    # the requester is who a request names
    request = await client.post(
        "/api/v1/request",
        headers=api.headers,
        json={"subject": "Hello", "requesterEmail": "jane"},
    )
    assert request.json()["requesterName"] == "Jane Doe"

    before = await snapshot(db)
    for change, status, field in (
        ({"email": "jane@acme.com"}, 409, "email"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"email": "x@acme.com", "locationName": "Mars"}, 400, "locationName"),
        ({"email": "x@acme.com", "departmentName": "Nope"}, 400, "departmentName"),
        ({"email": "x@acme.com", "customField": {"Shoe size": 9}}, 400, "customField"),
        ({"name": "No mail"}, 400, "email"),
    ):
        assert_error(
            await client.post("/api/v1/requester", headers=api.headers, json=change),
            status,
            field=field,
        )
    assert_error(await client.get(f"/api/v1/requester/{api.user.id}", headers=api.headers), 404)
    assert_error(await client.get("/api/v1/requester/999999", headers=api.headers), 404)
    assert_error(await client.post("/api/v1/requester", json={"email": "y@acme.com"}), 401)
    assert await snapshot(db) == before


ASSET: dict[str, Any] = {
    "name": "Tim's laptop",
    "assetTypeName": "hardware$computer",
    "type": "HardwareAsset",
    "impactName": "Low",
    "statusName": "In Use",
    "ipAddress": "10.0.0.7",
    "hostName": "tims-laptop",
    "customField": {"Serial Number": "SN-1"},
    "description": "Issued 2026",
}


async def test_asset_life_and_links(client: httpx.AsyncClient, db: Database) -> None:
    api = await setup(client, db)
    response = await client.post("/api/v1/asset", headers=api.headers, json=ASSET)
    assert response.status_code == 200, response.text
    asset = response.json()
    assert asset["assetId"] == f"AST-{asset['id']}"
    assert asset["type"] == "HardwareAsset" and asset["assetTypeName"] == "Computer"
    assert asset["customField"] == {"Serial Number": "SN-1", "IP Address": "10.0.0.7"}
    assert asset["origin"] == "manual" and DATE.fullmatch(asset["createdDate"])

    assert (await client.get(f"/api/v1/asset/{asset['id']}", headers=api.headers)).json() == asset

    response = await client.patch(
        f"/api/v1/asset/{asset['id']}",
        headers=api.headers,
        json={"name": "Laptop 7", "customField": {"Serial Number": None}},
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Laptop 7"
    assert response.json()["customField"] == {"IP Address": "10.0.0.7"}

    request = await client.post(
        "/api/v1/request",
        headers=api.headers,
        json={
            **SEED_BODY,
            "linkAssetIds": [{"assetModel": "asset_hardware", "assetId": asset["id"]}],
        },
    )
    assert request.status_code == 200, request.text
    assert request.json()["linkAssetIds"] == [
        {"assetModel": "asset_hardware", "assetId": asset["id"]}
    ]

    before = await snapshot(db)
    for change, field in (
        ({"assetTypeName": "hardware$toaster"}, "assetTypeName"),
        ({"type": "MagicAsset"}, "type"),
        ({"ipAddress": "not an ip"}, "ipAddress"),
        ({"customField": {"Colour": "red"}}, "customField.Colour"),
        ({"name": " "}, "name"),
    ):
        assert_error(
            await client.post("/api/v1/asset", headers=api.headers, json={**ASSET, **change}),
            400,
            field=field,
        )
    assert_error(
        await client.patch(
            f"/api/v1/asset/{asset['id']}", headers=api.headers, json={"assetTypeName": None}
        ),
        400,
        field="assetTypeName",
    )
    assert_error(await client.get("/api/v1/asset/999999", headers=api.headers), 404)
    assert_error(await client.delete("/api/v1/asset/999999", headers=api.headers), 404)
    assert_error(await client.post("/api/v1/asset", json=ASSET), 401)
    assert await snapshot(db) == before

    response = await client.delete(f"/api/v1/asset/{asset['id']}", headers=api.headers)
    assert response.status_code == 200
    assert_error(await client.get(f"/api/v1/asset/{asset['id']}", headers=api.headers), 404)


@pytest.mark.parametrize("missing", ["name", "assetTypeName", "type"])
async def test_asset_required_fields(client: httpx.AsyncClient, db: Database, missing: str) -> None:
    api = await setup(client, db)
    body = {k: v for k, v in ASSET.items() if k != missing}
    assert_error(
        await client.post("/api/v1/asset", headers=api.headers, json=body), 400, field=missing
    )
