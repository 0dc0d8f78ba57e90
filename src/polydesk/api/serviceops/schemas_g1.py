"""Wire models of the G1 "Managing Incident Using API" generation (Flotomate, 2018–2019).

Enumerations are upper-case on the wire (``LOW``, ``ONUSER`` …); input matches them ignoring
case. Unknown keys in request bodies are ignored, as the vendor's server does.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from polydesk.api.serviceops.files import FileAttachment


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


class G1Impact(StrEnum):
    LOW = "LOW"
    ONUSER = "ONUSER"
    ONDEPARTMENT = "ONDEPARTMENT"
    ONBUSINESS = "ONBUSINESS"


class G1Level(StrEnum):
    """Priority and urgency."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    URGENT = "URGENT"


Impact = Annotated[G1Impact, BeforeValidator(_upper)]
Level = Annotated[G1Level, BeforeValidator(_upper)]


TYPE_CODES: dict[int, str] = {
    1: "STRING",
    2: "INTEGER",
    3: "DOUBLE",
    4: "BOOLEAN",
    5: "LONG",
    7: "INTEGER LIST",
    8: "STRING LIST",
    10: "BIG STRING",
}
VALUE_MEMBERS: dict[int, str] = {
    1: "stringValue",
    2: "integerValue",
    3: "doubleValue",
    4: "booleanValue",
    5: "longValue",
    7: "integerListValue",
    8: "stringListValue",
    10: "stringValue",
}
"""The member holding the value for each type code (only ``stringValue`` is documented)."""


class CustomFieldValue(BaseModel):
    """One value of ``customFieldValueDetails``: ``{"type": 1, "stringValue": "Open"}``.

    On input the member named for ``type`` is read (any other ``…Value`` member is accepted
    when it is the only one given); ``null`` clears the value.
    """

    model_config = ConfigDict(extra="allow")

    type: int | None = Field(default=None, examples=[1])
    """1 STRING, 2 INTEGER, 3 DOUBLE, 4 BOOLEAN, 5 LONG, 7 INTEGER LIST, 8 STRING LIST,
    10 BIG STRING."""
    stringValue: str | None = None
    integerValue: int | None = None
    doubleValue: float | None = None
    booleanValue: bool | None = None
    longValue: int | None = None
    integerListValue: list[int] | None = None
    stringListValue: list[str] | None = None


CustomFieldValues = dict[str, CustomFieldValue]
"""Keyed by the custom field's id as a string (see ``GET /api/ususer/form/{module}``)."""


class IncidentFields(BaseModel):
    """The keys create and update share; on update every key is optional and only the keys
    given are applied."""

    model_config = ConfigDict(extra="ignore")

    subject: str | None = Field(default=None, examples=["Need a new keyboard"])
    requesterEmail: str | None = Field(default=None, examples=["tim@acme.com"])
    """An e-mail address or login name; an unknown e-mail address creates a requester (named
    ``requesterName``)."""
    requesterName: str | None = Field(default=None, examples=["Tim"])
    description: str | None = Field(default=None, examples=["Need a wireless keyboard"])
    categoryName: str | None = Field(default=None, examples=["Incident"])
    impact: Impact | None = None
    priority: Level | None = None
    urgency: Level | None = None
    locationName: str | None = Field(default=None, examples=["Ahmedabad"])
    """Must exist (case-insensitive); unknown → 400 "Location Must Exist with same name"."""
    departmentName: str | None = None
    """Polydesk extension: must exist, like ``locationName``."""
    tags: list[str] | None = Field(default=None, examples=[["mouse"]])
    ccEmailSet: list[str] | None = None
    spam: bool | None = None
    status: str | None = Field(default=None, examples=["Open"])
    """A status display name (``Open``, ``In Progress``, ``Pending``, ``Resolved``,
    ``Closed`` …), case-insensitive."""
    attachmentsRefNames: list[str] | None = None
    """``refFileName`` values answered by ``POST /api/oprfile``."""
    customFieldValueDetails: CustomFieldValues | None = None


class IncidentCreate(IncidentFields):
    """``POST /api/v1/incident``."""

    subject: str = Field(examples=["Need a new keyboard"])
    requesterEmail: str = Field(examples=["tim@acme.com"])


class IncidentUpdate(IncidentFields):
    """``POST /api/v1/incident/{id}``: every key optional; only the keys given change."""


class IncidentRead(BaseModel):
    """``GET /api/v1/incident/{id}``."""

    id: int = Field(examples=[2])
    """Polydesk extension (the vendor's sample has no ``id``)."""
    name: str = Field(examples=["INC-2"])
    """Polydesk extension: the display number."""
    requesterEmail: str | None = Field(examples=["tim@acme.com"])
    requesterName: str | None = Field(examples=["Tim"])
    ccEmailSet: list[str]
    subject: str
    description: str
    categoryName: str | None = Field(examples=["Service Request"])
    status: str = Field(examples=["Open"])
    impact: G1Impact | None
    priority: G1Level
    urgency: G1Level | None
    locationName: str | None
    departmentName: str | None
    tags: list[str]
    spam: bool
    fileAttachments: list[FileAttachment] | None
    """``null`` when the incident has no files, as in the vendor's sample."""
    customFieldValueDetails: dict[str, dict[str, Any]]


class Envelope(BaseModel):
    """The G1 success envelope:
    ``{"returnCode":"SUCCESS","status":0,"userMessage":null,"id":N}``."""

    returnCode: str = Field(default="SUCCESS", examples=["SUCCESS"])
    status: int = Field(default=0, examples=[0])
    userMessage: str | None = None
    id: int = Field(examples=[501])


class FormField(BaseModel):
    """One custom field of a module's form."""

    id: int = Field(examples=[3])
    """The key to use in ``customFieldValueDetails``."""
    name: str = Field(examples=["New Dropdown"])
    label: str
    type: int = Field(examples=[1])
    """The type code to send (1 STRING, 2 INTEGER, 3 DOUBLE, 4 BOOLEAN, 5 LONG, 8 STRING
    LIST, 10 BIG STRING)."""
    typeName: str = Field(examples=["STRING"])
    valueMember: str = Field(examples=["stringValue"])
    """The member of the value object that holds the value."""
    fieldType: str = Field(examples=["list"])
    """Polydesk's own type (text, textarea, number, decimal, list, multiselect, boolean, date,
    time, datetime, email, url, ipaddress, slug)."""
    required: bool
    options: list[str]
    """The allowed values of a ``list`` or ``multiselect`` field."""
    helpText: str | None = None


class Form(BaseModel):
    """``GET /api/ususer/form/{module}``."""

    module: str = Field(examples=["incident"])
    fields: list[FormField]
