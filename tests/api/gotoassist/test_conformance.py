"""The conformance suite: every operation × {.json, .xml}, checking the envelope, the wrapper
of the result (singular for one record, plural for lists, per item inside records), paging
totals, and the error paths (no token, a record that does not exist).

Each operation is one :class:`Operation` entry in :data:`OPERATIONS`: how to prepare what it
needs (``setup`` returns the values its path and body use) and what it answers. Extend it by
appending entries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest
from defusedxml.ElementTree import fromstring
from pydantic import ValidationError

from polydesk.app import create_app
from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import RecordKind, Role
from polydesk.core.settings import Settings
from polydesk.domains.companies import service as companies
from polydesk.domains.companies.schemas import CompanyCreate
from polydesk.domains.customers import service as customers
from polydesk.domains.customers.schemas import CustomerCreate
from tests.api.gotoassist.conftest import Desk, basic, failed
from tests.factories import make_record

Setup = Callable[[Desk], Awaitable[dict[str, Any]]]


async def _nothing(desk: Desk) -> dict[str, Any]:
    return {"service_id": desk.service.id, "user_id": desk.tech.id}


def _record(kind: RecordKind) -> Setup:
    async def setup(desk: Desk) -> dict[str, Any]:
        async with desk.db.unit_of_work() as session:
            record = await make_record(session, kind=kind, service_id=desk.service.id)
        return {"id": record.id, "service_id": desk.service.id, "user_id": desk.tech.id}

    return setup


async def _company(desk: Desk) -> dict[str, Any]:
    async with desk.db.unit_of_work() as session:
        company = await companies.create_company(
            session, Actor.system(), CompanyCreate(name="Acme")
        )
    return {"id": company.id}


async def _customer(desk: Desk) -> dict[str, Any]:
    async with desk.db.unit_of_work() as session:
        found = await customers.create_customer(
            session, Actor.system(), CustomerCreate(email="jane@example.com", first_name="Jane")
        )
    return {"id": found.customer.id}


async def _service(desk: Desk) -> dict[str, Any]:
    return {"id": desk.service.id}


async def _user(desk: Desk) -> dict[str, Any]:
    return {"id": desk.tech.id}


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    """With ``{id}`` etc. filled from what ``setup`` returns."""
    result: str
    """The key under ``result``."""
    setup: Setup = _nothing
    body: dict[str, Any] | None = None
    """Values in ``{…}`` are filled from ``setup``'s dict: ``"{service_id}"``."""
    paged: bool = False
    is_list: bool = False
    link_key: str | None = None
    """A ``*_link`` the single result (or each list item) must carry."""
    not_found: str | None = None
    """The path of a missing one, and its message ``no <x> found``: ``(path, message)``."""
    not_found_message: str = ""
    item_keys: tuple[str, ...] = field(default_factory=tuple)


def _record_ops(kind: RecordKind, extra: dict[str, Any]) -> list[Operation]:
    name = kind.value
    plural = f"{name}s"
    return [
        Operation(
            f"list {plural}",
            "GET",
            f"/v1/{plural}",
            plural,
            _record(kind),
            paged=True,
            is_list=True,
            link_key=f"{name}_link",
            item_keys=("id", "reference_num", "title", "service", "priority", "watches"),
        ),
        Operation(
            f"show {name}",
            "GET",
            f"/v1/{plural}/{{id}}",
            name,
            _record(kind),
            link_key=f"{name}_link",
            not_found=f"/v1/{plural}/987654321",
            not_found_message=f"no {name} found",
            item_keys=("id", "reference_num", "comments", "incidents", "additional_values"),
        ),
        Operation(
            f"create {name}",
            "POST",
            f"/v1/{plural}",
            name,
            body={name: {"title": "Created", "service_id": "{service_id}", **extra}},
            link_key=f"{name}_link",
        ),
        Operation(
            f"update {name}",
            "PUT",
            f"/v1/{plural}/{{id}}",
            name,
            _record(kind),
            body={name: {"title": "Renamed", "assigned_user_id": "{user_id}"}},
            link_key=f"{name}_link",
            not_found=f"/v1/{plural}/987654321",
            not_found_message=f"no {name} found",
        ),
    ]


OPERATIONS: list[Operation] = [
    *_record_ops(RecordKind.INCIDENT, {"symptom": "It hurts"}),
    *_record_ops(RecordKind.PROBLEM, {"symptom": "Again"}),
    *_record_ops(RecordKind.CHANGE, {"type": "Normal", "reason": "Because"}),
    *_record_ops(RecordKind.RELEASE, {"component": "API"}),
    Operation(
        "list users", "GET", "/v1/users", "users", paged=True, is_list=True, link_key="user_link"
    ),
    Operation(
        "show user",
        "GET",
        "/v1/users/{id}",
        "user",
        _user,
        link_key="user_link",
        not_found="/v1/users/987654321",
        not_found_message="no user found",
    ),
    Operation("current user", "GET", "/v1/users/current", "user", link_key="user_link"),
    Operation(
        "list customers",
        "GET",
        "/v1/customers",
        "customers",
        _customer,
        paged=True,
        is_list=True,
        link_key="customer_link",
    ),
    Operation(
        "show customer",
        "GET",
        "/v1/customers/{id}",
        "customer",
        _customer,
        link_key="customer_link",
        not_found="/v1/customers/987654321",
        not_found_message="no customer found",
    ),
    Operation(
        "create customer",
        "POST",
        "/v1/customers",
        "customer",
        body={"customer": {"email": "new@example.com", "full_name": "New Person"}},
        link_key="customer_link",
    ),
    Operation(
        "update customer",
        "PUT",
        "/v1/customers/{id}",
        "customer",
        _customer,
        body={"customer": {"phone": "555-1234"}},
        link_key="customer_link",
        not_found="/v1/customers/987654321",
        not_found_message="no customer found",
    ),
    Operation(
        "list companies",
        "GET",
        "/v1/companies",
        "companies",
        _company,
        paged=True,
        is_list=True,
        link_key="company_link",
    ),
    Operation(
        "show company",
        "GET",
        "/v1/companies/{id}",
        "company",
        _company,
        link_key="company_link",
        not_found="/v1/companies/987654321",
        not_found_message="no company found",
    ),
    Operation(
        "create company",
        "POST",
        "/v1/companies",
        "company",
        body={"company": {"name": "Globex"}},
        link_key="company_link",
    ),
    Operation(
        "update company",
        "PUT",
        "/v1/companies/{id}",
        "company",
        _company,
        body={"company": {"website": "https://acme.example"}},
        link_key="company_link",
        not_found="/v1/companies/987654321",
        not_found_message="no company found",
    ),
    Operation(
        "list services",
        "GET",
        "/v1/services",
        "services",
        paged=True,
        is_list=True,
        link_key="service_link",
    ),
    Operation(
        "show service",
        "GET",
        "/v1/services/{id}",
        "service",
        _service,
        link_key="service_link",
        not_found="/v1/services/987654321",
        not_found_message="no service found",
        item_keys=("priorities", "service_activity_types", "categories"),
    ),
]

FORMATS = (".json", ".xml")


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return str(values[value[1:-1]])
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


def _xml_body(body: dict[str, Any]) -> bytes:
    from polydesk.api.gotoassist import xml

    ((wrapper, fields),) = body.items()
    return xml.dumps(fields, root=wrapper)


async def _call(
    desk: Desk, op: Operation, path: str, fmt: str, body: dict[str, Any] | None, **kw: Any
) -> httpx.Response:
    headers = {**desk.auth, **kw.pop("headers", {})}
    content = None
    if body is not None:
        if fmt == ".xml":
            content = _xml_body(body)
            headers["Content-Type"] = "application/xml"
        else:
            content = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
    return await desk.client.request(op.method, path + fmt, headers=headers, content=content)


def _xml_result(response: httpx.Response, key: str) -> Any:
    root = fromstring(response.content)
    assert root.tag == "hash"
    assert [child.tag for child in root] == ["result", "version", "status"]
    assert root.findtext("status") == "Success" and root.findtext("version") == "1.0"
    result = root.find("result")
    assert result is not None
    found = result.find(key)
    assert found is not None, f"no <{key}> in {response.text[:500]}"
    return found


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
async def test_success_shape(desk: Desk, op: Operation, fmt: str) -> None:
    values = await op.setup(desk)
    path = op.path.format(**values)
    body = _fill(op.body, values) if op.body is not None else None
    response = await _call(desk, op, path, fmt, body)
    assert response.status_code == 200, response.text
    assert "x-ratelimit-remaining" in response.headers
    if fmt == ".xml":
        assert response.headers["content-type"].startswith("application/xml")
        found = _xml_result(response, op.result)
        if op.is_list:
            assert found.get("type") == "array"
            items = list(found)
            assert items, response.text[:500]
            assert all(item.tag == op.result[:-1] or op.result.endswith("ies") for item in items)
            if op.link_key:
                assert items[0].findtext(op.link_key)
        elif op.link_key:
            assert (found.findtext(op.link_key) or "").startswith("/v1/")
        return
    assert response.headers["content-type"].startswith("application/json")
    result = await desk.ok(response)
    assert op.result in result
    if op.paged:
        assert set(result) == {"total_entries", "total_pages", op.result}
        assert result["total_entries"] >= 1 and result["total_pages"] >= 1
    if op.is_list:
        items = result[op.result]
        assert isinstance(items, list) and items
        for item in items:
            assert op.result[:-1] not in item or not isinstance(item[op.result[:-1]], dict)
            if op.link_key:
                assert item[op.link_key].startswith("/v1/")
            for key in op.item_keys:
                assert key in item
        if "watches" in items[0]:
            assert all(list(w) == ["watch"] for w in items[0]["watches"])
    else:
        item = result[op.result]
        assert isinstance(item, dict)
        if op.link_key:
            assert item[op.link_key].startswith("/v1/")
        for key in op.item_keys:
            assert key in item
        for key in ("comments", "symptoms", "watches", "descriptions", "components"):
            for entry in item.get(key, []):
                assert (len(entry) == 1 and key.rstrip("s") in entry) or key == "watches"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
async def test_without_token_is_e906(desk: Desk, op: Operation, fmt: str) -> None:
    values = await op.setup(desk)
    path = op.path.format(**values)
    body = _fill(op.body, values) if op.body is not None else None
    for headers in ({"Authorization": ""}, basic("not-a-token")):
        response = await _call(desk, op, path, fmt, body, headers=headers)
        assert failed(response, "E906", 200) == ["Invalid verifier"]
        assert "www-authenticate" not in response.headers


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("op", [o for o in OPERATIONS if o.not_found], ids=lambda op: op.name)
async def test_not_found_is_e400_with_http_200(desk: Desk, op: Operation, fmt: str) -> None:
    values = await _nothing(desk)
    body = _fill(op.body, values) if op.body is not None else None
    assert op.not_found is not None
    response = await _call(desk, op, op.not_found, fmt, body)
    assert failed(response) == [op.not_found_message]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "op", [o for o in OPERATIONS if o.method == "POST"], ids=lambda op: op.name
)
async def test_create_with_empty_wrapper_is_e400_and_writes_nothing(
    desk: Desk, op: Operation, fmt: str
) -> None:
    assert op.body is not None
    ((wrapper, _),) = op.body.items()
    listing = op.path + ".json"
    before = (await desk.ok(await desk.get(listing)))["total_entries"]
    response = await _call(desk, op, op.path, fmt, {wrapper: {"ignored": "x"}})
    errors = failed(response)
    assert all(e.endswith("can't be blank") for e in errors)
    assert (await desk.ok(await desk.get(listing)))["total_entries"] == before


async def test_both_prefixes_and_every_suffix(desk: Desk) -> None:
    for prefix in ("/v1", "/external_api/v1"):
        for suffix in ("", ".json", ".js"):
            result = await desk.ok(await desk.get(f"{prefix}/services/{desk.service.id}{suffix}"))
            assert result["service"]["service_link"] == f"{prefix}/services/{desk.service.id}"
        response = await desk.get(f"{prefix}/services/{desk.service.id}.xml")
        assert response.headers["content-type"].startswith("application/xml")
        assert _xml_result(response, "service").findtext("service_link") == (
            f"{prefix}/services/{desk.service.id}"
        )


async def test_account_wide_token_acts_as_the_account(desk: Desk) -> None:
    headers = basic(desk.account_token, "anything")
    result = await desk.ok(await desk.client.get("/v1/users.json", headers=headers))
    assert result["total_entries"] == 2
    response = await desk.client.get("/v1/users/current.json", headers=headers)
    assert failed(response) == ["the account-wide API token belongs to no user"]


async def test_personal_token_acts_as_its_user(desk: Desk) -> None:
    result = await desk.ok(await desk.get("/v1/users/current.json"))
    assert result["user"]["id"] == desk.tech.id
    assert result["user"]["full_name"] == "Dan Lee"
    body = {"incident": {"title": "Mine", "service_id": desk.service.id}}
    created = await desk.ok(await desk.post("/v1/incidents.json", body))
    assert created["incident"]["updated_by_user"]["id"] == desk.tech.id


async def test_requester_tokens_are_refused(desk: Desk) -> None:
    from polydesk.domains.integration import service as integration
    from tests.factories import make_user

    async with desk.db.unit_of_work() as session:
        requester = await make_user(session, role=Role.REQUESTER)
        _, token = await integration.create_api_token(
            session, Actor.system(), user_id=requester.id, name="r"
        )
    response = await desk.client.get("/v1/incidents.json", headers=basic(token))
    assert failed(response, "E906", 200) == ["Invalid verifier"]


async def test_unknown_path_and_method(desk: Desk) -> None:
    assert failed(await desk.get("/v1/nothing_here.json"), status=404) == ["no such API call"]
    response = await desk.client.delete("/v1/incidents/1.json", headers=desk.auth)
    assert failed(response, status=405)


async def test_e906_status_is_200_by_default_and_401_when_configured(
    settings: Settings, db: Database, client: httpx.AsyncClient
) -> None:
    default = await client.get("/v1/incidents.json", headers=basic("pdk_not-a-token"))
    assert failed(default, "E906", 200) == ["Invalid verifier"]
    assert "www-authenticate" not in default.headers
    app = create_app(settings.model_copy(update={"gotoassist_auth_failure_status": 401}))
    app.state.db = db
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as strict:
        response = await strict.get("/v1/incidents.xml")
    assert failed(response, "E906", 401) == ["Invalid verifier"]
    assert response.headers["www-authenticate"].startswith("Basic")


def test_the_e906_and_e902_statuses_accept_only_their_two_values() -> None:
    with pytest.raises(ValidationError):
        Settings(env="test", gotoassist_auth_failure_status=403)
    with pytest.raises(ValidationError):
        Settings(env="test", gotoassist_rate_limit_status=503)
