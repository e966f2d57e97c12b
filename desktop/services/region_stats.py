"""The region's figures, from the communes' imported extracts: indicators, completeness, barometer.

Three aggregate statements over a range of months (indicator rows, referral counts per
domain, and the histogram of delays); everything else is arithmetic on a few thousand
rows. How communes and months combine: :mod:`desktop.domain.regional`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, text

from desktop.db.models import RegionOffice
from desktop.db.models.base import utcnow
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.errors import InputRejected
from desktop.domain.indicators import BY_CODE, DIMENSION_VALUES
from desktop.domain.office_kinds import REGION_KIND
from desktop.domain.periods import month_range
from desktop.domain.regional import SERVICE_OF_DOMAIN, Access, Combine, combine_rule, median, merge
from desktop.domain.users import Role
from desktop.services.office import OfficeHandle, office_info

Pair = tuple[float | None, int | None]  # (value, base) as in indicators.csv

_INDICATORS = """SELECT commune_code, period, indicator, dimension, key, value, base
FROM region_indicator WHERE period BETWEEN :a AND :b"""
_ACCESS = """SELECT commune_code, period, domain,
  SUM(month_sent = period), SUM(month_sent = period AND COALESCE(counter_month, '') <> ''),
  SUM(counter_month = period), SUM(counter_month = period AND outcome = 'served'),
  SUM(counter_month = period AND outcome = 'partly_served')
FROM region_referral WHERE period BETWEEN :a AND :b AND direction = 'outgoing'
GROUP BY commune_code, period, domain"""
_DELAYS = """SELECT commune_code, period, domain, days_to_counter, COUNT(*)
FROM region_referral WHERE period BETWEEN :a AND :b AND direction = 'outgoing' AND counter_month = period
GROUP BY commune_code, period, domain, days_to_counter"""


@dataclass(frozen=True)
class RegionalStatistics:
    """The region's communes over a range of months."""

    region_code: str
    months: tuple[str, ...]  # "YYYY-MM", oldest first
    communes: tuple[str, ...]  # registered communes, by code
    reported: Mapping[str, frozenset[str]]  # month -> communes whose extract is imported
    cells: Mapping[tuple[str, str, str, str, str], Pair]  # (code, dimension, key, commune, month)
    delays: Mapping[tuple[str, str, str], dict[int, int]]  # (commune, month, domain) -> {days: n}
    access_cells: Mapping[tuple[str, str, str], Access]  # (service, commune, month)
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def last_month(self) -> str:
        return self.months[-1]

    def figure(
        self, code: str, dimension: str = "total", key: str = "total", commune: str | None = None,
        month: str | None = None,
    ) -> Pair:  # fmt: skip
        """One figure combined over communes (all, or one) and months (the range, or one)."""
        communes = self.communes if commune is None else (commune,)
        rule = combine_rule(code)
        months = (self.last_month,) if rule is Combine.LAST_MONTH and month is None else self.months
        months = months if month is None else (month,)
        if not any(m in self.reported and (commune is None or commune in self.reported[m]) for m in months):
            return None, None  # nothing reported: unknown, not zero
        if rule is Combine.MEDIAN:
            wanted_c, wanted_m = set(communes), set(months)
            histogram = merge(
                h
                for (c, m, d), h in self.delays.items()
                if c in wanted_c and m in wanted_m and (dimension == "total" or d == key)
            )
            return median(histogram), sum(histogram.values())
        pairs = [self.cells.get((code, dimension, key, c, m)) for c in communes for m in months]
        found = [p for p in pairs if p is not None]
        value = sum(p[0] or 0 for p in found)
        base = sum(p[1] or 0 for p in found) if rule is Combine.RATIO else None
        return value, base

    def keys(self, code: str, dimension: str) -> list[str]:
        """The breakdown's keys met in the range: in code-list order (providers: by uid, then none)."""
        seen = {c_key for c_code, c_dim, c_key, _, _ in self.cells if c_code == code and c_dim == dimension}
        order = {key: i for i, key in enumerate(DIMENSION_VALUES.get(dimension, ()))}
        return sorted(seen, key=lambda key: (order.get(key, len(order)), key == "none", key))

    def access(self, service: str, commune: str | None = None, month: str | None = None) -> Access:
        out = Access()
        for c in self.communes if commune is None else (commune,):
            for m in self.months if month is None else (month,):
                found = self.access_cells.get((service, c, m))
                if found is not None:
                    out.add(found)
        return out


def _range(first: str, last: str) -> tuple[str, ...]:
    try:
        months = month_range(first, last)
    except (InputRejected, ValueError):  # a month badly written, or the range backwards: one message says both
        raise InputRejected("region.stats.error.months", first=first, last=last) from None
    if len(months) > 120:
        raise InputRejected("region.stats.error.too_long")
    return months


def regional_statistics(handle: OfficeHandle, first: str, last: str) -> RegionalStatistics:
    """Every figure of the region from ``first`` to ``last`` (months ``YYYY-MM``, both included)."""
    handle.require(Role.OFFICER)
    info = office_info(handle)
    if info.kind != REGION_KIND:
        raise InputRejected("region.error.not_regional")
    months = _range(first, last)
    params = {"a": months[0], "b": months[-1]}
    cells: dict[tuple[str, str, str, str, str], Pair] = {}
    reported: dict[str, set[str]] = {}
    delays: dict[tuple[str, str, str], dict[int, int]] = {}
    access: dict[tuple[str, str, str], Access] = {}
    with handle.transaction() as session:
        communes = tuple(session.scalars(select(RegionOffice.commune_code).order_by(RegionOffice.commune_code)))
        for commune, month, code, dimension, key, value, base in session.execute(text(_INDICATORS), params):
            if code in BY_CODE:
                cells[code, dimension, key, commune, month] = (value, base)
                reported.setdefault(month, set()).add(commune)
        for commune, month, domain, days, n in session.execute(text(_DELAYS), params):
            if days is not None:
                delays.setdefault((commune, month, domain), {})[int(days)] = int(n)
        for commune, month, domain, sent, answered, counters, served, partly in session.execute(text(_ACCESS), params):
            service = SERVICE_OF_DOMAIN.get(domain)
            if service is None:
                continue
            cell = access.setdefault((service, commune, month), Access())
            cell.add(
                Access(
                    int(sent or 0), int(answered or 0), int(counters or 0), int(served or 0), int(partly or 0),
                    delays.get((commune, month, domain), {}),
                )
            )  # fmt: skip
        detail = f"regional {months[0]}..{months[-1]}"
        handle.audit(session, AuditAction.VIEWED, RecordType.STATISTICS, info.commune_code, detail)
    known = tuple(sorted(set(communes).union(*reported.values()))) if reported else communes
    return RegionalStatistics(
        info.commune_code, months, known, {m: frozenset(c) for m, c in reported.items()}, cells, delays, access
    )
