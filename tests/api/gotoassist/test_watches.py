"""Watches on records and config items: users and outside addresses, the Beetil shapes and
error texts, customers named as watchers, and errors that change nothing."""

from __future__ import annotations

from polydesk.core.actor import Actor
from polydesk.core.enums import RecordKind
from polydesk.domains.configuration import service as configuration
from polydesk.domains.configuration.schemas import ConfigItemCreate, ConfigTypeCreate
from polydesk.domains.customers import service as customers
from polydesk.domains.customers.schemas import CustomerCreate
from polydesk.domains.watches import service as watches
from polydesk.models import Record
from tests.api.gotoassist.conftest import Desk, failed
from tests.factories import make_record


async def _record(desk: Desk, kind: RecordKind = RecordKind.INCIDENT) -> Record:
    async with desk.db.unit_of_work() as session:
        return await make_record(session, kind=kind, service_id=desk.service.id)


async def _count(desk: Desk, record_id: int) -> int:
    async with desk.db.unit_of_work() as session:
        return len(await watches.list_watches(session, record_id=record_id))


async def test_watch_life_cycle(desk: Desk) -> None:
    record = await _record(desk)
    base = f"/external_api/v1/incidents/{record.id}/watches"
    created = await desk.ok(
        await desk.post(f"{base}.json", {"watch": {"watched_by": desk.tech.id}})
    )
    watch = created["watch"]
    assert list(watch) == ["id", "watched_by", "watch_link"]
    assert watch["watch_link"] == f"{base}/{watch['id']}"
    assert watch["watched_by"]["user_link"] == f"/external_api/v1/users/{desk.tech.id}"
    assert watch["watched_by"]["full_name"] == "Dan Lee"

    external = await desk.ok(
        await desk.post(f"{base}.json", {"watch": {"external_email": "Boss@Example.com"}})
    )
    assert external["watch"]["watched_by"] == {"external_email": "boss@example.com"}

    listed = await desk.ok(await desk.get(f"{base}.json"))
    assert list(listed) == ["watches"]
    assert [w["id"] for w in listed["watches"]] == [watch["id"], external["watch"]["id"]]
    assert "watch" not in listed["watches"][0]  # top-level list items are flat

    shown = await desk.ok(await desk.get(f"{base}/{watch['id']}.json"))
    assert shown["watch"] == watch

    # The record embeds the same watch, wrapped per item.
    incident = (await desk.ok(await desk.get(f"/external_api/v1/incidents/{record.id}.json")))[
        "incident"
    ]
    assert {"watch": watch} in incident["watches"]

    moved = await desk.ok(
        await desk.put(f"{base}/{watch['id']}.json", {"watch": {"watched_by": str(desk.admin.id)}})
    )
    assert moved["watch"]["watched_by"]["id"] == desk.admin.id
    unchanged = await desk.ok(await desk.put(f"{base}/{watch['id']}.json"))
    assert unchanged["watch"]["watched_by"]["id"] == desk.admin.id

    deleted = await desk.ok(
        await desk.client.delete(f"{base}/{watch['id']}.json", headers=desk.auth)
    )
    assert deleted["watch"]["id"] == watch["id"]
    assert await _count(desk, record.id) == 1
    assert failed(await desk.get(f"{base}/{watch['id']}.json")) == ["no watch found"]


async def test_every_parent(desk: Desk) -> None:
    for kind in (RecordKind.PROBLEM, RecordKind.CHANGE, RecordKind.RELEASE):
        record = await _record(desk, kind)
        path = f"/v1/{kind.value}s/{record.id}/watches"
        made = await desk.ok(await desk.post(path, {"watch": {"watched_by": desk.tech.id}}))
        assert made["watch"]["watch_link"] == f"{path}/{made['watch']['id']}"
    async with desk.db.unit_of_work() as session:
        config_type = await configuration.create_config_type(
            session, Actor.system(), ConfigTypeCreate(name="Hardware")
        )
        item = await configuration.create_config_item(
            session, Actor.system(), ConfigItemCreate(name="Laptop", config_type_id=config_type.id)
        )
    path = f"/v1/config_items/{item.id}/watches"
    made = await desk.post(f"{path}.xml", {"watch": {"watched_by": desk.tech.id}})
    assert made.status_code == 200
    assert made.headers["content-type"].startswith("application/xml")
    assert b"<watch_link>/v1/config_items/" in made.content
    listed = await desk.ok(await desk.get(f"{path}.json"))
    assert listed["watches"][0]["watch_link"] == f"{path}/{listed['watches'][0]['id']}"
    shown = await desk.ok(await desk.get(f"/v1/config_items/{item.id}.json"))
    assert shown["config_item"]["watches"] == [{"watch": listed["watches"][0]}]
    assert failed(await desk.get("/v1/config_items/999999/watches.json")) == [
        "no config item found"
    ]


async def test_a_customer_reference_names_its_user(desk: Desk) -> None:
    """PY-GTA copies {id, first_name, last_name, customer_link} into watched_by."""
    record = await _record(desk)
    async with desk.db.unit_of_work() as session:
        customer = await customers.create_customer(
            session, Actor.system(), CustomerCreate(email="cust@example.com", first_name="C")
        )
    body = {
        "watch": {
            "watched_by": {
                "id": customer.id,
                "first_name": "C",
                "customer_link": f"/v1/customers/{customer.id}",
            }
        }
    }
    made = await desk.ok(await desk.post(f"/v1/incidents/{record.id}/watches.json", body))
    assert made["watch"]["watched_by"]["id"] == customer.user.id


async def test_errors_change_nothing(desk: Desk) -> None:
    record = await _record(desk)
    path = f"/v1/incidents/{record.id}/watches.json"
    assert failed(await desk.post(path, {"watch": {}})) == ["watched_by can't be blank"]
    assert failed(await desk.post(path)) == ["watched_by can't be blank"]
    assert failed(await desk.post(path, {"watch": {"watched_by": "me"}})) == [
        "watched_by is invalid"
    ]
    assert failed(await desk.post(path, {"watch": {"watched_by": 10**30}})) == [
        "watched_by is invalid"
    ]
    assert failed(await desk.post(path, {"watch": {"watched_by": 999999}})) == ["no user found"]
    assert failed(await desk.post(path, {"watch": {"external_email": "not an address"}}))
    assert failed(await desk.post(path, {"watch": "x"})) == ["watch must be an object"]
    await desk.ok(await desk.post(path, {"watch": {"watched_by": desk.tech.id}}))
    duplicate = failed(await desk.post(path, {"watch": {"watched_by": desk.tech.id}}))
    assert duplicate == [f"User {desk.tech.id} is already watching"]
    assert failed(
        await desk.post(f"/v1/incidents/{record.id}/watches/1.json", {"watch": {}}), status=405
    ) == ["method not allowed for this API call"]
    assert await _count(desk, record.id) == 1
