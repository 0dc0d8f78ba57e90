"""Every curl example of the ServiceOps seeds (000, 002) and the G1 examples of the spec,
replayed over a real socket against ``polydesk serve`` with the demo data loaded.

The requests are the examples' own: the same paths (``/api/incident/{id}`` without ``/v1``,
as the curl lines have them), headers (the Basic value of ``main-web-app-client``, the
multipart boundary of the sample) and bodies. Only what the examples leave to the reader is
filled in: the server URL, the incident id, and a real access token in place of the sample's.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx

from polydesk.domains.demo import data as demo
from tests.cli_support import cli_env, run_cli, serving

TOKEN_CURL = r"""curl --request POST \
  --url 'http://{{server-url}}/api/oauth/token' \
  --header 'Authorization: Basic bWFpbi13ZWItYXBwLWNsaWVudDptYWluLXdlYi1hcHAtc2VjcmV0' \
  --header 'content-type: multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW' \
  --form username=tim@acme.com \
  --form password=123 \
  --form grant_type=password"""
"""Seed 000, "POST Acquire Token"."""

UPDATE_CURL = r"""curl --request POST \
--url 'http://{{server-url}}/api/incident/{{Incident-Id}}' \
--header 'Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJncmFudF90eXBlIjoicGFzc3dvcmQiLCJ1c2VyX25hbWUiOiJqb2huQGZsb3RvbWF0ZS5jb20iLCJzY29wZSI6WyJvdGhlci1hcGktc2NvcGUiXSwiZXhwIjoxNTM2MjM4NjYwLCJhdXRob3JpdGllcyI6WyJVU0VSIl0sImp0aSI6IjAzZGI3ZmI0LTVmNjUtNGM2Ny1hZTJkLTk4ODkyYzRiNzI3NyIsImNsaWVudF9pZCI6IlRyaXBBcHAtY2xpZW50In0.frXc5yUhA2QDRmTEQW9_kqQV0y7zjqImYMLMqzf2pZ8' \
--header 'Content-Type: application/json' \
--data '{
"status":"Resolved"
}'"""  # noqa: E501
"""Seed 002, "POST Update an Incident"."""

CREATE_BODY = (
    '{"tags":["mouse"],"subject":"Need a new keyboard","description":"Need a wireless keyboard",'
    '"requesterEmail":"tim@acme.com","requesterName":"Tim","locationName":"Ahmedabad"}'
)
"""The spec's G1 create example (§4.1)."""


class Curl:
    """The parts of a curl command line: method, URL, headers, form fields, data."""

    def __init__(self, command: str, substitutions: dict[str, str]) -> None:
        for placeholder, value in substitutions.items():
            command = command.replace(placeholder, value)
        words = shlex.split(command.replace("\\\n", " "))
        assert words[0] == "curl"
        self.method = "GET"
        self.url = ""
        self.headers: dict[str, str] = {}
        self.form: list[tuple[str, str]] = []
        self.data: str | None = None
        options = iter(words[1:])
        for option in options:
            value = next(options)
            if option in ("--request", "-X"):
                self.method = value
            elif option == "--url":
                self.url = value
            elif option in ("--header", "-H"):
                name, _, header_value = value.partition(":")
                self.headers[name.strip()] = header_value.strip()
            elif option in ("--form", "-F"):
                name, _, form_value = value.partition("=")
                self.form.append((name, form_value))
            elif option in ("--data", "-d"):
                self.data = value
            else:
                raise AssertionError(f"unexpected curl option {option}")

    def send(self, **header_overrides: str) -> httpx.Response:
        headers = {**self.headers, **header_overrides}
        if self.form:
            # httpx takes the boundary from the Content-Type header, as the sample gives it.
            files: Any = [(name, (None, value)) for name, value in self.form]
            return httpx.request(self.method, self.url, headers=headers, files=files)
        return httpx.request(self.method, self.url, headers=headers, content=self.data)


def run_curl(command: str, substitutions: dict[str, str]) -> tuple[int, Any]:
    """Run a curl command line as written (no shell), with its placeholders filled in; the
    status and the parsed JSON body."""
    for placeholder, value in substitutions.items():
        command = command.replace(placeholder, value)
    words = shlex.split(command.replace("\\\n", " "))
    done = subprocess.run(
        [*words, "--silent", "--write-out", "\n%{http_code}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    body, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(body)


def _envelope(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"returnCode", "status", "userMessage", "id"}
    assert body["returnCode"] == "SUCCESS" and body["status"] == 0 and body["userMessage"] is None
    assert isinstance(body["id"], int)
    return int(body["id"])


def test_seed_examples_against_the_demo(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    loaded = run_cli(env, "demo", "--records-per-kind", "4")
    assert loaded.returncode == 0, loaded.stderr
    with serving(env) as (base, _proc):
        server = base.removeprefix("http://")
        subs = {"{{server-url}}": server}

        # Seed 000: acquire a token with the demo's client and technician.
        token_call = Curl(TOKEN_CURL, subs)
        assert token_call.headers["Authorization"].startswith("Basic ")
        assert ("username", "tim@acme.com") in token_call.form
        assert ("password", demo.DEMO_PASSWORD) in token_call.form
        response = token_call.send()
        assert response.status_code == 200, response.text
        token = response.json()
        assert list(token) == [
            "access_token",
            "token_type",
            "refresh_token",
            "expires_in",
            "scope",
            "jti",
        ]
        assert token["token_type"] == "bearer"
        assert token["scope"] == "main-web-app-scope"
        assert isinstance(token["expires_in"], int) and token["expires_in"] > 0
        auth = {"Authorization": f"Bearer {token['access_token']}"}

        # Spec §4.1: create (the example names the demo's location Ahmedabad).
        incident_id = _envelope(
            httpx.post(
                f"{base}/api/v1/incident",
                headers={**auth, "Content-Type": "application/json"},
                content=CREATE_BODY,
            )
        )

        # Spec §4.2: get, at the path of the example's curl line (no /v1).
        response = httpx.get(f"{base}/api/incident/{incident_id}", headers=auth)
        assert response.status_code == 200, response.text
        incident = response.json()
        for key in (
            "requesterEmail",
            "requesterName",
            "ccEmailSet",
            "subject",
            "description",
            "categoryName",
            "status",
            "impact",
            "priority",
            "urgency",
            "locationName",
            "tags",
            "spam",
            "fileAttachments",
            "customFieldValueDetails",
        ):
            assert key in incident, key
        assert incident["subject"] == "Need a new keyboard"
        assert incident["requesterEmail"] == "tim@acme.com"
        assert incident["locationName"] == "Ahmedabad"
        assert incident["tags"] == ["mouse"]
        assert incident["status"] == "Open"
        assert incident["impact"] == "LOW" and incident["priority"] == "LOW"

        # Seed 002: update, with a real token in place of the sample's.
        update_call = Curl(UPDATE_CURL, {**subs, "{{Incident-Id}}": str(incident_id)})
        assert re.fullmatch(r"Bearer [\w-]+\.[\w-]+\.[\w-]+", update_call.headers["Authorization"])
        # The sample's token is not ours: refused, in the dialect's shape.
        refused = update_call.send()
        assert refused.status_code == 401
        assert refused.json()["status"] == 401
        assert _envelope(update_call.send(Authorization=auth["Authorization"])) == incident_id
        incident = httpx.get(f"{base}/api/v1/incident/{incident_id}", headers=auth).json()
        assert incident["status"] == "Resolved"

        # Spec §4.4: upload, then attach by reference (attachmentsRefNames).
        response = httpx.post(
            f"{base}/api/oprfile",
            headers=auth,
            files={"file": ("simple_add_your_logo_rubber_stamp.jpg", b"\xff\xd8\xff jpeg")},
        )
        assert response.status_code == 200, response.text
        upload = response.json()
        assert list(upload) == ["refFileName", "realName", "link"]
        assert upload["realName"] == "simple_add_your_logo_rubber_stamp.jpg"
        _envelope(
            httpx.post(
                f"{base}/api/incident/{incident_id}",
                headers=auth,
                json={"attachmentsRefNames": [upload["refFileName"]]},
            )
        )
        incident = httpx.get(f"{base}/api/incident/{incident_id}", headers=auth).json()
        assert [f["refFileName"] for f in incident["fileAttachments"]] == [upload["refFileName"]]
        download = httpx.get(upload["link"], headers=auth)
        assert download.status_code == 200 and download.content == b"\xff\xd8\xff jpeg"

        # Spec §4.1: the form lists the demo's custom fields and their ids ...
        response = httpx.get(
            f"{base}/api/ususer/form/incident",
            headers={**auth, "Content-Type": "application/json"},
        )
        assert response.status_code == 200, response.text
        fields = {f["name"]: f for f in response.json()["fields"]}
        assert {name for name, _type, _choices in demo.CUSTOM_FIELDS} <= set(fields)
        # ... which key customFieldValueDetails on create.
        dropdown, multi, moment = (
            fields[name] for name in ("New Dropdown", "New Multi-Select Dropdown", "New Datetime")
        )
        assert (multi["type"], multi["typeName"], multi["valueMember"]) == (
            8,
            "STRING LIST",
            "stringListValue",
        )
        assert (moment["type"], moment["valueMember"]) == (5, "longValue")
        details = {
            str(dropdown["id"]): {"type": dropdown["type"], "stringValue": "1"},
            str(multi["id"]): {"type": 8, "stringListValue": ["A", "C"]},
            str(moment["id"]): {"type": 5, "longValue": 1756304676767},
        }
        created = _envelope(
            httpx.post(
                f"{base}/api/v1/incident",
                headers=auth,
                json={
                    "subject": "Custom values",
                    "requesterEmail": "tim@acme.com",
                    "customFieldValueDetails": details,
                },
            )
        )
        incident = httpx.get(f"{base}/api/v1/incident/{created}", headers=auth).json()
        assert incident["customFieldValueDetails"] == details

        # The OpenAPI document of the dialect is served.
        assert httpx.get(f"{base}/api/v1/openapi.json").status_code == 200

        # The same two curl examples, run by curl itself where it is installed.
        if shutil.which("curl") is None:
            return
        status, body = run_curl(TOKEN_CURL, subs)
        assert status == 200, body
        assert body["token_type"] == "bearer" and body["scope"] == "main-web-app-scope"
        fresh = body["access_token"]
        sample_token = re.search(r"Bearer ([\w.-]+)", UPDATE_CURL)
        assert sample_token is not None
        status, body = run_curl(
            UPDATE_CURL,
            {**subs, "{{Incident-Id}}": str(created), sample_token.group(1): fresh},
        )
        assert status == 200, body
        assert body == {"returnCode": "SUCCESS", "status": 0, "userMessage": None, "id": created}
        incident = httpx.get(f"{base}/api/v1/incident/{created}", headers=auth).json()
        assert incident["status"] == "Resolved"
