"""Uploads (``POST /api/oprfile``), attaching them by reference, and downloading them."""

from __future__ import annotations

from pathlib import Path

import httpx

from polydesk.core.db import Database
from polydesk.core.settings import Settings
from tests.api.serviceops.helpers import assert_error, login, snapshot


def _stored_files(settings: Settings) -> list[Path]:
    root = settings.attachments_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def test_upload_attach_and_download(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    content = b"\x89PNG fake image bytes"
    response = await client.post(
        "/api/oprfile",
        headers=api.headers,
        files={"file": ("logo rubber stamp.png", content, "image/png")},
    )
    assert response.status_code == 200, response.text
    upload = response.json()
    assert list(upload) == ["refFileName", "realName", "link"]
    assert upload["realName"] == "logo rubber stamp.png"
    ref = upload["refFileName"]
    assert ref.isalnum()
    assert upload["link"].endswith(f"/api/oprfile/{ref}")

    response = await client.post(
        "/api/v1/incident",
        headers=api.headers,
        json={"subject": "x", "requesterEmail": "tim@acme.com", "attachmentsRefNames": [ref]},
    )
    assert response.status_code == 200, response.text
    incident_id = response.json()["id"]
    read = (await client.get(f"/api/v1/incident/{incident_id}", headers=api.headers)).json()
    assert read["fileAttachments"] == [upload]

    # Naming it again on update is harmless; a second file is added.
    second = (
        await client.post(
            "/api/v1/oprfile", headers=api.headers, files={"file": ("notes.txt", b"hello")}
        )
    ).json()
    response = await client.post(
        f"/api/v1/incident/{incident_id}",
        headers=api.headers,
        json={"attachmentsRefNames": [ref, second["refFileName"]]},
    )
    assert response.status_code == 200, response.text
    read = (await client.get(f"/api/v1/incident/{incident_id}", headers=api.headers)).json()
    assert [f["refFileName"] for f in read["fileAttachments"]] == [ref, second["refFileName"]]

    download = await client.get(upload["link"], headers=api.headers)
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == "image/png"
    assert "logo%20rubber%20stamp.png" in download.headers["content-disposition"]


async def test_attached_elsewhere_is_a_conflict(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    ref = (
        await client.post("/api/oprfile", headers=api.headers, files={"file": ("a.txt", b"a")})
    ).json()["refFileName"]
    body = {"subject": "x", "requesterEmail": "tim@acme.com", "attachmentsRefNames": [ref]}
    assert (
        await client.post("/api/v1/incident", headers=api.headers, json=body)
    ).status_code == 200
    before = await snapshot(db)
    response = await client.post("/api/v1/incident", headers=api.headers, json=body)
    assert_error(response, 409, field="attachmentsRefNames")
    assert await snapshot(db) == before


async def test_unknown_reference(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    before = await snapshot(db)
    response = await client.post(
        "/api/v1/incident",
        headers=api.headers,
        json={"subject": "x", "requesterEmail": "tim@acme.com", "attachmentsRefNames": ["nope"]},
    )
    assert_error(response, 400, field="attachmentsRefNames", contains="nope")
    assert await snapshot(db) == before


async def test_oversize_upload(client: httpx.AsyncClient, db: Database, settings: Settings) -> None:
    api = await login(client, db)
    files_before = _stored_files(settings)
    before = await snapshot(db)
    big = b"x" * (settings.max_upload_bytes + 1)
    response = await client.post(
        "/api/oprfile", headers=api.headers, files={"file": ("big.bin", big)}
    )
    body = assert_error(response, 413, contains=str(settings.max_upload_bytes))
    assert body["returnCode"] == "PAYLOAD_TOO_LARGE"
    assert await snapshot(db) == before
    assert _stored_files(settings) == files_before
    # Far beyond the limit: refused before the body is read, in the same shape.
    huge = b"x" * (settings.max_body_bytes + 1024)
    response = await client.post(
        "/api/oprfile", headers=api.headers, files={"file": ("huge.bin", huge)}
    )
    assert_error(response, 413)
    assert await snapshot(db) == before


async def test_upload_refusals(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    before = await snapshot(db)
    response = await client.post(
        "/api/oprfile", headers=api.headers, files={"other": ("a.txt", b"a")}
    )
    assert_error(response, 400, field="file")
    response = await client.post("/api/oprfile", files={"file": ("a.txt", b"a")})
    assert_error(response, 401)
    assert await snapshot(db) == before


async def test_download_refusals(client: httpx.AsyncClient, db: Database) -> None:
    api = await login(client, db)
    ref = (
        await client.post("/api/oprfile", headers=api.headers, files={"file": ("a.txt", b"a")})
    ).json()["refFileName"]
    assert_error(await client.get(f"/api/oprfile/{ref}"), 401)
    assert_error(await client.get("/api/oprfile/unknown", headers=api.headers), 404)
