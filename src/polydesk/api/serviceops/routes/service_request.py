"""G2 service requests: ``POST /api/v1/service_catalog/servicerequest``.

A service request is a record of kind *request* (``SR-…``) on a catalogue service. It is read,
updated, deleted and searched through ``/api/v1/request`` like an incident, as ServiceOps does
(``PATCH /api/v1/request/{service-request-Id}``).

- ``requester`` (an e-mail address or a login name), ``serviceName`` and
  ``serviceCategoryName`` are compulsory; the service must exist, and the service category
  must be a category of that service or a global one. It becomes the record's category unless
  ``categoryName`` names another.
- ``subject`` is optional here: without one the service's name is the subject.
- ``source`` is always ``External``, as ServiceOps answers whatever was sent.
"""

from __future__ import annotations

from fastapi import Request

from polydesk.api.serviceops import reference, tickets
from polydesk.api.serviceops.deps import DbSession, RequireTechnician
from polydesk.api.serviceops.routing import new_router
from polydesk.api.serviceops.schemas import ServiceRequestCreate, Ticket
from polydesk.api.serviceops.tickets import CONFLICT, ERRORS
from polydesk.core.enums import RecordKind
from polydesk.core.errors import Invalid

router = new_router(tickets.TicketRoute, tags=["Service request"])
SOURCE = "External"


@router.post(
    "/api/v1/service_catalog/servicerequest",
    response_model=Ticket,
    response_model_exclude_none=True,
    responses={**ERRORS, **CONFLICT},
    summary="Create a service request",
    operation_id="createServiceRequest",
)
async def create_service_request(
    body: ServiceRequestCreate, request: Request, session: DbSession, actor: RequireTechnician
) -> Ticket:
    service_id = await reference.service_id(session, body.serviceName)
    if service_id is None:
        raise Invalid("serviceName must not be blank.", field="serviceName", value=body.serviceName)
    category_id = await reference.category_id(
        session, body.serviceCategoryName, "serviceCategoryName", service_id=service_id
    )
    if category_id is None:
        raise Invalid(
            "serviceCategoryName must not be blank.",
            field="serviceCategoryName",
            value=body.serviceCategoryName,
        )
    requester = await reference.requester(
        session, actor, body.requester, name=body.requesterName, field="requester"
    )
    if requester is None:
        raise Invalid("requester must not be blank.", field="requester", value=body.requester)
    extra = {
        "service_id": service_id,
        "requester_id": requester.id,
        "source": SOURCE,
    }
    if not body.subject or not body.subject.strip():
        extra["title"] = body.serviceName.strip()
    if "categoryName" not in body.model_fields_set or not body.categoryName:
        extra["category_id"] = category_id
    record = await tickets.create_ticket(session, actor, RecordKind.REQUEST, body, extra=extra)
    return await tickets.render_one(session, request, record.id)
