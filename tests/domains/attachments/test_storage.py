from __future__ import annotations

import hashlib
import io
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import UploadFile

from polydesk.core.actor import Actor
from polydesk.core.db import Database
from polydesk.core.enums import Channel, Role
from polydesk.core.errors import Invalid, NotFound, TooLarge
from polydesk.core.settings import Settings
from polydesk.domains.attachments import service, tasks
from polydesk.domains.attachments.service import UploadSource
from polydesk.models import Attachment, User
from tests.domains.attachments.factories import (
    attachment_count,
    content_files,
    events,
    temp_files,
)
from tests.factories import make_user


@pytest.fixture
def store(settings: Settings, tmp_path: Path) -> Settings:
    """The test settings with an attachments directory of this test's own."""
    return settings.model_copy(update={"data_dir": tmp_path})


async def _staff(db: Database) -> tuple[User, Actor]:
    async with db.unit_of_work() as session:
        user = await make_user(session, role=Role.TECHNICIAN)
    return user, Actor(user_id=user.id, role=Role.TECHNICIAN, channel=Channel.HELPDESK)


async def _upload(
    db: Database,
    actor: Actor,
    store: Settings,
    content: UploadSource,
    *,
    filename: str | None = "note.txt",
    content_type: str | None = "text/plain",
) -> Attachment:
    async with db.unit_of_work() as session:
        return await service.store_upload(
            session,
            actor,
            store,
            filename=filename,
            content_type=content_type,
            stream_or_bytes=content,
        )


async def test_upload_is_content_addressed(db: Database, store: Settings) -> None:
    user, actor = await _staff(db)
    data = b"hello, attachments\n"
    sha = hashlib.sha256(data).hexdigest()
    attachment = await _upload(db, actor, store, data)

    assert attachment.sha256 == sha
    assert attachment.size == len(data)
    assert attachment.real_name == "note.txt"
    assert attachment.content_type == "text/plain"
    assert attachment.uploaded_by_id == user.id
    assert attachment.record_id is None and attachment.note_id is None
    assert len(attachment.ref_name) == 16 and attachment.ref_name.isalnum()
    path = store.attachments_dir / sha[0:2] / sha[2:4] / sha
    assert content_files(store) == [path]
    assert path.read_bytes() == data
    assert service.open_content(store, attachment) == path
    assert temp_files(store) == []

    (event,) = await events(db, "attachment.created")
    assert event.object_id == attachment.id and event.actor_id == user.id
    assert event.after == {
        "ref_name": attachment.ref_name,
        "real_name": "note.txt",
        "content_type": "text/plain",
        "size": len(data),
        "sha256": sha,
    }


async def test_identical_uploads_share_one_file(db: Database, store: Settings) -> None:
    _user, actor = await _staff(db)
    first = await _upload(db, actor, store, b"same bytes", filename="a.txt")
    second = await _upload(db, actor, store, b"same bytes", filename="b.txt")
    assert first.sha256 == second.sha256
    assert first.ref_name != second.ref_name
    assert len(content_files(store)) == 1
    assert temp_files(store) == []
    assert await attachment_count(db) == 2


async def _async_chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 1000):
        yield data[start : start + 1000]


@pytest.mark.parametrize("kind", ["bytes", "file", "async-iterable", "upload-file"])
async def test_upload_sources(db: Database, store: Settings, kind: str) -> None:
    _user, actor = await _staff(db)
    data = os.urandom(50_000)
    source: UploadSource
    if kind == "bytes":
        source = data
    elif kind == "file":
        source = io.BytesIO(data)
    elif kind == "async-iterable":
        source = _async_chunks(data)
    else:
        source = UploadFile(io.BytesIO(data), filename="x.bin")
    attachment = await _upload(db, actor, store, source)
    assert attachment.size == len(data)
    assert service.open_content(store, attachment).read_bytes() == data


async def test_upload_at_the_limit_is_accepted(db: Database, store: Settings) -> None:
    _user, actor = await _staff(db)
    attachment = await _upload(db, actor, store, b"x" * store.max_upload_bytes)
    assert attachment.size == store.max_upload_bytes


@pytest.mark.parametrize("as_stream", [False, True])
async def test_upload_over_the_limit_leaves_no_file_and_no_row(
    db: Database, store: Settings, as_stream: bool
) -> None:
    _user, actor = await _staff(db)
    data = b"x" * (store.max_upload_bytes + 1)
    with pytest.raises(TooLarge) as info:
        await _upload(db, actor, store, _async_chunks(data) if as_stream else data)
    assert str(store.max_upload_bytes) in info.value.message
    assert content_files(store) == []
    assert temp_files(store) == []
    assert await attachment_count(db) == 0
    assert await events(db, "attachment.created") == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\evil.txt", "evil.txt"),
        ("a\x00b\nc\x7f.txt", "abc.txt"),
        ("invoice\u202etxt.exe", "invoicetxt.exe"),
        ("  spaced    out .txt ", "spaced out .txt"),
        ("", "attachment"),
        (None, "attachment"),
        ("..", "attachment"),
        ("dir/", "attachment"),
        ("résumé.pdf", "résumé.pdf"),
    ],
)
async def test_names_are_sanitised(
    db: Database, store: Settings, given: str | None, expected: str
) -> None:
    _user, actor = await _staff(db)
    attachment = await _upload(db, actor, store, b"data", filename=given)
    assert attachment.real_name == expected


def test_long_names_are_cut_keeping_the_extension() -> None:
    name = service.sanitize_filename("n" * 300 + ".pdf")
    assert len(name) == 255 and name.endswith(".pdf")


@pytest.mark.parametrize(
    ("given", "filename", "expected"),
    [
        (None, "report.pdf", "application/pdf"),
        ("", "picture.png", "image/png"),
        (None, "mystery.zzzz", "application/octet-stream"),
        ("not a type", "report.pdf", "application/pdf"),
        ("Text/Plain; charset=utf-8", "x", "text/plain; charset=utf-8"),
        ("multipart/form-data; boundary=x", "report.pdf", "application/pdf"),
    ],
)
def test_content_type_given_or_guessed(given: str | None, filename: str, expected: str) -> None:
    assert service.resolve_content_type(given, filename) == expected


def test_extension_allow_list() -> None:
    allowed = {".txt", "pdf", ".PNG"}
    for ok in ("a.txt", "A.TXT", "b.pdf", "c.png", "no-extension"):
        service.check_extension(ok, allowed)
    with pytest.raises(Invalid, match=r"Unsupported file extension: \.exe") as info:
        service.check_extension("evil.exe", allowed)
    assert info.value.field == "filename"
    with pytest.raises(Invalid):
        service.check_extension("../sneaky.txt/evil.exe", allowed)


async def test_failed_transaction_leaves_no_orphan_after_cleanup(
    db: Database, store: Settings
) -> None:
    _user, actor = await _staff(db)
    kept = await _upload(db, actor, store, b"committed")

    with pytest.raises(RuntimeError):
        async with db.unit_of_work() as session:
            await service.store_upload(
                session,
                actor,
                store,
                filename="lost.txt",
                content_type=None,
                stream_or_bytes=b"rolled back",
            )
            raise RuntimeError("the request failed after the upload")
    assert await attachment_count(db) == 1
    assert len(content_files(store)) == 2  # the orphan is still on disk …

    stale_temp = store.attachments_dir / "tmp" / "abandoned.part"
    stale_temp.write_bytes(b"half an upload")

    # … young files are left alone (their row may be about to commit) …
    async with db.unit_of_work() as session:
        assert await tasks.cleanup_orphans(session, store) == 0
    assert len(content_files(store)) == 2

    # … and once older than the grace period the orphan and the stale temp file go.
    async with db.unit_of_work() as session:
        assert await tasks.cleanup_orphans(session, store, grace_seconds=0) == 2
    assert content_files(store) == [service.content_path(store, kept.sha256)]
    assert temp_files(store) == []
    assert service.open_content(store, kept).read_bytes() == b"committed"


async def test_reupload_refreshes_an_old_file_so_cleanup_spares_it(
    db: Database, store: Settings
) -> None:
    _user, actor = await _staff(db)
    with pytest.raises(RuntimeError):
        async with db.unit_of_work() as session:
            await service.store_upload(
                session, actor, store, filename="a", content_type=None, stream_or_bytes=b"x"
            )
            raise RuntimeError
    (orphan,) = content_files(store)
    hour_ago = time.time() - 7200
    os.utime(orphan, (hour_ago, hour_ago))
    # The same content is uploaded again: the old file is reused and made young.
    async with db.unit_of_work() as session:
        await service.store_upload(
            session, actor, store, filename="b", content_type=None, stream_or_bytes=b"x"
        )
        assert await tasks.cleanup_orphans(session, store) == 0
    assert content_files(store) == [orphan]


async def test_failed_flush_removes_the_file_it_wrote(db: Database, store: Settings) -> None:
    _user, actor = await _staff(db)
    ghost = Actor(user_id=987_654_321, role=Role.TECHNICIAN, channel=Channel.HELPDESK)
    with pytest.raises(IntegrityError):
        await _upload(db, ghost, store, b"written, then refused")
    assert content_files(store) == []
    assert await attachment_count(db) == 0

    # A file that was already stored for another row stays.
    await _upload(db, actor, store, b"shared")
    with pytest.raises(IntegrityError):
        await _upload(db, ghost, store, b"shared")
    assert len(content_files(store)) == 1


async def test_missing_content_is_not_found(db: Database, store: Settings) -> None:
    _user, actor = await _staff(db)
    attachment = await _upload(db, actor, store, b"soon gone")
    service.content_path(store, attachment.sha256).unlink()
    with pytest.raises(NotFound):
        service.open_content(store, attachment)
