"""G2 tickets (requests, service requests, changes, problems, releases) over the record core.

Writing: a wire body becomes a ``RecordCreate``/``RecordUpdate`` (names resolved through
``reference``, enumerations and times through ``mapping``), then files named by
``fileAttachments`` are attached and assets named by ``linkAssetIds`` linked, all in the
request's unit of work: any error leaves nothing behind.

Reading: records become :class:`~polydesk.api.serviceops.schemas.Ticket` objects with every
name resolved, in a bounded number of queries whatever the number of records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar

from fastapi import Path, Query, Request
from pydantic import BaseModel

from polydesk.api.serviceops import files as serviceops_files
from polydesk.api.serviceops import mapping, qualification, reference
from polydesk.api.serviceops.errors import ErrorBody, FieldNames
from polydesk.api.serviceops.routing import ServiceOpsRoute
from polydesk.api.serviceops.schemas import (
    FileAttachmentIn,
    LinkAsset,
    LinkAssetIn,
    SearchBody,
    SearchResult,
    Ticket,
)
from polydesk.core.actor import Actor
from polydesk.core.db import Session
from polydesk.core.enums import Impact, RecordKind, Urgency
from polydesk.core.errors import DomainError, Invalid, NotFound
from polydesk.domains.attachments import service as attachments
from polydesk.domains.catalog import service as catalog
from polydesk.domains.companies import service as companies
from polydesk.domains.custom_fields import service as custom_fields
from polydesk.domains.departments import service as departments
from polydesk.domains.links import service as links
from polydesk.domains.locations import service as locations
from polydesk.domains.records import service as records
from polydesk.domains.records.schemas import RecordCreate, RecordUpdate
from polydesk.domains.technician_groups import service as technician_groups
from polydesk.domains.users import service as users
from polydesk.models import Record

REQUEST_KINDS = (RecordKind.INCIDENT, RecordKind.REQUEST)
"""``/api/v1/request/{id}`` serves incidents and service requests alike."""

WIRE_FIELDS = FieldNames(
    {
        "title": "subject",
        "description": "description",
        "status_id": "statusName",
        "priority": "priorityName",
        "impact": "impactName",
        "urgency": "urgencyName",
        "support_level": "supportLevel",
        "category_id": "categoryName",
        "service_id": "serviceName",
        "requester_id": "requesterEmail",
        "submitter_email": "requesterEmail",
        "assignee_id": "assigneeEmail",
        "technician_group_id": "technicianGroupName",
        "company_id": "companyName",
        "location_id": "locationName",
        "department_id": "departmentName",
        "cc_emails": "ccEmailSet",
        "planned_start": "startDate",
        "planned_end": "endDate",
        "risk": "riskType",
        "change_type": "changeType",
        "target_environment": "targetEnvironment",
        "release_type": "releaseType",
        "root_cause": "rootCause",
        "known_error": "knownError",
        "ref_name": "fileAttachments",
        "config_item_id": "linkAssetIds",
        "id": "id",
    },
    custom="customField",
)


class TicketRoute(ServiceOpsRoute):
    """Errors name the G2 wire fields (``locationName``, ``customField.New Number``)."""

    field_names: ClassVar[FieldNames] = WIRE_FIELDS


# Writing -----------------------------------------------------------------------------------

CREATE_DEFAULTS: dict[str, Any] = {"priority": 4, "impact": Impact.LOW, "urgency": Urgency.LOW}
"""What a new ticket gets when the body does not say (ServiceOps' defaults, as in G1)."""

_DIRECT = {
    "subject": "title",
    "description": "description",
    "tags": "tags",
    "ccEmailSet": "cc_emails",
    "source": "source",
    "workaround": "workaround",
    "rootCause": "root_cause",
    "releaseType": "release_type",
}


async def record_fields(
    session: Session,
    actor: Actor,
    body: BaseModel,
    kind: RecordKind,
    *,
    service_id: int | None = None,
) -> dict[str, Any]:
    """The record fields a G2 body gives: only the keys the client sent (so that a PATCH
    changes only those); a ``null`` clears where the core allows it."""
    given = body.model_fields_set
    data = body.__dict__
    fields: dict[str, Any] = {}
    for wire, name in _DIRECT.items():
        if wire in given:
            fields[name] = data[wire]
    if "spam" in given:
        fields["spam"] = bool(data["spam"])
    if "knownError" in given:
        fields["known_error"] = bool(data["knownError"])
    if "requesterEmail" in given:
        user = await reference.requester(
            session, actor, data["requesterEmail"], name=data.get("requesterName")
        )
        fields["requester_id"] = user.id if user is not None else None
    if "categoryName" in given:
        fields["category_id"] = await reference.category_id(
            session, data["categoryName"], service_id=service_id
        )
    if "departmentName" in given:
        fields["department_id"] = await reference.department_id(session, data["departmentName"])
    if "locationName" in given:
        fields["location_id"] = await reference.location_id(session, data["locationName"])
    if "companyName" in given:
        fields["company_id"] = await reference.company_id(session, data["companyName"])
    if "technicianGroupName" in given:
        fields["technician_group_id"] = await reference.technician_group_id(
            session, data["technicianGroupName"]
        )
    if "assigneeEmail" in given:
        fields["assignee_id"] = await reference.staff_user_id(session, data["assigneeEmail"])
    if "statusName" in given:
        fields["status_id"] = await reference.status_id(session, data["statusName"])
    if "priorityName" in given:
        fields["priority"] = _optional(data["priorityName"], mapping.priority_level)
    if "impactName" in given:
        fields["impact"] = _optional(data["impactName"], mapping.impact_of)
    if "urgencyName" in given:
        fields["urgency"] = _optional(data["urgencyName"], mapping.urgency_of)
    if "supportLevel" in given:
        fields["support_level"] = _optional(data["supportLevel"], mapping.support_level_of)
    if "riskType" in given:
        fields["risk"] = _optional(
            data["riskType"], lambda v: mapping.choice_of(v, mapping.RISK_TYPES, "riskType")
        )
    if "changeType" in given:
        fields["change_type"] = _optional(
            data["changeType"], lambda v: mapping.choice_of(v, mapping.CHANGE_TYPES, "changeType")
        )
    if "targetEnvironment" in given:
        fields["target_environment"] = _optional(
            data["targetEnvironment"],
            lambda v: mapping.choice_of(v, mapping.TARGET_ENVIRONMENTS, "targetEnvironment"),
        )
    for wire, name in (("startDate", "planned_start"), ("endDate", "planned_end")):
        if wire in given:
            fields[name] = None if data[wire] is None else mapping.from_epoch_ms(data[wire], wire)
    if "customField" in given and data["customField"]:
        definitions = await custom_fields.list_fields(session, kind)
        fields["custom_fields"] = mapping.custom_input(data["customField"], definitions)
    return fields


def _optional(value: Any, convert: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return convert(value)


async def attach_and_link(
    session: Session,
    actor: Actor,
    record_id: int,
    files: Sequence[FileAttachmentIn] | None,
    assets: Sequence[LinkAssetIn] | None,
) -> None:
    """Files are attached (one attached here already stays) and assets linked; neither
    list removes anything that is not in it."""
    if files:
        await serviceops_files.attach(
            session, actor, record_id, [f.refFileName for f in files], field="fileAttachments"
        )
    for asset in assets or ():
        if asset.assetModel is not None and mapping.asset_type(asset.assetModel) is None:
            raise Invalid(
                f"Invalid assetModel {asset.assetModel!r}: expected one of "
                f"{', '.join(mapping.ASSET_MODELS.values())}.",
                field="linkAssetIds",
                value=asset.assetModel,
            )
        await links.link_config_item(session, actor, record_id, asset.assetId)


async def create_ticket(
    session: Session,
    actor: Actor,
    kind: RecordKind,
    body: BaseModel,
    *,
    extra: dict[str, Any] | None = None,
) -> Record:
    fields = await record_fields(
        session, actor, body, kind, service_id=(extra or {}).get("service_id")
    )
    fields |= extra or {}
    for name, default in CREATE_DEFAULTS.items():
        if fields.get(name) is None:
            fields[name] = default
    title = fields.pop("title", None) or ""
    try:
        record = await records.create_record(
            session, actor, RecordCreate(kind=kind, title=title, **fields)
        )
    except DomainError as exc:
        raise await _custom_named(session, exc, kind) from None
    await attach_and_link(
        session,
        actor,
        record.id,
        getattr(body, "fileAttachments", None),
        getattr(body, "linkAssetIds", None),
    )
    return record


async def update_ticket(
    session: Session,
    actor: Actor,
    record_id: int,
    kinds: Sequence[RecordKind],
    body: BaseModel,
) -> Record:
    record = await get_ticket(session, record_id, kinds)
    fields = await record_fields(
        session, actor, body, RecordKind(record.kind), service_id=record.service_id
    )
    if "title" in fields and fields["title"] is None:
        raise Invalid("The subject cannot be cleared.", field="title", value=None)
    try:
        record = await records.update_record(session, actor, record.id, RecordUpdate(**fields))
    except DomainError as exc:
        raise await _custom_named(session, exc, RecordKind(record.kind)) from None
    await attach_and_link(
        session,
        actor,
        record.id,
        getattr(body, "fileAttachments", None),
        getattr(body, "linkAssetIds", None),
    )
    return record


async def _custom_named(session: Session, exc: DomainError, kind: RecordKind) -> DomainError:
    """A custom value's error names the field by display name, as G2 clients key it
    (``customField.New Number``), not by slug."""
    if exc.field and exc.field.startswith("custom:"):
        slug = exc.field.removeprefix("custom:")
        for definition in await custom_fields.list_fields(session, kind):
            if definition.slug == slug:
                exc.field = f"custom:{definition.name}"
    return exc


async def get_ticket(session: Session, record_id: int, kinds: Sequence[RecordKind]) -> Record:
    record = await records.get_record(session, record_id)
    if record.kind not in kinds:
        what = "request" if RecordKind.INCIDENT in kinds else kinds[0].value
        raise NotFound(f"No {what} found with id {record_id}.", field="id", value=record_id)
    return record


async def delete_ticket(
    session: Session, actor: Actor, record_id: int, kinds: Sequence[RecordKind]
) -> None:
    record = await get_ticket(session, record_id, kinds)
    await records.delete_record(session, actor, record.id)


# Reading -----------------------------------------------------------------------------------


def _ms(value: Any) -> int | None:
    return mapping.to_epoch_ms(value)


async def render(session: Session, request: Request, items: Sequence[Record]) -> list[Ticket]:
    """Tickets for records, with every name resolved, in a bounded number of queries."""
    if not items:
        return []
    ids = [r.id for r in items]
    values = await custom_fields.values_for(session, ids)
    kinds = sorted({r.kind for r in items})
    definitions = {
        kind: await custom_fields.list_fields(session, RecordKind(kind)) for kind in kinds
    }
    user_ids = {
        uid
        for r in items
        for uid in (r.requester_id, r.assignee_id, r.created_by_id, r.updated_by_id)
        if uid is not None
    }
    people = await users.users_to_show(session, user_ids)
    statuses = {s.id: s for s in await catalog.list_statuses(session)}
    service_ids = sorted({r.service_id for r in items if r.service_id is not None})
    services = await catalog.services_by_ids(session, service_ids) if service_ids else {}
    categories = {c.id: c for c in await catalog.list_categories(session)}
    if service_ids:
        for own in (await catalog.categories_by_service(session, service_ids)).values():
            categories |= {c.id: c for c in own}
    places = await locations.locations_by_ids(
        session, sorted({r.location_id for r in items if r.location_id is not None})
    )
    units = await departments.departments_by_ids(
        session, sorted({r.department_id for r in items if r.department_id is not None})
    )
    groups = await technician_groups.groups_by_ids(
        session, sorted({r.technician_group_id for r in items if r.technician_group_id})
    )
    firms = await companies.companies_by_ids(
        session, sorted({r.company_id for r in items if r.company_id is not None})
    )
    files = await attachments.list_for_records(session, ids)
    assets = await links.config_items_for(session, ids)

    def name_of(user_id: int | None) -> str | None:
        user = people.get(user_id) if user_id is not None else None
        return users.full_name(user) if user is not None else None

    tickets: list[Ticket] = []
    for r in items:
        requester = people.get(r.requester_id) if r.requester_id is not None else None
        assignee = people.get(r.assignee_id) if r.assignee_id is not None else None
        category = categories.get(r.category_id) if r.category_id is not None else None
        service = services.get(r.service_id) if r.service_id is not None else None
        place = places.get(r.location_id) if r.location_id is not None else None
        unit = units.get(r.department_id) if r.department_id is not None else None
        group = groups.get(r.technician_group_id) if r.technician_group_id else None
        firm = firms.get(r.company_id) if r.company_id is not None else None
        data: dict[str, Any] = {
            "id": r.id,
            "name": mapping.record_name(r.kind, r.number),
            "createdTime": _ms(r.created_at),
            "updatedTime": _ms(r.updated_at),
            "subject": r.title,
            "description": mapping.plain_text(r.description),
            "requesterEmail": requester.email if requester is not None else r.submitter_email,
            "requesterName": users.full_name(requester) if requester is not None else None,
            "ccEmailSet": list(r.cc_emails or []) or None,  # empty lists are left out, as
            "tags": list(r.tags or []) or None,  # the observed responses leave them out
            "statusName": statuses[r.status_id].name if r.status_id in statuses else None,
            "priorityName": mapping.PRIORITY_NAMES.get(r.priority),
            "impactName": mapping.IMPACT_NAMES.get(Impact(r.impact)) if r.impact else None,
            "urgencyName": mapping.URGENCY_NAMES.get(Urgency(r.urgency)) if r.urgency else None,
            "categoryName": category.name if category is not None else None,
            "departmentName": unit.name if unit is not None else None,
            "locationName": place.name if place is not None else None,
            "companyName": firm.name if firm is not None else None,
            "assigneeEmail": assignee.email if assignee is not None else None,
            "technicianGroupName": group.name if group is not None else None,
            "serviceName": service.name if service is not None else None,
            "supportLevel": mapping.support_level_name(r.support_level),
            "source": r.source,
            "spam": r.spam,
            "createdByName": name_of(r.created_by_id),
            "updatedByName": name_of(r.updated_by_id),
            "resolvedTime": _ms(r.resolved_at),
            "lastClosedTime": _ms(r.closed_at),
            "dueBy": _ms(r.due_date),
            "fileAttachments": serviceops_files.as_wire_list(request, files.get(r.id, [])),
            "customField": mapping.custom_output(definitions[r.kind], values.get(r.id, {})),
        }
        linked = assets.get(r.id, [])
        if linked:
            data["linkAssetIds"] = [
                LinkAsset(assetModel=item.asset_model, assetId=item.id) for item in linked
            ]
        if r.kind == RecordKind.CHANGE and r.change is not None:
            data |= {
                "startDate": _ms(r.change.planned_start),
                "endDate": _ms(r.change.planned_end),
                "riskType": r.change.risk,
                "changeType": r.change.change_type,
                "targetEnvironment": r.change.target_environment,
            }
        elif r.kind == RecordKind.RELEASE and r.release is not None:
            data |= {
                "startDate": _ms(r.release.planned_start),
                "endDate": _ms(r.release.planned_end),
                "releaseType": r.release.release_type,
            }
        elif r.kind == RecordKind.PROBLEM and r.problem is not None:
            data |= {
                "rootCause": r.problem.root_cause,
                "workaround": r.problem.workaround,
                "knownError": r.problem.known_error,
            }
        tickets.append(Ticket(**data))
    return tickets


async def render_one(session: Session, request: Request, record_id: int) -> Ticket:
    """The ticket as stored now (re-read, so that the answer shows every write)."""
    record = await records.get_record(session, record_id)
    return (await render(session, request, [record]))[0]


# Search ------------------------------------------------------------------------------------


class SessionLookup:
    """:class:`~polydesk.api.serviceops.qualification.Lookup` over the domain services."""

    def __init__(self, session: Session) -> None:
        self.session = session

    async def status_ids(self, names: Sequence[str]) -> list[int]:
        found = [await catalog.get_status_by_name(self.session, n) for n in names]
        return [s.id for s in found if s is not None]

    async def all_status_ids(self) -> list[int]:
        return [s.id for s in await catalog.list_statuses(self.session)]

    async def category_ids(self, names: Sequence[str]) -> list[int]:
        found = [await catalog.find_category(self.session, n) for n in names]
        return [c.id for c in found if c is not None]

    async def location_ids(self, names: Sequence[str]) -> list[int]:
        found = [await locations.get_or_none_by_name(self.session, n) for n in names]
        return [loc.id for loc in found if loc is not None]

    async def department_ids(self, names: Sequence[str]) -> list[int]:
        found = [await departments.get_or_none_by_name(self.session, n) for n in names]
        return [d.id for d in found if d is not None]

    async def user_id(self, login: str) -> int | None:
        user = await users.get_user_by_login(self.session, login)
        return user.id if user is not None else None

    async def group_id(self, name: str) -> int | None:
        group = await technician_groups.get_or_none_by_name(self.session, name)
        return group.id if group is not None else None


async def search(
    session: Session,
    request: Request,
    kinds: Sequence[RecordKind],
    body: SearchBody | None,
    offset: int | None,
    size: int | None,
    sort_by: str | None,
) -> SearchResult[Ticket]:
    start, limit = qualification.page(offset, size)
    order_by, descending = qualification.sort_order(sort_by)
    conditions = qualification.parse(body.qualDetails if body is not None else None)
    query = await qualification.record_query(
        conditions,
        SessionLookup(session),
        kinds=kinds,
        offset=start,
        limit=limit,
        order_by=order_by,
        descending=descending,
    )
    page = await records.list_records(session, query)
    return SearchResult[Ticket](
        objectList=await render(session, request, page.items), totalCount=page.total
    )


# Routes' shared parts ----------------------------------------------------------------------

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorBody,
        "description": "Invalid input: a missing or ill-typed field, an unknown name "
        "(location, department, category, status …), an invalid enumeration value or "
        "qualification",
    },
    401: {"model": ErrorBody, "description": "Missing, malformed, expired or revoked credentials"},
    403: {"model": ErrorBody, "description": "The caller may not use the API"},
    413: {"model": ErrorBody, "description": "The request body is too large"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such record (or not of this module)"}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "A named file is attached to another record"}
}
RecordId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The record's numeric id")]
Offset = Annotated[int | None, Query(description="0-based offset of the first record")]
Size = Annotated[int | None, Query(description="Records per page: 1 to 10000, default 10")]
SortBy = Annotated[
    str | None,
    Query(
        description="id, name, createdTime, updatedTime, lastActiveTime, dueBy or priority; "
        "a leading '-' sorts descending"
    ),
]
