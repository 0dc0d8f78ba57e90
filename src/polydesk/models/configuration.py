"""Configuration management: types (a tree), items, relationship types and relationships."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from polydesk.models.base import Base, BigId, IdPk, JsonType, TimestampMixin


class ConfigType(Base):
    __tablename__ = "config_type"
    __table_args__ = (UniqueConstraint("parent_id", "name_key"),)

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("config_type.id"), index=True)
    """NO ACTION rather than RESTRICT: a parent with sub-types still cannot be deleted, but the
    check runs at the end of the statement, so one DELETE may remove a whole tree."""
    attributes: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    """Attribute definitions: ``[{"name", "field_type", "required", "choices"?}]``."""


class ConfigItem(TimestampMixin, Base):
    __tablename__ = "config_item"

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    config_type_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("config_type.id", ondelete="RESTRICT"), index=True
    )
    asset_model: Mapped[str | None] = mapped_column(String(64))
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    version: Mapped[int] = mapped_column(default=1)


class ConfigRelationshipType(Base):
    __tablename__ = "config_relationship_type"

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    reverse_name: Mapped[str | None] = mapped_column(String(200))
    strength: Mapped[str] = mapped_column(String(16), default="soft")


class ConfigRelationship(Base):
    __tablename__ = "config_relationship"
    __table_args__ = (
        UniqueConstraint("relationship_type_id", "source_id", "target_id"),
        CheckConstraint("source_id <> target_id", name="not_self"),
    )

    id: Mapped[IdPk]
    relationship_type_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("config_relationship_type.id", ondelete="RESTRICT")
    )
    source_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("config_item.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("config_item.id", ondelete="CASCADE"), index=True
    )
