"""Notes of every type on records: Show Note, Create Note, Update Note, Delete Note (and the
list of one collection, e.g. ``GET /v1/changes/{id}/test_plans``).

Paths are ``/v1/<incidents|problems|changes|releases>/{id}/<collection>[/{note_id}]`` where
the collection is a note type's plural (``comments``, ``symptoms``, ``descriptions``, …). The
``note_type`` query parameter (singular or plural) wins over the path segment; without it the
type comes from the segment. Show, Update and Delete find the note by its id on the record
whatever its type (clients update a symptom through ``/comments/{id}?note_type=symptom``);
the answer is wrapped in the note's own type. This router must come after every other router
with paths under a record (``/watches``, ``/testers``, …): its collection segment is a path
parameter.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polydesk.api.deps import DbSession
from polydesk.api.gotoassist import params
from polydesk.api.gotoassist.auth import CurrentActor
from polydesk.api.gotoassist.embed import KIND_NAME, links_for, user_ref
from polydesk.api.gotoassist.envelope import GaError, invalid, not_found, success
from polydesk.api.gotoassist.mapping_sub import (
    NOTE_COLLECTIONS,
    note_create_from,
    note_to_wire,
    note_type_from,
    note_update_from,
)
from polydesk.api.gotoassist.records import load
from polydesk.api.gotoassist.routing import QueryParam, ga_router, op
from polydesk.api.gotoassist.schemas_sub import NoteIn, SubNoteOut
from polydesk.core.db import Session
from polydesk.core.enums import NoteType, RecordKind
from polydesk.core.errors import NotFound
from polydesk.domains.notes import service as notes
from polydesk.domains.users import service as users
from polydesk.models import Note, Record

router = ga_router()

PARENTS = (RecordKind.INCIDENT, RecordKind.PROBLEM, RecordKind.CHANGE, RecordKind.RELEASE)
REF = "#/components/schemas/"
NOTE_TYPE_QUERY = QueryParam(
    "note_type", "string", "The note type, singular or plural; wins over the path segment."
)
_NOTE_SCHEMA = {
    k: v
    for k, v in SubNoteOut.model_json_schema(ref_template=REF + "{model}").items()
    if k != "$defs"
}
NOTE_RESULT: dict[str, Any] = {
    "type": "object",
    "description": 'The note under its type: {"comment": {…}}, {"symptom": {…}}, …',
    "additionalProperties": _NOTE_SCHEMA,
}
NOTES_RESULT: dict[str, Any] = {
    "type": "object",
    "description": 'The notes under the collection\'s name ({"comments": […]}), paged.',
    "properties": {"total_entries": {"type": "integer"}, "total_pages": {"type": "integer"}},
    "additionalProperties": {"type": "array", "items": _NOTE_SCHEMA},
}
COLLECTIONS = ", ".join(NOTE_COLLECTIONS.values())


def _no_such_call() -> GaError:
    return GaError("no such API call", status_code=404)


def _path_type(collection: str) -> NoteType:
    """The type a collection segment names (plural, or singular said loosely)."""
    note_type = note_type_from(collection)
    if note_type is None:
        raise _no_such_call()
    return note_type


def resolve_type(request: Request, collection: str) -> NoteType:
    """The note type of a request: ``note_type`` when given, else the path segment."""
    from_path = _path_type(collection)
    raw = request.query_params.get("note_type", "")
    if not raw.strip():
        return from_path
    note_type = note_type_from(raw)
    if note_type is None:
        raise invalid("note_type is invalid")
    return note_type


async def _fields(request: Request, *preferred: NoteType) -> dict[str, Any]:
    """The note's fields: under its type (singular or plural), any note type, or ``note``."""
    keys: list[str] = []
    for note_type in (*preferred, *NOTE_COLLECTIONS):
        for key in (note_type.value, NOTE_COLLECTIONS[note_type]):
            if key not in keys:
                keys.append(key)
    fields = await params.read_fields(request, *keys)
    inner = fields.get("note")
    if isinstance(inner, dict):
        return dict(inner)
    return fields


async def _wire(request: Request, session: Session, record: Record, note: Note) -> dict[str, Any]:
    author = None
    if note.author_id is not None:
        author = (await users.users_by_ids(session, [note.author_id])).get(note.author_id)
    links = links_for(request)
    return note_to_wire(
        note,
        user=user_ref(links, author),
        parent_path=links.record(RecordKind(record.kind), record.id),
    )


async def _note(session: Session, record: Record, raw_id: str, note_type: NoteType) -> Note:
    note_id = params.path_id(raw_id, note_type.value.replace("_", " "))
    try:
        return await notes.get_note(session, note_id, record_id=record.id)
    except NotFound:
        raise not_found(note_type.value.replace("_", " ")) from None


def _register(kind: RecordKind) -> None:
    name = KIND_NAME[kind]
    base = f"/v1/{name}s/{{record_id}}/{{collection}}"
    where = f"a note collection of the {name} ({COLLECTIONS})"

    @router.get(
        base,
        name=f"list_{name}_notes",
        openapi_extra=op(
            f"Show {name.capitalize()} Notes ({where})",
            raw_result=NOTES_RESULT,
            paged=True,
            query=(
                NOTE_TYPE_QUERY,
                QueryParam("limit", "integer", "Page size (at most 1000).", 10),
                QueryParam("page", "integer", "1-based page.", 1),
            ),
        ),
    )
    async def list_notes(
        record_id: str, collection: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        note_type = resolve_type(request, collection)
        record = await load(session, kind, record_id)
        limit, page = params.page_params(request)
        found, total = await notes.list_notes(
            session,
            record.id,
            note_types=[note_type],
            offset=params.page_offset(limit, page),
            limit=limit,
        )
        authors = await users.users_by_ids(
            session, sorted({n.author_id for n in found if n.author_id is not None})
        )
        links = links_for(request)
        parent_path = links.record(RecordKind(record.kind), record.id)
        return success(
            request,
            {
                "total_entries": total,
                "total_pages": -(-total // limit),
                NOTE_COLLECTIONS[note_type]: [
                    note_to_wire(
                        n,
                        user=user_ref(links, authors.get(n.author_id) if n.author_id else None),
                        parent_path=parent_path,
                    )
                    for n in found
                ],
            },
        )

    @router.get(
        f"{base}/{{note_id}}",
        name=f"show_{name}_note",
        openapi_extra=op(f"Show Note ({where})", raw_result=NOTE_RESULT, query=(NOTE_TYPE_QUERY,)),
    )
    async def show_note(
        record_id: str,
        collection: str,
        note_id: str,
        request: Request,
        actor: CurrentActor,
        session: DbSession,
    ) -> Response:
        note_type = resolve_type(request, collection)
        record = await load(session, kind, record_id)
        note = await _note(session, record, note_id, note_type)
        return success(request, {note.note_type: await _wire(request, session, record, note)})

    @router.post(
        base,
        name=f"create_{name}_note",
        openapi_extra=op(
            f"Create Note ({where})",
            raw_result=NOTE_RESULT,
            body="comment",
            body_schema=NoteIn,
            query=(NOTE_TYPE_QUERY,),
        ),
    )
    async def create_note(
        record_id: str, collection: str, request: Request, actor: CurrentActor, session: DbSession
    ) -> Response:
        note_type = resolve_type(request, collection)
        record = await load(session, kind, record_id)
        fields = await _fields(request, note_type, _path_type(collection))
        note = await notes.add_note(session, actor, record.id, note_create_from(fields, note_type))
        return success(request, {note.note_type: await _wire(request, session, record, note)})

    @router.put(
        f"{base}/{{note_id}}",
        name=f"update_{name}_note",
        openapi_extra=op(
            f"Update Note ({where})",
            raw_result=NOTE_RESULT,
            body="comment",
            body_schema=NoteIn,
            query=(NOTE_TYPE_QUERY,),
        ),
    )
    async def update_note(
        record_id: str,
        collection: str,
        note_id: str,
        request: Request,
        actor: CurrentActor,
        session: DbSession,
    ) -> Response:
        note_type = resolve_type(request, collection)
        record = await load(session, kind, record_id)
        note = await _note(session, record, note_id, note_type)
        fields = await _fields(request, note_type, NoteType(note.note_type), _path_type(collection))
        note = await notes.update_note(
            session, actor, note.id, note_update_from(fields, None), record_id=record.id
        )
        return success(request, {note.note_type: await _wire(request, session, record, note)})

    @router.delete(
        f"{base}/{{note_id}}",
        name=f"delete_{name}_note",
        openapi_extra=op(
            f"Delete Note ({where}); answers the deleted note",
            raw_result=NOTE_RESULT,
            query=(NOTE_TYPE_QUERY,),
        ),
    )
    async def delete_note(
        record_id: str,
        collection: str,
        note_id: str,
        request: Request,
        actor: CurrentActor,
        session: DbSession,
    ) -> Response:
        note_type = resolve_type(request, collection)
        record = await load(session, kind, record_id)
        note = await _note(session, record, note_id, note_type)
        wire = await _wire(request, session, record, note)
        key = note.note_type
        await notes.delete_note(session, actor, note.id, record_id=record.id)
        return success(request, {key: wire})


for _kind in PARENTS:
    _register(_kind)
