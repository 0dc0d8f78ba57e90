"""GET /v1/openapi.json: public, and accurate for every route of the surface."""

from __future__ import annotations

import httpx

from polydesk.api.gotoassist.app import ROUTERS
from polydesk.api.gotoassist.routing import GaRoute

VARIANTS = [
    f"{prefix}{{rest}}{suffix}"
    for prefix in ("/v1", "/external_api/v1")
    for suffix in ("", ".json", ".js", ".xml")
]


async def test_every_route_under_every_prefix_and_suffix(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, GaRoute)]
    assert routes
    for route in routes:
        rest = route.path.removeprefix("/v1")
        for variant in VARIANTS:
            path = variant.format(rest=rest)
            for method in (route.methods or set()) - {"HEAD"}:
                assert method.lower() in paths[path], (method, path)
    assert len(paths) == 8 * len({r.path for r in routes})
    show = paths["/external_api/v1/incidents/{record_id}.xml"]["get"]
    assert show["parameters"][0]["name"] == "record_id"
    create = paths["/v1/incidents.json"]["post"]
    assert (
        "incident" in create["requestBody"]["content"]["application/json"]["schema"]["properties"]
    )
    listing = paths["/v1/incidents"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"limit", "page", "order", "service_ids", "selected_user_id"} <= names


async def test_paths_answer_as_documented(client: httpx.AsyncClient) -> None:
    document = (await client.get("/external_api/v1/openapi")).json()
    for path in ("/v1/incidents.json", "/external_api/v1/users/current.js"):
        assert path in document["paths"]
        response = await client.get(path)
        # documented: [E906] without a token, with HTTP 200 unless configured otherwise
        assert response.status_code == 200
        assert response.json()["errors"][0]["error"].startswith("[E906]")
    xml = await client.get("/v1/openapi.xml")
    assert xml.headers["content-type"].startswith("application/xml")
