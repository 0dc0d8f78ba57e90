"""The conformance suite for the resources under records and for configuration: notes,
watches, change testers, issues, release review users, release records, time entries, links
and config types/items — every operation × {.json, .xml}.

It checks what ``test_conformance.py`` checks for the record operations — the envelope, the
wrapper of the result (singular for one object, plural for lists, flat list items, per-item
wrappers inside objects), paging totals, ``*_link`` paths, ``[E906]`` without a token,
``[E400] no <x> found`` with HTTP 200 — plus, for every write: a create with an empty wrapper is
``[E400] … can't be blank`` and writes nothing; unknown and read-only keys are ignored; a
malformed JSON or XML body is ``[E400]`` and writes nothing. Paths here carry ids, so this table
is separate from the record operations' one, whose create check calls the unfilled path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest
from defusedxml.ElementTree import fromstring

from polydesk.api.gotoassist import xml
from polydesk.core.actor import Actor
from polydesk.core.enums import NoteType, RecordKind
from polydesk.domains.change_testers import service as testers
from polydesk.domains.change_testers.schemas import ChangeTesterCreate
from polydesk.domains.configuration import service as configuration
from polydesk.domains.configuration.schemas import (
    ConfigItemCreate,
    ConfigTypeCreate,
    RelationshipTypeCreate,
)
from polydesk.domains.issues import service as issues
from polydesk.domains.issues.schemas import IssueCreate
from polydesk.domains.links import service as links
from polydesk.domains.notes import service as notes
from polydesk.domains.notes.schemas import NoteCreate
from polydesk.domains.release_records import service as release_records
from polydesk.domains.release_records.schemas import ReleaseRecordCreate
from polydesk.domains.review_users import service as reviewers
from polydesk.domains.review_users.schemas import ReviewUserCreate
from polydesk.domains.time_entries import service as time_entries
from polydesk.domains.time_entries.schemas import TimeEntryCreate
from polydesk.domains.watches import service as watches
from tests.api.gotoassist.conftest import Desk, basic, failed
from tests.factories import make_record

Setup = Callable[[Desk], Awaitable[dict[str, Any]]]
SYSTEM = Actor.system()
MISSING = 987654321
JUNK = {"ignored": "x", "id": 5, "something_link": "/v1/nowhere", "user": {"id": 1}}
"""Unknown and read-only keys every write body carries: they must be ignored."""


async def _world(desk: Desk) -> dict[str, Any]:
    """One of everything the operations read: records of every kind with a note, a watch,
    a tester, a review user, an issue, a release record, a time entry and a link; a config
    type tree with an item, a relationship type, and a watch on the item."""
    async with desk.db.unit_of_work() as session:
        incident = await make_record(session, kind=RecordKind.INCIDENT, service_id=desk.service.id)
        change = await make_record(session, kind=RecordKind.CHANGE, service_id=desk.service.id)
        release = await make_record(session, kind=RecordKind.RELEASE, service_id=desk.service.id)
        problem = await make_record(session, kind=RecordKind.PROBLEM, service_id=desk.service.id)
        comment = await notes.add_note(
            session, SYSTEM, incident.id, NoteCreate(body="c", note_type=NoteType.COMMENT)
        )
        description = await notes.add_note(
            session, SYSTEM, change.id, NoteCreate(body="d", note_type=NoteType.DESCRIPTION)
        )
        watch = await watches.add_watch(
            session, SYSTEM, record_id=incident.id, user_id=desk.tech.id
        )
        tester = await testers.add_tester(
            session, SYSTEM, change.id, ChangeTesterCreate(user_id=desk.tech.id)
        )
        reviewer = await reviewers.add_review_user(
            session, SYSTEM, release.id, ReviewUserCreate(user_id=desk.tech.id)
        )
        issue = await issues.add_issue(session, SYSTEM, change.id, IssueCreate(title="Bug"))
        entry = await release_records.add_release_record(
            session, SYSTEM, release.id, ReleaseRecordCreate(title="Staging")
        )
        minutes = await time_entries.add_time_entry(
            session, SYSTEM, incident.id, TimeEntryCreate(minutes=5, user_id=desk.tech.id)
        )
        await links.link_records(session, SYSTEM, incident.id, change.id)
        config_type = await configuration.create_config_type(
            session, SYSTEM, ConfigTypeCreate(name="Hardware")
        )
        relationship_type = await configuration.create_relationship_type(
            session, SYSTEM, RelationshipTypeCreate(name="runs on")
        )
        item = await configuration.create_config_item(
            session, SYSTEM, ConfigItemCreate(name="Server", config_type_id=config_type.id)
        )
        item_watch = await watches.add_watch(
            session, SYSTEM, config_item_id=item.id, user_id=desk.tech.id
        )
    return {
        "incident": incident.id,
        "change": change.id,
        "release": release.id,
        "problem": problem.id,
        "comment": comment.id,
        "description": description.id,
        "watch": watch.id,
        "tester": tester.id,
        "review_user": reviewer.id,
        "issue": issue.id,
        "release_record": entry.id,
        "time_entry": minutes.id,
        "config_type": config_type.id,
        "relationship_type": relationship_type.id,
        "config_item": item.id,
        "item_watch": item_watch.id,
        "tech": desk.tech.id,
        "admin": desk.admin.id,
    }


@dataclass(frozen=True)
class Op:
    name: str
    method: str
    path: str
    """Filled from the world: ``/v1/incidents/{incident}/comments/{comment}``."""
    result: str
    """The key under ``result`` (for links: one of the four arrays)."""
    body: dict[str, Any] | None = None
    paged: bool = False
    is_list: bool = False
    link_key: str | None = None
    not_found: str | None = None
    not_found_message: str = ""
    count: str | None = None
    """A list path whose total (or length) a failed write must leave unchanged."""
    item_keys: tuple[str, ...] = field(default_factory=tuple)
    four_arrays: bool = False


def _fill(value: Any, world: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


def _nested(parent: str, collection: str, key: str, one: str, body: dict[str, Any]) -> list[Op]:
    """List, show, create, update and delete of a sub-resource at ``parent/collection``."""
    base = f"{parent}/{collection}"
    record = parent.split("/")[2].rstrip("s")
    missing_parent = f"/v1/{parent.split('/')[2]}/{MISSING}/{collection}"
    return [
        Op(
            f"list {collection} of {record}",
            "GET",
            base,
            collection,
            is_list=True,
            link_key=f"{key}_link",
            not_found=missing_parent,
            not_found_message=f"no {record.replace('_', ' ')} found",
        ),
        Op(
            f"show {key} of {record}",
            "GET",
            f"{base}/{one}",
            key,
            link_key=f"{key}_link",
            not_found=f"{base}/{MISSING}",
            not_found_message=f"no {key.replace('_', ' ')} found",
        ),
        Op(
            f"create {key} on {record}",
            "POST",
            base,
            key,
            body={key: {**body, **JUNK}},
            link_key=f"{key}_link",
            count=base,
            not_found=f"{missing_parent}",
            not_found_message=f"no {record.replace('_', ' ')} found",
        ),
        Op(
            f"update {key} of {record}",
            "PUT",
            f"{base}/{one}",
            key,
            body={key: {**JUNK}},
            link_key=f"{key}_link",
            not_found=f"{base}/{MISSING}",
            not_found_message=f"no {key.replace('_', ' ')} found",
        ),
        Op(
            f"delete {key} of {record}",
            "DELETE",
            f"{base}/{one}",
            key,
            link_key=f"{key}_link",
            not_found=f"{base}/{MISSING}",
            not_found_message=f"no {key.replace('_', ' ')} found",
        ),
    ]


def _links_op(name: str, method: str, path: str, body: dict[str, Any] | None = None) -> Op:
    return Op(
        name,
        method,
        path,
        "changes" if method != "DELETE" else "incidents",
        body=body,
        four_arrays=True,
        not_found=f"/v1/links/incidents/{MISSING}",
        not_found_message="no incident found",
    )


OPERATIONS: list[Op] = [
    # Notes (the result key is the note's type).
    Op(
        "list comments",
        "GET",
        "/v1/incidents/{incident}/comments",
        "comments",
        paged=True,
        is_list=True,
        link_key="comment_link",
        not_found=f"/v1/incidents/{MISSING}/comments",
        not_found_message="no incident found",
    ),
    Op(
        "show note",
        "GET",
        "/v1/incidents/{incident}/comments/{comment}",
        "comment",
        link_key="comment_link",
        not_found="/v1/incidents/{incident}/comments/" + str(MISSING),
        not_found_message="no comment found",
    ),
    Op(
        "create note",
        "POST",
        "/v1/incidents/{incident}/comments?note_type=comments",
        "comment",
        body={"comment": {"note": "Hello", **JUNK}},
        link_key="comment_link",
        count="/v1/incidents/{incident}/comments",
        not_found=f"/v1/incidents/{MISSING}/comments",
        not_found_message="no incident found",
    ),
    Op(
        "update note",
        "PUT",
        "/v1/changes/{change}/descriptions/{description}?note_type=description",
        "description",
        body={"description": {"note": "New", **JUNK}},
        link_key="description_link",
        not_found=f"/v1/changes/{MISSING}/descriptions/1",
        not_found_message="no change found",
    ),
    Op(
        "delete note",
        "DELETE",
        "/v1/incidents/{incident}/comments/{comment}",
        "comment",
        link_key="comment_link",
        not_found=f"/v1/incidents/{MISSING}/comments/1",
        not_found_message="no incident found",
    ),
    # Watches, on a record and on a config item.
    *_nested("/v1/incidents/{incident}", "watches", "watch", "{watch}", {"watched_by": "{admin}"}),
    Op(
        "list watches of config item",
        "GET",
        "/v1/config_items/{config_item}/watches",
        "watches",
        is_list=True,
        link_key="watch_link",
        not_found=f"/v1/config_items/{MISSING}/watches",
        not_found_message="no config item found",
    ),
    Op(
        "create watch on config item",
        "POST",
        "/v1/config_items/{config_item}/watches",
        "watch",
        body={"watch": {"external_email": "ops@example.com", **JUNK}},
        link_key="watch_link",
        count="/v1/config_items/{config_item}/watches",
    ),
    # Change testers, review users.
    *_nested("/v1/changes/{change}", "testers", "tester", "{tester}", {"user_id": "{admin}"}),
    *_nested(
        "/v1/releases/{release}",
        "review_users",
        "review_user",
        "{review_user}",
        {"user_id": "{admin}"},
    ),
    # Issues.
    Op(
        "list issues",
        "GET",
        "/v1/issues",
        "issues",
        paged=True,
        is_list=True,
        link_key="issue_link",
    ),
    Op(
        "show issue",
        "GET",
        "/v1/issues/{issue}",
        "issue",
        link_key="issue_link",
        not_found=f"/v1/issues/{MISSING}",
        not_found_message="no issue found",
    ),
    Op(
        "create issue",
        "POST",
        "/v1/issues",
        "issue",
        body={"issue": {"title": "T", **JUNK}},
        link_key="issue_link",
        count="/v1/issues",
    ),
    Op(
        "update issue",
        "PUT",
        "/v1/issues/{issue}",
        "issue",
        body={"issue": {"status": "resolved", **JUNK}},
        link_key="issue_link",
        not_found=f"/v1/issues/{MISSING}",
        not_found_message="no issue found",
    ),
    Op(
        "list issues of change",
        "GET",
        "/v1/changes/{change}/issues",
        "issues",
        paged=True,
        is_list=True,
        link_key="issue_link",
    ),
    Op(
        "create issue on release",
        "POST",
        "/v1/releases/{release}/issues",
        "issue",
        body={"issue": {"title": "T", **JUNK}},
        link_key="issue_link",
        count="/v1/releases/{release}/issues",
        not_found=f"/v1/releases/{MISSING}/issues",
        not_found_message="no release found",
    ),
    # Release records.
    Op(
        "list release records",
        "GET",
        "/v1/releases/{release}/release_records",
        "release_records",
        paged=True,
        is_list=True,
        link_key="release_record_link",
    ),
    Op(
        "show release record",
        "GET",
        "/v1/releases/{release}/release_records/{release_record}",
        "release_record",
        link_key="release_record_link",
        not_found=f"/v1/release_records/{MISSING}",
        not_found_message="no release record found",
    ),
    Op(
        "create release record",
        "POST",
        "/v1/releases/{release}/release_records",
        "release_record",
        body={"release_record": {"title": "Prod", **JUNK}},
        link_key="release_record_link",
        count="/v1/releases/{release}/release_records",
    ),
    Op(
        "update release record",
        "PUT",
        "/v1/release_records/{release_record}",
        "release_record",
        body={"release_record": {"note": "n", **JUNK}},
        link_key="release_record_link",
        not_found=f"/v1/release_records/{MISSING}",
        not_found_message="no release record found",
    ),
    # Time entries.
    Op(
        "list time entries",
        "GET",
        "/v1/time_entries",
        "time_entries",
        paged=True,
        is_list=True,
        link_key="time_entry_link",
    ),
    Op(
        "list time entries of incident",
        "GET",
        "/v1/incidents/{incident}/time_entries",
        "time_entries",
        paged=True,
        is_list=True,
        link_key="time_entry_link",
        not_found=f"/v1/incidents/{MISSING}/time_entries",
        not_found_message="no incident found",
    ),
    Op(
        "show time entry",
        "GET",
        "/v1/incidents/{incident}/time_entries/{time_entry}",
        "time_entry",
        link_key="time_entry_link",
        not_found=f"/v1/time_entries/{MISSING}",
        not_found_message="no time entry found",
    ),
    Op(
        "show time entry by id",
        "GET",
        "/v1/time_entries/{time_entry}",
        "time_entry",
        link_key="time_entry_link",
    ),
    Op(
        "create time entry",
        "POST",
        "/v1/incidents/{incident}/time_entries",
        "time_entry",
        body={"time_entry": {"minutes": "15", **JUNK}},
        link_key="time_entry_link",
        count="/v1/incidents/{incident}/time_entries",
    ),
    Op(
        "update time entry",
        "PUT",
        "/v1/time_entries/{time_entry}",
        "time_entry",
        body={"time_entry": {"minutes": 20, **JUNK}},
        link_key="time_entry_link",
        not_found=f"/v1/time_entries/{MISSING}",
        not_found_message="no time entry found",
    ),
    Op(
        "delete time entry",
        "DELETE",
        "/v1/incidents/{incident}/time_entries/{time_entry}",
        "time_entry",
        link_key="time_entry_link",
    ),
    # Links.
    _links_op("show links", "GET", "/v1/links/incidents/{incident}"),
    _links_op(
        "create link",
        "POST",
        "/v1/links/incidents/{incident}",
        {"change_id": "{change}", "ignored": "x"},
    ),
    _links_op("delete link", "DELETE", "/v1/links/changes/{change}/incidents/{incident}"),
    # Configuration.
    Op(
        "top-level config types",
        "GET",
        "/v1/config_types",
        "config_types",
        is_list=True,
        link_key="config_type_link",
    ),
    Op(
        "show config type",
        "GET",
        "/v1/config_types/{config_type}",
        "config_type",
        link_key="config_type_link",
        not_found=f"/v1/config_types/{MISSING}",
        not_found_message="no config type found",
    ),
    Op(
        "config relationship types",
        "GET",
        "/v1/config_relationship_types",
        "config_relationship_types",
        is_list=True,
        link_key="config_relationship_type_link",
    ),
    Op(
        "show config item",
        "GET",
        "/v1/config_items/{config_item}",
        "config_item",
        link_key="config_item_link",
        not_found=f"/v1/config_items/{MISSING}",
        not_found_message="no config item found",
        item_keys=("relationships", "watches"),
    ),
    Op(
        "create config item",
        "POST",
        "/v1/config_items",
        "config_item",
        body={"config_item": {"name": "Laptop", "config_type_id": "{config_type}", **JUNK}},
        link_key="config_item_link",
        count="/v1/config_items",
    ),
    Op(
        "update config item",
        "PUT",
        "/v1/config_items/{config_item}",
        "config_item",
        body={"config_item": {"description": "d", **JUNK}},
        link_key="config_item_link",
        not_found=f"/v1/config_items/{MISSING}",
        not_found_message="no config item found",
    ),
]

FORMATS = (".json", ".xml")


def _split(path: str) -> tuple[str, str]:
    base, _, query = path.partition("?")
    return base, f"?{query}" if query else ""


async def _call(
    desk: Desk, op: Op, path: str, fmt: str, body: dict[str, Any] | None, **kw: Any
) -> httpx.Response:
    headers = {**desk.auth, **kw.pop("headers", {})}
    content = None
    if body is not None:
        if fmt == ".xml" and len(body) == 1 and isinstance(next(iter(body.values())), dict):
            ((wrapper, fields),) = body.items()
            content = xml.dumps(fields, root=wrapper)
            headers["Content-Type"] = "application/xml"
        elif fmt == ".xml":
            content = xml.dumps(body, root="link")
            headers["Content-Type"] = "application/xml"
        else:
            content = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
    base, query = _split(path)
    return await desk.client.request(
        op.method, base + fmt + query, headers=headers, content=content
    )


async def _total(desk: Desk, path: str) -> int:
    result = await desk.ok(await desk.get(_split(path)[0] + ".json"))
    if "total_entries" in result:
        return int(result["total_entries"])
    ((_, items),) = result.items()
    return len(items)


def _xml_result(response: httpx.Response) -> Any:
    assert response.headers["content-type"].startswith("application/xml")
    root = fromstring(response.content)
    assert root.tag == "hash"
    assert [child.tag for child in root] == ["result", "version", "status"]
    assert root.findtext("status") == "Success" and root.findtext("version") == "1.0"
    result = root.find("result")
    assert result is not None
    return result


@pytest.fixture
async def world(desk: Desk) -> dict[str, Any]:
    return await _world(desk)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
async def test_success_shape(desk: Desk, world: dict[str, Any], op: Op, fmt: str) -> None:
    path = _fill(op.path, world)
    body = _fill(op.body, world) if op.body is not None else None
    response = await _call(desk, op, path, fmt, body)
    assert response.status_code == 200, response.text
    if fmt == ".xml":
        result = _xml_result(response)
        if op.four_arrays:
            assert [c.tag for c in result] == ["incidents", "changes", "problems", "releases"]
            assert all(c.get("type") == "array" for c in result)
            return
        found = result.find(op.result)
        assert found is not None, response.text[:500]
        if op.is_list:
            assert found.get("type") == "array"
            items = list(found)
            assert items and all(item.tag == xml.singular(op.result) for item in items)
            if op.link_key:
                assert (items[0].findtext(op.link_key) or "").startswith("/v1/")
        elif op.link_key:
            assert (found.findtext(op.link_key) or "").startswith("/v1/")
        return
    assert response.headers["content-type"].startswith("application/json")
    result = await desk.ok(response)
    if op.four_arrays:
        assert list(result) == ["incidents", "changes", "problems", "releases"]
        for key, entries in result.items():
            for entry in entries:
                name = key[:-1]
                assert list(entry) == [f"{name}_id", f"{name}_link"]
                assert entry[f"{name}_link"].startswith("/v1/links/")
        return
    if op.paged:
        assert set(result) == {"total_entries", "total_pages", op.result}
        assert result["total_entries"] >= 1 and result["total_pages"] >= 1
    else:
        assert list(result) == [op.result]
    if op.is_list:
        items = result[op.result]
        assert isinstance(items, list) and items
        for item in items:
            assert list(item) != [xml.singular(op.result)]  # list items are flat
            if op.link_key:
                assert item[op.link_key].startswith("/v1/")
        return
    item = result[op.result]
    assert isinstance(item, dict) and "id" in item
    if op.link_key:
        assert item[op.link_key].startswith("/v1/")
    assert "ignored" not in item
    for key in op.item_keys:
        assert key in item
        for entry in item[key]:
            assert len(entry) == 1 and xml.singular(key) in entry  # nested items are wrapped


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
async def test_without_token_is_e906(desk: Desk, world: dict[str, Any], op: Op, fmt: str) -> None:
    path = _fill(op.path, world)
    body = _fill(op.body, world) if op.body is not None else None
    for headers in ({"Authorization": ""}, basic("not-a-token")):
        response = await _call(desk, op, path, fmt, body, headers=headers)
        assert failed(response, "E906", 200) == ["Invalid verifier"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("op", [o for o in OPERATIONS if o.not_found], ids=lambda op: op.name)
async def test_not_found_is_e400_with_http_200(
    desk: Desk, world: dict[str, Any], op: Op, fmt: str
) -> None:
    assert op.not_found is not None
    body = _fill(op.body, world) if op.body is not None else None
    response = await _call(desk, op, _fill(op.not_found, world), fmt, body)
    assert failed(response) == [op.not_found_message]


WRITES = [o for o in OPERATIONS if o.method in ("POST", "PUT") and not o.four_arrays]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("op", [o for o in WRITES if o.count], ids=lambda op: op.name)
async def test_create_with_empty_wrapper_writes_nothing(
    desk: Desk, world: dict[str, Any], op: Op, fmt: str
) -> None:
    assert op.body is not None and op.count is not None
    ((wrapper, _),) = op.body.items()
    count = _fill(op.count, world)
    before = await _total(desk, count)
    response = await _call(desk, op, _fill(op.path, world), fmt, {wrapper: {"ignored": "x"}})
    errors = failed(response)
    assert errors and all(e.endswith("can't be blank") for e in errors)
    assert await _total(desk, count) == before


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("application/json", b'{"broken": '),
        ("application/json", b"[1, 2]"),
        ("application/json", b'"text"'),
        ("application/xml", b"<open><unclosed></open>"),
        (
            "application/xml",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
        ),
        ("application/json", b'{"wrapper": "not an object"}'),
    ],
    ids=["truncated", "array", "string", "bad-xml", "xml-entity", "wrapper-not-object"],
)
@pytest.mark.parametrize("op", [o for o in WRITES if o.count], ids=lambda op: op.name)
async def test_malformed_bodies_are_e400_and_write_nothing(
    desk: Desk, world: dict[str, Any], op: Op, content_type: str, content: bytes
) -> None:
    assert op.body is not None and op.count is not None
    ((wrapper, _),) = op.body.items()
    content = content.replace(b"wrapper", wrapper.encode())
    count = _fill(op.count, world)
    before = await _total(desk, count)
    base, query = _split(_fill(op.path, world))
    response = await desk.client.request(
        op.method,
        base + ".json" + query,
        headers={**desk.auth, "Content-Type": content_type},
        content=content,
    )
    assert failed(response)
    assert await _total(desk, count) == before


@pytest.mark.parametrize("op", [o for o in WRITES if o.method == "PUT"], ids=lambda op: op.name)
async def test_empty_put_changes_nothing(desk: Desk, world: dict[str, Any], op: Op) -> None:
    """NODE sends some PUTs without a body: answered with the object unchanged."""
    path = _fill(op.path, world)
    base, query = _split(path)
    before = await desk.ok(await desk.get(base + ".json"))
    after = await desk.ok(await desk.put(base + ".json" + query))
    assert after == before
