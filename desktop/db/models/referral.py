"""Referrals (références) sent or received, and every event of their history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.db.models.base import Base, UtcDateTime


class Referral(Base):
    __tablename__ = "referral"
    __table_args__ = (
        # The overdue list scans only referrals still waiting for an answer.
        Index(
            "ix_referral_waiting",
            "due_on",
            sqlite_where=text("state IN ('sent', 'acknowledged') AND counter_received_on IS NULL"),
        ),
        Index("ix_referral_provider", "provider_id", "sent_on"),
        # Statistics read the referrals of a month from these two indexes alone.
        Index(
            "ix_referral_sent",
            *("sent_on", "direction", "domain", "provider_id", "urgency", "counter_received_on", "case_id"),
        ),
        Index("ix_referral_created_on", "created_on"),  # the log, newest first
        # Counter-referrals of a month (a counter closes its referral that day); overdue at a past month end.
        Index(
            "ix_referral_closed",
            *("closed_on", "counter_received_on", "direction", "domain", "outcome", "sent_on", "case_id"),
            *("due_on", "provider_id"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)  # domain.referrals reference code
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(12), default="outgoing")
    domain: Mapped[str] = mapped_column(String(32))  # SERVICE_DOMAINS
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), default=None)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("provider_service.id"), default=None)
    urgency: Mapped[str] = mapped_column(String(8), default="weeks2")
    reason: Mapped[str] = mapped_column(String(2000), default="")
    shared: Mapped[str] = mapped_column(String(200), default="")  # SHARED_ITEMS joined by "|"
    state: Mapped[str] = mapped_column(String(16), default="draft")
    created_on: Mapped[date]
    sent_on: Mapped[date | None] = mapped_column(default=None)  # incoming: the day it was received
    due_on: Mapped[date | None] = mapped_column(default=None)
    acknowledged_on: Mapped[date | None] = mapped_column(default=None)
    closed_on: Mapped[date | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(16), default="")
    counter_received_on: Mapped[date | None] = mapped_column(default=None)
    service_date: Mapped[date | None] = mapped_column(default=None)
    feedback: Mapped[str] = mapped_column(String(2000), default="")
    consent_override: Mapped[str] = mapped_column(String(500), default="")  # the supervisor's reason
    last_follow_up_on: Mapped[date | None] = mapped_column(default=None)
    follow_ups: Mapped[int] = mapped_column(default=0)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class ReferralEvent(Base):
    """A state change, a follow-up call, the counter-referral, a consent override: never edited."""

    __tablename__ = "referral_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(16))  # a state, or "follow_up", "counter", "override", "edited"
    note: Mapped[str] = mapped_column(String(500), default="")
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
