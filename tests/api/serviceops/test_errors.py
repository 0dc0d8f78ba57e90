"""Errors raised outside the routes (unknown path, wrong method, body too large) come in the
dialect's shape, and the OpenAPI document covers every route."""

from __future__ import annotations

import httpx

from polydesk.core.db import Database
from polydesk.core.settings import Settings
from tests.api.serviceops.helpers import assert_error, login


async def test_unknown_path_and_method(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    assert_error(await client.get("/api/v1/nothing-here", headers=api.headers), 404)
    body = assert_error(await client.put("/api/v1/incident/1", headers=api.headers), 405)
    assert body["returnCode"] == "METHOD_NOT_ALLOWED"


async def test_body_too_large(client: httpx.AsyncClient, db: Database, settings: Settings) -> None:
    api = await login(client, db)
    response = await client.post(
        "/api/v1/incident",
        headers={**api.headers, "Content-Type": "application/json"},
        content=b'{"subject": "' + b"x" * settings.max_body_bytes + b'"}',
    )
    assert_error(response, 413)


async def test_openapi_document(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path, method in (
        ("/api/oauth/token", "post"),
        ("/api/v1/incident", "post"),
        ("/api/incident", "post"),
        ("/api/v1/incident/{incident_id}", "get"),
        ("/api/v1/incident/{incident_id}", "post"),
        ("/api/v1/incident/{incident_id}", "delete"),
        ("/api/oprfile", "post"),
        ("/api/oprfile/{ref_file_name}", "get"),
        ("/api/ususer/form/{module}", "get"),
    ):
        assert method in paths[path], (path, method)
    # Only this dialect's paths.
    assert all(
        p.startswith(("/api/oauth/", "/api/v1/", "/api/incident", "/api/oprfile", "/api/ususer/"))
        for p in paths
    )
    create = paths["/api/v1/incident"]["post"]
    assert "application/json" in create["requestBody"]["content"]
    assert {"200", "400", "401", "403"} <= set(create["responses"])
    schemas = document["components"]["schemas"]
    assert {"IncidentCreate", "IncidentRead", "Envelope", "ErrorBody"} <= set(schemas)
    assert set(schemas["IncidentCreate"]["required"]) == {"subject", "requesterEmail"}
    token = paths["/api/oauth/token"]["post"]
    assert "multipart/form-data" in token["requestBody"]["content"]
    upload = paths["/api/oprfile"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "413" in upload["responses"]
    # Validation errors are 400 here: no operation documents FastAPI's 422.
    for operations in paths.values():
        for operation in operations.values():
            assert "422" not in operation["responses"]
    assert "HTTPValidationError" not in schemas


async def test_double_slash_paths_belong_to_the_dialect(
    client: httpx.AsyncClient, db: Database
) -> None:
    api = await login(client, db)
    assert_error(await client.put("/api//v1/nothing-here", headers=api.headers), 404)
