"""G2 conversations on requests, problems, changes and releases (spec §6):

- ``POST   /api/v1/{module}/{id}/conversation`` — create;
- ``PATCH  /api/v1/{module}/{id}/conversation/{conversationId}`` — update;
- ``POST   /api/v1/{module}/{id}/conversation/search/byqual`` — search;
- ``GET`` and ``DELETE /api/v1/{module}/{id}/conversation/{conversationId}`` — inferred.

``{module}`` is ``request`` (incidents and service requests), ``problem``, ``change`` or
``release``. A conversation is a note of the record: ``note`` is an internal comment,
``collaborate`` an internal follow-up, ``requestor_to_technician`` a public comment, so the
conversations of a record are the notes every other dialect shows on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar

from fastapi import Body, Path, Request

from polydesk.api.serviceops import files as serviceops_files
from polydesk.api.serviceops import mapping, qualification, tickets
from polydesk.api.serviceops.deps import DbSession, RequireTechnician
from polydesk.api.serviceops.errors import FieldNames
from polydesk.api.serviceops.routing import ServiceOpsRoute, new_router
from polydesk.api.serviceops.schemas import (
    Conversation,
    ConversationIn,
    Deleted,
    SearchBody,
    SearchResult,
)
from polydesk.api.serviceops.tickets import CONFLICT, ERRORS, NOT_FOUND, Offset, RecordId, Size
from polydesk.core.actor import Actor
from polydesk.core.db import Session
from polydesk.core.enums import RecordKind
from polydesk.core.errors import Invalid, NotFound
from polydesk.domains.attachments import service as attachments
from polydesk.domains.notes import service as notes
from polydesk.domains.notes.schemas import NoteCreate, NoteUpdate
from polydesk.domains.users import service as users
from polydesk.models import Note, Record

MODULES: dict[str, tuple[RecordKind, ...]] = {
    "request": tickets.REQUEST_KINDS,
    "problem": (RecordKind.PROBLEM,),
    "change": (RecordKind.CHANGE,),
    "release": (RecordKind.RELEASE,),
}
ConversationId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The conversation id")]


class ConversationRoute(ServiceOpsRoute):
    field_names: ClassVar[FieldNames] = FieldNames(
        {
            "body": "details",
            "title": "subject",
            "note_type": "conversationType",
            "note_id": "conversationId",
            "ref_name": "fileAttachments",
            "id": "id",
        }
    )


router = new_router(ConversationRoute, tags=["Conversation"])


def _conversation_type(value: str | None) -> str:
    if value is None or not value.strip():
        return "note"
    folded = value.strip().casefold()
    for known in mapping.CONVERSATION_TYPES:
        if known == folded:
            return known
    raise Invalid(
        f"Invalid conversationType {value!r}: expected one of "
        f"{', '.join(mapping.CONVERSATION_TYPES)}.",
        field="conversationType",
        value=value,
    )


def _check_state(value: str | None) -> None:
    if value is not None and value.strip().casefold() not in mapping.CONVERSATION_STATES:
        raise Invalid(
            f"Invalid conversationState {value!r}: only published conversations are supported.",
            field="conversationState",
            value=value,
        )


async def _render(
    session: Session, request: Request, record: Record, items: Sequence[Note]
) -> list[Conversation]:
    authors = await users.users_by_ids(
        session, sorted({n.author_id for n in items if n.author_id is not None})
    )
    files = await attachments.list_for_notes(session, [n.id for n in items])
    default_subject = f"[{mapping.record_name(record.kind, record.number)}]: {record.title}"
    result: list[Conversation] = []
    for note in items:
        author = authors.get(note.author_id) if note.author_id is not None else None
        result.append(
            Conversation(
                id=note.id,
                conversationType=mapping.conversation_type(note.note_type, note.public),
                details=note.body,
                subject=note.title or default_subject,
                createdByName=users.full_name(author) if author is not None else None,
                createdByEmail=author.email if author is not None else None,
                createdTime=mapping.conversation_time(note.created_at),
                updatedTime=mapping.conversation_time(note.updated_at),
                fileAttachments=serviceops_files.as_wire_list(request, files.get(note.id, [])),
            )
        )
    return result


async def _attach_checked(session: Session, actor: Actor, note: Note, body: ConversationIn) -> None:
    """Attach the files named; an unknown reference is a 400 on ``fileAttachments``."""
    for file in body.fileAttachments or ():
        ref_name = file.refFileName.strip()
        try:
            await attachments.attach_to_note(session, actor, ref_name, note.id)
        except NotFound as exc:
            if exc.field != "ref_name":
                raise
            raise Invalid(
                f"File Must Exist with same refFileName: {ref_name!r} (upload it first with "
                "POST /api/oprfile).",
                field="fileAttachments",
                value=ref_name,
            ) from exc


async def create_conversation(
    ticket_id: RecordId,
    body: ConversationIn,
    request: Request,
    session: DbSession,
    actor: RequireTechnician,
) -> Conversation:
    """Answers the new conversation; ``details`` must not be blank."""
    record = await tickets.get_ticket(session, ticket_id, _kinds(request))
    _check_state(body.conversationState)
    note_type, public = mapping.note_type_of(_conversation_type(body.conversationType))
    note = await notes.add_note(
        session,
        actor,
        record.id,
        NoteCreate(body=body.details or "", note_type=note_type, title=body.subject, public=public),
    )
    await _attach_checked(session, actor, note, body)
    return (await _render(session, request, record, [note]))[0]


async def get_conversation(
    ticket_id: RecordId,
    conversation_id: ConversationId,
    request: Request,
    session: DbSession,
    _actor: RequireTechnician,
) -> Conversation:
    record = await tickets.get_ticket(session, ticket_id, _kinds(request))
    note = await notes.get_note(session, conversation_id, record_id=record.id)
    return (await _render(session, request, record, [note]))[0]


async def update_conversation(
    ticket_id: RecordId,
    conversation_id: ConversationId,
    body: ConversationIn,
    request: Request,
    session: DbSession,
    actor: RequireTechnician,
) -> Conversation:
    """Only the keys sent change; ``fileAttachments`` adds files."""
    record = await tickets.get_ticket(session, ticket_id, _kinds(request))
    given = body.model_fields_set
    changes: dict[str, Any] = {}
    if "details" in given:
        changes["body"] = body.details
    if "subject" in given:
        changes["title"] = body.subject
    if "conversationType" in given:
        note_type, public = mapping.note_type_of(_conversation_type(body.conversationType))
        changes |= {"note_type": note_type, "public": public}
    if "conversationState" in given:
        _check_state(body.conversationState)
    note = await notes.update_note(
        session, actor, conversation_id, NoteUpdate(**changes), record_id=record.id
    )
    await _attach_checked(session, actor, note, body)
    note = await notes.get_note(session, note.id, record_id=record.id)
    return (await _render(session, request, record, [note]))[0]


async def delete_conversation(
    ticket_id: RecordId,
    conversation_id: ConversationId,
    request: Request,
    session: DbSession,
    actor: RequireTechnician,
) -> Deleted:
    record = await tickets.get_ticket(session, ticket_id, _kinds(request))
    await notes.delete_note(session, actor, conversation_id, record_id=record.id)
    return Deleted(id=conversation_id)


async def search_conversations(
    ticket_id: RecordId,
    request: Request,
    session: DbSession,
    _actor: RequireTechnician,
    offset: Offset = None,
    size: Size = None,
    body: Annotated[SearchBody | None, Body()] = None,
) -> SearchResult[Conversation]:
    """The record's conversations, oldest first, filtered by ``conversationType`` and ``id``."""
    record = await tickets.get_ticket(session, ticket_id, _kinds(request))
    start, limit = qualification.page(offset, size)
    wanted = qualification.conversation_filter(
        qualification.parse(body.qualDetails if body is not None else None)
    )
    everything = (await notes.notes_for(session, [record.id]))[record.id]
    matching = [
        n
        for n in everything
        if wanted.matches(n.id, mapping.conversation_type(n.note_type, n.public))
    ]
    page = matching[start : start + limit]
    return SearchResult[Conversation](
        objectList=await _render(session, request, record, page), totalCount=len(matching)
    )


def _kinds(request: Request) -> tuple[RecordKind, ...]:
    """The module of the path (``/api/v1/<module>/…``)."""
    module = [part for part in request.url.path.split("/") if part][2]
    return MODULES[module]


for _module in MODULES:
    _base = f"/api/v1/{_module}/{{ticket_id}}/conversation"
    _title = _module.capitalize()
    # The vendor's samples write ``/api//v1/request/104/conversation/2``, which its server
    # answered; the same paths with the double slash are served (and left out of OpenAPI).
    _legacy = _base.replace("/api/v1/", "/api//v1/")
    for _path, _methods, _endpoint in (
        (_legacy, ["POST"], create_conversation),
        (f"{_legacy}/search/byqual", ["POST"], search_conversations),
        (f"{_legacy}/{{conversation_id}}", ["GET"], get_conversation),
        (f"{_legacy}/{{conversation_id}}", ["PATCH"], update_conversation),
        (f"{_legacy}/{{conversation_id}}", ["DELETE"], delete_conversation),
    ):
        router.add_api_route(_path, _endpoint, methods=_methods, include_in_schema=False)
    router.add_api_route(
        _base,
        create_conversation,
        methods=["POST"],
        response_model=Conversation,
        responses={**ERRORS, **NOT_FOUND, **CONFLICT},
        summary=f"Create a conversation on a {_module}",
        operation_id=f"create{_title}Conversation",
    )
    router.add_api_route(
        f"{_base}/search/byqual",
        search_conversations,
        methods=["POST"],
        response_model=SearchResult[Conversation],
        responses={**ERRORS, **NOT_FOUND},
        summary=f"Search the conversations of a {_module}",
        operation_id=f"search{_title}Conversations",
    )
    router.add_api_route(
        f"{_base}/{{conversation_id}}",
        get_conversation,
        methods=["GET"],
        response_model=Conversation,
        responses={**ERRORS, **NOT_FOUND},
        summary=f"Get a conversation of a {_module}",
        operation_id=f"get{_title}Conversation",
    )
    router.add_api_route(
        f"{_base}/{{conversation_id}}",
        update_conversation,
        methods=["PATCH"],
        response_model=Conversation,
        responses={**ERRORS, **NOT_FOUND, **CONFLICT},
        summary=f"Update a conversation of a {_module}",
        operation_id=f"update{_title}Conversation",
    )
    router.add_api_route(
        f"{_base}/{{conversation_id}}",
        delete_conversation,
        methods=["DELETE"],
        response_model=Deleted,
        responses={**ERRORS, **NOT_FOUND},
        summary=f"Delete a conversation of a {_module}",
        operation_id=f"delete{_title}Conversation",
    )
