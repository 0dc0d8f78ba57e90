"""Routing as DRF's DefaultRouter behind Django serves it (spec §1): API root, format
suffixes, the trailing-slash redirect, HEAD, OPTIONS, 405, 406, and the OpenAPI document."""

from __future__ import annotations

import httpx

from tests.api.helpdesk.conftest import World, create_ticket


async def test_api_root_is_public(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/api/")
    assert response.status_code == 200
    assert response.json() == {
        "tickets": "http://testserver/api/tickets/",
        "user_tickets": "http://testserver/api/user_tickets/",
        "followups": "http://testserver/api/followups/",
        "followups-attachments": "http://testserver/api/followups-attachments/",
        "users": "http://testserver/api/users/",
    }
    assert response.headers["content-type"] == "application/json"
    assert response.headers["vary"] == "Accept, Cookie"


async def test_format_suffixes(client: httpx.AsyncClient, world: World) -> None:
    ticket = await create_ticket(client, world)
    for path in (
        "/api/tickets.json",
        f"/api/tickets/{ticket['id']}.json",
        "/api/tickets/?format=json",
        f"/api/tickets/{ticket['id']}/?format=api",
    ):
        response = await client.get(path, auth=world.staff_auth)
        assert response.status_code == 200, path
    response = await client.get("/api/tickets.xml", auth=world.staff_auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    response = await client.get(
        "/api/tickets/", headers={"Accept": "application/xml"}, auth=world.staff_auth
    )
    assert response.status_code == 406
    assert response.json() == {"detail": "Could not satisfy the request Accept header."}


async def test_missing_trailing_slash_redirects(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/api/tickets/6", auth=world.staff_auth)
    assert response.status_code == 301
    assert response.headers["location"] == "/api/tickets/6/"
    response = await client.post("/api/tickets?page=2", json={}, auth=world.staff_auth)
    assert response.status_code == 301
    assert response.headers["location"] == "/api/tickets/?page=2"


async def test_head_options_and_405(client: httpx.AsyncClient, world: World) -> None:
    ticket = await create_ticket(client, world)
    head = await client.head(f"/api/tickets/{ticket['id']}/", auth=world.staff_auth)
    assert head.status_code == 200
    assert head.content == b""
    options = await client.options("/api/tickets/", auth=world.staff_auth)
    assert options.status_code == 200
    meta = options.json()
    assert meta["name"] == "Ticket List"
    assert meta["parses"] == [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ]
    post = meta["actions"]["POST"]
    assert post["queue"]["required"] is True
    assert post["title"]["max_length"] == 200
    assert post["priority"]["choices"][0] == {"value": 1, "display_name": "1. Critical"}
    assert options.headers["allow"] == "GET, POST, HEAD, OPTIONS"
    detail = await client.options(f"/api/tickets/{ticket['id']}/", auth=world.staff_auth)
    assert detail.headers["allow"] == "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"
    assert "PUT" in detail.json()["actions"]
    response = await client.delete("/api/tickets/", auth=world.staff_auth)
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
    anonymous = await client.delete("/api/tickets/")
    assert anonymous.status_code == 403


async def test_unknown_paths_answer_in_drf_shape(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/api/nothing/", auth=world.staff_auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


async def test_openapi_document_covers_every_route(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert set(paths) == {
        "/api/",
        "/api/tickets/",
        "/api/tickets/{id}/",
        "/api/followups/",
        "/api/followups/{id}/",
        "/api/followups-attachments/",
        "/api/followups-attachments/{id}/",
        "/api/user_tickets/",
        "/api/user_tickets/{id}/",
        "/api/users/",
        "/api/openapi.json",
    }
    assert set(paths["/api/tickets/{id}/"]) == {"parameters", "get", "put", "patch", "delete"}
    assert set(paths["/api/users/"]) == {"post"}
    assert set(paths["/api/user_tickets/"]) == {"get"}
    ticket_input = document["components"]["schemas"]["TicketInput"]
    assert ticket_input["required"] == ["queue", "title"]
    for path_item in paths.values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                for ref in _refs(operation):
                    name = ref.rsplit("/", 1)[-1]
                    assert name in document["components"]["schemas"], ref


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        for value in node.values():
            found += _refs(value)
        return found
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []
