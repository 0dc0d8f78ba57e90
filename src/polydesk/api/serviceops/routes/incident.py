"""G1 incident API: create, get, update (POST) and delete, under ``/api/v1/incident`` and, as
the vendor's curl examples call it, ``/api/incident``.

The incident API reaches records of kind *incident* and *request* (ServiceOps keeps both in
its request module); other kinds are 404 here. Writes go through the records service, so a
record created here is the same record, with the same id, in every dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Path, Request

from polydesk.api.serviceops import files, mapping_g1, reference
from polydesk.api.serviceops.deps import DbSession, RequireTechnician
from polydesk.api.serviceops.errors import ErrorBody, FieldNames
from polydesk.api.serviceops.routing import ServiceOpsRoute, new_router
from polydesk.api.serviceops.schemas_g1 import (
    Envelope,
    G1Impact,
    G1Level,
    IncidentCreate,
    IncidentFields,
    IncidentRead,
    IncidentUpdate,
)
from polydesk.core.actor import Actor
from polydesk.core.db import Session
from polydesk.core.enums import RecordKind
from polydesk.core.errors import DomainError, NotFound
from polydesk.domains.attachments import service as attachments
from polydesk.domains.catalog import service as catalog
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.departments import service as departments
from polydesk.domains.locations import service as locations
from polydesk.domains.records import service as records
from polydesk.domains.records.schemas import RecordCreate, RecordUpdate
from polydesk.domains.users import service as users
from polydesk.models import CustomField, Record

G1_FIELD_NAMES = FieldNames(
    {
        "title": "subject",
        "description": "description",
        "category_id": "categoryName",
        "status_id": "status",
        "priority": "priority",
        "impact": "impact",
        "urgency": "urgency",
        "location_id": "locationName",
        "department_id": "departmentName",
        "requester_id": "requesterEmail",
        "submitter_email": "requesterEmail",
        "cc_emails": "ccEmailSet",
        "tags": "tags",
        "spam": "spam",
        "ref_name": "attachmentsRefNames",
    },
    custom=mapping_g1.CUSTOM_KEY,
)
KINDS = (RecordKind.INCIDENT, RecordKind.REQUEST)
PREFIX_OF = {RecordKind.INCIDENT: "INC", RecordKind.REQUEST: "SR"}
IncidentId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The record id")]
PREFIXES = ("/api/v1/incident", "/api/incident")


class G1Route(ServiceOpsRoute):
    field_names = G1_FIELD_NAMES


router = new_router(G1Route, tags=["Incident (G1)"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid input (unknown name, enum, field id …)"},
    401: {"model": ErrorBody, "description": "Missing, malformed, expired or revoked credentials"},
    403: {"model": ErrorBody, "description": "The caller may not use the API"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No incident with this id"}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "A named file is attached to another record"}
}


async def _incident(session: Session, incident_id: int) -> Record:
    record = await records.get_record(session, incident_id)
    if record.kind not in KINDS:
        raise NotFound(f"No incident found with id {incident_id}.", field="id", value=incident_id)
    return record


def _custom_error(exc: DomainError, fields: Sequence[CustomField]) -> DomainError:
    """Name a custom value's error by field id, as the client keyed it."""
    if exc.field and exc.field.startswith("custom:"):
        slug = exc.field.removeprefix("custom:")
        for field in fields:
            if field.slug == slug:
                exc.field = f"{mapping_g1.CUSTOM_KEY}.{field.id}"
    return exc


async def _values(
    session: Session,
    actor: Actor,
    body: IncidentFields,
    given: set[str],
    kind: RecordKind,
    fields: Sequence[CustomField],
) -> dict[str, Any]:
    """The domain values of the keys given, with names resolved (400 on an unknown one)."""
    values: dict[str, Any] = {}
    if "subject" in given:
        values["title"] = body.subject
    if "description" in given:
        values["description"] = body.description
    if "categoryName" in given:
        values["category_id"] = await reference.category_id(session, body.categoryName)
    if "status" in given:
        values["status_id"] = await reference.status_id(session, body.status, "status")
    if "impact" in given:
        values["impact"] = mapping_g1.impact_in(body.impact) if body.impact else None
    if "priority" in given:
        values["priority"] = mapping_g1.priority_in(body.priority) if body.priority else None
    if "urgency" in given:
        values["urgency"] = mapping_g1.urgency_in(body.urgency) if body.urgency else None
    if "locationName" in given:
        values["location_id"] = await reference.location_id(session, body.locationName)
    if "departmentName" in given:
        values["department_id"] = await reference.department_id(session, body.departmentName)
    if "tags" in given:
        values["tags"] = body.tags
    if "ccEmailSet" in given:
        values["cc_emails"] = body.ccEmailSet
    if "spam" in given:
        values["spam"] = body.spam
    if "requesterEmail" in given:
        user = await reference.requester(
            session, actor, body.requesterEmail, name=body.requesterName
        )
        values["requester_id"] = user.id if user is not None else None
    if "customFieldValueDetails" in given and body.customFieldValueDetails is not None:
        values["custom_fields"] = mapping_g1.custom_values_in(
            body.customFieldValueDetails, fields, kind.value
        )
    return values


async def _read(request: Request, session: Session, record: Record) -> IncidentRead:
    values = (await custom_fields.values_for(session, [record.id]))[record.id]
    fields = await custom_fields.list_fields(session, RecordKind(record.kind))
    requester = await users.get_user(session, record.requester_id) if record.requester_id else None
    category = (
        await catalog.get_category(session, record.category_id) if record.category_id else None
    )
    status = await catalog.status_to_show(session, record.status_id)
    location = (
        await locations.get_location(session, record.location_id) if record.location_id else None
    )
    department = (
        await departments.get_department(session, record.department_id)
        if record.department_id
        else None
    )
    stored = await attachments.list_for_record(session, record.id)
    return IncidentRead(
        id=record.id,
        name=f"INC-{record.number}"
        if record.kind == RecordKind.INCIDENT
        else f"SR-{record.number}",
        requesterEmail=requester.email if requester else record.submitter_email,
        requesterName=reference.full_name(requester) if requester else None,
        ccEmailSet=list(record.cc_emails or []),
        subject=record.title,
        description=record.description or "",
        categoryName=category.name if category else None,
        status=status.name,
        impact=mapping_g1.impact_out(record.impact),
        priority=mapping_g1.priority_out(record.priority),
        urgency=mapping_g1.urgency_out(record.urgency),
        locationName=location.name if location else None,
        departmentName=department.name if department else None,
        tags=list(record.tags or []),
        spam=bool(record.spam),
        fileAttachments=files.as_wire_list(request, stored) or None,
        customFieldValueDetails=mapping_g1.custom_values_out(values, fields),
    )


# Routes ------------------------------------------------------------------------------------


async def create_incident(
    body: IncidentCreate, session: DbSession, actor: RequireTechnician
) -> Envelope:
    """Create an incident. ``subject`` and ``requesterEmail`` are required; impact, priority
    and urgency default to ``LOW``."""
    kind = RecordKind.INCIDENT
    fields = await custom_fields.list_fields(session, kind)
    values = await _values(session, actor, body, body.model_fields_set | {"subject"}, kind, fields)
    values = {k: v for k, v in values.items() if v is not None}
    values.setdefault("priority", 4)
    values.setdefault("impact", mapping_g1.impact_in(G1Impact.LOW))
    values.setdefault("urgency", mapping_g1.urgency_in(G1Level.LOW))
    try:
        record = await records.create_record(session, actor, RecordCreate(kind=kind, **values))
    except DomainError as exc:
        raise _custom_error(exc, fields) from None
    if body.attachmentsRefNames:
        await files.attach(
            session, actor, record.id, body.attachmentsRefNames, field="attachmentsRefNames"
        )
    return Envelope(id=record.id)


async def get_incident(
    incident_id: IncidentId, request: Request, session: DbSession, _actor: RequireTechnician
) -> IncidentRead:
    """Read an incident (or a service request) by id."""
    return await _read(request, session, await _incident(session, incident_id))


async def update_incident(
    incident_id: IncidentId, body: IncidentUpdate, session: DbSession, actor: RequireTechnician
) -> Envelope:
    """Change the keys given (POST, as G1 does). ``attachmentsRefNames`` adds files; ``tags``
    and ``ccEmailSet`` replace the lists."""
    record = await _incident(session, incident_id)
    kind = RecordKind(record.kind)
    fields = await custom_fields.list_fields(session, kind)
    values = await _values(session, actor, body, set(body.model_fields_set), kind, fields)
    try:
        await records.update_record(session, actor, record.id, RecordUpdate(**values), kind=kind)
    except DomainError as exc:
        raise _custom_error(exc, fields) from None
    if body.attachmentsRefNames:
        await files.attach(
            session, actor, record.id, body.attachmentsRefNames, field="attachmentsRefNames"
        )
    return Envelope(id=record.id)


async def delete_incident(
    incident_id: IncidentId, session: DbSession, actor: RequireTechnician
) -> Envelope:
    """Delete an incident with its notes, files and values; answers the envelope."""
    record = await _incident(session, incident_id)
    await records.delete_record(session, actor, record.id, kind=RecordKind(record.kind))
    return Envelope(id=incident_id)


for _prefix in PREFIXES:
    _suffix = "" if _prefix.startswith("/api/v1") else "_legacy"
    router.add_api_route(
        _prefix,
        create_incident,
        methods=["POST"],
        response_model=Envelope,
        responses={**ERRORS, **CONFLICT},
        summary="Create an incident",
        operation_id=f"createIncident{_suffix}",
    )
    router.add_api_route(
        f"{_prefix}/{{incident_id}}",
        get_incident,
        methods=["GET"],
        response_model=IncidentRead,
        responses={**ERRORS, **NOT_FOUND},
        summary="Get an incident",
        operation_id=f"getIncident{_suffix}",
    )
    router.add_api_route(
        f"{_prefix}/{{incident_id}}",
        update_incident,
        methods=["POST"],
        response_model=Envelope,
        responses={**ERRORS, **NOT_FOUND, **CONFLICT},
        summary="Update an incident",
        operation_id=f"updateIncident{_suffix}",
    )
    router.add_api_route(
        f"{_prefix}/{{incident_id}}",
        delete_incident,
        methods=["DELETE"],
        response_model=Envelope,
        responses={**ERRORS, **NOT_FOUND},
        summary="Delete an incident",
        operation_id=f"deleteIncident{_suffix}",
    )
