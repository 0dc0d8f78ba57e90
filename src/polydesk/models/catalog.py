"""Services with their priorities, activity types and categories; statuses."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from polydesk.models.base import Base, BigId, IdPk, TimestampMixin


class Service(TimestampMixin, Base):
    """A service (django-helpdesk's queue, GoToAssist's service)."""

    __tablename__ = "service"

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    email_address: Mapped[str | None] = mapped_column(String(320))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class ServicePriority(Base):
    """A service's name for a core priority level (1 = most urgent … 5)."""

    __tablename__ = "service_priority"
    __table_args__ = (UniqueConstraint("service_id", "level"),)

    id: Mapped[IdPk]
    service_id: Mapped[int] = mapped_column(BigId, ForeignKey("service.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(100))


class ServiceActivityType(Base):
    __tablename__ = "service_activity_type"
    __table_args__ = (UniqueConstraint("service_id", "name_key"),)

    id: Mapped[IdPk]
    service_id: Mapped[int] = mapped_column(BigId, ForeignKey("service.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))


class Category(Base):
    """A category, global (``service_id`` null) or belonging to one service."""

    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("service_id", "name_key"),)

    id: Mapped[IdPk]
    service_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)


class Status(Base):
    """A configurable status; ``category`` says what it means to the core's rules."""

    __tablename__ = "status"

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100), unique=True)
    category: Mapped[str] = mapped_column(String(16), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
