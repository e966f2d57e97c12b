"""Bilan social: per domain situation, need and priority, then an action plan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.db.models.base import Base, UtcDateTime


class SocialAssessment(Base):
    __tablename__ = "social_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[date]
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    summary: Mapped[str] = mapped_column(String(4000), default="")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AssessmentItem(Base):
    __tablename__ = "assessment_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("social_assessment.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(32))
    situation: Mapped[str] = mapped_column(String(2000), default="")
    need: Mapped[str] = mapped_column(String(2000), default="")
    priority: Mapped[str] = mapped_column(String(8), default="")  # low | medium | high | "" (no need)


class ActionPlanItem(Base):
    __tablename__ = "action_plan_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("social_assessment.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(32), default="")
    action: Mapped[str] = mapped_column(String(1000))
    responsible: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None] = mapped_column(default=None)
    done_on: Mapped[date | None] = mapped_column(default=None)
