"""Typed custom field definitions per record kind, and their values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from polydesk.models.base import Base, BigId, IdPk, JsonType


class CustomField(Base):
    __tablename__ = "custom_field"
    __table_args__ = (UniqueConstraint("kind", "name_key"), UniqueConstraint("kind", "slug"))

    id: Mapped[IdPk]
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    """The display name (``New Dropdown``)."""
    name_key: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100))
    """Machine name (django-helpdesk's ``custom_<slug>``)."""
    label: Mapped[str] = mapped_column(String(200))
    field_type: Mapped[str] = mapped_column(String(16))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    choices: Mapped[list[str]] = mapped_column(JsonType, default=list)
    max_length: Mapped[int | None] = mapped_column(Integer)
    decimal_places: Mapped[int | None] = mapped_column(Integer)
    help_text: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    staff_only: Mapped[bool] = mapped_column(Boolean, default=False)
    extra: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class CustomFieldValue(Base):
    """One value of one field on one record.

    ``value_text`` holds the canonical text form of every type (ISO dates sort as text);
    ``value_number`` and ``value_bool`` hold the typed value where the type has one.
    """

    __tablename__ = "custom_field_value"
    __table_args__ = (UniqueConstraint("record_id", "field_id"),)

    id: Mapped[IdPk]
    record_id: Mapped[int] = mapped_column(BigId, ForeignKey("record.id", ondelete="CASCADE"))
    field_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("custom_field.id", ondelete="CASCADE"), index=True
    )
    value_text: Mapped[str | None] = mapped_column(Text)
    value_number: Mapped[float | None] = mapped_column(Float)
    value_bool: Mapped[bool | None] = mapped_column(Boolean)
