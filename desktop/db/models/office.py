"""The office profile (one row) and its settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.db.models.base import Base, UtcDateTime


class Office(Base):
    __tablename__ = "office"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    kind: Mapped[str] = mapped_column(String(16), default="office")  # office | region
    commune_code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    is_demo: Mapped[bool] = mapped_column(default=False)


class Setting(Base):
    """Office-wide settings an admin changes (e.g. auto-lock minutes)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(2000))


class OfficeSecret(Base):
    """Secrets that never leave the office (not in any export): the extract's keys.

    ``pseudonym``: the HMAC-SHA-256 key of the extract's pseudonymous keys (32 bytes);
    ``signing``: the Ed25519 private key (32-byte seed) that signs the extract's manifest.
    """

    __tablename__ = "office_secret"

    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
