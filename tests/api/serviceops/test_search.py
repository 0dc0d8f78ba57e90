"""Search by qualification over HTTP (paging, order, totals, refusals), the same credentials
refusals on every G2 endpoint, and the OpenAPI description of the G2 routes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from polydesk.core import jwt
from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.core.db import Database
from polydesk.core.enums import Channel, Role, TokenKind
from polydesk.core.settings import Settings
from polydesk.domains.integration import service as integration
from tests.api.serviceops.helpers import Api, assert_error, bearer, login, snapshot
from tests.api.serviceops.test_request import SEED_BODY, reference_data
from tests.factories import make_user

SEARCH = "/api/v1/request/search/byqual"


def rel(key: str, operator: str, value: Any, vtype: str = "StringValueRest") -> dict[str, Any]:
    return {
        "type": "RelationalQualificationRest",
        "leftOperand": {"type": "PropertyOperandRest", "key": key},
        "operator": operator,
        "rightOperand": {"type": "ValueOperandRest", "value": {"type": vtype, "value": value}},
    }


def qual(*quals: dict[str, Any]) -> dict[str, Any]:
    return {"qualDetails": {"type": "FlatQualificationRest", "quals": list(quals)}}


async def setup(client: httpx.AsyncClient, db: Database) -> Api:
    api = await login(client, db)
    await reference_data(db)
    return api


async def _create(client: httpx.AsyncClient, api: Api, **fields: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/request", headers=api.headers, json={**SEED_BODY, **fields}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_paging_order_and_totals(client: httpx.AsyncClient, db: Database) -> None:
    api = await setup(client, db)
    made = [await _create(client, api, subject=f"Ticket {n}") for n in range(5)]
    ids = [t["id"] for t in made]

    # the Power BI client: offset, size 2000, sort_by createdTime, empty body
    page = await client.post(
        f"{SEARCH}?offset=0&size=2000&sort_by=createdTime",
        headers={**api.headers, "Accept": "application/json"},
        json={},
    )
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["totalCount"] == 5 and [t["id"] for t in body["objectList"]] == ids
    for key in ("id", "name", "subject", "statusName", "priorityName", "requesterEmail",
                "createdByName", "source", "supportLevel", "spam", "createdTime",
                "updatedTime", "categoryName", "customField", "fileAttachments"):  # fmt: skip
        assert key in body["objectList"][0] or key == "categoryName"

    page = (await client.post(f"{SEARCH}?offset=1&size=2", headers=api.headers)).json()
    assert page["totalCount"] == 5 and [t["id"] for t in page["objectList"]] == ids[1:3]
    page = (await client.post(f"{SEARCH}?sort_by=-id&size=2", headers=api.headers)).json()
    assert [t["id"] for t in page["objectList"]] == ids[::-1][:2]
    page = (await client.post(f"{SEARCH}?offset=10", headers=api.headers, json={})).json()
    assert page == {"objectList": [], "totalCount": 5}
    default = (await client.post(SEARCH, headers=api.headers, json={})).json()
    assert len(default["objectList"]) == 5


async def test_qualifications(client: httpx.AsyncClient, db: Database) -> None:
    api = await setup(client, db)
    first = await _create(client, api, subject="Mail down", priorityName="Urgent")
    second = await _create(client, api, subject="Printer", statusName="Pending", spam=True)
    third = await _create(
        client,
        api,
        subject="Mail slow",
        locationName="Ahmedabad",
        requesterEmail="Dana@Example.com",
    )

    async def found(body: dict[str, Any]) -> list[int]:
        response = await client.post(SEARCH, headers=api.headers, json=body)
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["objectList"]]

    assert await found(qual(rel("request.subject", "contains", "mail"))) == [
        first["id"],
        third["id"],
    ]
    assert await found(qual(rel("statusName", "Equal", "pending"))) == [second["id"]]
    assert await found(
        qual(rel("request.statusName", "not_in", ["Pending"], "ListStringValueRest"))
    ) == [first["id"], third["id"]]
    assert await found(qual(rel("priorityName", "in", ["Urgent"], "ListStringValueRest"))) == [
        first["id"]
    ]
    assert await found(qual(rel("spam", "equal", True, "BooleanValueRest"))) == [second["id"]]
    assert await found(qual(rel("locationName", "equal", "Ahmedabad"))) == [third["id"]]
    assert await found(qual(rel("name", "equal", second["name"]))) == [second["id"]]
    assert third["requesterEmail"] == "Dana@Example.com"
    for email in ("Dana@Example.com", "dana@example.com", "DANA@EXAMPLE.COM"):
        assert await found(qual(rel("requesterEmail", "equal", email))) == [third["id"]]
    assert await found(
        qual(rel("createdTime", "greater_than_or_equal", third["createdTime"], "TimeValueRest"))
    ) == [third["id"]]
    assert await found(
        {
            "qualDetails": {
                "type": "BinaryQualificationRest",
                "leftQual": rel("id", "equal", first["id"], "LongValueRest"),
                "operator": "OR",
                "rightQual": rel("id", "equal", third["id"], "LongValueRest"),
            }
        }
    ) == [first["id"], third["id"]]
    assert await found(qual(rel("statusName", "equal", "No such status"))) == []


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (SEARCH, {"qualDetails": {"type": "Nonsense"}}, "qualDetails"),
        (SEARCH, qual(rel("request.shoeSize", "equal", "9")), "qualDetails"),
        (SEARCH, qual(rel("statusName", "Sounds_Like", "Open")), "qualDetails"),
        (SEARCH, qual(rel("id", "equal", "x")), "qualDetails"),
        (SEARCH, {"qualDetails": "everything"}, "qualDetails"),
        (f"{SEARCH}?size=0", {}, "size"),
        (f"{SEARCH}?size=10001", {}, "size"),
        (f"{SEARCH}?offset=-1", {}, "offset"),
        (f"{SEARCH}?size=ten", {}, "size"),
        (f"{SEARCH}?sort_by=colour", {}, "sort_by"),
    ],
)
async def test_bad_searches_are_400(
    client: httpx.AsyncClient, db: Database, url: str, body: dict[str, Any], field: str
) -> None:
    api = await setup(client, db)
    await _create(client, api)
    before = await snapshot(db)
    assert_error(await client.post(url, headers=api.headers, json=body), 400, field=field)
    assert await snapshot(db) == before


@pytest.fixture
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def test_a_page_costs_a_bounded_number_of_queries(
    client: httpx.AsyncClient, db: Database, statements: list[str]
) -> None:
    api = await setup(client, db)
    counts = []
    for extra in (1, 6):
        for n in range(extra):
            await _create(client, api, subject=f"n{n}", locationName="Ahmedabad")
        # Warm the per-process caches (a new requester was just written), then count.
        await client.post(f"{SEARCH}?size=100", headers=api.headers, json={})
        statements.clear()
        page = await client.post(f"{SEARCH}?size=100", headers=api.headers, json={})
        assert page.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


# Credentials on every endpoint -------------------------------------------------------------

ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/v1/request", SEED_BODY),
    ("GET", "/api/v1/request/1", None),
    ("PATCH", "/api/v1/request/1", {"subject": "x"}),
    ("DELETE", "/api/v1/request/1", None),
    ("POST", SEARCH, {}),
    ("POST", "/api/v1/service_catalog/servicerequest", {"requester": "a@b.com"}),
    ("POST", "/api/v1/change", {"subject": "x"}),
    ("GET", "/api/v1/change/1", None),
    ("PATCH", "/api/v1/change/1", {}),
    ("DELETE", "/api/v1/change/1", None),
    ("POST", "/api/v1/change/search/byqual", {}),
    ("POST", "/api/v1/problem", {"subject": "x"}),
    ("GET", "/api/v1/problem/1", None),
    ("POST", "/api/v1/problem/search/byqual", {}),
    ("POST", "/api/v1/release", {"subject": "x"}),
    ("PATCH", "/api/v1/release/1", {}),
    ("POST", "/api/v1/release/search/byqual", {}),
    ("POST", "/api/v1/request/1/conversation", {"details": "x"}),
    ("PATCH", "/api/v1/request/1/conversation/1", {"details": "x"}),
    ("POST", "/api/v1/problem/1/conversation/search/byqual", {}),
    ("POST", "/api/v1/requester", {"email": "x@y.com"}),
    ("GET", "/api/v1/requester/1", None),
    ("POST", "/api/v1/asset", {"name": "x"}),
    ("PATCH", "/api/v1/asset/1", {}),
    ("DELETE", "/api/v1/asset/1", None),
]


async def test_no_and_expired_credentials_are_401_everywhere(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    api = await setup(client, db)
    await _create(client, api)
    past = utcnow() - timedelta(hours=3)
    expired, _claims = jwt.encode_token(
        settings.signing_key(),
        typ=TokenKind.ACCESS,
        user_name=api.user.email,
        client_id="main-web-app-client",
        scope=["main-web-app-scope"],
        authorities=["USER"],
        grant_type="password",
        issued_at=past,
        expires_at=past + timedelta(hours=2),
    )
    before = await snapshot(db)
    for method, url, body in ENDPOINTS:
        for headers in ({}, bearer(expired), {"Authorization": "Apikey nope"}):
            response = await client.request(method, url, headers=headers, json=body)
            assert_error(response, 401)
    assert await snapshot(db) == before


async def test_requester_keys_are_403_unknown_ids_404_big_bodies_413_everywhere(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    api = await setup(client, db)
    async with db.unit_of_work() as session:
        requester = await make_user(session, email="req@acme.com", role=Role.REQUESTER)
        _row, key = await integration.create_api_token(
            session,
            Actor(user_id=requester.id, role=Role.REQUESTER, channel=Channel.CLI),
            name="key",
        )
    # The key's first use is recorded, refused or not (at most once a minute); nothing else is.
    first = await client.get("/api/v1/incident/1", headers={"Authorization": f"Apikey {key}"})
    assert_error(first, 403)
    async with db.unit_of_work() as session:
        tokens = await integration.list_api_tokens(session, Actor.system(), user_id=requester.id)
        assert [t.last_used_at is not None for t in tokens] == [True]
    before = await snapshot(db)
    big = {"subject": "x" * (settings.max_body_bytes + 1)}
    for method, url, body in ENDPOINTS:
        forbidden = await client.request(
            method, url, headers={"Authorization": f"Apikey {key}"}, json=body
        )
        assert_error(forbidden, 403)
        unknown = url.replace("/1", "/999999")
        if unknown != url:
            response = await client.request(method, unknown, headers=api.headers, json=body)
            assert_error(response, 404)
        if body is not None:
            response = await client.request(method, url, headers=api.headers, json=big)
            assert_error(response, 413)
    assert await snapshot(db) == before


async def test_openapi_describes_the_g2_routes(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    paths = document["paths"]
    for method, url, _body in ENDPOINTS:
        path = url.replace("/1/conversation/1", "/{ticket_id}/conversation/{conversation_id}")
        path = path.replace("/1/conversation", "/{ticket_id}/conversation")
        for module in ("request", "change", "problem", "release", "requester", "asset"):
            path = path.replace(f"/{module}/1", f"/{module}/{{{module}_id}}")
        operation = paths[path][method.lower()]
        assert {"200", "400", "401", "403"} <= set(operation["responses"]), (method, path)
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in schema, (method, path)
    create = paths["/api/v1/request"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RequestCreate"
    }
    assert "413" in create["responses"]
    ticket = document["components"]["schemas"]["Ticket"]
    assert {"id", "name", "createdTime", "fileAttachments", "customField"} <= set(
        ticket["required"]
    )


HUGE = 10**30
CHANGE = '{"subject": "x", "requesterEmail": "a@b.com", '


def raw_qual(key: str, operator: str, value: str) -> str:
    """A one-condition qualification whose value is raw JSON text (``NaN``, ``Infinity``)."""
    relation = json.dumps({"leftOperand": {"key": key}, "operator": operator, "rightOperand": {}})
    return (
        '{"qualDetails": {"quals": [' + relation.replace("{}", '{"value": ' + value + "}") + "]}}"
    )


@pytest.mark.parametrize(
    ("url", "content"),
    [
        (SEARCH, json.dumps(qual(rel("id", "in", [HUGE])))),
        (SEARCH, json.dumps(qual(rel("statusId", "equal", HUGE)))),
        (SEARCH, json.dumps(qual(rel("requesterId", "equal", str(HUGE))))),
        (SEARCH, json.dumps(qual(rel("categoryId", "in", [-HUGE])))),
        (SEARCH, raw_qual("id", "equal", "Infinity")),
        (SEARCH, raw_qual("createdTime", "after", "NaN")),
        (f"{SEARCH}?offset={HUGE}", "{}"),
        (f"{SEARCH}?offset=3000000000", "{}"),
        ("/api/v1/request", json.dumps({**SEED_BODY, "linkAssetIds": [{"assetId": HUGE}]})),
        ("/api/v1/request", json.dumps({**SEED_BODY, "customField": {"New Number": 1e400}})),
        ("/api/v1/request", json.dumps({**SEED_BODY, "customField": {"New Datetime": HUGE}})),
        ("/api/v1/request", '{"subject": "x", "requesterEmail": "a@b.com", "spam": NaN}'),
        ("/api/v1/request", CHANGE + '"customField": {"New Number": NaN}}'),
        ("/api/v1/change", CHANGE + f'"startDate": {HUGE}, "endDate": 1}}'),
        ("/api/v1/change", CHANGE + '"startDate": 1e300, "endDate": Infinity}'),
    ],
)
async def test_out_of_range_numbers_are_400(
    client: httpx.AsyncClient, db: Database, url: str, content: str
) -> None:
    api = await setup(client, db)
    await _create(client, api)
    before = await snapshot(db)
    response = await client.post(
        url, headers={**api.headers, "Content-Type": "application/json"}, content=content
    )
    assert_error(response, 400)
    assert await snapshot(db) == before
