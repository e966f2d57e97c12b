"""The service directory (cartographie): providers and the services they offer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.db.models.base import Base, UtcDateTime


class Provider(Base):
    __tablename__ = "provider"
    __table_args__ = (Index("ix_provider_verified_on", "verified_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable across offices: the regional directory and each office's copy match on it.
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    name_fr: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(16))  # codelists.PROVIDER_KINDS
    domains: Mapped[str] = mapped_column(String(400), default="")  # SERVICE_DOMAINS joined by "|"
    address: Mapped[str] = mapped_column(String(300), default="")
    commune_code: Mapped[str] = mapped_column(String(16), default="")
    coverage: Mapped[str] = mapped_column(String(16), default="commune")  # COVERAGE_LEVELS
    focal_point: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    hours: Mapped[str] = mapped_column(String(400), default="")  # "mon=08:30-16:30|tue=…"
    languages: Mapped[str] = mapped_column(String(200), default="")  # LANGUAGES joined by "|"
    cost: Mapped[str] = mapped_column(String(16), default="free")  # COSTS
    documents_required: Mapped[str] = mapped_column(String(500), default="")
    publics: Mapped[str] = mapped_column(String(200), default="")  # PUBLICS joined by "|"; "" = everyone
    notes: Mapped[str] = mapped_column(Text, default="")  # availability and quality
    verified_on: Mapped[date | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class ProviderService(Base):
    """A service of a provider; empty fields fall back to the provider's."""

    __tablename__ = "provider_service"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"), index=True)
    name_fr: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200), default="")
    domain: Mapped[str] = mapped_column(String(32))
    conditions: Mapped[str] = mapped_column(String(500), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
