"""The wire fields of each django-helpdesk serializer, in output order, as DRF declares them.

They drive input validation (:mod:`polydesk.api.helpdesk.fields`), OPTIONS metadata and the
OpenAPI document, so the three always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from polydesk.api.helpdesk import fields as f
from polydesk.api.helpdesk.mapping import PRIORITY_CHOICES, STATUS_CHOICES, custom_key
from polydesk.core.enums import CustomFieldType
from polydesk.models import CustomField

TITLE_MAX = 200


def custom_field(field: CustomField) -> f.Field:
    """``CustomField.build_api_field()``: one DRF field per custom field type."""
    name, required, label, help_text = (
        custom_key(field),
        field.required,
        field.label,
        field.help_text,
    )
    common: dict[str, Any] = {
        "name": name,
        "required": required,
        "label": label,
        "help_text": help_text,
    }
    match CustomFieldType(field.field_type):
        case CustomFieldType.TEXT | CustomFieldType.TEXTAREA:
            return f.CharField(
                **common, max_length=field.max_length, allow_blank=not field.required
            )
        case CustomFieldType.NUMBER:
            return f.IntegerField(**common)
        case CustomFieldType.DECIMAL:
            return f.DecimalField(
                **common, max_digits=field.max_length, decimal_places=field.decimal_places
            )
        case CustomFieldType.LIST:
            return f.ChoiceField(**common, choices=[(c, c) for c in field.choices])
        case CustomFieldType.MULTISELECT:
            return f.MultipleChoiceField(**common, choices=[(c, c) for c in field.choices])
        case CustomFieldType.BOOLEAN:
            return f.BooleanField(**common)
        case CustomFieldType.DATE:
            return f.DateField(**common)
        case CustomFieldType.TIME:
            return f.TimeField(**common)
        case CustomFieldType.DATETIME:
            return f.DateTimeField(**common)
        case CustomFieldType.EMAIL:
            return f.EmailField(**common, max_length=field.max_length)
        case CustomFieldType.URL:
            return f.UrlField(**common, max_length=field.max_length)
        case CustomFieldType.IPADDRESS:
            return f.IpAddressField(**common)
        case CustomFieldType.SLUG:
            return f.SlugField(**common, max_length=field.max_length)


def ticket_fields(custom: Sequence[CustomField]) -> list[f.Field]:
    """``TicketSerializer`` (``followup_set`` is read-only and has no input)."""
    return [
        f.IntegerField("id", read_only=True, label="ID"),
        f.PrimaryKeyField("queue", required=True, label="Queue"),
        f.CharField("title", required=True, max_length=TITLE_MAX, label="Title"),
        f.CharField("description", allow_null=True, allow_blank=True, label="Description"),
        f.CharField("resolution", allow_null=True, allow_blank=True, label="Resolution"),
        f.EmailField(
            "submitter_email",
            allow_null=True,
            allow_blank=True,
            max_length=254,
            label="Submitter e-mail",
        ),
        f.PrimaryKeyField("assigned_to", allow_null=True, label="Assigned to"),
        f.ChoiceField("status", choices=STATUS_CHOICES, label="Status"),
        f.BooleanField("on_hold", label="On hold"),
        f.ChoiceField("priority", choices=PRIORITY_CHOICES, label="Priority"),
        f.DateTimeField("due_date", allow_null=True, label="Due on"),
        f.PrimaryKeyField("merged_to", allow_null=True, label="Merged to"),
        f.FileField("attachment", write_only=True, allow_null=True, label="Attachment"),
        *(custom_field(c) for c in custom),
    ]


def followup_fields() -> list[f.Field]:
    return [
        f.IntegerField("id", read_only=True, label="ID"),
        f.PrimaryKeyField("ticket", required=True, label="Ticket"),
        f.PrimaryKeyField("user", allow_null=True, label="User"),
        f.CharField(
            "title", allow_null=True, allow_blank=True, max_length=TITLE_MAX, label="Title"
        ),
        f.CharField("comment", allow_null=True, allow_blank=True, label="Comment"),
        f.BooleanField("public", label="Public"),
        f.ChoiceField("new_status", allow_null=True, choices=STATUS_CHOICES, label="New status"),
        f.DurationField("time_spent", allow_null=True, label="Time spent"),
        f.FileListField("attachments", write_only=True, label="Attachments"),
    ]


def attachment_fields() -> list[f.Field]:
    return [
        f.IntegerField("id", read_only=True, label="ID"),
        f.PrimaryKeyField("followup", required=True, label="Follow-up"),
        f.FileField("file", required=True, label="File"),
        f.CharField("filename", allow_blank=True, max_length=1000, label="Filename"),
        f.CharField("mime_type", allow_blank=True, max_length=255, label="MIME type"),
        f.IntegerField("size", read_only=True, label="Size"),
    ]


def user_fields() -> list[f.Field]:
    return [
        f.CharField("first_name", allow_blank=True, max_length=150, label="First name"),
        f.CharField("last_name", allow_blank=True, max_length=150, label="Last name"),
        f.CharField("username", required=True, max_length=150, label="Username"),
        f.EmailField("email", required=True, max_length=254, label="Email address"),
        f.CharField("password", required=True, write_only=True, max_length=128, label="Password"),
    ]
