"""The OpenAPI document describes the sub-resource and configuration operations: their
parameters, request bodies and result wrappers, and the error responses."""

from __future__ import annotations

from typing import Any

import httpx

DOCUMENTED = [
    ("get", "/v1/incidents/{record_id}/{collection}/{note_id}", None, None),
    ("post", "/v1/changes/{record_id}/{collection}", "comment", None),
    ("put", "/v1/releases/{record_id}/{collection}/{note_id}", "comment", None),
    ("delete", "/v1/problems/{record_id}/{collection}/{note_id}", None, None),
    ("get", "/v1/config_items/{parent_id}/watches", None, "watches"),
    ("post", "/v1/incidents/{parent_id}/watches", "watch", "watch"),
    ("put", "/v1/changes/{parent_id}/watches/{watch_id}", "watch", "watch"),
    ("delete", "/v1/releases/{parent_id}/watches/{watch_id}", None, "watch"),
    ("get", "/v1/changes/{change_id}/testers", None, "testers"),
    ("post", "/v1/changes/{change_id}/testers", "tester", "tester"),
    ("delete", "/v1/changes/{change_id}/testers/{tester_id}", None, "tester"),
    ("get", "/v1/issues", None, "issues"),
    ("post", "/v1/releases/{record_id}/issues", "issue", "issue"),
    ("put", "/v1/issues/{issue_id}", "issue", "issue"),
    ("get", "/v1/releases/{release_id}/review_users/{review_user_id}", None, "review_user"),
    ("put", "/v1/releases/{release_id}/review_users/{review_user_id}", "review_user", None),
    ("get", "/v1/release_records", None, "release_records"),
    ("post", "/v1/releases/{release_id}/release_records", "release_record", "release_record"),
    ("get", "/v1/time_entries/{time_entry_id}", None, "time_entry"),
    ("post", "/v1/incidents/{record_id}/time_entries", "time_entry", "time_entry"),
    ("delete", "/v1/time_entries/{time_entry_id}", None, "time_entry"),
    ("get", "/v1/links/{beetil_type}/{beetil_id}", None, None),
    ("post", "/v1/links/{beetil_type}/{beetil_id}", "link", None),
    ("delete", "/v1/links/{beetil_type}/{beetil_id}/{linked_type}/{linked_id}", None, None),
    ("get", "/v1/config_types", None, "config_types"),
    ("get", "/v1/config_types/{config_type_id}", None, "config_type"),
    ("get", "/v1/config_relationship_types", None, "config_relationship_types"),
    ("post", "/v1/config_items", "config_item", "config_item"),
    ("put", "/v1/config_items/{config_item_id}", "config_item", "config_item"),
]


async def _document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def test_operations_are_documented(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    schemas = document["components"]["schemas"]
    for method, path, body, result in DOCUMENTED:
        for variant in (f"{path}.json", f"/external_api{path}.xml"):
            operation = document["paths"][variant][method]
            assert operation["summary"], (method, variant)
            assert {"401", "429"} <= set(operation["responses"]), (method, variant)
            params = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert params == {part[1:-1] for part in path.split("/") if part.startswith("{")}
            if body is None:
                assert "requestBody" not in operation
            else:
                wrapped = operation["requestBody"]["content"]["application/json"]["schema"]
                assert list(wrapped["properties"]) == [body]
                ref = wrapped["properties"][body].get("$ref", "")
                assert ref.removeprefix("#/components/schemas/") in schemas
            success = operation["responses"]["200"]["content"]["application/json"]["schema"]
            result_schema = success["oneOf"][0]["properties"]["result"]
            if result is not None:
                assert result in result_schema["properties"], (method, variant)


async def test_note_and_link_results_are_described(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    note = document["paths"]["/v1/incidents/{record_id}/{collection}/{note_id}.json"]["get"]
    result = note["responses"]["200"]["content"]["application/json"]["schema"]["oneOf"][0]
    described = result["properties"]["result"]["additionalProperties"]
    assert {"id", "note", "created_at", "user"} <= set(described["properties"])
    assert "note_type" in {p["name"] for p in note["parameters"]}
    links = document["paths"]["/v1/links/{beetil_type}/{beetil_id}.json"]["get"]
    result = links["responses"]["200"]["content"]["application/json"]["schema"]["oneOf"][0]
    assert result["properties"]["result"]["required"] == [
        "incidents",
        "changes",
        "problems",
        "releases",
    ]
