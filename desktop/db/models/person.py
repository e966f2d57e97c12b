"""People received by the office, their cases and contacts (core columns).

The cases issue extends these tables; the foundation needs them for the demo
office, the encryption tests and the audit of every access to a person.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.db.models.base import Base, UtcDateTime


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str] = mapped_column(String(120), default="")
    given_name: Mapped[str] = mapped_column(String(120), default="")
    family_name_ar: Mapped[str] = mapped_column(String(120), default="")
    given_name_ar: Mapped[str] = mapped_column(String(120), default="")
    sex: Mapped[str] = mapped_column(String(1))  # F | M
    birth_date: Mapped[date | None] = mapped_column(default=None)
    birth_year_estimated: Mapped[int | None] = mapped_column(default=None)
    nationality: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    category: Mapped[str] = mapped_column(String(32))
    commune_code: Mapped[str] = mapped_column(String(16), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    document_type: Mapped[str] = mapped_column(String(24), default="")
    document_number: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Case(Base):
    __tablename__ = "case_file"
    __table_args__ = (Index("ix_case_file_opened_on", "opened_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    opened_on: Mapped[date]
    stage: Mapped[str] = mapped_column(String(24), default="accueil")
    closed_on: Mapped[date | None] = mapped_column(default=None)
    closure_reason: Mapped[str] = mapped_column(String(32), default="")


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    on_date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(String(2000), default="")
