"""Wire shapes of the resources that hang off records, and of configuration, for the OpenAPI
document. Requests are read field by field (``params`` and ``mapping_sub``), tolerant of
strings for numbers and of unknown keys; these models say what is read and what is answered.
Dates are ``YYYY-MM-DDTHH:MM:SSZ``, or ``""`` when unset."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from polydesk.api.gotoassist.schemas import Id, UserRef

# Notes ---------------------------------------------------------------------------------------


class SubNoteOut(BaseModel):
    """A note; also carries ``<note type>_link`` (``symptom_link``, ``comment_link``, …). The
    result key is the note's type (``result.comment``, ``result.symptom``, …)."""

    model_config = ConfigDict(extra="allow")

    id: int
    created_at: str
    updated_at: str
    note: str
    note_type: str
    customer_viewable: bool
    user: UserRef | None


class NoteIn(BaseModel):
    """Read from ``{"<note type>": {…}}`` (or a ``note`` wrapper)."""

    model_config = ConfigDict(extra="allow")

    note: str | None = Field(None, description="The text; required on create.")
    customer_viewable: bool | str | None = Field(None, description="Shown to the customer.")
    hidden: bool | str | None = Field(None, description="The inverse of customer_viewable.")
    user_id: Id | None = Field(None, description="Write on behalf of this user (staff).")


# Watches -------------------------------------------------------------------------------------


class SubWatchOut(BaseModel):
    id: int
    watched_by: dict[str, Any] | None = Field(
        description="A user reference, or {external_email} for an outside watcher."
    )
    watch_link: str


class WatchIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    watched_by: Id | dict[str, Any] | None = Field(
        None,
        description=(
            "The watching user's id (or a user or customer reference); "
            "this or external_email is required."
        ),
    )
    external_email: str | None = Field(None, description="An outside e-mail address.")


# Change testers and review users -------------------------------------------------------------


class TesterOut(BaseModel):
    id: int
    tester: UserRef | None
    status: str
    note: str | None
    tested_at: str
    created_at: str
    change_id: int
    change_link: str
    tester_link: str


class TesterIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    user_id: Id | None = Field(
        None, description="A staff user; required on create. Aliases: tester_id, tested_by."
    )
    status: str | None = Field(None, description="Free text: pending (default), passed, …")
    note: str | None = None
    tested_at: str | None = None


class ReviewUserOut(BaseModel):
    id: int
    user: UserRef | None
    status: str
    note: str | None
    reviewed_at: str
    created_at: str
    release_id: int
    release_link: str
    review_user_link: str


class ReviewUserIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    user_id: Id | None = Field(
        None, description="A staff user; required on create. Alias: reviewer_id."
    )
    status: str | None = Field(None, description="Free text: pending (default), approved, …")
    note: str | None = None
    reviewed_at: str | None = None


# Issues and release records ------------------------------------------------------------------


class IssueOut(BaseModel):
    """Also ``change_id``/``change_link`` or ``release_id``/``release_link`` for an issue
    raised on a record."""

    model_config = ConfigDict(extra="allow")

    id: int
    title: str
    description: str | None
    status: str
    user: UserRef | None
    created_at: str
    updated_at: str
    issue_link: str


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    title: str | None = Field(None, description="Required on create. Alias: name.")
    description: str | None = Field(None, description="Alias: note.")
    status: str | None = Field(None, description="Free text: open (default), resolved, …")
    user_id: Id | None = None
    change_id: Id | None = Field(None, description="Top-level create: raise it on a change.")
    release_id: Id | None = Field(None, description="Top-level create: raise it on a release.")


class ReleaseRecordOut(BaseModel):
    id: int
    title: str
    note: str | None
    user: UserRef | None
    created_at: str
    updated_at: str
    release_id: int
    release_link: str
    release_record_link: str


class ReleaseRecordIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    title: str | None = Field(None, description="Required on create. Alias: name.")
    note: str | None = Field(None, description="Alias: description.")
    user_id: Id | None = None
    release_id: Id | None = Field(None, description="Required on a top-level create.")


# Time entries --------------------------------------------------------------------------------


class TimeEntryOut(BaseModel):
    """Also ``<type>_id``/``<type>_link`` of the record it was logged on."""

    model_config = ConfigDict(extra="allow")

    id: int
    minutes: int
    hours: float
    note: str | None
    spent_on: str
    user: UserRef | None
    created_at: str
    updated_at: str
    time_entry_link: str


class TimeEntryIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    minutes: int | str | None = Field(
        None, description="Whole minutes; required on create. Aliases: time_spent, hours."
    )
    hours: float | str | None = None
    note: str | None = Field(None, description="Alias: description.")
    spent_on: str | None = Field(None, description="The day (YYYY-MM-DD); alias date.")
    user_id: Id | None = Field(None, description="Whose time; the token's user by default.")
    incident_id: Id | None = Field(None, description="Top-level create: the record.")
    problem_id: Id | None = None
    change_id: Id | None = None
    release_id: Id | None = None


# Links ---------------------------------------------------------------------------------------


class LinksIn(BaseModel):
    """Not wrapped. One of the four is enough; several link several records."""

    incident_id: Id | None = None
    change_id: Id | None = None
    problem_id: Id | None = None
    release_id: Id | None = None


def _link_entry(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f"{name}_id": {"type": "integer"}, f"{name}_link": {"type": "string"}},
        "required": [f"{name}_id", f"{name}_link"],
    }


LINKS_RESULT: dict[str, Any] = {
    "type": "object",
    "properties": {
        f"{name}s": {"type": "array", "items": _link_entry(name)}
        for name in ("incident", "change", "problem", "release")
    },
    "required": ["incidents", "changes", "problems", "releases"],
}
"""``result`` of Show, Create and Delete Link: the four arrays, empty ones kept."""


# Configuration -------------------------------------------------------------------------------


class ConfigTypeRef(BaseModel):
    id: int
    name: str
    config_type_link: str


class ConfigTypeSummary(BaseModel):
    id: int
    name: str
    description: str | None
    parent_id: int | None
    has_children: bool
    config_type_link: str


class AttributeOut(BaseModel):
    id: int = Field(description="The attribute's position in its type, from 1.")
    name: str
    field_type: str
    required: bool
    choices: list[str] | None


class ConfigItemRef(BaseModel):
    id: int
    name: str
    config_item_link: str


class ConfigTypeOut(BaseModel):
    id: int
    name: str
    description: str | None
    parent: ConfigTypeRef | None
    child_types: list[dict[str, ConfigTypeRef]] = Field(description='[{"config_type": {…}}]')
    attributes: list[dict[str, AttributeOut]] = Field(description='[{"attribute": {…}}]')
    config_items: list[dict[str, ConfigItemRef]] = Field(
        description='[{"config_item": {…}}], the first 100 by id'
    )
    config_items_count: int
    config_type_link: str


class RelationshipTypeOut(BaseModel):
    id: int
    name: str
    reverse_name: str | None
    strength: str = Field(description="hard | soft")
    config_relationship_type_link: str


class RelationshipOut(BaseModel):
    id: int
    name: str = Field(description="The type's name, or its reverse name seen from the target.")
    direction: str = Field(description="outgoing | incoming")
    relationship_type: dict[str, Any]
    related_config_item: ConfigItemRef


class ConfigItemOut(BaseModel):
    id: int
    name: str
    description: str | None
    asset_model: str | None
    config_type_id: int
    config_type: ConfigTypeRef | None
    attributes: dict[str, Any] = Field(description="Attribute values by name.")
    relationships: list[dict[str, RelationshipOut]] = Field(description='[{"relationship": {…}}]')
    watches: list[dict[str, SubWatchOut]] = Field(description='[{"watch": {…}}]')
    incidents: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    releases: list[dict[str, Any]]
    version: int
    created_at: str
    updated_at: str
    config_item_link: str


class RelationshipIn(BaseModel):
    config_relationship_type_id: Id
    related_config_item_id: Id


class ConfigItemIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str | None = Field(None, description="Required on create.")
    config_type_id: Id | None = Field(None, description="Required on create.")
    description: str | None = None
    asset_model: str | None = None
    attributes: dict[str, Any] | None = Field(
        None, description="Values by attribute name (alias additional_values); merged on update."
    )
    relationships: list[RelationshipIn] | None = Field(
        None, description="Relationships from this item to add (existing ones are kept)."
    )
