"""Attachment metadata. The bytes live content-addressed under the data dir, by SHA-256."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from polydesk.models.base import Base, BigId, IdPk, Timestamp


class Attachment(Base):
    """An uploaded file. It may be uploaded first and attached later (ServiceOps'
    ``refFileName``), so ``record_id`` and ``note_id`` are both optional."""

    __tablename__ = "attachment"

    id: Mapped[IdPk]
    ref_name: Mapped[str] = mapped_column(String(64), unique=True)
    real_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    record_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("record.id", ondelete="CASCADE"), index=True
    )
    note_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("note.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[Timestamp]
