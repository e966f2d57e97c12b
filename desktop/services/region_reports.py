"""The regional report: what it is built from, and the record that it was written.

:func:`report_inputs` reads, in the regional database, everything the report's tables need
besides the figures themselves (the completeness grid's deliveries, the directory's provider
names, the secretariat's name); :func:`write_regional_report` builds the tables
(:mod:`desktop.reports.region_tables`), writes the PDF and/or the workbook and audits each
file written. Officers and above (as the regional figures); a commune's database is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from desktop.db.models import Provider
from desktop.domain.audit import AuditAction, RecordType
from desktop.services import region, region_stats, region_status
from desktop.services.office import OfficeHandle, office_info
from desktop.services.region_stats import RegionalStatistics

if TYPE_CHECKING:
    from desktop.reports.region_tables import RegionalReport


@dataclass(frozen=True)
class ReportInputs:
    stats: RegionalStatistics
    deliveries: Mapping[tuple[str, str], str]  # (commune, month) -> received / late / missing / pending
    providers: Mapping[str, tuple[str, str]]  # provider uid -> (French name, Arabic name)
    secretariat: str


def report_inputs(handle: OfficeHandle, first: str, last: str, *, now: datetime | None = None) -> ReportInputs:
    """The region's figures from ``first`` to ``last`` (``YYYY-MM``) and what labels them."""
    stats = region_stats.regional_statistics(handle, first, last)  # checks the role, the kind and the months
    grid = region_status.completeness(handle, first, last, now=now)
    deliveries = {
        (row.commune_code, month): cell.value
        for row in grid.rows
        for month, cell in zip(grid.months, row.cells, strict=True)
    }
    uids = [key for key in stats.keys("provider_answer_rate", "provider") if key != "none"]
    with handle.transaction() as session:
        providers = {
            uid: (name_fr, name_ar)
            for uid, name_fr, name_ar in session.execute(
                select(Provider.uid, Provider.name_fr, Provider.name_ar).where(Provider.uid.in_(uids))
            )
        }
    return ReportInputs(stats, deliveries, providers, office_info(handle).name)


def build_regional_report(handle: OfficeHandle, first: str, last: str, lang: str) -> RegionalReport:
    from desktop.reports.region_tables import build_report

    inputs = report_inputs(handle, first, last)
    return build_report(
        inputs.stats, lang, deliveries=inputs.deliveries, providers=inputs.providers, secretariat=inputs.secretariat
    )


def write_regional_report(
    handle: OfficeHandle, first: str, last: str, lang: str, *, pdf: Path | None = None, xlsx: Path | None = None
) -> RegionalReport:
    """Build the report once and write each file asked for (atomically), auditing each one."""
    from desktop.reports.region_pdf import render_regional_pdf
    from desktop.reports.region_xlsx import render_regional_xlsx

    report = build_regional_report(handle, first, last, lang)
    if xlsx is not None:
        render_regional_xlsx(report, xlsx)
        record_regional_export(handle, report.months[0], report.months[-1], "xlsx")
    if pdf is not None:
        render_regional_pdf(report, pdf)
        record_regional_export(handle, report.months[0], report.months[-1], "pdf")
    return report


def record_regional_export(handle: OfficeHandle, first: str, last: str, what: str) -> None:
    """Audit a regional report written to a file (no figure, no path: the range and the format)."""
    code = region.region_code(handle)
    with handle.transaction() as session:
        handle.audit(session, AuditAction.EXPORTED, RecordType.STATISTICS, code, f"regional {first}..{last} {what}")
