"""Users, companies, customers, technician groups, departments and locations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from polydesk.models.base import Base, BigId, IdPk, TimestampMixin, UTCDateTime


class Department(Base):
    __tablename__ = "department"

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_key: Mapped[str] = mapped_column(String(200), unique=True)


class Location(Base):
    __tablename__ = "location"

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("location.id", ondelete="SET NULL"), index=True
    )


class Company(TimestampMixin, Base):
    __tablename__ = "company"

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    phone: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(1000))
    website: Mapped[str | None] = mapped_column(String(500))


class User(TimestampMixin, Base):
    """A person who signs in or is named on records.

    ``email`` is kept as given (django-helpdesk compares it with ``submitter_email`` exactly);
    sign-in and uniqueness ignore case through ``email_key``.
    """

    __tablename__ = "user_account"

    id: Mapped[IdPk]
    email: Mapped[str] = mapped_column(String(320), unique=True)
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    """``email`` lower-cased: every look-up by address goes through it."""
    username: Mapped[str | None] = mapped_column(String(150))
    username_key: Mapped[str | None] = mapped_column(String(150), unique=True)
    """``username`` lower-cased: usernames are unique ignoring case."""
    first_name: Mapped[str] = mapped_column(String(150), default="")
    last_name: Mapped[str] = mapped_column(String(150), default="")
    role: Mapped[str] = mapped_column(String(16), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str | None] = mapped_column(String(64))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    department_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("department.id", ondelete="SET NULL"), index=True
    )
    location_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("location.id", ondelete="SET NULL"), index=True
    )
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Customer(TimestampMixin, Base):
    """A requester's profile as a customer of a company (GoToAssist's customers)."""

    __tablename__ = "customer"

    id: Mapped[IdPk]
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    company_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("company.id", ondelete="SET NULL"), index=True
    )
    portal_access: Mapped[str] = mapped_column(String(32), default="standard")


class TechnicianGroup(Base):
    __tablename__ = "technician_group"

    id: Mapped[IdPk]
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(String(1000))


class TechnicianGroupMember(Base):
    __tablename__ = "technician_group_member"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[IdPk]
    group_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("technician_group.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
