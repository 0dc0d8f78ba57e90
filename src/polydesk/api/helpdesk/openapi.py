"""The OpenAPI 3.1 document of the django-helpdesk dialect, built from the same field lists
that validate input (:mod:`polydesk.api.helpdesk.schemas`), with the instance's current
ticket custom fields, so that it describes exactly what the routes accept and answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from polydesk.api.helpdesk import fields as f
from polydesk.api.helpdesk import schemas
from polydesk.api.helpdesk.mapping import PRIORITY_CHOICES, STATUS_CHOICES
from polydesk.models import CustomField

JSON = "application/json"
FORMS = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _field_schema(item: f.Field, *, for_input: bool) -> dict[str, Any]:
    schema: dict[str, Any]
    match item:
        case f.FileListField():
            schema = {"type": "array", "items": {"type": "string", "format": "binary"}}
        case f.FileField():
            schema = {"type": "string", "format": "binary"}
        case f.BooleanField():
            schema = {"type": "boolean"}
        case f.MultipleChoiceField():
            schema = {
                "type": "array",
                "items": {"type": "string", "enum": [v for v, _ in item.choices]},
            }
        case f.ChoiceField():
            values = [v for v, _label in item.choices]
            kind = "integer" if values and all(isinstance(v, int) for v in values) else "string"
            schema = {"type": kind, "enum": values}
            schema["description"] = ", ".join(f"{v} = {label}" for v, label in item.choices)
        case f.IntegerField() | f.PrimaryKeyField():
            schema = {"type": "integer"}
        case f.DecimalField():
            schema = {"type": "string", "format": "decimal"}
        case f.DateTimeField():
            schema = {"type": "string", "format": "date-time"}
        case f.DateField():
            schema = {"type": "string", "format": "date"}
        case f.TimeField():
            schema = {"type": "string", "format": "time", "example": "23:59:59"}
        case f.DurationField():
            schema = {"type": "string", "example": "01:30:00"}
        case f.EmailField():
            schema = {"type": "string", "format": "email"}
        case f.UrlField():
            schema = {"type": "string", "format": "uri"}
        case f.CharField():
            schema = {"type": "string"}
            if item.max_length is not None:
                schema["maxLength"] = item.max_length
        case _:
            schema = {"type": "string"}
    if item.allow_null:
        schema = {"anyOf": [schema, {"type": "null"}]}
    if item.read_only:
        schema["readOnly"] = True
    if item.write_only:
        schema["writeOnly"] = True
    if item.label:
        schema.setdefault("title", item.label)
    return schema


def _object(items: Sequence[f.Field], *, for_input: bool, partial: bool = False) -> dict[str, Any]:
    props = {
        i.name: _field_schema(i, for_input=for_input)
        for i in items
        if not (for_input and i.read_only) and not (not for_input and i.write_only)
    }
    required = [i.name for i in items if for_input and i.required and not partial]
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    return out


def _custom_output(field: CustomField) -> dict[str, Any]:
    item = schemas.custom_field(field)
    schema = _field_schema(item, for_input=False)
    if field.field_type == "datetime":
        schema = {"type": "string", "example": "2022-04-11T23:59"}
    return {"anyOf": [schema, {"type": "null"}]}


def _components(custom: Sequence[CustomField]) -> dict[str, Any]:
    ticket_in = schemas.ticket_fields(custom)
    attachment = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "followup": {"type": "integer"},
            "file": {"type": "string", "format": "uri", "description": "Absolute download URL"},
            "filename": {"type": "string"},
            "mime_type": {"type": "string"},
            "size": {"type": "integer"},
        },
        "required": ["id", "followup", "file", "filename", "mime_type", "size"],
    }
    followup = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "ticket": {"type": "integer"},
            "user": {"type": ["integer", "null"]},
            "title": {"type": ["string", "null"]},
            "comment": {"type": ["string", "null"]},
            "public": {"type": "boolean"},
            "new_status": {"type": ["integer", "null"], "enum": [1, 2, 3, 4, 5, None]},
            "time_spent": {"type": ["string", "null"], "example": "01:30:00"},
            "followupattachment_set": {"type": "array", "items": _ref("FollowUpAttachment")},
            "date": {"type": "string", "format": "date-time"},
            "message_id": {"type": "null"},
            "email_recipients": {"type": "array", "items": {"type": "string"}},
        },
    }
    ticket_props: dict[str, Any] = {
        "id": {"type": "integer"},
        "queue": {"type": ["integer", "null"]},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "resolution": {"type": ["string", "null"]},
        "submitter_email": {"type": "string"},
        "assigned_to": {"type": ["integer", "null"]},
        "status": {"type": "integer", "enum": [v for v, _ in STATUS_CHOICES]},
        "on_hold": {"type": "boolean"},
        "priority": {"type": "integer", "enum": [v for v, _ in PRIORITY_CHOICES]},
        "due_date": {"type": ["string", "null"], "format": "date-time"},
        "merged_to": {"type": ["integer", "null"]},
        "followup_set": {"type": "array", "items": _ref("FollowUp")},
    }
    for field in custom:
        ticket_props[schemas.custom_field(field).name] = _custom_output(field)
    user_ticket_props: dict[str, Any] = {
        "ticket": {"type": "string", "example": "8 [support-8]"},
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "queue": {
            "type": ["object", "null"],
            "properties": {"title": {"type": "string"}, "id": {"type": "integer"}},
        },
        "status": {"type": "string", "example": "Open - On Hold"},
        "created": {"type": "string", "format": "date-time"},
        "due_date": {"type": ["string", "null"], "format": "date-time"},
        "submitter": {"type": "string"},
        "kbitem": {"type": "string"},
        "secret_key": {"type": "string", "format": "uuid"},
    }
    for field in custom:
        if not field.staff_only:
            user_ticket_props[schemas.custom_field(field).name] = _custom_output(field)
    return {
        "schemas": {
            "Ticket": {"type": "object", "properties": ticket_props},
            "TicketInput": _object(ticket_in, for_input=True),
            "PatchedTicketInput": _object(ticket_in, for_input=True, partial=True),
            "FollowUp": followup,
            "FollowUpInput": _object(schemas.followup_fields(), for_input=True),
            "PatchedFollowUpInput": _object(
                schemas.followup_fields(), for_input=True, partial=True
            ),
            "FollowUpAttachment": attachment,
            "FollowUpAttachmentInput": _object(schemas.attachment_fields(), for_input=True),
            "PatchedFollowUpAttachmentInput": _object(
                schemas.attachment_fields(), for_input=True, partial=True
            ),
            "UserTicket": {"type": "object", "properties": user_ticket_props},
            "UserInput": _object(schemas.user_fields(), for_input=True),
            "User": _object(
                [i for i in schemas.user_fields() if not i.write_only], for_input=False
            ),
            "Error": {
                "type": "object",
                "description": '{"detail": message} or {field: [messages]}',
                "additionalProperties": True,
            },
        },
        "securitySchemes": {
            "basic": {"type": "http", "scheme": "basic"},
            "session": {
                "type": "apiKey",
                "in": "cookie",
                "name": "sessionid",
                "description": "From /api-auth/login/; unsafe methods also need X-CSRFToken.",
            },
        },
    }


def _page(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "next": {"type": ["string", "null"], "format": "uri"},
            "previous": {"type": ["string", "null"], "format": "uri"},
            "results": {"type": "array", "items": _ref(item)},
        },
        "required": ["count", "next", "previous", "results"],
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


_ERRORS = {
    "403": _json(_ref("Error"), "Not authenticated, bad credentials, CSRF or not permitted"),
}
_PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1}},
]
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {media: {"schema": _ref(schema)} for media in FORMS}}


def _collection(
    item: str, input_name: str | None, tag: str, *, extra_params: Sequence[Any] = ()
) -> dict[str, Any]:
    ops: dict[str, Any] = {
        "get": {
            "tags": [tag],
            "operationId": f"list{item}s",
            "parameters": [*_PAGING, *extra_params],
            "responses": {
                "200": _json(_page(item), "One page"),
                "404": _json(_ref("Error"), "Invalid page."),
                **_ERRORS,
            },
        }
    }
    if input_name is not None:
        ops["post"] = {
            "tags": [tag],
            "operationId": f"create{item}",
            "requestBody": _body(input_name),
            "responses": {
                "201": _json(_ref(item), "Created (no Location header)"),
                "400": _json(_ref("Error"), "Invalid input"),
                **_ERRORS,
            },
        }
    return ops


def _instance(item: str, input_name: str | None, tag: str) -> dict[str, Any]:
    not_found = {"404": _json(_ref("Error"), "No such object")}
    ops: dict[str, Any] = {
        "parameters": [_ID],
        "get": {
            "tags": [tag],
            "operationId": f"retrieve{item}",
            "responses": {"200": _json(_ref(item), "The object"), **not_found, **_ERRORS},
        },
    }
    if input_name is not None:
        for method, schema in (("put", input_name), ("patch", f"Patched{input_name}")):
            ops[method] = {
                "tags": [tag],
                "operationId": f"{'update' if method == 'put' else 'partialUpdate'}{item}",
                "requestBody": _body(schema),
                "responses": {
                    "200": _json(_ref(item), "Updated"),
                    "400": _json(_ref("Error"), "Invalid input"),
                    **not_found,
                    **_ERRORS,
                },
            }
        ops["delete"] = {
            "tags": [tag],
            "operationId": f"destroy{item}",
            "responses": {"204": {"description": "Deleted"}, **not_found, **_ERRORS},
        }
    return ops


def document(custom: Sequence[CustomField], server_url: str) -> dict[str, Any]:
    status_param = {
        "name": "status",
        "in": "query",
        "description": "Comma-separated status numbers (1–5); no valid number, no filter.",
        "schema": {"type": "string", "example": "1,2"},
    }
    paths: dict[str, Any] = {
        "/api/": {
            "get": {
                "tags": ["root"],
                "operationId": "apiRoot",
                "security": [{}],
                "responses": {
                    "200": _json(
                        {"type": "object", "additionalProperties": {"type": "string"}},
                        "The list URLs",
                    )
                },
            }
        },
        "/api/tickets/": _collection(
            "Ticket", "TicketInput", "tickets", extra_params=[status_param]
        ),
        "/api/tickets/{id}/": _instance("Ticket", "TicketInput", "tickets"),
        "/api/followups/": _collection("FollowUp", "FollowUpInput", "followups"),
        "/api/followups/{id}/": _instance("FollowUp", "FollowUpInput", "followups"),
        "/api/followups-attachments/": _collection(
            "FollowUpAttachment", "FollowUpAttachmentInput", "followups-attachments"
        ),
        "/api/followups-attachments/{id}/": _instance(
            "FollowUpAttachment", "FollowUpAttachmentInput", "followups-attachments"
        ),
        "/api/user_tickets/": _collection("UserTicket", None, "user_tickets"),
        "/api/user_tickets/{id}/": _instance("UserTicket", None, "user_tickets"),
        "/api/users/": {
            "post": {
                "tags": ["users"],
                "operationId": "createUser",
                "requestBody": _body("UserInput"),
                "responses": {
                    "201": _json(_ref("User"), "Created (no id in the body)"),
                    "400": _json(_ref("Error"), "Invalid input"),
                    **_ERRORS,
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "tags": ["root"],
                "operationId": "openapi",
                "security": [{}],
                "responses": {"200": {"description": "This document"}},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Polydesk — django-helpdesk REST API",
            "version": "2.6.1",
            "description": (
                "django-helpdesk 2.6.1's DRF API as Polydesk serves it. Every path also "
                "answers HEAD and OPTIONS, takes a .json format suffix or ?format=json, and "
                "redirects (301) when the trailing slash is missing. Errors are 403 (never "
                "401) for authentication and permission."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"basic": []}, {"session": []}],
        "paths": paths,
        "components": _components(custom),
    }
