"""Enumerations of the record core. Dialects map their own names onto these in one place each."""

from __future__ import annotations

from enum import StrEnum


class RecordKind(StrEnum):
    INCIDENT = "incident"
    REQUEST = "request"
    PROBLEM = "problem"
    CHANGE = "change"
    RELEASE = "release"


class Role(StrEnum):
    ADMIN = "admin"
    TECHNICIAN = "technician"
    REQUESTER = "requester"


class StatusCategory(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Impact(StrEnum):
    LOW = "low"
    ON_USER = "on_user"
    ON_DEPARTMENT = "on_department"
    ON_BUSINESS = "on_business"


class Urgency(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


class SupportLevel(StrEnum):
    TIER1 = "tier1"
    TIER2 = "tier2"
    TIER3 = "tier3"
    TIER4 = "tier4"


class NoteType(StrEnum):
    COMMENT = "comment"
    SYMPTOM = "symptom"
    RESOLUTION = "resolution"
    WORKAROUND = "workaround"
    ROOT_CAUSE = "root_cause"
    DESCRIPTION = "description"
    REASON = "reason"
    BUILD_INSTRUCTION = "build_instruction"
    BUILD_PROGRESS_NOTE = "build_progress_note"
    TEST_PLAN = "test_plan"
    COMPONENT = "component"
    INSTRUCTION = "instruction"
    BACKOUT = "backout"
    FOLLOWUP = "followup"


class LinkTargetKind(StrEnum):
    RECORD = "record"
    CONFIG_ITEM = "config_item"


class CustomFieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    DECIMAL = "decimal"
    LIST = "list"
    MULTISELECT = "multiselect"
    """Several distinct choices, kept in the order given (ServiceOps' multi-select dropdown
    and checkbox fields)."""
    BOOLEAN = "boolean"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    EMAIL = "email"
    URL = "url"
    IPADDRESS = "ipaddress"
    SLUG = "slug"


class AccessLevel(StrEnum):
    ANY_USER = "any-user"
    SPECIFIC_USER = "specific-user"


class TokenKind(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


class Channel(StrEnum):
    SERVICEOPS = "serviceops"
    GOTOASSIST = "gotoassist"
    HELPDESK = "helpdesk"
    WEB = "web"
    MAIL = "mail"
    CLI = "cli"
    SYSTEM = "system"


PRIORITY_LEVELS = range(1, 6)
"""Core priority levels: 1 = critical/urgent … 5 = very low."""
