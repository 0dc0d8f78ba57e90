"""``/api/followups-attachments/`` (spec §6)."""

from __future__ import annotations

import httpx

from polydesk.core.db import Database
from tests.api.helpdesk.conftest import World, counts, create_ticket


async def _followup(client: httpx.AsyncClient, world: World) -> int:
    ticket = await create_ticket(client, world)
    followups = ticket["followup_set"]
    assert isinstance(followups, list)
    followup_id: int = followups[0]["id"]
    return followup_id


async def test_post_list_retrieve_patch_put_delete(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    followup_id = await _followup(client, world)
    response = await client.post(
        "/api/followups-attachments/",
        data={"followup": str(followup_id)},
        files={"file": ("note.txt", b"seventeen bytes!!", "text/plain")},
        auth=world.staff_auth,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert list(body) == ["id", "followup", "file", "filename", "mime_type", "size"]
    assert body["followup"] == followup_id
    assert (body["filename"], body["mime_type"], body["size"]) == ("note.txt", "text/plain", 17)
    assert body["file"].endswith(f"/{followup_id}/note.txt")
    assert (await client.get(body["file"], auth=world.staff_auth)).content == b"seventeen bytes!!"

    named = await client.post(
        "/api/followups-attachments/",
        data={"followup": str(followup_id), "filename": "a-renamed.pdf", "mime_type": "x/y"},
        files={"file": ("other.txt", b"x", "text/plain")},
        auth=world.staff_auth,
    )
    assert named.status_code == 201
    assert (named.json()["filename"], named.json()["mime_type"]) == ("a-renamed.pdf", "x/y")

    listed = (await client.get("/api/followups-attachments/", auth=world.staff_auth)).json()
    assert listed["count"] == 2
    assert [a["filename"] for a in listed["results"]] == ["a-renamed.pdf", "note.txt"]

    one = await client.get(f"/api/followups-attachments/{body['id']}/", auth=world.staff_auth)
    assert one.json() == body

    patched = await client.patch(
        f"/api/followups-attachments/{body['id']}/",
        json={"filename": "renamed.pdf"},
        auth=world.staff_auth,
    )
    assert patched.status_code == 200
    assert patched.json()["filename"] == "renamed.pdf"
    assert patched.json()["file"].endswith("/renamed.pdf")

    deleted = await client.delete(
        f"/api/followups-attachments/{body['id']}/", auth=world.staff_auth
    )
    assert deleted.status_code == 204
    gone = await client.get(f"/api/followups-attachments/{body['id']}/", auth=world.staff_auth)
    assert gone.status_code == 404
    assert gone.json() == {"detail": "No FollowUpAttachment matches the given query."}


async def test_attachment_errors_save_nothing(
    client: httpx.AsyncClient, world: World, db: Database
) -> None:
    followup_id = await _followup(client, world)
    before = await counts(db)
    response = await client.post("/api/followups-attachments/", json={}, auth=world.staff_auth)
    assert response.status_code == 400
    assert response.json() == {
        "followup": ["This field is required."],
        "file": ["No file was submitted."],
    }
    response = await client.post(
        "/api/followups-attachments/",
        data={"followup": str(followup_id)},
        files={"file": ("evil.exe", b"MZ", "application/octet-stream")},
        auth=world.staff_auth,
    )
    assert response.status_code == 400
    assert response.json() == {"file": ["Unsupported file extension: .exe"]}
    response = await client.post(
        "/api/followups-attachments/",
        data={"followup": "999"},
        files={"file": ("a.txt", b"a", "text/plain")},
        auth=world.staff_auth,
    )
    assert response.json() == {"followup": ['Invalid pk "999" - object does not exist.']}
    response = await client.post(
        "/api/followups-attachments/",
        data={"followup": str(followup_id)},
        files={"file": ("big.txt", b"x" * (64 * 1024 + 1), "text/plain")},
        auth=world.staff_auth,
    )
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert await counts(db) == before
    anonymous = await client.get("/api/followups-attachments/")
    assert anonymous.status_code == 403


async def test_files_without_an_extension_are_allowed(
    client: httpx.AsyncClient, world: World
) -> None:
    followup_id = await _followup(client, world)
    response = await client.post(
        "/api/followups-attachments/",
        data={"followup": str(followup_id)},
        files={"file": ("README", b"plain", None)},
        auth=world.staff_auth,
    )
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "README"
