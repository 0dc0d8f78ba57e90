"""The examples of seed 003 (the GoToAssist API guide's opening pages) and the spec's example
calls, replayed over a real socket against ``polydesk serve`` with the demo data loaded.

Requests are sent as the guide shows them — ``curl -u x:TOKEN -H "Content-Type:
application/json" …/incidents.json`` — with the real curl program when it is installed
(httpx otherwise), under both ``/v1/`` and the guide's ``/external_api/v1/`` prefix. Answers
are checked against the documented shapes: the envelope and its key order, the paged list
wrapper, the keys of the guide's Show Incidents and Show Incident examples, per-item wrapped
arrays inside a record, and the ``[Ennn]`` errors. Only what the examples leave to the reader
is filled in: the server URL, the token (the ones ``polydesk demo`` prints), and ids.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from defusedxml.ElementTree import fromstring

from tests.cli_support import cli_env, run_cli, serving

CURL = shutil.which("curl")
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

USER_REF = {"user_link", "avatar", "id", "full_name", "last_name", "first_name"}
"""``watched_by``, ``assigned_user``, ``owner``, … in the guide's example."""
LIST_ITEM = {
    "incident_link",
    "watches",
    "created_at",
    "title",
    "closed_by_user",
    "last_active_at",
    "service",
    "priority",
    "id",
    "resolved_by_user",
    "updated_by_user",
    "assigned_user",
    "due_date",
    "due_to_escalate_at",
    "closed_at",
    "reference_num",
    "owner",
    "latest_note",
}
"""The keys of the incident in the guide's Show Incidents example (p.4)."""
SHOW_ITEM = LIST_ITEM | {
    "releases",
    "category",
    "interesting",
    "service_activity_type",
    "comments",
    "incidents",
    "symptoms",
}
"""… and those the guide's Show Incident example (p.8) adds."""


@dataclass
class Answer:
    status: int
    content_type: str
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class Desk:
    base: str
    token: str
    """The personal token of tim@acme.com."""
    account_token: str

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        content_type: str = "application/json",
    ) -> Answer:
        """``curl -u x:TOKEN -H "Content-Type: …" [-X METHOD] [--data BODY] URL``."""
        url = f"{self.base}{path}"
        password = self.token if token is None else token
        data = None if body is None else (body if isinstance(body, str) else json.dumps(body))
        if CURL is not None:
            args = [CURL, "--silent", "--show-error", "-u", f"x:{password}"]
            args += ["-H", f"Content-Type: {content_type}", "-X", method]
            if data is not None:
                args += ["--data", data]
            args += ["--write-out", "\n%{http_code} %{content_type}", url]
            done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=True)
            text, _, tail = done.stdout.rpartition("\n")
            status, _, answered_type = tail.partition(" ")
            return Answer(int(status), answered_type, text)
        response = httpx.request(
            method,
            url,
            auth=("x", password),
            headers={"Content-Type": content_type},
            content=data,
            timeout=60,
        )
        return Answer(response.status_code, response.headers["content-type"], response.text)

    def ok(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        """The ``result`` of a Success envelope, asserting the envelope as the guide prints it."""
        answer = self.call(method, path, body, **kwargs)
        assert answer.status == 200, answer.text
        assert answer.content_type.startswith("application/json"), answer.content_type
        envelope = answer.json()
        assert list(envelope) == ["result", "version", "status"], envelope
        assert envelope["version"] == "1.0" and envelope["status"] == "Success"
        return envelope["result"]

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.ok("GET", path, **kwargs)

    def failed(self, method: str, path: str, body: Any = None, **kwargs: Any) -> list[str]:
        """The errors of a Failed envelope (the guide's "Example Failed Status & Errors")."""
        answer = self.call(method, path, body, **kwargs)
        assert answer.status == 200, answer.text
        envelope = answer.json()
        assert list(envelope) == ["errors", "version", "status"], envelope
        assert envelope["version"] == "1.0" and envelope["status"] == "Failed"
        assert all(list(e) == ["error"] for e in envelope["errors"])
        return [e["error"] for e in envelope["errors"]]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    tmp_path: Path = tmp_path_factory.mktemp("gotoassist_replay")
    env = cli_env(tmp_path)
    loaded = run_cli(env, "demo", "--records-per-kind", "6")
    assert loaded.returncode == 0, loaded.stderr
    tokens = dict(re.findall(r"API token \((.+?)\): x / (\S+)", loaded.stdout))
    assert set(tokens) == {"tim@acme.com", "account-wide"}, loaded.stdout
    with serving(env) as (base, _proc):
        yield Desk(base=base, token=tokens["tim@acme.com"], account_token=tokens["account-wide"])


def _user_ref(value: Any, prefix: str) -> None:
    if value is None:
        return
    assert USER_REF <= set(value), value
    assert value["user_link"] == f"{prefix}/users/{value['id']}"
    assert value["full_name"] == f"{value['first_name']} {value['last_name']}".strip()


def _dates(item: dict[str, Any], *keys: str) -> None:
    for key in keys:
        assert item[key] == "" or DATE.match(item[key]), (key, item[key])


def _list_item(item: dict[str, Any], prefix: str) -> None:
    assert LIST_ITEM <= set(item), LIST_ITEM - set(item)
    assert item["reference_num"] == item["id"]
    assert item["incident_link"] == f"{prefix}/incidents/{item['id']}"
    _dates(item, "created_at", "last_active_at", "due_date", "due_to_escalate_at", "closed_at")
    for key in ("closed_by_user", "resolved_by_user", "updated_by_user", "assigned_user", "owner"):
        _user_ref(item[key], prefix)
    service = item["service"]
    if service is not None:
        assert set(service) >= {"name", "service_link", "avatar", "id"}
        assert service["service_link"] == f"{prefix}/services/{service['id']}"
    priority = item["priority"]
    assert set(priority) >= {"service_priority_link", "level", "id", "description"}
    assert priority["level"] in range(1, 6)
    for wrapped in item["watches"]:
        assert list(wrapped) == ["watch"]
        watch = wrapped["watch"]
        assert set(watch) >= {"id", "watch_link", "watched_by"}
        assert watch["watch_link"] == f"{prefix}/incidents/{item['id']}/watches/{watch['id']}"
    note = item["latest_note"]
    if note is not None:
        assert set(note) >= {"created_at", "id", "note", "user"}
        links = [k for k in note if k.endswith("_link")]
        assert len(links) == 1 and note[links[0]].startswith(f"{prefix}/incidents/{item['id']}/")
        _dates(note, "created_at")


def test_basic_usage_with_either_token(desk: Desk) -> None:
    """Guide p.1: ``curl -u x:your-api-token -H "Content-Type: application/json"
    …/incidents.json``, with a personal token and with an account-wide one."""
    for token in (desk.token, desk.account_token):
        result = desk.get("/v1/incidents.json", token=token)
        assert list(result) == ["total_entries", "total_pages", "incidents"]
        assert result["total_pages"] == math.ceil(result["total_entries"] / 10)
        assert len(result["incidents"]) == min(10, result["total_entries"]) > 0
    # "Input in the username field is ignored"
    assert CURL is None or desk.call("GET", "/v1/incidents.json").status == 200


def test_show_incidents_example_shape(desk: Desk) -> None:
    """Guide p.4, under the guide's own prefix: every key of the example item."""
    prefix = "/external_api/v1"
    result = desk.get(f"{prefix}/incidents.json?limit=500&page=1")
    assert result["total_pages"] == 1
    assert len(result["incidents"]) == result["total_entries"]
    for item in result["incidents"]:
        _list_item(item, prefix)
    # the example's watches name users, as the demo's do
    watched = [w["watch"] for i in result["incidents"] for w in i["watches"]]
    assert any(w["watched_by"] and "user_link" in w["watched_by"] for w in watched)
    for watch in watched:
        if "user_link" in (watch["watched_by"] or {}):
            _user_ref(watch["watched_by"], prefix)


def test_show_incidents_url_parameters(desk: Desk) -> None:
    """Guide p.4's URL parameters: report_id, limit, page, include_watchlisted, service_ids,
    selected_user_id, order."""
    tim = desk.get("/v1/users/current.json")["user"]
    assert tim["email"] == "tim@acme.com"
    everything = desk.get("/v1/incidents.json?limit=1000")["incidents"]

    assigned = desk.get(f"/v1/incidents.json?limit=1000&selected_user_id={tim['id']}")
    assert all(i["assigned_user"]["id"] == tim["id"] for i in assigned["incidents"])
    expected = [i["id"] for i in everything if (i["assigned_user"] or {}).get("id") == tim["id"]]
    assert sorted(i["id"] for i in assigned["incidents"]) == sorted(expected)

    query = f"limit=1000&selected_user_id={tim['id']}&include_watchlisted=true&report_id=1"
    with_watched = desk.get(f"/v1/incidents.json?{query}")
    expected = [
        i["id"]
        for i in everything
        if (i["assigned_user"] or {}).get("id") == tim["id"]
        or any((w["watch"]["watched_by"] or {}).get("id") == tim["id"] for w in i["watches"])
    ]
    assert sorted(i["id"] for i in with_watched["incidents"]) == sorted(expected)
    assert with_watched["total_entries"] == len(expected) >= assigned["total_entries"]

    service_id = everything[0]["service"]["id"]
    by_service = desk.get(f"/v1/incidents.json?limit=1000&service_ids={service_id}")
    assert by_service["incidents"]
    assert all(i["service"]["id"] == service_id for i in by_service["incidents"])

    newest = desk.get("/v1/incidents.json?order=created_at&limit=99")["incidents"]
    assert [i["created_at"] for i in newest] == sorted(
        (i["created_at"] for i in newest), reverse=True
    )
    by_due = desk.get("/v1/incidents.json?limit=1000")["incidents"]  # 'due date' by default
    dues = [i["due_date"] for i in by_due if i["due_date"]]
    assert dues == sorted(dues)
    urgent = desk.get("/v1/incidents.json?order=priority&limit=1000")["incidents"]
    assert [i["priority"]["level"] for i in urgent] == sorted(
        i["priority"]["level"] for i in urgent
    )
    second = desk.get("/v1/incidents.json?order=created_at&limit=2&page=2")
    assert [i["id"] for i in second["incidents"]] == [i["id"] for i in newest[2:4]]
    # the same parameter set on the other record lists
    for plural in ("problems", "changes", "releases"):
        result = desk.get(f"/v1/{plural}.json?{query}&order=last_active_at")
        assert list(result) == ["total_entries", "total_pages", plural]


def test_show_incident_example_shape_and_links(desk: Desk) -> None:
    """Guide p.8: the full incident, arrays inside it wrapped per item; its links answer."""
    prefix = "/external_api/v1"
    items = desk.get(f"{prefix}/incidents.json?limit=1000")["incidents"]
    shown = []
    for item in items:
        incident = desk.get(f"{prefix}/incidents/{item['id']}.json")["incident"]
        assert SHOW_ITEM <= set(incident), SHOW_ITEM - set(incident)
        _list_item(incident, prefix)
        assert incident["interesting"] == 0
        activity = incident["service_activity_type"]
        if activity is not None:
            assert set(activity) >= {"name", "service_activity_type_link", "id"}
        for collection, key in (("comments", "comment"), ("symptoms", "symptom")):
            for wrapped in incident[collection]:
                assert list(wrapped) == [key]
                assert wrapped[key][f"{key}_link"] == (
                    f"{prefix}/incidents/{item['id']}/{collection}/{wrapped[key]['id']}"
                )
        for linked in ("releases", "incidents", "problems", "changes"):
            for entry in incident[linked]:
                singular = linked[:-1]
                assert set(entry) == {f"{singular}_id", f"{singular}_link"}
                assert entry[f"{singular}_link"] == (
                    f"{prefix}/links/incidents/{item['id']}/{linked}/{entry[f'{singular}_id']}"
                )
        shown.append(incident)
    assert any(i["problems"] for i in shown)  # the demo links problems to incidents

    # Every link handed out inside a record answers.
    incident = next(i for i in shown if i["watches"] and i["latest_note"])
    service = desk.get(f"{incident['service']['service_link']}.json")["service"]
    assert service["service_activity_types"] and service["priorities"]
    links = [
        incident["incident_link"],
        incident["service"]["service_link"],
        *{i["priority"]["service_priority_link"] for i in shown},
        *{a["service_activity_type_link"] for i in shown if (a := i["service_activity_type"])},
        *(
            t["service_activity_type"]["service_activity_type_link"]
            for t in service["service_activity_types"]
        ),
        incident["watches"][0]["watch"]["watch_link"],
        next(v for k, v in incident["latest_note"].items() if k.endswith("_link")),
        *(u["user_link"] for k in ("assigned_user", "owner") if (u := incident[k])),
    ]
    for link in links:
        assert desk.get(f"{link}.json")
    problem = next(i for i in shown if i["problems"])["problems"][0]
    assert desk.get(f"/external_api/v1/problems/{problem['problem_id']}.json")["problem"]


def test_formats_and_prefixes(desk: Desk) -> None:
    """URL Format: ``…/v1/<apiname>.<format>``, format ``js`` or ``xml``; no suffix is JSON."""
    plain = desk.get("/v1/incidents")
    assert desk.get("/v1/incidents.js") == plain
    legacy = json.dumps(desk.get("/external_api/v1/incidents.json"))
    assert '"/external_api/v1/incidents/' in legacy  # links use the caller's prefix
    assert json.loads(legacy.replace('"/external_api/v1/', '"/v1/')) == plain
    answer = desk.call("GET", "/v1/incidents.xml", content_type="application/xml")
    assert answer.status == 200 and answer.content_type.startswith("application/xml")
    root = fromstring(answer.text.encode())
    assert root.findtext("status") == "Success" and root.findtext("version") == "1.0"
    assert root.findtext("result/total_entries") == str(plain["total_entries"])


def test_response_codes(desk: Desk) -> None:
    """Response Codes: [E906] for a bad token, [E400] for call-specific errors, both in the
    Failed envelope with HTTP 200."""
    assert desk.failed("GET", "/v1/incidents.json", token="not-a-token") == [
        "[E906] Invalid verifier"
    ]
    assert desk.failed("GET", "/v1/incidents/999999999.json") == ["[E400] no incident found"]
    assert desk.failed("POST", "/v1/incidents.json", {"incident": {}}) == [
        "[E400] title can't be blank",
        "[E400] service_id can't be blank",
    ]
    unknown = desk.call("GET", "/v1/no_such_call.json")
    assert unknown.status == 404 and unknown.json()["status"] == "Failed"


def test_spec_example_calls(desk: Desk) -> None:
    """The spec's example calls of real clients: create and update an incident (NODE), notes,
    watches and links (Beetil pages, NODE), a change as PY-GTA creates it, and the people
    lists."""
    services = desk.get("/v1/services.json")["services"]
    service = next(s for s in services if s["name"] == "Service Desk")
    tim = desk.get("/v1/users/current.json")["user"]
    users = desk.get("/v1/users.json?limit=99")["users"]
    luke = next(u for u in users if u["email"] == "luke@acme.com")

    body = {
        "incident": {
            "title": "Printer on fire",
            "service_id": str(service["id"]),
            "assigned_user_id": str(luke["id"]),
            "symptom": "Smoke everywhere",
            "notify_watchlisted": True,
        }
    }
    incident = desk.ok("POST", "/v1/incidents.json", body)["incident"]
    iid = incident["id"]
    assert incident["title"] == "Printer on fire"
    assert incident["assigned_user"]["id"] == luke["id"]
    assert incident["symptoms"][0]["symptom"]["note"] == "Smoke everywhere"
    assert incident["created_by_user"]["id"] == tim["id"]

    # NODE's closeIncident / openIncident
    closing = {"closed_at": "2026-01-02T03:04:05Z", "closure_code": 0, "closure_comment": "ok"}
    closed = desk.ok("PUT", f"/v1/incidents/{iid}.json", {"incident": closing})["incident"]
    assert closed["closed_at"] == "2026-01-02T03:04:05Z" and closed["status"] == "Closed"
    body = {"incident": {"closed_at": "", "closure_code": ""}}
    reopened = desk.ok("PUT", f"/v1/incidents/{iid}.json", body)["incident"]
    assert reopened["closed_at"] == ""
    # NODE's "update an incident": a Show body sent back as it was read
    shown = desk.get(f"/v1/incidents/{iid}.json")
    shown["incident"]["title"] = "Printer still on fire"
    updated = desk.ok("PUT", f"/v1/incidents/{iid}.json", shown)["incident"]
    assert updated["title"] == "Printer still on fire" and updated["id"] == iid

    # Notes: createNote with note_type=comments, getNote
    body = {"comment": {"note": "Called the fire brigade"}}
    comment = desk.ok("POST", f"/v1/incidents/{iid}/comments.json?note_type=comments", body)
    cid = comment["comment"]["id"]
    assert desk.get(f"/v1/incidents/{iid}/comments/{cid}.json")["comment"]["note"] == (
        "Called the fire brigade"
    )

    # Watches (Beetil Create Watch / Show Watches)
    watch = desk.ok(
        "POST", f"/v1/incidents/{iid}/watches.json", {"watch": {"watched_by": tim["id"]}}
    )
    assert watch["watch"]["watched_by"]["id"] == tim["id"]
    assert desk.failed("POST", f"/v1/incidents/{iid}/watches.json", {"watch": {}}) == [
        "[E400] watched_by can't be blank"
    ]
    watches = desk.get(f"/external_api/v1/incidents/{iid}/watches.json")["watches"]
    assert [w["id"] for w in watches] == [watch["watch"]["id"]]
    assert set(watches[0]) == {"id", "watched_by", "watch_link"}
    mine = desk.get(
        f"/v1/incidents.json?selected_user_id={tim['id']}&include_watchlisted=1&limit=1000"
    )
    assert iid in [i["id"] for i in mine["incidents"]]

    # A change as PY-GTA creates it, then Create Link without a suffix (NODE)
    change_body = {
        "change": {
            "title": "Replace the printer",
            "priority_level": "5",
            "type": "Normal",
            "service_id": service["id"],
            "watches": [{"watch": {"watched_by": {"id": tim["id"]}}}],
            "additional_values": {},
        }
    }
    change = desk.ok("POST", "/v1/changes", change_body)["change"]
    assert change["priority"]["level"] == 5 and change["change_type"] == "Normal"
    links = desk.ok("POST", f"/v1/links/incidents/{iid}", {"change_id": change["id"]})
    assert set(links) == {"incidents", "changes", "problems", "releases"}
    assert links["changes"] == [
        {
            "change_id": change["id"],
            "change_link": f"/v1/links/incidents/{iid}/changes/{change['id']}",
        }
    ]
    back = desk.get(f"/v1/links/changes/{change['id']}.json")
    assert [e["incident_id"] for e in back["incidents"]] == [iid]
    release = desk.get("/v1/releases.json")["releases"][0]
    problem = desk.get("/v1/problems.json")["problems"][0]
    assert desk.failed(
        "POST", f"/v1/links/problems/{problem['id']}.json", {"release_id": release["id"]}
    ) == ["[E400] problems cannot be linked to releases"]

    # People lists, as PHP-WJP, NODE and the C# snippet call them
    assert desk.get("/v1/customers.json?limit=99")["total_entries"] > 0
    assert desk.get("/external_api/v1/customers.json")["customers"]
    assert desk.get("/v1/companies.json")["companies"]
    assert desk.get(f"/v1/users/{luke['id']}.json")["user"]["email"] == "luke@acme.com"
