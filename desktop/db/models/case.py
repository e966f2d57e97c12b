"""A person's case at the office, its stages (the parcours) and its contacts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.db.models.base import Base, UtcDateTime


class Case(Base):
    __tablename__ = "case_file"
    __table_args__ = (
        Index("ix_case_file_opened_on", "opened_on"),
        # The list's default view (open cases, newest first) scans this partial index.
        Index("ix_case_file_open", "opened_on", sqlite_where=text("closed_on IS NULL")),
        Index("ix_case_file_stage", "stage"),
        # Cases active at a month end, by stage, read from the index alone.
        Index("ix_case_file_open_stage", "stage", "opened_on", "closed_on", sqlite_where=text("closed_on IS NULL")),
        Index("ix_case_file_next_follow_up", "next_follow_up"),
        Index("ix_case_file_vulnerability_level", "vulnerability_level"),
        Index("ix_case_file_person_opened", "person_id", "opened_on"),  # a person's cases; "new" in statistics
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None, index=True)
    opened_on: Mapped[date]
    stage: Mapped[str] = mapped_column(String(24), default="accueil")
    closed_on: Mapped[date | None] = mapped_column(default=None)
    closure_reason: Mapped[str] = mapped_column(String(32), default="")
    # Kept current by the services so the list filters in SQL without joins:
    vulnerability_level: Mapped[str] = mapped_column(String(16), default="")
    next_follow_up: Mapped[date | None] = mapped_column(default=None)
    last_contact_on: Mapped[date | None] = mapped_column(default=None)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class CaseStageEvent(Base):
    """Each move of the parcours (including closure and reopening), never edited."""

    __tablename__ = "case_stage_event"
    __table_args__ = (
        # Closures of a month, cases with an event after a day, a case's stage on a day: from the indexes alone.
        Index("ix_case_stage_event_on_date", "on_date", "stage", "reason", "case_id"),
        Index("ix_case_stage_event_case_on_date", "case_id", "on_date", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    on_date: Mapped[date]
    stage: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(32), default="")  # closure reason, or "reopened"
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Contact(Base):
    """A visit or call (passage): date, type, needs expressed, short note."""

    __tablename__ = "contact"
    __table_args__ = (
        # Statistics read a month of contacts from this index alone (no row lookups).
        Index("ix_contact_month", "on_date", "case_id", "kind", "channel", "needs"),
        Index("ix_contact_case_on_date", "case_id", "on_date"),  # a case's contacts; "new" in statistics
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    on_date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(16), default="in_person")
    needs: Mapped[str] = mapped_column(String(400), default="")  # domain codes joined by "|"
    note: Mapped[str] = mapped_column(String(2000), default="")
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
