"""The regional secretariat's store: registered offices, their keys, and the extracts imported.

A regional database is an office database of kind ``region``; these tables stay empty in an
office. One ``region_import`` per commune and month holds what the extract's manifest says; its
rows (persons, referrals, indicators) carry ``commune_code`` and ``period`` again so that the
regional figures group one table without a join. The row tables are the big ones (a million
person-months for 16 communes over 24 months): an integer key, one index on their import
(replacing a month deletes by it) and, for referrals and indicators, one covering index by
month that the regional aggregates read alone. Values are the extract's codes as they are
(docs/extract-format.md); an empty cell is NULL. The 14 ``vuln_*`` flags of a person are one
integer (bit *i* = criterion *i* of VULNERABILITY_CRITERIA): one bound parameter instead of
fourteen per row at import, and ``vuln_flags >> i & 1`` sums a criterion.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop.db.models.base import Base, UtcDateTime


class RegionOffice(Base):
    """A commune's office known to the secretariat (registered with its public key)."""

    __tablename__ = "region_office"

    commune_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # office_name of its latest key file
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RegionOfficeKey(Base):
    """An office's Ed25519 public key; old keys stay to verify old extracts, a key may be revoked."""

    __tablename__ = "region_office_key"
    __table_args__ = (UniqueConstraint("commune_code", "public_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("region_office.commune_code", ondelete="CASCADE"))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))  # the 32 raw bytes
    fingerprint: Mapped[str] = mapped_column(String(39))  # "24F6 ED6A …", as printed on the sheet
    created: Mapped[date]  # the key file's ``created``
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The key no longer verifies extracts generated at or after this instant.
    revoked_from: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class RegionImport(Base):
    """The extract of one commune for one month: its manifest, and who imported it when."""

    __tablename__ = "region_import"
    __table_args__ = (UniqueConstraint("commune_code", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("region_office.commune_code"))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # When this commune and month first arrived (kept when a later extract replaces it): completeness.
    first_imported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    imported_by: Mapped[str] = mapped_column(String(64))  # login
    signing_key: Mapped[str] = mapped_column(String(39))  # fingerprint of the key that signed
    key_series: Mapped[str] = mapped_column(String(16))
    app_version: Mapped[str] = mapped_column(String(32))
    schema_version: Mapped[int]
    schema_release: Mapped[str] = mapped_column(String(16))
    k: Mapped[int]
    persons_population: Mapped[int]
    persons_written: Mapped[int]
    persons_suppressed: Mapped[int]
    persons_generalised: Mapped[int]
    referrals_written: Mapped[int]
    referrals_person_key_blanked: Mapped[int]
    person_rows: Mapped[int]
    referral_rows: Mapped[int]
    indicator_rows: Mapped[int]


class RegionPerson(Base):
    """A row of persons.csv. ``vuln_flags``: bit *i* = criterion *i* of VULNERABILITY_CRITERIA."""

    __tablename__ = "region_person"
    __table_args__ = (Index("ix_region_person_import", "import_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("region_import.id", ondelete="CASCADE"))
    commune_code: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(7))
    person_key: Mapped[str] = mapped_column(String(64))
    received_in_month: Mapped[bool]
    first_reception: Mapped[str] = mapped_column(String(7))
    category: Mapped[str] = mapped_column(String(24))
    sex: Mapped[str] = mapped_column(String(1))
    age_band: Mapped[str] = mapped_column(String(8))
    nationality_group: Mapped[str] = mapped_column(String(32))
    residence: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))
    vulnerability_level: Mapped[str | None] = mapped_column(String(8), default=None)  # None: no sheet
    vuln_flags: Mapped[int] = mapped_column(default=0)


class RegionReferral(Base):
    """A row of referrals.csv (``person_key`` None when the person's row was suppressed)."""

    __tablename__ = "region_referral"
    __table_args__ = (
        Index("ix_region_referral_import", "import_id"),
        # Covers the barometer's aggregates (referrals and counter-referrals per month, domain, commune).
        Index(
            "ix_region_referral_period",
            *("period", "direction", "domain", "commune_code", "month_sent", "counter_month", "outcome"),
            "days_to_counter",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("region_import.id", ondelete="CASCADE"))
    commune_code: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(7))
    referral_key: Mapped[str] = mapped_column(String(64))
    person_key: Mapped[str | None] = mapped_column(String(64), default=None)
    direction: Mapped[str] = mapped_column(String(12))
    month_sent: Mapped[str] = mapped_column(String(7))
    domain: Mapped[str] = mapped_column(String(32))
    provider_kind: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(8))
    state_at_end: Mapped[str] = mapped_column(String(16))
    overdue_at_end: Mapped[bool]
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    counter_month: Mapped[str | None] = mapped_column(String(7), default=None)
    days_to_counter: Mapped[int | None] = mapped_column(default=None)


class RegionIndicator(Base):
    """A row of indicators.csv: counts and rate numerators in ``value``, medians with ``.5``."""

    __tablename__ = "region_indicator"
    __table_args__ = (
        Index("ix_region_indicator_import", "import_id"),
        # Covers the regional indicators: a range of months read from the index alone.
        Index(
            "ix_region_indicator_period", *("period", "indicator", "dimension", "key", "commune_code", "value", "base")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("region_import.id", ondelete="CASCADE"))
    commune_code: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(7))
    indicator: Mapped[str] = mapped_column(String(48))
    unit: Mapped[str] = mapped_column(String(16))
    dimension: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))  # a code, a provider uid, or "total"
    value: Mapped[float | None] = mapped_column(Float, default=None)  # None: a median of nothing
    base: Mapped[int | None] = mapped_column(default=None)
