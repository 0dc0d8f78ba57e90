"""Bodies in every accepted encoding, and no input that makes the surface answer 500:
malformed JSON and XML, entity bombs and external entities, ids out of range, unknown keys,
wrong types."""

from __future__ import annotations

import pytest

from polydesk.core.enums import RecordKind
from tests.api.gotoassist.conftest import Desk, failed
from tests.factories import make_record

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<incident><title>&lol3;</title><service_id>1</service_id></incident>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<incident><title>&xxe;</title></incident>"""


async def _count(desk: Desk) -> int:
    result = await desk.ok(await desk.get("/v1/incidents.json"))
    total: int = result["total_entries"]
    return total


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("application/json", b'{"incident": {"title": "x",', "the request body is not valid JSON"),
        ("application/json", b"[1, 2]", "the request body must be an object"),
        ("application/json", b'{"incident": "x"}', "incident must be an object"),
        ("application/json", b"\xff\xfe\x00", "the request body is not valid JSON"),
        (
            "application/xml",
            b"<incident><title>x</incident>",
            "the request body is not well-formed XML",
        ),
        ("application/xml", BOMB, "the request body is not well-formed XML"),
        ("application/xml", EXTERNAL, "the request body is not well-formed XML"),
        ("text/xml", b"<a>" * 100 + b"</a>" * 100, "the XML body is nested too deeply"),
    ],
)
async def test_malformed_bodies(desk: Desk, content_type: str, body: bytes, message: str) -> None:
    for path in ("/v1/incidents.json", "/v1/incidents.xml"):
        response = await desk.client.post(
            path, content=body, headers={**desk.auth, "Content-Type": content_type}
        )
        assert failed(response) == [message]
    assert await _count(desk) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "x", "service_id": "abc"}, "service_id is invalid"),
        ({"title": "x", "service_id": 2**70}, "service_id is invalid"),
        ({"title": "x", "service_id": -4}, "service_id is invalid"),
        ({"title": "x", "service_id": True}, "service_id is invalid"),
        ({"title": "x", "service_id": 987654321}, "no service found"),
        ({"title": ["x"], "service_id": 1}, "title is invalid"),
        ({"title": "x", "service_id": 1, "due_date": "tomorrow"}, "due_date is invalid"),
        (
            {"title": "x", "service_id": 1, "priority_level": 9},
            "priority_level must be between 1 and 5",
        ),
        (
            {"title": "x", "service_id": 1, "priority_level": "high"},
            "priority_level is not a number",
        ),
        ({"title": "x", "service_id": 1, "assigned_user_id": 987654321}, "no assigned user found"),
        (
            {"title": "x", "service_id": 1, "notify_watchlisted": "maybe"},
            "notify_watchlisted is invalid",
        ),
        (
            {"title": "x", "service_id": 1, "additional_values": [1]},
            "additional_values must be an object",
        ),
        ({"title": "x" * 600, "service_id": 1}, "The title must be at most 500 characters long"),
    ],
)
async def test_wrong_types_are_e400(desk: Desk, fields: dict[str, object], message: str) -> None:
    if type(fields.get("service_id")) is int and fields["service_id"] == 1:
        fields = {**fields, "service_id": desk.service.id}
    response = await desk.post("/v1/incidents.json", {"incident": fields})
    assert failed(response) == [message]
    assert await _count(desk) == 0


@pytest.mark.parametrize(
    "raw_id", ["0", "-1", "99999999999999999999999", "1e3", "abc", "%20", "9223372036854775808"]
)
async def test_ids_out_of_range_are_not_found(desk: Desk, raw_id: str) -> None:
    for method in ("GET", "PUT"):
        response = await desk.client.request(
            method, f"/v1/incidents/{raw_id}.json", headers=desk.auth
        )
        assert failed(response) == ["no incident found"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=abc",
        "limit=0",
        "page=-1",
        "order=title",
        "service_ids=a,b",
        "selected_user_id=x",
        "include_watchlisted=perhaps",
        "limit=99999999999999999999999",
    ],
)
async def test_bad_list_parameters(desk: Desk, query: str) -> None:
    failed(await desk.get(f"/v1/incidents.json?{query}"))


async def test_huge_page_is_empty(desk: Desk) -> None:
    result = await desk.ok(await desk.get("/v1/incidents.json?page=999999999999999999&limit=500"))
    assert result["incidents"] == []


async def test_xml_body_form_body_query_string_and_unwrapped_body(desk: Desk) -> None:
    sid = desk.service.id
    xml_body = (
        f'<incident><title>From XML</title><service_id type="integer">{sid}</service_id>'
        "<symptom>Broken</symptom></incident>"
    ).encode()
    response = await desk.client.post(
        "/v1/incidents.xml",
        content=xml_body,
        headers={**desk.auth, "Content-Type": "application/xml"},
    )
    assert response.status_code == 200 and b"<title>From XML</title>" in response.content
    form = await desk.client.post(
        "/v1/incidents.json",
        data={"incident[title]": "From form", "incident[service_id]": str(sid)},
        headers=desk.auth,
    )
    assert (await desk.ok(form))["incident"]["title"] == "From form"
    query = await desk.client.post(
        f"/v1/incidents?incident[title]=From+query&incident[service_id]={sid}", headers=desk.auth
    )
    assert (await desk.ok(query))["incident"]["title"] == "From query"
    unwrapped = await desk.post("/v1/incidents", {"title": "Unwrapped", "service_id": sid})
    assert (await desk.ok(unwrapped))["incident"]["title"] == "Unwrapped"
    assert await _count(desk) == 4


async def test_update_ignores_read_only_and_unknown_keys_and_empty_body_is_a_no_op(
    desk: Desk,
) -> None:
    async with desk.db.unit_of_work() as session:
        record = await make_record(session, kind=RecordKind.INCIDENT, service_id=desk.service.id)
    path = f"/v1/incidents/{record.id}.json"
    shown = (await desk.ok(await desk.get(path)))["incident"]
    resent = {**shown, "title": "Resent", "no_such_key": {"deep": [1]}}
    updated = (await desk.ok(await desk.put(path, {"incident": resent})))["incident"]
    assert updated["title"] == "Resent"
    assert updated["status"] == shown["status"]
    empty = await desk.client.put(path, headers=desk.auth)
    assert (await desk.ok(empty))["incident"]["title"] == "Resent"
    get_with_body = await desk.client.request(
        "GET", path, content=b"{}", headers={**desk.auth, "Content-Type": "application/json"}
    )
    await desk.ok(get_with_body)


async def test_ids_as_strings_and_reference_numbers(desk: Desk) -> None:
    body = {
        "incident": {
            "title": "Str ids",
            "service_id": str(desk.service.id),
            "assigned_user_id": str(desk.tech.id),
            "priority_level": "1",
        }
    }
    created = (await desk.ok(await desk.post("/v1/incidents.json", body)))["incident"]
    assert created["priority"]["level"] == 1 and created["priority"]["description"] == "Urgent"
    again = await desk.ok(await desk.get(f"/v1/incidents/{created['reference_num']}"))
    assert again["incident"]["id"] == created["id"]
