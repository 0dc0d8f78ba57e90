"""G2 requesters: ``POST /api/v1/requester`` (documented) and ``GET /api/v1/requester/{id}``.

A requester is a user account of role *requester*: ``email`` (compulsory, unique),
``name`` (first word → first name, the rest → last name), ``userLogOnName`` (username),
``contactNo`` (phone), ``locationName`` and ``departmentName`` (must exist). The account has
no password, so it cannot sign in to the API or the console until one is set; ``allowToLogin``
says whether it has one. ``altContactNo1``/``2``, ``manager``, ``companyName``, ``verified``
and ``vipRequester`` are accepted and not kept; ``customField`` must be empty, as the core
keeps no custom fields on people.
"""

from __future__ import annotations

from typing import ClassVar

from polydesk.api.serviceops import reference
from polydesk.api.serviceops.deps import DbSession, RequireTechnician
from polydesk.api.serviceops.errors import ErrorBody, FieldNames
from polydesk.api.serviceops.routing import ServiceOpsRoute, new_router
from polydesk.api.serviceops.schemas import Requester, RequesterIn
from polydesk.api.serviceops.tickets import ERRORS, NOT_FOUND, RecordId
from polydesk.core.db import Session
from polydesk.core.enums import Role
from polydesk.core.errors import Invalid, NotFound
from polydesk.domains.departments import service as departments
from polydesk.domains.locations import service as locations
from polydesk.domains.users import service as users
from polydesk.domains.users.schemas import UserCreate
from polydesk.models import User

DATE_FORMAT = "%d-%m-%Y %H:%M"
"""The requester API's ``dd-MM-yyyy HH:mm``."""


class RequesterRoute(ServiceOpsRoute):
    field_names: ClassVar[FieldNames] = FieldNames(
        {
            "email": "email",
            "username": "userLogOnName",
            "first_name": "name",
            "last_name": "name",
            "phone": "contactNo",
            "department_id": "departmentName",
            "location_id": "locationName",
            "user_id": "id",
        }
    )


router = new_router(RequesterRoute, tags=["Requester"])


async def _read(session: Session, user: User) -> Requester:
    place = await locations.get_location(session, user.location_id) if user.location_id else None
    unit = (
        await departments.get_department(session, user.department_id)
        if user.department_id
        else None
    )
    return Requester(
        id=user.id,
        email=user.email,
        name=users.full_name(user),
        userLogOnName=user.username,
        contactNo=user.phone,
        locationName=place.name if place is not None else None,
        departmentName=unit.name if unit is not None else None,
        allowToLogin=user.password_hash is not None and user.is_active,
        block=not user.is_active,
        createdDate=user.created_at.strftime(DATE_FORMAT),
    )


@router.post(
    "/api/v1/requester",
    response_model=Requester,
    response_model_exclude_none=True,
    responses={
        **ERRORS,
        409: {"model": ErrorBody, "description": "The e-mail or login name is taken"},
    },
    summary="Create a requester",
    operation_id="createRequester",
)
async def create_requester(
    body: RequesterIn, session: DbSession, actor: RequireTechnician
) -> Requester:
    if body.customField:
        raise Invalid(
            "Custom fields on requesters are not supported.",
            field="customField",
            value=sorted(body.customField),
        )
    first_name, last_name = users.split_full_name(body.name)
    user = await users.create_user(
        session,
        actor,
        UserCreate(
            email=body.email,
            username=body.userLogOnName or None,
            role=Role.REQUESTER,
            first_name=first_name,
            last_name=last_name,
            phone=body.contactNo or None,
            department_id=await reference.department_id(session, body.departmentName),
            location_id=await reference.location_id(session, body.locationName),
        ),
    )
    return await _read(session, user)


@router.get(
    "/api/v1/requester/{requester_id}",
    response_model=Requester,
    response_model_exclude_none=True,
    responses={**ERRORS, **NOT_FOUND},
    summary="Get a requester",
    operation_id="getRequester",
)
async def get_requester(
    requester_id: RecordId, session: DbSession, _actor: RequireTechnician
) -> Requester:
    user = await users.get_user(session, requester_id)
    if user.role != Role.REQUESTER.value:
        raise NotFound(f"No requester with id {requester_id}.", field="id", value=requester_id)
    return await _read(session, user)
