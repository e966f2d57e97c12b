"""People received by the office: identity, household, identity documents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.db.models.base import Base, UtcDateTime


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_name_key", "name_key"),
        Index("ix_person_birth_year_name_key", "birth_year", "name_key"),  # duplicate search
        Index("ix_person_category", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str] = mapped_column(String(120), default="")
    given_name: Mapped[str] = mapped_column(String(120), default="")
    family_name_ar: Mapped[str] = mapped_column(String(120), default="")
    given_name_ar: Mapped[str] = mapped_column(String(120), default="")
    sex: Mapped[str] = mapped_column(String(1))  # F | M
    birth_date: Mapped[date | None] = mapped_column(default=None)
    birth_year_estimated: Mapped[int | None] = mapped_column(default=None)
    birth_year: Mapped[int | None] = mapped_column(default=None)  # from either, for matching
    nationality: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    category: Mapped[str] = mapped_column(String(32))
    languages: Mapped[str] = mapped_column(String(120), default="")  # codes joined by "|"
    commune_code: Mapped[str] = mapped_column(String(16), default="")
    douar: Mapped[str] = mapped_column(String(200), default="")  # douar / quartier / address line
    phone: Mapped[str] = mapped_column(String(40), default="")
    legal_status: Mapped[str] = mapped_column(String(32), default="unknown")
    arrival_date: Mapped[date | None] = mapped_column(default=None)
    name_key: Mapped[str] = mapped_column(String(240), default="")  # transliterated, normalised
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class IdentityDocument(Base):
    __tablename__ = "identity_document"
    __table_args__ = (Index("ix_identity_document_number_key", "number_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    number: Mapped[str] = mapped_column(String(60))
    number_key: Mapped[str] = mapped_column(String(60))  # upper-case, letters and digits only


class HouseholdMember(Base):
    __tablename__ = "household_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    sex: Mapped[str] = mapped_column(String(1), default="")
    birth_year: Mapped[int | None] = mapped_column(default=None)
    schooling: Mapped[str] = mapped_column(String(16), default="unknown")
    birth_registration: Mapped[str] = mapped_column(String(16), default="unknown")
    lives_with: Mapped[bool] = mapped_column(default=True)
