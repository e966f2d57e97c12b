"""Monthly statistics of the office: every indicator computed by SQL aggregates.

No Python loop runs over cases: each family of indicators is one statement (a
materialised base query and its ``GROUP BY``s), medians included (window functions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desktop.db.models import Provider
from desktop.db.models.base import utcnow
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.errors import InputRejected
from desktop.domain.indicators import BY_CODE, INDICATORS, TREND_FIGURES, Audience, Figure, Unit
from desktop.domain.periods import Period
from desktop.domain.users import Role
from desktop.services import statistics_sql as q
from desktop.services.office import OfficeHandle, OfficeInfo, office_info


@dataclass(frozen=True)
class Snapshot:
    """All indicators over one period."""

    period: Period
    audience: Audience
    figures: Mapping[str, Figure]
    provider_names: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # id -> (fr, ar)

    def value(self, code: str) -> float | None:
        return self.figures[code].value


@dataclass(frozen=True)
class Trend:
    """Figures month by month, oldest first."""

    months: tuple[date, ...]
    values: Mapping[str, tuple[int, ...]]


@dataclass(frozen=True)
class Statistics:
    """A period with what it is compared with, the year's trend and who it is for."""

    current: Snapshot
    previous: Snapshot | None
    last_year: Snapshot | None
    trend: Trend | None
    office: OfficeInfo
    generated_at: datetime

    @property
    def period(self) -> Period:
        return self.current.period

    @property
    def audience(self) -> Audience:
        return self.current.audience


def _params(period: Period) -> dict[str, str]:
    return {"s": period.start.isoformat(), "e": period.end.isoformat()}


def prepare(session: Session, audience: Audience) -> None:
    """For what leaves the office: list the cases of persons who withdrew consent, once."""
    if audience is Audience.OUTSIDE:
        for statement in q.PREPARE_OUTSIDE:
            session.execute(text(statement))


@dataclass
class _FamilyRows:
    total: int = 0
    total_answered: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # {dim: {key: units}}
    answered: dict[str, dict[str, int]] = field(default_factory=dict)
    medians: dict[str, dict[str, float]] = field(default_factory=dict)  # {"" or dim: {key: days}}
    median_bases: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, dim: str, key: str, units: int, answered: int | None) -> None:
        cells = self.counts.setdefault(dim, {})
        cells[key] = cells.get(key, 0) + units  # hand-written counts may come in parts
        if answered is not None:
            done = self.answered.setdefault(dim, {})
            done[key] = done.get(key, 0) + answered


def _family_rows(session: Session, family: q.Family, period: Period, audience: Audience) -> _FamilyRows:
    """Margins of the cross-table (a few hundred cells) and the other rows of a family."""
    rows = _FamilyRows()
    for dim, key, units, answered, median in session.execute(text(q.counts_sql(family, audience)), _params(period)):
        key = "?" if key is None else str(key)  # a value the code lists do not know: still counted
        done = None if answered is None else int(answered)
        if dim == "~median":
            group, _, value = key.partition(":")
            rows.medians.setdefault(group, {})[value] = float(median)
            rows.median_bases.setdefault(group, {})[value] = int(units)
        elif dim == q.CUBE:
            rows.total += int(units)
            rows.total_answered += done or 0
            values = key.split(q.SEP) if family.dimensions else []
            for name, value in zip(family.dimensions, values, strict=True):
                rows.add(name, value, int(units), done)
        else:
            rows.add(str(dim), key, int(units), done)
            if family.counts:  # hand-written rows of the only breakdown: they make the total
                rows.total += int(units)
    return rows


def _count_figure(code: str, rows: _FamilyRows) -> Figure:
    indicator = BY_CODE[code]
    breakdowns = {dim: dict(rows.counts.get(dim, {})) for dim in indicator.breakdowns}
    return Figure(code, rows.total, None, breakdowns)


def _rate_figure(code: str, rows: _FamilyRows) -> Figure:
    dim = BY_CODE[code].breakdowns[0]
    sent = rows.counts.get(dim, {})
    answered = rows.answered.get(dim, {})
    rates: dict[str, float | None] = {k: answered.get(k, 0) / n if n else None for k, n in sent.items()}
    total_sent = sum(sent.values()) if dim == "provider" else rows.total
    total_answered = sum(answered.values()) if dim == "provider" else rows.total_answered
    value = total_answered / total_sent if total_sent else None
    return Figure(code, value, total_sent, {dim: rates}, {dim: dict(sent)})


def _median_figure(code: str, rows: _FamilyRows) -> Figure:
    dim = BY_CODE[code].breakdowns[0]
    medians: dict[str, float | None] = dict(rows.medians.get(dim, {}))
    bases = dict(rows.median_bases.get(dim, {}))
    total = rows.medians.get("", {}).get("")
    return Figure(code, total, rows.median_bases.get("", {}).get("", 0), {dim: medians}, {dim: bases})


def snapshot_in(session: Session, period: Period, audience: Audience = Audience.INTERNAL) -> Snapshot:
    """Every indicator over ``period``; call :func:`prepare` first for ``Audience.OUTSIDE``."""
    figures: dict[str, Figure] = {}
    by_family: dict[str, _FamilyRows] = {}
    for indicator in INDICATORS:
        family = q.FAMILY_OF[indicator.code]
        if family.name not in by_family:
            by_family[family.name] = _family_rows(session, family, period, audience)
        rows = by_family[family.name]
        if indicator.unit is Unit.RATE:
            figures[indicator.code] = _rate_figure(indicator.code, rows)
        elif indicator.unit is Unit.DAYS:
            figures[indicator.code] = _median_figure(indicator.code, rows)
        else:
            figures[indicator.code] = _count_figure(indicator.code, rows)
    ids = [int(k) for k in figures["provider_answer_rate"].breakdowns["provider"] if k.isdigit()]
    names = {
        str(p.id): (p.name_fr, p.name_ar)
        for p in session.execute(select(Provider.id, Provider.name_fr, Provider.name_ar).where(Provider.id.in_(ids)))
    }
    return Snapshot(period, audience, figures, names)


def trend_in(session: Session, last: Period, months: int, audience: Audience = Audience.INTERNAL) -> Trend:
    span = Period.months_to(last, months)
    starts = tuple(span.month_starts())
    keys = [f"{start:%Y-%m}" for start in starts]
    values: dict[str, tuple[int, ...]] = {}
    for code in TREND_FIGURES:
        found = {str(m): int(n) for m, n in session.execute(text(q.trend_sql(code, audience)), _params(span))}
        values[code] = tuple(found.get(key, 0) for key in keys)
    return Trend(starts, values)


def compute(
    handle: OfficeHandle,
    period: Period,
    audience: Audience = Audience.INTERNAL,
    compare: bool = True,
    trend_months: int = 12,
) -> Statistics:
    """The period, the one before it and the same one a year earlier, and the trend."""
    info = office_info(handle)
    with handle.transaction() as session:
        prepare(session, audience)
        current = snapshot_in(session, period, audience)
        previous = snapshot_in(session, period.previous(), audience) if compare else None
        last_year = snapshot_in(session, period.year_before(), audience) if compare else None
        trend = trend_in(session, period, trend_months, audience) if trend_months else None
    return Statistics(current, previous, last_year, trend, info, utcnow())


def complete(handle: OfficeHandle, stats: Statistics, trend_months: int = 12) -> Statistics:
    """Add to a period computed alone what it is compared with, and the trend (the period is not redone)."""
    period, audience = stats.period, stats.audience
    with handle.transaction() as session:
        prepare(session, audience)
        previous = snapshot_in(session, period.previous(), audience)
        last_year = snapshot_in(session, period.year_before(), audience)
        trend = trend_in(session, period, trend_months, audience) if trend_months else None
    return replace(stats, previous=previous, last_year=last_year, trend=trend)


def cases_behind(
    handle: OfficeHandle,
    period: Period,
    code: str,
    dimension: str | None = None,
    key: str | None = None,
    audience: Audience = Audience.INTERNAL,
) -> list[int]:
    """The cases behind a figure or one of its cells (the drill-down), newest first."""
    handle.require(Role.OFFICER)
    if code not in BY_CODE:
        raise InputRejected("stats.error.unknown_indicator")
    family = q.FAMILY_OF[code]
    allowed = set(BY_CODE[code].breakdowns)
    if dimension is not None and dimension not in allowed:
        raise InputRejected("stats.error.unknown_breakdown")
    params: dict[str, str] = {**_params(period), "key": key or ""}
    with handle.transaction() as session:
        prepare(session, audience)
        return [int(row[0]) for row in session.execute(text(q.drill_sql(family, audience, dimension)), params)]


def record_export(handle: OfficeHandle, period: Period, what: str, audience: Audience) -> None:
    """Audit a report or chart that was written to a file."""
    with handle.transaction() as session:
        handle.audit(session, AuditAction.EXPORTED, RecordType.STATISTICS, period.key(), f"{what} {audience.value}")
