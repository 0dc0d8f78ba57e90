"""The record core: one ``record`` table for every kind, with the parts that differ per kind
in one-to-one detail tables, and the notes, watches, time entries and links around it.

``record.id`` comes from one sequence for all kinds and is the id every dialect shows;
``number`` counts per kind (``INC-12``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from polydesk.core.clock import utcnow
from polydesk.models.base import Base, BigId, IdPk, JsonType, Timestamp, UTCDateTime

_USER_FK = "user_account.id"


def _user_fk() -> Any:
    return mapped_column(BigId, ForeignKey(_USER_FK, ondelete="SET NULL"), nullable=True)


class RecordCounter(Base):
    """Last number handed out per kind; bumped with one UPDATE … RETURNING."""

    __tablename__ = "record_counter"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Record(Base):
    __tablename__ = "record"
    __table_args__ = (
        UniqueConstraint("kind", "number"),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_level"),
        Index("ix_record_kind_created", "kind", "created_at"),
        Index("ix_record_status_created", "status_id", "created_at"),
        Index("ix_record_service_created", "service_id", "created_at"),
        Index("ix_record_kind_status", "kind", "status_id"),
        Index("ix_record_kind_updated", "kind", "updated_at"),
        Index("ix_record_kind_last_active", "kind", "last_active_at"),
        Index("ix_record_submitter_email_key", func.lower(text("submitter_email"))),
        Index("ix_record_due_date_id", "due_date", "id"),
    )

    id: Mapped[IdPk]
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    status_id: Mapped[int] = mapped_column(BigId, ForeignKey("status.id"))
    priority: Mapped[int] = mapped_column(Integer, default=3)
    impact: Mapped[str | None] = mapped_column(String(16))
    urgency: Mapped[str | None] = mapped_column(String(16))
    category_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("category.id", ondelete="SET NULL"), index=True
    )
    service_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("service.id", ondelete="SET NULL")
    )
    activity_type_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("service_activity_type.id", ondelete="SET NULL")
    )
    requester_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey(_USER_FK, ondelete="SET NULL"), index=True
    )
    submitter_email: Mapped[str | None] = mapped_column(String(320), index=True)
    """Kept as given: django-helpdesk matches it exactly. Searches ignoring case go through
    ``ix_record_submitter_email_key`` on ``lower(submitter_email)``."""
    assignee_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey(_USER_FK, ondelete="SET NULL"), index=True
    )
    technician_group_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("technician_group.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int | None] = _user_fk()
    company_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("company.id", ondelete="SET NULL"), index=True
    )
    location_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("location.id", ondelete="SET NULL")
    )
    department_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("department.id", ondelete="SET NULL")
    )
    support_level: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(64), default="External")
    spam: Mapped[bool] = mapped_column(Boolean, default=False)
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    due_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_to_escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str | None] = mapped_column(Text)
    closure_code: Mapped[str | None] = mapped_column(String(100))
    closure_comment: Mapped[str | None] = mapped_column(Text)
    merged_to_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("record.id", ondelete="SET NULL"), index=True
    )
    tags: Mapped[list[str]] = mapped_column(JsonType, default=list)
    cc_emails: Mapped[list[str]] = mapped_column(JsonType, default=list)
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]
    last_active_at: Mapped[Timestamp]
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = _user_fk()
    updated_by_id: Mapped[int | None] = _user_fk()
    resolved_by_id: Mapped[int | None] = _user_fk()
    closed_by_id: Mapped[int | None] = _user_fk()
    version: Mapped[int] = mapped_column(Integer, default=1)

    change: Mapped[ChangeDetails | None] = relationship(
        lazy="raise", uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )
    release: Mapped[ReleaseDetails | None] = relationship(
        lazy="raise", uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )
    problem: Mapped[ProblemDetails | None] = relationship(
        lazy="raise", uselist=False, cascade="all, delete-orphan", passive_deletes=True
    )


class ChangeDetails(Base):
    __tablename__ = "record_change"

    record_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("record.id", ondelete="CASCADE"), primary_key=True
    )
    risk: Mapped[str | None] = mapped_column(String(32))
    change_type: Mapped[str | None] = mapped_column(String(100))
    target_environment: Mapped[str | None] = mapped_column(String(100))
    planned_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    planned_end: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReleaseDetails(Base):
    __tablename__ = "record_release"

    record_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("record.id", ondelete="CASCADE"), primary_key=True
    )
    release_type: Mapped[str | None] = mapped_column(String(100))
    planned_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    planned_end: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProblemDetails(Base):
    __tablename__ = "record_problem"

    record_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("record.id", ondelete="CASCADE"), primary_key=True
    )
    root_cause: Mapped[str | None] = mapped_column(Text)
    workaround: Mapped[str | None] = mapped_column(Text)
    known_error: Mapped[bool] = mapped_column(Boolean, default=False)


class ChangeTester(Base):
    __tablename__ = "change_tester"
    __table_args__ = (UniqueConstraint("record_id", "user_id"),)

    id: Mapped[IdPk]
    record_id: Mapped[int] = mapped_column(BigId, ForeignKey("record.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey(_USER_FK, ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(32), default="pending")
    note: Mapped[str | None] = mapped_column(Text)
    tested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[Timestamp]


class ReleaseReviewUser(Base):
    __tablename__ = "release_review_user"
    __table_args__ = (UniqueConstraint("record_id", "user_id"),)

    id: Mapped[IdPk]
    record_id: Mapped[int] = mapped_column(BigId, ForeignKey("record.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey(_USER_FK, ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(32), default="pending")
    note: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[Timestamp]


class ReleaseRecord(Base):
    __tablename__ = "release_record"

    id: Mapped[IdPk]
    record_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("record.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = _user_fk()
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]


class RecordIssue(Base):
    """A known issue raised against a change or release (GoToAssist's issues)."""

    __tablename__ = "record_issue"

    id: Mapped[IdPk]
    record_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("record.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default="open")
    user_id: Mapped[int | None] = _user_fk()
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]


class Note(Base):
    """A typed note on a record: comments, symptoms, resolutions, follow-ups, conversations."""

    __tablename__ = "note"
    __table_args__ = (Index("ix_note_record_created", "record_id", "created_at"),)

    id: Mapped[IdPk]
    record_id: Mapped[int] = mapped_column(BigId, ForeignKey("record.id", ondelete="CASCADE"))
    note_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    author_id: Mapped[int | None] = _user_fk()
    new_status_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("status.id", ondelete="SET NULL")
    )
    time_spent_seconds: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]


class Watch(Base):
    """A user, or an outside e-mail address, watching a record or a configuration item."""

    __tablename__ = "watch"
    __table_args__ = (
        CheckConstraint("(record_id IS NULL) <> (config_item_id IS NULL)", name="one_parent"),
        CheckConstraint("(user_id IS NULL) <> (external_email IS NULL)", name="one_watcher"),
        UniqueConstraint("record_id", "user_id"),
        UniqueConstraint("record_id", "external_email"),
        UniqueConstraint("config_item_id", "user_id"),
        UniqueConstraint("config_item_id", "external_email"),
    )

    id: Mapped[IdPk]
    record_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("record.id", ondelete="CASCADE"), index=True
    )
    config_item_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("config_item.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey(_USER_FK, ondelete="CASCADE"), index=True
    )
    external_email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[Timestamp]


class TimeEntry(Base):
    __tablename__ = "time_entry"
    __table_args__ = (CheckConstraint("minutes >= 0", name="minutes_non_negative"),)

    id: Mapped[IdPk]
    record_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("record.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey(_USER_FK, ondelete="SET NULL"), index=True
    )
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    spent_on: Mapped[date] = mapped_column(Date, default=lambda: utcnow().date())
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]


class Link(Base):
    """A link from a record to another record or to a configuration item.

    Record-to-record links are stored once, with ``source_id < target_record_id``, and read
    from both sides.
    """

    __tablename__ = "link"
    __table_args__ = (
        CheckConstraint(
            "(target_record_id IS NULL) <> (target_config_item_id IS NULL)", name="one_target"
        ),
        UniqueConstraint("source_id", "target_record_id"),
        UniqueConstraint("source_id", "target_config_item_id"),
    )

    id: Mapped[IdPk]
    source_id: Mapped[int] = mapped_column(BigId, ForeignKey("record.id", ondelete="CASCADE"))
    target_record_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("record.id", ondelete="CASCADE"), index=True
    )
    target_config_item_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("config_item.id", ondelete="CASCADE"), index=True
    )
    link_type: Mapped[str] = mapped_column(String(32), default="related")
    created_by_id: Mapped[int | None] = _user_fk()
    created_at: Mapped[Timestamp]
