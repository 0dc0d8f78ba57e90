"""The G2 examples of seed 001 and of the spec, replayed over a real socket against
``polydesk serve`` with the demo data loaded (``polydesk demo``).

The bodies are the documents' own, sent as the documents write them. Only what the examples
leave to the reader is filled in: the server URL, ids, and real credentials (an access token
from the token endpoint, an API key from ``polydesk tokens create``, URL-encoded as 8.5
clients send it). The observed requests run unchanged, custom fields included: the demo
defines the observed server's fields (``New Multi-Select Dropdown``, ``New Checkbox``, ``New
Datetime`` and the others its response lists).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from polydesk.domains.demo import data as demo
from tests.cli_support import cli_env, run_cli, serving

SEED_001_REQUEST = """{
"requesterEmail": "a@b.com",
"ccEmailSet": [
"a@b.com"
],
"subject": "asdasd",
"impactName": "Low",
"priorityName": "Low",
"statusName": "Open",
"urgencyName": "Low",
"departmentName":"IT",
"spam":false,
"supportLevel":"tier2",
"customField": {
"New Dropdown": "1",
"New Number": 110.1,
"New Text Area": "a11",
"New Text Input": "111"
},
"name": "INC-1",
"tags": ["asdasd"]
}"""
"""Seed 001, "Request"."""
SEED_001_RESPONSE_KEYS = {
    "id", "createdTime", "updatedTime", "requesterEmail", "requesterName", "ccEmailSet",
    "subject", "impactName", "priorityName", "statusName", "urgencyName", "tags",
    "customField", "source", "spam", "departmentName", "supportLevel", "name",
}  # fmt: skip
"""The keys of seed 001's "Response"."""

OBSERVED_REQUEST = """{"customField":{"New Multi-Select Dropdown":["A","C"],"New Datetime":1756304676767},
 "requesterEmail":"paulsn","subject":"Incident Summary","description":"<p>Incident Description</p>",
 "departmentName":"Department","impactName":"Low","urgencyName":"Low","categoryName":"Incident Category",
 "source":"Email","locationName":"Ahmedabad","priorityName":"Low"}"""  # noqa: E501
"""Spec §5.1, the real 2025 request, as written there."""
OBSERVED_RESPONSE = """{"id":65,"categoryName":"Incident Category","name":"INC-46","createdTime":1756304677751,"updatedTime":1756304677751,
 "departmentName":"Department",
 "customField":{"WSR Sent":"","New Checkbox":[],"Project Ticket ID":"","Count of WSR Sent":0.0,"WSR Status":"",
   "Delivery Ticket Internal ID":"","New Text Area":"","New Datetime":1756304676767,"New Text Input":"",
   "New Rich Text Area":"","Delivery Ticket ID":"","New Dropdown":"","New Number":0.0,"New Radio":"",
   "Project Ticket Internal ID":"","New Multi-Select Dropdown":["A","C"]},
 "statusName":"Open","createdByName":"Automation","subject":"Incident Summary","requesterName":"Snehashis Paul",
 "fileAttachments":[],"requesterEmail":"snehashis.paul@motadata.com","description":"Incident Description",
 "locationName":"Ahmedabad","impactName":"Low","priorityName":"Low","urgencyName":"Low",
 "updatedByName":"Automation","source":"Email","spam":false,"supportLevel":"tier0"}"""  # noqa: E501
"""Spec §5.1, the real response."""
OBSERVED_SERVICE_REQUEST = """{"customField":{"New Text Area":"Text data","New Checkbox":["C","B"],"New Datetime":1756304677083},
   "requester":"paulsn","description":"<p>SR Description</p>","departmentName":"Department","impactName":"Low",
   "urgencyName":"Low","categoryName":"SR Category","source":"Email","locationName":"Ahmedabad","priorityName":"Low",
   "serviceName":"HW 1","serviceCategoryName":"Hardware"}"""  # noqa: E501
"""Spec §10.1."""
NOTE_SEARCH = """{"qualDetails":{"type":"FlatQualificationRest","quals":[
  {"type":"RelationalQualificationRest",
   "leftOperand":{"type":"PropertyOperandRest","key":".conversation.conversationType"},
   "operator":"equal",
   "rightOperand":{"type":"ValueOperandRest","value":{"type":"EnumValueRest","value":"note"}}}]}}"""
"""Spec §6.3."""
CHANGE_SEARCH = """{"qualDetails":{"type":"FlatQualificationRest","quals":[{"type":"RelationalQualificationRest",
  "leftOperand":{"type":"DbOperandRest","key":"id"},"operator":"not_in",
  "rightOperand":{"type":"ValueOperandRest","value":{"type":"ListLongValueRest","value":[90]}}}]}}"""  # noqa: E501
"""Spec §8.2."""
POWER_BI_ITEM_KEYS = {
    "id", "name", "subject", "description", "statusName", "priorityName", "requesterName",
    "requesterEmail", "createdByName", "updatedByName", "source", "supportLevel", "spam",
    "createdTime", "updatedTime",
}  # fmt: skip
"""Spec §5.5: what the Power BI client reads of every request (those always present)."""
UNSET_CUSTOM: dict[str, Any] = json.loads(OBSERVED_RESPONSE)["customField"] | {
    "New Multi-Select Dropdown": [],
    "New Datetime": 0,
}
"""Every custom field of the demo's forms, unset: ``""``, ``0.0``, ``[]``, ``0`` (spec §5.1)."""


def _json(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def test_g2_examples_against_the_demo(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    loaded = run_cli(env, "demo", "--records-per-kind", "4")
    assert loaded.returncode == 0, loaded.stderr
    made = run_cli(env, "tokens", "create", "--user", "tim@acme.com", "--name", "replay")
    assert made.returncode == 0, made.stderr
    api_key = made.stdout.strip().splitlines()[-1]

    with serving(env) as (base, _proc), httpx.Client(base_url=base, timeout=30) as http:
        token = _json(
            http.post(
                "/api/oauth/token",
                auth=(demo.API_CLIENT_ID, demo.API_CLIENT_SECRET),
                files={
                    "username": (None, "tim@acme.com"),
                    "password": (None, demo.DEMO_PASSWORD),
                    "grant_type": (None, "password"),
                },
            )
        )
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        apikey = {"Authorization": f"Apikey {quote(api_key, safe='')}"}
        as_json = {"Content-Type": "application/json"}

        # Seed 001: create a request.
        created = _json(
            http.post("/api/v1/request", headers={**bearer, **as_json}, content=SEED_001_REQUEST)
        )
        assert SEED_001_RESPONSE_KEYS <= set(created)
        assert created["name"].startswith("INC-") and created["requesterName"] == "utsav"
        sent = {"New Dropdown": "1", "New Number": 110.1, "New Text Area": "a11"}
        assert created["customField"] == {**UNSET_CUSTOM, **sent, "New Text Input": "111"}
        assert None not in created.values()
        request_id = created["id"]

        # The same record, the same id, through the G1 API.
        g1 = _json(http.get(f"/api/v1/incident/{request_id}", headers=bearer))
        assert g1["subject"] == "asdasd" and g1["departmentName"] == "IT"

        # Spec §5.1, the observed exchange, with an API key.
        observed = _json(
            http.post(
                "/api/v1/request",
                headers={**apikey, **as_json},
                content=OBSERVED_REQUEST,
            )
        )
        expected = json.loads(OBSERVED_RESPONSE)
        assert set(observed) == set(expected)  # the same keys, no more (no nulls) and no fewer
        # The ids, numbers, times and the API user's name are the installation's own.
        for key in ("id", "name", "createdTime", "updatedTime", "createdByName", "updatedByName"):
            assert type(observed.pop(key)) is type(expected.pop(key)), key
        assert observed == expected

        # GET and PATCH (spec §5.2, §5.3), then the Power BI search (§5.5).
        assert _json(http.get(f"/api/v1/request/{request_id}", headers=apikey)) == created
        patched = _json(
            http.patch(
                f"/api/v1/request/{request_id}",
                headers={**bearer, **as_json},
                content='{"statusName": "Resolved", "customField": {"New Number": 110.1}}',
            )
        )
        assert patched["statusName"] == "Resolved"
        page = _json(
            http.post(
                "/api/v1/request/search/byqual?offset=0&size=2000&sort_by=createdTime",
                headers={**apikey, **as_json, "Accept": "application/json"},
                content="{}",
            )
        )
        assert page["totalCount"] == len(page["objectList"]) >= 2 * 4 + 2
        for item in page["objectList"]:
            assert POWER_BI_ITEM_KEYS <= set(item), POWER_BI_ITEM_KEYS - set(item)

        # Conversations (spec §6): create on a request, search the notes, update.
        note = _json(
            http.post(
                f"/api/v1/request/{request_id}/conversation",
                headers={**bearer, **as_json},
                content=json.dumps(
                    {
                        "conversationType": "note",
                        "details": "<p>This is an internal note about the request progress.</p>",
                        "subject": "Progress Update",
                        "conversationState": "published",
                    }
                ),
            )
        )
        found = _json(
            http.post(
                f"/api/v1/request/{request_id}/conversation/search/byqual",
                headers={**bearer, **as_json},
                content=NOTE_SEARCH,
            )
        )
        assert note["id"] in [c["id"] for c in found["objectList"]]
        updated = _json(
            http.patch(
                f"/api/v1/request/{request_id}/conversation/{note['id']}",
                headers={**bearer, **as_json},
                content='{"details": "<p>Please take this request on priority.</p>"}',
            )
        )
        assert updated["details"] == "<p>Please take this request on priority.</p>"

        # Service request (spec §10.1): 200, SR-…, source forced to External.
        service_request = _json(
            http.post(
                "/api/v1/service_catalog/servicerequest",
                headers={**apikey, **as_json},
                content=OBSERVED_SERVICE_REQUEST,
            )
        )
        assert service_request["name"].startswith("SR-")
        assert service_request["source"] == "External"
        assert set(UNSET_CUSTOM) == set(service_request["customField"])
        # The sample answered the sent values empty; Polydesk keeps them, in the same forms.
        assert service_request["customField"] == {
            **UNSET_CUSTOM,
            "New Text Area": "Text data",
            "New Checkbox": ["C", "B"],
            "New Datetime": 1756304677083,
        }
        assert service_request["fileAttachments"] == [] and None not in service_request.values()

        # Changes (spec §8): create, collaborate on it, search by id not_in [90].
        change = _json(
            http.post(
                "/api/v1/change",
                headers={**bearer, **as_json},
                content=json.dumps(
                    {
                        "requesterEmail": "tim@acme.com",
                        "subject": "Upgrade the mail server",
                        "priorityName": "Low",
                        "impactName": "On User",
                        "riskType": "Low",
                        "changeType": "Minor",
                        "targetEnvironment": "Production",
                        "technicianGroupName": "Service Desk Team",
                        "startDate": 1756304676767,
                        "endDate": 1756391076767,
                    }
                ),
            )
        )
        assert change["name"].startswith("CHG-") and change["impactName"] == "On Users"
        collaborate = _json(
            http.post(
                f"/api/v1/change/{change['id']}/conversation",
                headers={**bearer, **as_json},
                content='{"conversationType": "collaborate", "details": "<p>Review?</p>"}',
            )
        )
        assert collaborate["conversationType"] == "collaborate"
        changes = _json(
            http.post(
                "/api/v1/change/search/byqual", headers={**bearer, **as_json}, content=CHANGE_SEARCH
            )
        )
        assert change["id"] in [c["id"] for c in changes["objectList"]]
        assert changes["totalCount"] >= 3

        # Problem and release conversations are searched the same way (spec §9).
        for module in ("problem", "release"):
            ticket = _json(
                http.post(
                    f"/api/v1/{module}",
                    headers={**bearer, **as_json},
                    content='{"subject": "From the replay"}',
                )
            )
            _json(
                http.post(
                    f"/api/v1/{module}/{ticket['id']}/conversation/search/byqual",
                    headers={**bearer, **as_json},
                    content=NOTE_SEARCH,
                )
            )

        # Requester (spec §10.3) and asset (spec §10.2).
        requester = _json(
            http.post(
                "/api/v1/requester",
                headers={**bearer, **as_json},
                content=json.dumps(
                    {
                        "name": "Rita Replay",
                        "email": "rita@example.com",
                        "userLogOnName": "rita",
                        "contactNo": "9999999999",
                        "locationName": "Asia",
                        "departmentName": "IT",
                        "manager": "tim@acme.com",
                        "altContactNo1": "",
                        "altContactNo2": "",
                        "allowToLogin": True,
                        "verified": True,
                        "vipRequester": False,
                        "customField": {},
                    }
                ),
            )
        )
        assert requester["locationName"] == "Asia" and requester["email"] == "rita@example.com"
        asset = _json(
            http.post(
                "/api/v1/asset",
                headers={**bearer, **as_json},
                content=json.dumps(
                    {
                        "name": "LAPTOP-REPLAY",
                        "assetTypeName": "hardware$laptop",
                        "type": "HardwareAsset",
                        "impactName": "Low",
                        "customField": {"Serial Number": "SN-REPLAY"},
                    }
                ),
            )
        )
        assert asset["assetId"] == f"AST-{asset['id']}" and asset["assetTypeName"] == "Laptop"

        # DELETE (spec §5.4): the request is gone for every dialect.
        _json(http.delete(f"/api/v1/request/{request_id}", headers=bearer))
        assert http.get(f"/api/v1/incident/{request_id}", headers=bearer).status_code == 404
