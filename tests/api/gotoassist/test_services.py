"""The service priority and activity type paths that records' ``service_priority_link`` and
``service_activity_type_link`` name: every link the surface hands out answers."""

from __future__ import annotations

from polydesk.core.actor import Actor
from polydesk.domains.catalog import service as catalog
from polydesk.domains.catalog.schemas import ActivityTypeCreate, ServiceCreate
from tests.api.gotoassist.conftest import Desk, failed


async def _incident(desk: Desk) -> dict[str, object]:
    async with desk.db.unit_of_work() as session:
        bug = await catalog.create_activity_type(
            session, Actor.system(), desk.service.id, ActivityTypeCreate(name="Bug")
        )
    body = {
        "incident": {
            "title": "Potential issues with QA issues",
            "service_id": desk.service.id,
            "service_activity_type_id": bug.id,
            "priority_level": 2,
        }
    }
    created: dict[str, object] = (await desk.ok(await desk.post("/v1/incidents.json", body)))[
        "incident"
    ]
    return created


async def test_the_links_of_a_record_answer(desk: Desk) -> None:
    await _incident(desk)
    for prefix in ("/v1", "/external_api/v1"):
        listed = await desk.ok(await desk.get(f"{prefix}/incidents.json"))
        incident = listed["incidents"][0]
        priority = incident["priority"]
        link = priority["service_priority_link"]
        assert link == f"{prefix}/services/service-desk/service_priorities/{priority['id']}"
        for suffix in ("", ".json"):
            shown = await desk.ok(await desk.get(f"{link}{suffix}"))
            assert shown == {"service_priority": priority}
        activity = incident["service_activity_type"]
        link = activity["service_activity_type_link"]
        assert link == f"{prefix}/services/service-desk/service_activity_types/{activity['id']}"
        shown = await desk.ok(await desk.get(f"{link}.json"))
        assert shown == {"service_activity_type": activity}
        assert activity["name"] == "Bug"


async def test_lists_by_slug_or_id_and_xml(desk: Desk) -> None:
    await _incident(desk)
    for key in ("service-desk", str(desk.service.id)):
        priorities = await desk.ok(await desk.get(f"/v1/services/{key}/service_priorities.json"))
        assert [p["level"] for p in priorities["service_priorities"]] == [1, 2, 3, 4, 5]
        assert priorities["service_priorities"][0]["description"] == "Urgent"
        types = await desk.ok(await desk.get(f"/v1/services/{key}/service_activity_types"))
        assert [t["name"] for t in types["service_activity_types"]] == ["Bug"]
    response = await desk.get("/v1/services/service-desk/service_priorities.xml")
    assert response.headers["content-type"].startswith("application/xml")
    assert b"<service_priority_link>" in response.content


async def test_not_found(desk: Desk) -> None:
    await _incident(desk)
    async with desk.db.unit_of_work() as session:
        other = await catalog.create_service(session, Actor.system(), ServiceCreate(name="Other"))
        others = await catalog.list_priorities(session, other.id)
    assert failed(await desk.get("/v1/services/nothing/service_priorities.json")) == [
        "no service found"
    ]
    assert failed(await desk.get("/v1/services/987654/service_activity_types/1.json")) == [
        "no service found"
    ]
    # a priority of another service is not found under this one
    path = f"/v1/services/service-desk/service_priorities/{others[0].id}.json"
    assert failed(await desk.get(path)) == ["no service priority found"]
    assert failed(await desk.get("/v1/services/service-desk/service_priorities/x.json")) == [
        "no service priority found"
    ]
    path = "/v1/services/service-desk/service_activity_types/987654.json"
    assert failed(await desk.get(path)) == ["no service activity type found"]


async def test_priority_id_and_type_name_the_same_things_as_their_aliases(desk: Desk) -> None:
    """``priority_id`` (a service priority's id) is an alias of ``priority_level``, and
    ``type`` (an activity type's id) of ``service_activity_type_id``."""
    async with desk.db.unit_of_work() as session:
        bug = await catalog.create_activity_type(
            session, Actor.system(), desk.service.id, ActivityTypeCreate(name="Bug")
        )
        priorities = await catalog.list_priorities(session, desk.service.id)
    urgent = next(p for p in priorities if p.level == 1)
    body = {
        "incident": {
            "title": "By priority id",
            "service_id": desk.service.id,
            "priority_id": str(urgent.id),
            "type": bug.id,
        }
    }
    created = (await desk.ok(await desk.post("/v1/incidents.json", body)))["incident"]
    assert created["priority"]["level"] == 1
    assert created["priority"]["id"] == urgent.id
    assert created["type"]["name"] == "Bug"
