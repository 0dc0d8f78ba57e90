"""Rules of notes.

A note belongs to one record and has a type (:class:`NoteType`). Staff write any note, as
themselves or on behalf of another user. Requesters write only public comments and follow-ups,
always as themselves, and change or delete only their own notes. Adding or changing a note marks
the record active (``last_active_at`` and ``updated_at``).

A note may name the status it moved the record to (``new_status_id``, django-helpdesk's
``new_status``). This service checks that the status exists and stores it with the note; the
transition itself is the records service's work, called by the same caller in the same unit of
work, so that its own rules and events apply.

Who may see a record is decided by the caller before it reads or writes the record's notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from polydesk.core.actor import Actor
from polydesk.core.clock import utcnow
from polydesk.core.enums import NoteType, RecordKind
from polydesk.core.errors import Forbidden, Invalid, NotFound
from polydesk.domains.audit import service as audit
from polydesk.domains.catalog import service as catalog
from polydesk.domains.catalog.service import check_page, clean_optional_text
from polydesk.domains.notes import repository
from polydesk.domains.notes.schemas import FileBrief, NoteBrief, NoteCreate, NoteUpdate
from polydesk.domains.users import service as users
from polydesk.models import Attachment, Note

MAX_BODY_LENGTH = 100_000
MAX_TITLE_LENGTH = 500
MAX_TIME_SPENT_SECONDS = 2**31 - 1
"""The column is a 32-bit integer: about 68 years."""

REQUESTER_NOTE_TYPES = frozenset({NoteType.COMMENT, NoteType.FOLLOWUP})
"""The only note types a requester may write (always public)."""
BLANK_BODY_TYPES = frozenset({NoteType.FOLLOWUP})
"""Types whose body may be empty: a django-helpdesk follow-up may only change the status."""

_STATE_FIELDS = (
    "record_id",
    "note_type",
    "title",
    "body",
    "public",
    "author_id",
    "new_status_id",
    "time_spent_seconds",
)


def _state(note: Note) -> dict[str, Any]:
    return {name: getattr(note, name) for name in _STATE_FIELDS}


async def _require_record(session: AsyncSession, record_id: int) -> RecordKind:
    kind = await repository.record_kind(session, record_id)
    if kind is None:
        raise NotFound(f"No record with id {record_id}.", field="record_id", value=record_id)
    return RecordKind(kind)


def _check_body(value: str | None, note_type: NoteType | str | None = None) -> str:
    if note_type is not None and NoteType(note_type) in BLANK_BODY_TYPES and value is not None:
        value = value if value.strip() else ""
    elif value is None or not value.strip():
        raise Invalid("The note body must not be blank.", field="body", value=value)
    if len(value) > MAX_BODY_LENGTH:
        raise Invalid(
            f"The note body must be at most {MAX_BODY_LENGTH} characters long.",
            field="body",
            value=f"<{len(value)} characters>",
        )
    return value


def _check_time_spent(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MAX_TIME_SPENT_SECONDS:
        raise Invalid(
            f"The time_spent_seconds must be between 0 and {MAX_TIME_SPENT_SECONDS}.",
            field="time_spent_seconds",
            value=value,
        )
    return value


async def _check_status(session: AsyncSession, status_id: int | None) -> int | None:
    if status_id is None:
        return None
    try:
        await catalog.get_status(session, status_id)
    except NotFound as exc:
        raise Invalid(exc.message, field="new_status_id", value=status_id) from exc
    return status_id


async def _existing_user(session: AsyncSession, user_id: int) -> int:
    try:
        await users.get_user(session, user_id)
    except NotFound as exc:
        raise Invalid(exc.message, field="author_id", value=user_id) from exc
    return user_id


async def _check_author(session: AsyncSession, actor: Actor, author_id: int | None) -> int | None:
    if author_id is None or author_id == actor.user_id:
        return actor.user_id
    if not actor.is_staff:
        raise Forbidden("Only staff may write notes on behalf of another user.")
    return await _existing_user(session, author_id)


def _check_requester_note(actor: Actor, note_type: NoteType, public: bool) -> None:
    if actor.is_staff:
        return
    if note_type not in REQUESTER_NOTE_TYPES:
        raise Forbidden(
            f"Requesters may only write comments and follow-ups, not {note_type.value} notes."
        )
    if not public:
        raise Forbidden("Requesters may only write public notes.")


def _check_may_change(actor: Actor, note: Note, what: str) -> None:
    if actor.is_staff:
        return
    if actor.user_id is None or note.author_id != actor.user_id:
        raise Forbidden(f"Requesters may only {what} their own notes.")


async def add_note(session: AsyncSession, actor: Actor, record_id: int, data: NoteCreate) -> Note:
    await _require_record(session, record_id)
    _check_requester_note(actor, data.note_type, data.public)
    now = utcnow()
    note = await repository.add(
        session,
        {
            "record_id": record_id,
            "note_type": data.note_type.value,
            "title": clean_optional_text(data.title, field="title", max_length=MAX_TITLE_LENGTH),
            "body": _check_body(data.body, data.note_type),
            "public": data.public,
            "author_id": await _check_author(session, actor, data.author_id),
            "time_spent_seconds": _check_time_spent(data.time_spent_seconds),
            "new_status_id": await _check_status(session, data.new_status_id),
            "created_at": now,
            "updated_at": now,
        },
    )
    await repository.touch_record(session, record_id, now)
    await audit.record(
        session,
        actor,
        "note.created",
        object_type="note",
        object_id=note.id,
        record_id=record_id,
        after=_state(note),
    )
    return note


async def update_note(
    session: AsyncSession,
    actor: Actor,
    note_id: int,
    data: NoteUpdate,
    *,
    record_id: int | None = None,
) -> Note:
    """Change the given fields. ``record_id``, when given, is the record the note must belong
    to (a note reached through another record's path is not found)."""
    note = await get_note(session, note_id, record_id=record_id)
    _check_may_change(actor, note, "change")
    fields = data.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    if "body" in fields:
        changes["body"] = _check_body(data.body, data.note_type or note.note_type)
    if "title" in fields:
        changes["title"] = clean_optional_text(
            data.title, field="title", max_length=MAX_TITLE_LENGTH
        )
    if "note_type" in fields:
        if data.note_type is None:
            raise Invalid("The note_type must not be empty.", field="note_type", value=None)
        changes["note_type"] = data.note_type.value
    if "public" in fields:
        if data.public is None:
            raise Invalid("The public flag must be true or false.", field="public", value=None)
        changes["public"] = data.public
    if "author_id" in fields and data.author_id != note.author_id:
        if not actor.is_staff:
            raise Forbidden("Only staff may change the author of a note.")
        changes["author_id"] = (
            None if data.author_id is None else await _existing_user(session, data.author_id)
        )
    if "time_spent_seconds" in fields:
        changes["time_spent_seconds"] = _check_time_spent(data.time_spent_seconds)
    if "new_status_id" in fields:
        changes["new_status_id"] = await _check_status(session, data.new_status_id)
    _check_requester_note(
        actor,
        NoteType(changes.get("note_type", note.note_type)),
        bool(changes.get("public", note.public)),
    )
    changed = {k: v for k, v in changes.items() if getattr(note, k) != v}
    if not changed:
        return note
    before_state = _state(note)
    now = utcnow()
    await repository.apply(session, note, {**changed, "updated_at": now})
    await repository.touch_record(session, note.record_id, now)
    before, after = audit.diff(before_state, _state(note))
    await audit.record(
        session,
        actor,
        "note.updated",
        object_type="note",
        object_id=note.id,
        record_id=note.record_id,
        before=before,
        after=after,
    )
    return note


async def delete_note(
    session: AsyncSession, actor: Actor, note_id: int, *, record_id: int | None = None
) -> None:
    """Attachments of the note go with it (the database cascades)."""
    note = await get_note(session, note_id, record_id=record_id)
    _check_may_change(actor, note, "delete")
    before = _state(note)
    await repository.delete(session, note)
    await audit.record(
        session,
        actor,
        "note.deleted",
        object_type="note",
        object_id=note_id,
        record_id=before["record_id"],
        before=before,
    )


async def get_note(
    session: AsyncSession,
    note_id: int,
    *,
    record_id: int | None = None,
    note_type: NoteType | None = None,
) -> Note:
    """The note; not found when it belongs to another record than ``record_id`` or has another
    type than ``note_type`` (GoToAssist addresses notes by record, collection and id)."""
    note = await repository.get(session, note_id)
    if (
        note is None
        or (record_id is not None and note.record_id != record_id)
        or (note_type is not None and note.note_type != note_type.value)
    ):
        where = f" on record {record_id}" if record_id is not None else ""
        kind = f"{note_type.value} " if note_type is not None else ""
        raise NotFound(f"No {kind}note with id {note_id}{where}.", field="note_id", value=note_id)
    return note


async def list_notes_of_kinds(
    session: AsyncSession,
    kinds: Sequence[RecordKind],
    *,
    note_types: Sequence[NoteType] | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[Sequence[Note], int]:
    """A page of the notes of every record of ``kinds``, oldest first, and the total
    (django-helpdesk lists every follow-up of every ticket). Callers decide who may see them."""
    check_page(offset, limit)
    return await repository.list_for_kinds(
        session,
        [RecordKind(k).value for k in kinds],
        note_types=_types(note_types),
        offset=offset,
        limit=limit,
    )


def _types(note_types: Sequence[NoteType] | None) -> list[str] | None:
    return None if note_types is None else [NoteType(t).value for t in note_types]


async def list_notes(
    session: AsyncSession,
    record_id: int,
    *,
    note_types: Sequence[NoteType] | None = None,
    public_only: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> tuple[Sequence[Note], int]:
    """A page of the record's notes, oldest first, and the total matching."""
    check_page(offset, limit)
    await _require_record(session, record_id)
    return await repository.list_for_record(
        session,
        record_id,
        note_types=_types(note_types),
        public_only=public_only,
        offset=offset,
        limit=limit,
    )


async def latest_notes(
    session: AsyncSession,
    record_ids: Sequence[int],
    *,
    note_types: Sequence[NoteType] | None = None,
    public_only: bool = False,
) -> dict[int, Note]:
    """The newest note of each record, in one query; records without notes are left out."""
    rows = await repository.latest_for_records(
        session, record_ids, note_types=_types(note_types), public_only=public_only
    )
    return {note.record_id: note for note in rows}


async def notes_for(
    session: AsyncSession,
    record_ids: Sequence[int],
    *,
    note_types: Sequence[NoteType] | None = None,
    public_only: bool = False,
) -> dict[int, list[Note]]:
    """Every note of each record, oldest first, in one query; every id asked for is a key."""
    grouped: dict[int, list[Note]] = {record_id: [] for record_id in record_ids}
    rows = await repository.for_records(
        session, record_ids, note_types=_types(note_types), public_only=public_only
    )
    for note in rows:
        grouped[note.record_id].append(note)
    return grouped


class _NoteLike(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def record_id(self) -> int: ...


N = TypeVar("N", bound=_NoteLike)
F = TypeVar("F")


def _with_files(
    record_ids: Sequence[int], pairs: Iterable[tuple[N, F | None]]
) -> tuple[dict[int, list[N]], dict[int, list[F]]]:
    """Notes in the order given grouped by record (every record id is a key), and the files
    of each (every note id is a key), from one row per note and file."""
    grouped: dict[int, list[N]] = {record_id: [] for record_id in record_ids}
    files: dict[int, list[F]] = {}
    for note, file in pairs:
        if note.id not in files:
            files[note.id] = []
            grouped[note.record_id].append(note)
        if file is not None:
            files[note.id].append(file)
    return grouped, files


async def briefs_with_files_for(
    session: AsyncSession, record_ids: Sequence[int]
) -> tuple[dict[int, list[NoteBrief]], dict[int, list[FileBrief]]]:
    """As :func:`notes_with_files_for`, as plain rows (no ORM objects): for read-only
    renderings."""
    rows = await repository.briefs_with_files_for_records(session, record_ids)
    return _with_files(record_ids, rows)


async def notes_with_files_for(
    session: AsyncSession, record_ids: Sequence[int]
) -> tuple[dict[int, list[Note]], dict[int, list[Attachment]]]:
    """Every note of each record, oldest first (every record id is a key), and the
    attachments of each of those notes (every note id is a key), in one query."""
    return _with_files(record_ids, await repository.with_files_for_records(session, record_ids))
