"""``GET /api/ususer/form/{module}``: the custom fields of a module's form, with the ids and
type codes to use in ``customFieldValueDetails``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

from polydesk.api.serviceops import mapping_g1
from polydesk.api.serviceops.deps import DbSession, RequireTechnician
from polydesk.api.serviceops.errors import ErrorBody
from polydesk.api.serviceops.routing import new_router
from polydesk.api.serviceops.schemas_g1 import TYPE_CODES, VALUE_MEMBERS, Form, FormField
from polydesk.core.enums import RecordKind
from polydesk.core.errors import NotFound
from polydesk.domains.custom_fields import service as custom_fields

router = new_router(tags=["Form"])

MODULES: dict[str, RecordKind] = {
    "incident": RecordKind.INCIDENT,
    "request": RecordKind.INCIDENT,
    "servicerequest": RecordKind.REQUEST,
    "service_request": RecordKind.REQUEST,
    "problem": RecordKind.PROBLEM,
    "change": RecordKind.CHANGE,
    "release": RecordKind.RELEASE,
}
"""ServiceOps' ``request`` module holds incidents; service requests are Polydesk's *request*
kind."""

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing, malformed, expired or revoked credentials"},
    403: {"model": ErrorBody, "description": "The caller may not use the API"},
    404: {"model": ErrorBody, "description": "Unknown module"},
}


@router.get(
    "/api/ususer/form/{module}",
    response_model=Form,
    responses=ERRORS,
    summary="List a module's custom fields",
)
async def get_form(
    module: Annotated[str, Path(max_length=64)], session: DbSession, _actor: RequireTechnician
) -> Form:
    """Modules: ``incident`` (also ``request``), ``servicerequest``, ``problem``, ``change``,
    ``release``."""
    kind = MODULES.get(module.strip().lower())
    if kind is None:
        raise NotFound(
            f"No form for module {module!r}: use one of {', '.join(MODULES)}.",
            field="module",
            value=module,
        )
    fields = await custom_fields.list_fields(session, kind)
    items = []
    for field in fields:
        code = mapping_g1.type_code(field)
        items.append(
            FormField(
                id=field.id,
                name=field.name,
                label=field.label,
                type=code,
                typeName=TYPE_CODES[code],
                valueMember=VALUE_MEMBERS[code],
                fieldType=field.field_type,
                required=field.required,
                options=list(field.choices or []),
                helpText=field.help_text,
            )
        )
    return Form(module=module.strip().lower(), fields=items)
