"""The append-only event log: audit history, change feed and outbox in one table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from polydesk.models.base import Base, BigId, IdPk, JsonType, Timestamp


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (Index("ix_event_object", "object_type", "object_id"),)

    id: Mapped[IdPk]
    occurred_at: Mapped[Timestamp]
    actor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("user_account.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(BigId)
    record_id: Mapped[int | None] = mapped_column(BigId, index=True)
    """The record the change belongs to (the record itself, or a note's record)."""
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
