"""Wire shapes of this dialect, for the OpenAPI document. Requests are read field by field
(``params`` and ``mapping``), tolerant of strings for numbers and of unknown keys; these
models say what is read and what is answered."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Id = int | str
"""Ids are accepted as JSON numbers or numeric strings, and answered as numbers."""


class Avatar(BaseModel):
    public_filename: str


class UserRef(BaseModel):
    id: int
    first_name: str
    last_name: str
    full_name: str
    avatar: Avatar | None
    user_link: str


class ServiceRef(BaseModel):
    id: int
    name: str
    avatar: Avatar | None
    service_link: str


class PriorityRef(BaseModel):
    id: int | None
    level: int
    description: str
    service_priority_link: str | None


class ActivityTypeRef(BaseModel):
    id: int
    name: str
    service_activity_type_link: str


class CategoryRef(BaseModel):
    id: int
    name: str


class NoteOut(BaseModel):
    """Also carries ``<note type>_link`` (``symptom_link``, ``comment_link``, …)."""

    model_config = ConfigDict(extra="allow")

    id: int
    created_at: str
    note: str
    user: UserRef | None


class WatchOut(BaseModel):
    id: int
    watched_by: dict[str, Any] | None = Field(
        description="A user reference, or {external_email} for an outside watcher."
    )
    watch_link: str


class WrappedWatch(BaseModel):
    watch: WatchOut


class RecordOut(BaseModel):
    """A record in a list (these fields) or shown alone (these and the ``full`` ones: note
    collections wrapped per item, linked records, custom values, kind-specific fields).
    Dates are ``YYYY-MM-DDTHH:MM:SSZ``, or ``""`` when unset."""

    model_config = ConfigDict(extra="allow")

    id: int
    reference_num: int
    title: str
    status: str | None
    created_at: str
    last_active_at: str
    due_date: str
    due_to_escalate_at: str
    resolved_at: str
    closed_at: str
    service: ServiceRef | None
    priority: PriorityRef
    category: CategoryRef | None
    service_activity_type: ActivityTypeRef | None
    interesting: int
    owner: UserRef | None
    assigned_user: UserRef | None
    closed_by_user: UserRef | None
    resolved_by_user: UserRef | None
    updated_by_user: UserRef | None
    latest_note: NoteOut | None
    watches: list[WrappedWatch]


class IncidentOut(RecordOut):
    incident_link: str


class ProblemOut(RecordOut):
    problem_link: str


class ChangeOut(RecordOut):
    change_link: str


class ReleaseOut(RecordOut):
    release_link: str


class RecordIn(BaseModel):
    """Keys read from ``{"<type>": {…}}``; others are ignored. ``""`` clears a value."""

    model_config = ConfigDict(extra="allow")

    title: str | None = Field(None, description="Required on create.")
    service_id: Id | None = Field(None, description="Required on create.")
    assigned_user_id: Id | None = None
    owner_id: Id | None = None
    customer_id: Id | None = None
    category_id: Id | None = None
    service_activity_type_id: Id | None = Field(None, description="Alias: type_id, type.")
    priority_id: Id | None = None
    priority_level: int | str | None = Field(None, description="1 (urgent) … 5.")
    status: str | None = Field(None, description="A status name.")
    description: str | None = None
    due_date: str | None = None
    due_to_escalate_at: str | None = None
    closed_at: str | None = Field(None, description='A date closes; "" reopens.')
    resolved_at: str | None = Field(None, description='A date resolves; "" reopens.')
    closure_code: str | int | None = None
    closure_comment: str | None = None
    additional_values: dict[str, Any] | None = Field(None, description="Custom field values.")
    notify_watchlisted: bool | str | None = None
    notify_customer: bool | str | None = None


class IncidentIn(RecordIn):
    symptom: str | None = Field(None, description="Adds a symptom note.")


class ProblemIn(RecordIn):
    symptom: str | None = None
    root_cause: str | None = None
    workaround: str | None = None
    known_error: bool | str | None = None


class ChangeIn(RecordIn):
    type: str | None = Field(None, description="The change type (free text).")
    risk: str | None = None
    target_environment: str | None = None
    planned_start: str | None = None
    planned_end: str | None = None
    reason: str | None = Field(None, description="Adds a reason note.")
    build_instruction: str | None = None
    build_progress_note: str | None = None
    test_plan: str | None = None


class ReleaseIn(RecordIn):
    release_type: str | None = None
    planned_start: str | None = None
    planned_end: str | None = None
    component: str | None = Field(
        None, description="Adds a component note; alias release_component."
    )
    instruction: str | None = None
    backout: str | None = None


class UserOut(BaseModel):
    id: int
    first_name: str
    last_name: str
    full_name: str
    email: str
    avatar: Avatar | None
    time_zone: str
    role: str
    active: bool
    user_link: str


class CompanyOut(BaseModel):
    id: int
    name: str
    phone: str | None
    address: str | None
    website: str | None
    created_at: str
    company_link: str


class CompanyIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str | None = Field(None, description="Required on create.")
    phone: str | None = None
    address: str | None = None
    website: str | None = None


class CustomerOut(BaseModel):
    id: int
    first_name: str
    last_name: str
    full_name: str
    email: str
    phone: str | None
    time_zone: str
    portal_access: str
    company: dict[str, Any] | None
    avatar: Avatar | None
    created_at: str
    customer_link: str


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    email: str | None = Field(None, description="Required on create.")
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    phone: str | None = None
    time_zone: str | None = None
    company_id: Id | None = None
    portal_access: str | None = Field(
        None, description="no_access | standard | company | company_admin"
    )


class ServiceOut(BaseModel):
    id: int
    name: str
    description: str | None
    avatar: Avatar | None
    time_zone: str
    priorities: list[dict[str, PriorityRef]] = Field(description='[{"priority": {…}}]')
    service_activity_types: list[dict[str, ActivityTypeRef]] = Field(
        description='[{"service_activity_type": {…}}]'
    )
    categories: list[dict[str, CategoryRef]] = Field(description='[{"category": {…}}]')
    service_link: str
