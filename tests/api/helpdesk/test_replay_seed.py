"""The curl examples of seed 004 (django-helpdesk's ``docs/api.rst``), replayed over a real
socket against ``polydesk serve`` with the demo data loaded (``polydesk demo``).

The requests are the document's own, sent as its curl commands send them (JSON with
``--data-raw``, multipart with ``--form``). Only what the examples leave to the reader is
filled in: the server URL, the ids of the tickets they act on, and real credentials — the
demo technician ``tim`` instead of ``admin:admin``, and for ``/api/users/`` (administrators
only) an administrator created with ``polydesk users create``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from polydesk.domains.demo import data as demo
from tests.cli_support import cli_env, run_cli, serving

STAFF = ("tim", demo.DEMO_PASSWORD)
ADMIN = ("replay-admin@example.com", "replay-admin-password")


def _json(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_seed_004_examples_against_the_demo(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    loaded = run_cli(env, "demo", "--records-per-kind", "3")
    assert loaded.returncode == 0, loaded.stderr
    admin = run_cli(env, "users", "create", ADMIN[0], "--password", ADMIN[1], "--role", "admin")
    assert admin.returncode == 0, admin.stderr
    files = tmp_path / "files"
    files.mkdir()
    (files / "file.txt").write_text("a text file\n")
    (files / "doc.pdf").write_bytes(b"%PDF-1.4 demo\n")
    (files / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n demo")

    with serving(env) as (base, _proc), httpx.Client(base_url=base, timeout=30) as http:
        # GET /api/tickets/: every ticket with its follow-ups and attachments.
        listed = _json(http.get("/api/tickets/", auth=STAFF))
        assert set(listed) == {"count", "next", "previous", "results"}
        assert listed["count"] >= 1
        first = listed["results"][0]
        assert _json(http.get(f"/api/tickets/{first['id']}/", auth=STAFF)) == first

        # POST, JSON body (--data-raw).
        created = _json(
            http.post(
                "/api/tickets/",
                auth=STAFF,
                headers={"Content-Type": "application/json"},
                content=b'{"queue": 1, "title": "Test Ticket API", "description": "Test create '
                b'ticket from API", "submitter_email": "test@mail.com", "priority": 4}',
            ),
            201,
        )
        assert created["status"] == 1
        assert created["title"] == "Test Ticket API"
        assert len(created["followup_set"]) == 1

        # POST, form-data with one attachment (--form).
        with (files / "file.txt").open("rb") as handle:
            with_file = _json(
                http.post(
                    "/api/tickets/",
                    auth=STAFF,
                    data={
                        "queue": "1",
                        "title": "Test Ticket API with attachment",
                        "description": "Test create ticket from API avec attachment",
                        "submitter_email": "test@mail.com",
                        "priority": "2",
                    },
                    files={"attachment": ("file.txt", handle, "text/plain")},
                ),
                201,
            )
        attachment = with_file["followup_set"][0]["followupattachment_set"][0]
        assert attachment["filename"] == "file.txt"
        assert http.get(attachment["file"], auth=STAFF).content == b"a text file\n"

        # POST /api/followups/ with two attachments.
        with (files / "doc.pdf").open("rb") as pdf, (files / "image.png").open("rb") as png:
            followup = _json(
                http.post(
                    "/api/followups/",
                    auth=STAFF,
                    data={
                        "ticket": str(created["id"]),
                        "title": "Test ticket answer",
                        "comment": "This answer contains multiple files as attachment.",
                    },
                    files=[
                        ("attachments", ("doc.pdf", pdf, "application/pdf")),
                        ("attachments", ("image.png", png, "image/png")),
                    ],
                ),
                201,
            )
        assert [a["filename"] for a in followup["followupattachment_set"]] == [
            "doc.pdf",
            "image.png",
        ]

        # POST /api/users/ (administrators only).
        user = _json(
            http.post(
                "/api/users/",
                auth=ADMIN,
                json={
                    "first_name": "Replay",
                    "last_name": "User",
                    "username": "replay-user",
                    "email": "replay-user@example.com",
                    "password": "a long enough passphrase",
                },
            ),
            201,
        )
        assert user["username"] == "replay-user"

        # PUT: every field.
        put = _json(
            http.put(
                f"/api/tickets/{created['id']}/",
                auth=STAFF,
                json={
                    "queue": 1,
                    "title": "Test Ticket API (edited)",
                    "description": "Edited",
                    "resolution": "Resolved through the API",
                    "submitter_email": "test@mail.com",
                    "assigned_to": None,
                    "status": 3,
                    "on_hold": False,
                    "priority": 1,
                    "due_date": "2026-12-01T10:00:00Z",
                    "merged_to": None,
                },
            )
        )
        assert (put["status"], put["priority"]) == (3, 1)

        # PATCH: some fields.
        patched = _json(
            http.patch(f"/api/tickets/{created['id']}/", auth=STAFF, json={"on_hold": True})
        )
        assert patched["on_hold"] is True

        # DELETE.
        deleted = http.delete(f"/api/tickets/{with_file['id']}/", auth=STAFF)
        assert deleted.status_code == 204
        assert http.get(f"/api/tickets/{with_file['id']}/", auth=STAFF).status_code == 404
