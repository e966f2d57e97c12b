"""What the regional database holds: one row per stored extract, and the completeness grid.

An extract of a month is due by :data:`~desktop.domain.regional.LATE_DAY` of the following
month (office date): received by then, late after, missing once the day has passed
without it, pending before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select

from desktop.db.models import RegionImport, RegionOffice
from desktop.domain.periods import add_months, month_range, month_start
from desktop.domain.referrals import office_today
from desktop.domain.regional import LATE_DAY
from desktop.domain.users import Role
from desktop.services.office import OfficeHandle
from desktop.services.region import region_code


@dataclass(frozen=True)
class ImportStatus:
    commune_code: str
    office_name: str
    period: str
    persons: int
    referrals: int
    indicators: int
    generated_at: datetime
    imported_at: datetime
    first_imported_at: datetime
    imported_by: str
    key_series: str
    manifest_sha256: str


def status(handle: OfficeHandle) -> list[ImportStatus]:
    """One row per stored extract, by commune then month: the completeness grid as data."""
    region_code(handle)
    handle.require(Role.OFFICER)
    with handle.transaction() as session:
        rows = session.execute(
            select(RegionImport, RegionOffice.name)
            .join(RegionOffice, RegionOffice.commune_code == RegionImport.commune_code)
            .order_by(RegionImport.commune_code, RegionImport.period)
        ).all()
        return [
            ImportStatus(
                i.commune_code,
                name,
                i.period,
                i.person_rows,
                i.referral_rows,
                i.indicator_rows,
                i.generated_at,
                i.imported_at,
                i.first_imported_at,
                i.imported_by,
                i.key_series,
                i.manifest_sha256,
            )
            for i, name in rows
        ]


class Delivery(StrEnum):
    RECEIVED = "received"  # arrived by the LATE_DAY of the following month
    LATE = "late"  # arrived after it
    MISSING = "missing"  # not arrived, and the day has passed
    PENDING = "pending"  # not arrived, not due yet (the month is not over, or the day has not come)


@dataclass(frozen=True)
class CompletenessRow:
    commune_code: str
    office_name: str
    cells: tuple[Delivery, ...]  # one per month of Completeness.months


@dataclass(frozen=True)
class Completeness:
    months: tuple[str, ...]
    rows: tuple[CompletenessRow, ...]


def due_date(period_key: str) -> date:
    """The last office day an extract of the month arrives on time."""
    start = month_start(period_key)
    year, month = add_months(start.year, start.month, 1)
    return date(year, month, LATE_DAY)


def completeness(handle: OfficeHandle, first: str, last: str, *, now: datetime | None = None) -> Completeness:
    """Registered communes × months ``first``..``last`` (``YYYY-MM``): received, late, missing or pending."""
    region_code(handle)
    handle.require(Role.OFFICER)
    months = month_range(first, last)
    dues = tuple(due_date(month) for month in months)
    today = office_today(now)
    with handle.transaction() as session:
        arrived = {
            (commune, period): office_today(at)
            for commune, period, at in session.execute(
                select(RegionImport.commune_code, RegionImport.period, RegionImport.first_imported_at).where(
                    RegionImport.period >= months[0], RegionImport.period <= months[-1]
                )
            )
        }
        registered = session.execute(select(RegionOffice.commune_code, RegionOffice.name).order_by("commune_code"))
        rows = []
        for commune, name in registered:
            cells = []
            for month, due in zip(months, dues, strict=True):
                on = arrived.get((commune, month))
                if on is not None:
                    cells.append(Delivery.RECEIVED if on <= due else Delivery.LATE)
                else:
                    cells.append(Delivery.MISSING if today > due else Delivery.PENDING)
            rows.append(CompletenessRow(commune, name, tuple(cells)))
    return Completeness(months, tuple(rows))
