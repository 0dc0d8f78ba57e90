"""Rules of attachments.

The bytes are content-addressed: a file lives at ``<sha[0:2]>/<sha[2:4]>/<sha>`` under the
attachments directory, so identical uploads share one file while each upload keeps its own
metadata row. A file is written completely (streamed to a temporary file, size-checked,
hashed, fsynced) before it is renamed into place, so a reader never sees a partial file and a
crash never leaves one under a content name.

Files and rows cannot share a transaction. The order keeps every committed row's bytes on
disk: files are written before their row is inserted and removed only after the deleting
transaction commits. What may be left behind is an unreferenced file (a transaction that
failed after the upload); :func:`polydesk.domains.attachments.tasks.cleanup_orphans` removes
those once they are older than a grace period.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import mimetypes
import os
import re
import secrets
import unicodedata
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from pathlib import Path
from typing import Protocol, cast, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core import security
from polydesk.core.actor import Actor
from polydesk.core.enums import RecordKind
from polydesk.core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from polydesk.core.settings import Settings
from polydesk.domains.attachments import repository
from polydesk.domains.attachments.schemas import AttachmentUpdate
from polydesk.domains.audit import service as audit
from polydesk.models import Attachment

CHUNK_SIZE = 64 * 1024
MAX_NAME_LENGTH = 255
REF_NAME_LENGTH = 16
TEMP_DIR_NAME = "tmp"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
_TOKEN = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_CONTENT_TYPE = re.compile(rf"({_TOKEN})/({_TOKEN})(\s*;[\x20-\x7e]*)?")


@runtime_checkable
class AsyncReadable(Protocol):
    """Something with ``async read(size)``, such as Starlette's ``UploadFile``."""

    async def read(self, size: int = -1) -> bytes: ...


@runtime_checkable
class SyncReadable(Protocol):
    """A binary file object."""

    def read(self, size: int = -1, /) -> bytes: ...


UploadSource = bytes | bytearray | memoryview | AsyncReadable | SyncReadable | AsyncIterable[bytes]


# Names and types ---------------------------------------------------------------------------


def sanitize_filename(filename: str | None) -> str:
    """The name to store and show: the last path component, without control or formatting
    characters (which hide a name's real extension), white space collapsed, at most 255
    characters with the extension kept."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split())
    if name in ("", ".", ".."):
        return "attachment"
    if len(name) > MAX_NAME_LENGTH:
        stem, ext = os.path.splitext(name)
        ext = ext if len(ext) <= 16 else ""
        name = stem[: MAX_NAME_LENGTH - len(ext)] + ext
    return name


def resolve_content_type(content_type: str | None, filename: str) -> str:
    """The given type when it is a well-formed media type, else a guess from the name."""
    if content_type:
        given = content_type.strip()
        match = _CONTENT_TYPE.fullmatch(given)
        if match and len(given) <= 255 and match.group(1).lower() != "multipart":
            return given[: match.end(2)].lower() + (match.group(3) or "")
    guessed, _encoding = mimetypes.guess_type(filename, strict=False)
    return guessed or DEFAULT_CONTENT_TYPE


def check_extension(filename: str, allowed: set[str]) -> None:
    """Refuse a file whose extension is not in ``allowed`` (with or without the dot, any
    case). A name without an extension passes, as in django-helpdesk."""
    ext = os.path.splitext(sanitize_filename(filename))[1].lower()
    if not ext:
        return
    normalised = {a.lower() if a.startswith(".") else f".{a.lower()}" for a in allowed}
    if ext not in normalised:
        raise Invalid(f"Unsupported file extension: {ext}", field="filename", value=filename)


# Storage -----------------------------------------------------------------------------------


def content_path(settings: Settings, sha256: str) -> Path:
    return settings.attachments_dir / sha256[0:2] / sha256[2:4] / sha256


def temp_dir(settings: Settings) -> Path:
    return settings.attachments_dir / TEMP_DIR_NAME


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(fd: int) -> None:
    os.fsync(fd)


async def _chunks(source: UploadSource) -> AsyncIterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source)
        for start in range(0, len(view), CHUNK_SIZE):
            yield bytes(view[start : start + CHUNK_SIZE])
        return
    if isinstance(source, AsyncIterable):
        async for chunk in source:
            yield bytes(chunk)
        return
    if inspect.iscoroutinefunction(source.read):
        async_read = cast(AsyncReadable, source).read
        while chunk := await async_read(CHUNK_SIZE):
            yield bytes(chunk)
        return
    sync_read = cast(SyncReadable, source).read
    while chunk := sync_read(CHUNK_SIZE):
        yield bytes(chunk)


def _place(temp: Path, target: Path) -> bool:
    """Move a completed temporary file to its content path; ``True`` if this call created it.

    When the content is already stored the temporary file is dropped and the stored file's
    mtime refreshed, so that orphan clean-up treats it as just uploaded.
    """
    created_dirs = not target.parent.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        try:
            os.utime(target)
        except FileNotFoundError:
            pass  # removed meanwhile: put ours in its place below
        else:
            temp.unlink()
            return False
    os.replace(temp, target)
    _fsync_dir(target.parent)
    if created_dirs:
        _fsync_dir(target.parent.parent)
        _fsync_dir(target.parent.parent.parent)
    return True


async def _write_content(settings: Settings, source: UploadSource) -> tuple[str, int, bool]:
    """Stream ``source`` to its content path; ``(sha256, size, created)``."""
    limit = settings.max_upload_bytes
    tmp = temp_dir(settings)
    tmp.mkdir(parents=True, exist_ok=True)
    temp = tmp / f"{secrets.token_hex(16)}.part"
    hasher = hashlib.sha256()
    size = 0
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            async for chunk in _chunks(source):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(
                        f"The file is larger than the upload limit of {limit} bytes.",
                        field="file",
                        value=limit,
                    )
                hasher.update(chunk)
                view = memoryview(chunk)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            await asyncio.to_thread(_fsync_file, fd)
        finally:
            os.close(fd)
        sha = hasher.hexdigest()
        created = await asyncio.to_thread(_place, temp, content_path(settings, sha))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    return sha, size, created


def _remove_file(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


# Services ----------------------------------------------------------------------------------


def _public(attachment: Attachment) -> dict[str, object]:
    return {
        "ref_name": attachment.ref_name,
        "real_name": attachment.real_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }


async def store_upload(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    *,
    filename: str | None,
    content_type: str | None,
    stream_or_bytes: UploadSource,
) -> Attachment:
    """Store an upload and insert its row, unattached (ServiceOps uploads first and names
    the ``refFileName`` later). Over ``settings.max_upload_bytes`` raises :class:`TooLarge`
    and leaves neither a file nor a row."""
    real_name = sanitize_filename(filename)
    resolved_type = resolve_content_type(content_type, real_name)
    sha, size, created = await _write_content(settings, stream_or_bytes)
    attachment = Attachment(
        ref_name=security.new_reference(REF_NAME_LENGTH),
        real_name=real_name,
        content_type=resolved_type,
        size=size,
        sha256=sha,
        uploaded_by_id=actor.user_id,
    )
    try:
        await repository.add(session, attachment)
    except BaseException:
        if created:
            _remove_file(content_path(settings, sha))
        raise
    await audit.record(
        session,
        actor,
        "attachment.created",
        object_type="attachment",
        object_id=attachment.id,
        after=_public(attachment),
    )
    return attachment


async def get(session: AsyncSession, attachment_id: int) -> Attachment:
    attachment = await repository.get(session, attachment_id)
    if attachment is None:
        raise NotFound(f"No attachment with id {attachment_id}.", field="id", value=attachment_id)
    return attachment


async def get_by_ref(session: AsyncSession, ref_name: str) -> Attachment:
    attachment = await repository.get_by_ref(session, ref_name) if ref_name else None
    if attachment is None:
        raise NotFound(
            f"No attachment with reference {ref_name!r}.", field="ref_name", value=ref_name
        )
    return attachment


def _require_manager(actor: Actor, attachment: Attachment) -> None:
    """Staff manage any attachment; others only what they uploaded themselves."""
    if actor.is_staff:
        return
    if actor.user_id is None or attachment.uploaded_by_id != actor.user_id:
        raise Forbidden("Only staff or the uploader may change this attachment.")


def _where(attachment: Attachment) -> str:
    if attachment.note_id is not None:
        return f"note {attachment.note_id}"
    return f"record {attachment.record_id}"


async def _attach(
    session: AsyncSession,
    actor: Actor,
    attachment: Attachment,
    *,
    record_id: int,
    note_id: int | None,
) -> Attachment:
    _require_manager(actor, attachment)
    if attachment.record_id == record_id and attachment.note_id == note_id:
        return attachment
    if attachment.record_id is not None or attachment.note_id is not None:
        raise Conflict(
            f"Attachment {attachment.ref_name!r} is already attached to {_where(attachment)}.",
            field="ref_name",
            value=attachment.ref_name,
        )
    if not await repository.claim(session, attachment, record_id=record_id, note_id=note_id):
        raise Conflict(
            f"Attachment {attachment.ref_name!r} was attached elsewhere meanwhile.",
            field="ref_name",
            value=attachment.ref_name,
        )
    await audit.record(
        session,
        actor,
        "attachment.attached",
        object_type="attachment",
        object_id=attachment.id,
        record_id=record_id,
        before={"record_id": None, "note_id": None},
        after={"record_id": record_id, "note_id": note_id},
    )
    return attachment


async def attach_to_record(
    session: AsyncSession, actor: Actor, ref_name: str, record_id: int
) -> Attachment:
    """Attach an uploaded file to a record. Attaching it again to the same record is a
    no-op; to anything else, :class:`Conflict`. Whether the actor may see the record is the
    records' rule, checked by the caller."""
    attachment = await get_by_ref(session, ref_name)
    if not await repository.record_exists(session, record_id):
        raise NotFound(f"No record with id {record_id}.", field="record_id", value=record_id)
    return await _attach(session, actor, attachment, record_id=record_id, note_id=None)


async def attach_to_note(
    session: AsyncSession, actor: Actor, ref_name: str, note_id: int
) -> Attachment:
    """Attach an uploaded file to a note (and so to the note's record)."""
    attachment = await get_by_ref(session, ref_name)
    record_id = await repository.note_record_id(session, note_id)
    if record_id is None:
        raise NotFound(f"No note with id {note_id}.", field="note_id", value=note_id)
    return await _attach(session, actor, attachment, record_id=record_id, note_id=note_id)


async def list_for_record(
    session: AsyncSession, record_id: int, *, include_notes: bool = False
) -> Sequence[Attachment]:
    """A record's own attachments; with ``include_notes``, its notes' attachments too."""
    return await repository.list_for_record(session, record_id, include_notes=include_notes)


async def list_for_records(
    session: AsyncSession, record_ids: Sequence[int]
) -> dict[int, list[Attachment]]:
    """Many records' own attachments in one query, by record id (every id present as a key)."""
    by_record: dict[int, list[Attachment]] = {record_id: [] for record_id in record_ids}
    for attachment in await repository.list_for_records(session, list(by_record)):
        if attachment.record_id is not None:
            by_record[attachment.record_id].append(attachment)
    return by_record


async def list_for_notes(
    session: AsyncSession, note_ids: Sequence[int]
) -> dict[int, list[Attachment]]:
    """Attachments of many notes in one query, by note id (every id present as a key)."""
    by_note: dict[int, list[Attachment]] = {note_id: [] for note_id in note_ids}
    for attachment in await repository.list_for_notes(session, list(by_note)):
        if attachment.note_id is not None:
            by_note[attachment.note_id].append(attachment)
    return by_note


async def list_note_attachments(
    session: AsyncSession, kinds: Sequence[RecordKind], *, offset: int = 0, limit: int = 100
) -> tuple[Sequence[Attachment], int]:
    """A page of the attachments of notes on records of ``kinds``, by file name (then id),
    and the total (django-helpdesk's follow-up attachments)."""
    if offset < 0 or limit < 1:
        raise Invalid("The offset must be at least 0 and the limit at least 1.", field="limit")
    return await repository.list_of_notes_of_kinds(
        session, [RecordKind(k).value for k in kinds], offset=offset, limit=limit
    )


def open_content(settings: Settings, attachment: Attachment) -> Path:
    """The stored file's path, for the caller to stream."""
    if not SHA256_PATTERN.fullmatch(attachment.sha256):
        raise NotFound(f"The content of attachment {attachment.ref_name!r} is missing.")
    path = content_path(settings, attachment.sha256)
    if not path.is_file():
        raise NotFound(f"The content of attachment {attachment.ref_name!r} is missing.")
    return path


async def update_attachment(
    session: AsyncSession, actor: Actor, attachment_id: int, data: AttachmentUpdate
) -> Attachment:
    attachment = await get(session, attachment_id)
    _require_manager(actor, attachment)
    changes = data.model_dump(exclude_unset=True)
    before_all = {"real_name": attachment.real_name, "content_type": attachment.content_type}
    after_all = dict(before_all)
    if "real_name" in changes:
        if changes["real_name"] is None:
            raise Invalid("The file name must not be empty.", field="real_name")
        after_all["real_name"] = sanitize_filename(changes["real_name"])
    if "content_type" in changes:
        after_all["content_type"] = resolve_content_type(
            changes["content_type"], after_all["real_name"]
        )
    before, after = audit.diff(before_all, after_all)
    if not after:
        return attachment
    for key, value in after.items():
        setattr(attachment, key, value)
    await repository.add(session, attachment)
    await audit.record(
        session,
        actor,
        "attachment.updated",
        object_type="attachment",
        object_id=attachment.id,
        record_id=attachment.record_id,
        before=before,
        after=after,
    )
    return attachment


async def delete_attachment(
    session: AsyncSession, actor: Actor, settings: Settings, attachment_id: int
) -> None:
    """Delete the row; the file goes after the commit, unless another row shares it."""
    attachment = await get(session, attachment_id)
    _require_manager(actor, attachment)
    shared = await repository.count_sharing(session, attachment.sha256, exclude_id=attachment.id)
    snapshot = _public(attachment)
    snapshot.update(record_id=attachment.record_id, note_id=attachment.note_id)
    await repository.delete(session, attachment)
    await audit.record(
        session,
        actor,
        "attachment.deleted",
        object_type="attachment",
        object_id=attachment_id,
        record_id=attachment.record_id,
        before=snapshot,
    )
    if not shared:
        path = content_path(settings, attachment.sha256)
        repository.after_commit(session, lambda: _remove_file(path))
