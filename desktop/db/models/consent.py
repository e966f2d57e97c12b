"""Consent per purpose: dated, withdrawable; a withdrawal is a new fact, not an edit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.db.models.base import Base, UtcDateTime


class Consent(Base):
    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(24))  # processing | referral_sharing | statistics
    given_on: Mapped[date]
    withdrawn_on: Mapped[date | None] = mapped_column(default=None)
    form_signed: Mapped[bool] = mapped_column(default=False)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
