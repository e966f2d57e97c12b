"""The regional report's tables, small cells already hidden, for the PDF and the XLSX alike.

Everything here is pure: it reads a :class:`~desktop.services.region_stats.RegionalStatistics`
(and, if given, the completeness grid's deliveries and the directory's provider names) and
returns labelled tables. The PDF and the workbook print these tables and nothing else, so
they show the same numbers and hide the same cells.

Tables, in the report's order:

(a) completeness: communes × months, received / late / missing (about offices, not persons:
    nothing hidden);
(b) key figures month by month: the region's total of every indicator each month, the
    communes that reported, and the range combined by the indicator's rule;
(c) per-commune comparison: communes × indicators over the range, the region on the last line;
(d) the region's breakdowns over the range, one table per breakdown of each indicator;
(e) the barometer of access to basic services: per service (summary), per commune × service
    and per service × month, for referrals sent, counter-referral rate, share served and
    median delay; a line "other domains" and the whole ("all referrals") come from the
    indicators themselves, so that the barometer's total is the region's referrals sent
    (and "other" is suppressed inside the barometer's own two-way tables, not worked out as
    the total minus the seven services).

Small cells (docs/statistics.md, :mod:`desktop.domain.suppression`). Every published count
is a *quantity* with an identity (indicator, dimension, key, commune or all, month or all):
the region's total over the range is one quantity whether (b), (c) or (d) prints it, so it
is hidden everywhere or nowhere. Then:

1. each line that adds up (months to the range, communes to the region, a single-valued
   breakdown's keys to its total) is suppressed with ``suppress_line(…, partition=True)``
   and each two-way table with margins (barometer referrals: commune × service, service ×
   month) with ``suppress_table``; a multi-valued breakdown gets primary suppression only;
2. what one table hides, every table hides (same quantity);
3. closure: all the sums the report publishes, across tables (a service's referrals are also
   the sum of its domains' referrals in (d)), are taken together as linear equations; while
   one hidden quantity can be worked out exactly from the printed ones through any
   combination of them, the smallest visible non-zero quantity of one of its equations is
   hidden too.

Rates and medians are hidden when their base is 1 to 4, and also when the count they are
taken over is printed elsewhere in the report and hidden there (a rate over a hidden count
would help narrow it down).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from desktop.domain import suppression
from desktop.domain.indicators import BY_CODE, DIMENSION_VALUES, INDICATORS, MULTI_VALUED, Unit
from desktop.domain.regional import BAROMETER_SERVICES, LATE_DAY, Access, Combine, combine_rule
from desktop.i18n import tr_in
from desktop.reports import stats_tables as st
from desktop.reports.pdf_common import commune_name
from desktop.services.region_stats import RegionalStatistics

Qid = tuple[str, ...]  # a published count: ("fig", code, dimension, key, commune|ALL, month|ALL) or ("sent", …)
ALL = "*"
OTHER = "other"  # the referral domains outside the barometer's seven services

COMPLETENESS = "completeness"
MONTHS = "months"
COMMUNES = "communes"
BREAKDOWNS = "breakdowns"
BAROMETER = "barometer"
SECTIONS: tuple[str, ...] = (COMPLETENESS, MONTHS, COMMUNES, BREAKDOWNS, BAROMETER)

MEASURES: tuple[str, ...] = ("sent", "answer_rate", "served_share", "median_days")
MEASURE_UNIT: dict[str, Unit] = {
    "sent": Unit.REFERRALS,
    "answer_rate": Unit.RATE,
    "served_share": Unit.RATE,
    "median_days": Unit.DAYS,
}
# A rate or median whose base is the count of another indicator at the same place.
RATE_BASE: dict[str, str] = {
    "counter_referral_rate": "referrals_sent",
    "provider_answer_rate": "referrals_sent",
    "median_days_to_counter": "counter_referrals",
}
PAIR_SEARCH = 12  # when no single count frees a fixed one, pairs among this many candidates are tried
DELIVERIES: tuple[str, ...] = ("received", "late", "missing", "pending")


@dataclass(frozen=True)
class Cell:
    """One printed value: a number of ``unit`` (hidden or not), or a text when ``unit`` is None."""

    value: float | None = None  # a count, a share in [0, 1], or days; None: nothing to show ("—")
    unit: Unit | None = None
    hidden: bool = False
    label: str = ""  # the text of a text cell
    tone: str = ""  # completeness: the delivery ("received", "late", "missing", "pending")

    def text(self, lang: str) -> str:
        if self.hidden:
            return suppression.SMALL_LABEL
        if self.unit is None:
            return self.label or "—"
        return st.format_value(self.value, self.unit, lang)

    def number(self) -> float | None:
        """The value for a spreadsheet or a test: None when hidden, absent or a text."""
        return None if self.hidden or self.unit is None else self.value


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    total: bool = False  # the column of the lines' totals (the cells before it add up to it)
    text: bool = False  # holds texts (the rule), not figures


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    cells: tuple[Cell, ...]
    total: bool = False  # the total line (the lines above add up to it, column by column)


@dataclass(frozen=True)
class Table:
    key: str  # stable: "months", "communes", "breakdown.people_received.sex", "barometer.sent.communes"…
    section: str
    title: str
    corner: str  # title of the label column
    columns: tuple[Column, ...]
    lines: tuple[Line, ...]
    notes: tuple[str, ...] = ()
    sheet: str = ""  # short name for its spreadsheet tab
    # Which lines add up to a printed total: "columns" (the lines to the total line), "rows"
    # (the cells to the total column), "both", or "" (nothing adds up: rates, multi-valued…).
    adds_up: str = ""
    chunk: int = 0  # the PDF splits the columns in groups of this many (0: never)
    code: str = ""  # the indicator of a breakdown
    dimension: str = ""

    def column(self, key: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.key == key)

    def line(self, key: str) -> Line:
        return next(line for line in self.lines if line.key == key)


@dataclass(frozen=True)
class RegionalReport:
    lang: str
    region_code: str
    region_name: str
    months: tuple[str, ...]
    range_label: str
    communes: tuple[str, ...]
    generated_at: datetime
    tables: tuple[Table, ...]
    secretariat: str = ""  # the regional database's name
    hidden_counts: int = 0  # counts hidden (primary and secondary), for the record

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)

    def section(self, name: str) -> list[Table]:
        return [table for table in self.tables if table.section == name]


# ---------------------------------------------------------------- labels


def region_name(code: str, lang: str) -> str:
    from desktop.domain.geography import geography

    try:
        geo = geography()
        return geo.name(geo.region(code), lang)
    except (KeyError, OSError, ValueError):
        return code


def month_date(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def month_label(month: str, lang: str) -> str:
    """ "octobre 2026" """
    return st.month_label(month_date(month), lang)


def range_label(months: Sequence[str], lang: str) -> str:
    first, last = month_label(months[0], lang), month_label(months[-1], lang)
    return first if len(months) == 1 else tr_in(lang, "region_report.range", first=first, last=last)


def service_name(service: str, lang: str) -> str:
    """One of the seven services, or "other" (the domains outside them)."""
    return tr_in(lang, f"region_report.service.{service}")


def rule_name(rule: Combine, lang: str) -> str:
    return tr_in(lang, f"region_report.rule.{rule.value}")


def _value_label(dimension: str, key: str, lang: str, providers: Mapping[str, tuple[str, str]]) -> str:
    if dimension == "provider":
        if key == "none":
            return tr_in(lang, "region_report.no_provider")
        names = providers.get(key)
        if names is None:
            return key
        return (names[1] or names[0]) if lang == "ar" else names[0]
    return st.value_label(dimension, key, lang)


# ---------------------------------------------------------------- the ledger of published counts


@dataclass(frozen=True)
class _Count:
    qid: Qid
    unit: Unit
    absent: bool = False  # nothing reported: printed "—"


@dataclass(frozen=True)
class _Rate:
    value: float | None  # the share or the median
    base: int
    unit: Unit
    linked: Qid | None = None  # the count the base equals, if the report prints it


Spec = Cell | _Count | _Rate
DraftLine = tuple[str, str, tuple[Spec, ...], bool]  # key, label, cells, total


@dataclass
class _Ledger:
    """The counts the report prints, the sums that tie them, and which are hidden."""

    values: dict[Qid, int] = field(default_factory=dict)
    relations: list[tuple[Qid, tuple[Qid, ...]]] = field(default_factory=list)  # total = sum(parts)
    hidden: set[Qid] = field(default_factory=set)

    def put(self, qid: Qid, value: float | None) -> Qid:
        self.values[qid] = round(value or 0)
        return qid

    def line(self, total: Qid, parts: Sequence[Qid], partition: bool) -> None:
        """One line of a table; ``partition``: its parts add up to ``total``."""
        names = {"|".join(qid): qid for qid in parts}
        cells = {name: self.values[qid] for name, qid in names.items()}
        found = suppression.suppress_line(cells, self.values[total], partition)
        self.hidden.update(names[name] for name in found)
        if suppression.hide_total(self.values[total]):
            self.hidden.add(total)
        if partition:
            self.relation(total, parts)

    def relation(self, total: Qid, parts: Sequence[Qid]) -> None:
        if parts and (total, tuple(parts)) not in self.relations:
            self.relations.append((total, tuple(parts)))

    def same(self, total: Qid, parts: Sequence[Qid]) -> None:
        """Another reading of a printed count (from other tables): tied when the numbers agree."""
        known = all(q in self.values for q in (total, *parts))
        if known and self.values[total] == sum(self.values[q] for q in parts):
            self.relation(total, parts)

    def two_way(
        self, cells: Mapping[str, Mapping[str, Qid]], row_totals: Mapping[str, Qid], col_totals: Mapping[str, Qid],
        grand: Qid,
    ) -> None:  # fmt: skip
        """A table whose cells add up to its row and column totals, and those to ``grand``."""
        values = {r: {c: self.values[q] for c, q in row.items()} for r, row in cells.items()}
        found = suppression.suppress_table(
            values,
            {r: self.values[q] for r, q in row_totals.items()},
            {c: self.values[q] for c, q in col_totals.items()},
        )
        for r, c in found:
            if r == suppression.TOTAL and c == suppression.TOTAL:
                self.hidden.add(grand)
            elif c == suppression.TOTAL:
                self.hidden.add(row_totals[r])
            elif r == suppression.TOTAL:
                self.hidden.add(col_totals[c])
            else:
                self.hidden.add(cells[r][c])
        for r, row in cells.items():
            self.relation(row_totals[r], [row[c] for c in col_totals if c in row])
        for c, total in col_totals.items():
            self.relation(total, [cells[r][c] for r in cells if c in cells[r]])
        self.relation(grand, list(row_totals.values()))
        self.relation(grand, list(col_totals.values()))

    def close(self) -> None:
        """Hide more until no hidden count can be worked out from the printed ones."""
        self.hidden = {q for q in self.hidden if self.values.get(q, 0) != 0}
        self.hidden |= {q for q, v in self.values.items() if suppression.is_small(v)}
        given_up: set[Qid] = set()
        while True:
            found = sorted(determined(self.relations, self.hidden, self.values) - given_up)
            if not found:
                return
            picked = self._pick(found[0])
            if not picked:
                given_up.add(found[0])
            self.hidden.update(picked)

    def _pick(self, qid: Qid) -> list[Qid]:
        """Visible counts whose hiding frees ``qid``: one if one will do (the smallest of its own equations
        first, parts before totals, then of the equations linked to it through hidden counts), else two,
        else the nearest one (and the loop looks again)."""
        linked = [self.relations[i] for i in sorted(self._component(qid, self.hidden))]
        near = self._candidates(r for r in linked if qid == r[0] or qid in r[1])
        candidates = near + [c for c in self._candidates(linked) if c not in near]
        for candidate in candidates:
            if not self._fixed(qid, self.hidden | {candidate}):
                return [candidate]
        head = candidates[:PAIR_SEARCH]
        for i, first in enumerate(head):
            for second in head[i + 1 :]:
                if not self._fixed(qid, self.hidden | {first, second}):
                    return [first, second]
        return candidates[:1]

    def _candidates(self, relations: Iterable[tuple[Qid, tuple[Qid, ...]]]) -> list[Qid]:
        found: dict[Qid, tuple[bool, int, Qid]] = {}
        for total, parts in relations:
            for member in (*parts, total):
                value = self.values[member]
                if value > 0 and member not in self.hidden:
                    rank = (member == total, value, member)
                    found[member] = min(found.get(member, rank), rank)
        return [rank[2] for rank in sorted(found.values())]

    def _component(self, qid: Qid, hidden: set[Qid]) -> set[int]:
        """The equations linked to ``qid`` through hidden counts (indexes in ``relations``)."""
        by_member: dict[Qid, list[int]] = {}
        for index, (total, parts) in enumerate(self.relations):
            for member in (total, *parts):
                if member in hidden:
                    by_member.setdefault(member, []).append(index)
        seen_members, seen = {qid}, set()
        stack = [qid]
        while stack:
            for index in by_member.get(stack.pop(), []):
                if index in seen:
                    continue
                seen.add(index)
                total, parts = self.relations[index]
                for member in (total, *parts):
                    if member in hidden and member not in seen_members:
                        seen_members.add(member)
                        stack.append(member)
        return seen

    def _fixed(self, qid: Qid, hidden: set[Qid]) -> bool:
        """Whether ``qid`` is fixed by the equations linked to it through hidden counts."""
        linked = [self.relations[i] for i in sorted(self._component(qid, hidden))]
        return qid in determined(linked, hidden, self.values)


def determined(relations: Iterable[tuple[Qid, Sequence[Qid]]], hidden: set[Qid], values: Mapping[Qid, int]) -> set[Qid]:
    """The hidden counts that the printed ones fix exactly, through any combination of the sums.

    Each relation ``total = sum(parts)`` is an equation; printed counts are constants. A
    hidden count is fixed when its unit vector lies in the span of the equations restricted
    to the hidden counts: in the reduced row echelon form, a row with that single entry.
    """
    unknown = sorted(q for q in hidden if values.get(q, 0) != 0)
    index = {q: i for i, q in enumerate(unknown)}
    pivots: dict[int, dict[int, Fraction]] = {}
    for total, parts in relations:
        row: dict[int, Fraction] = {}
        for qid, sign in ((total, -1), *((p, 1) for p in parts)):
            if qid in index:
                i = index[qid]
                row[i] = row.get(i, Fraction(0)) + sign
        row = {i: c for i, c in row.items() if c != 0}
        for p in [p for p in row if p in pivots]:  # pivot rows hold no other pivot: one pass reduces
            factor = row.get(p, Fraction(0))
            if factor:
                for i, c in pivots[p].items():
                    row[i] = row.get(i, Fraction(0)) - factor * c
                row = {i: c for i, c in row.items() if c != 0}
        if not row:
            continue
        p = min(row)
        lead = row[p]
        row = {i: c / lead for i, c in row.items()}
        for other in pivots.values():
            weight = other.get(p)
            if weight:
                for i, c in row.items():
                    other[i] = other.get(i, Fraction(0)) - weight * c
                for i in [i for i, c in other.items() if c == 0]:
                    del other[i]
        pivots[p] = row
    return {unknown[p] for p, row in pivots.items() if len(row) == 1}


# ---------------------------------------------------------------- building


def fig(code: str, dimension: str = "total", key: str = "total", commune: str = ALL, month: str = ALL) -> Qid:
    return ("fig", code, dimension, key, commune, month)


def sent(service: str = ALL, commune: str = ALL, month: str = ALL) -> Qid:
    return ("sent", service, commune, month)


@dataclass(frozen=True)
class _Draft:
    """A table before suppression: its cells are specs."""

    key: str
    section: str
    title: str
    corner: str
    columns: tuple[Column, ...]
    lines: tuple[DraftLine, ...]
    notes: tuple[str, ...] = ()
    sheet: str = ""
    adds_up: str = ""
    chunk: int = 0
    code: str = ""
    dimension: str = ""


class _Builder:
    def __init__(
        self,
        stats: RegionalStatistics,
        lang: str,
        deliveries: Mapping[tuple[str, str], str] | None,
        providers: Mapping[str, tuple[str, str]],
    ) -> None:
        self.stats = stats
        self.lang = lang
        self.deliveries = deliveries
        self.providers = providers
        self.ledger = _Ledger()
        self.drafts: list[_Draft] = []
        self.access: dict[tuple[str, str, str], Access] = {}
        self.absent: set[Qid] = set()  # counts of communes or months that reported nothing

    def tr(self, key: str, **params: object) -> str:
        return tr_in(self.lang, key, **params)

    # -- figures

    def range_month(self, code: str) -> str:
        """The month a range figure stands for: the last one for stocks, else all."""
        return self.stats.last_month if combine_rule(code) is Combine.LAST_MONTH else ALL

    def count(
        self, code: str, dimension: str = "total", key: str = "total", commune: str = ALL, month: str = ALL
    ) -> _Count:
        month = self.range_month(code) if month == ALL else month
        qid = fig(code, dimension, key, commune, month)
        if qid not in self.ledger.values:
            value, _ = self.stats.figure(
                code, dimension, key, None if commune == ALL else commune, None if month == ALL else month
            )
            self.ledger.put(qid, value)
            if value is None:
                self.absent.add(qid)
        return _Count(qid, BY_CODE[code].unit, qid in self.absent)

    def rate(
        self, code: str, dimension: str = "total", key: str = "total", commune: str = ALL, month: str = ALL
    ) -> _Rate:
        unit = BY_CODE[code].unit
        value, base = self.stats.figure(
            code, dimension, key, None if commune == ALL else commune, None if month == ALL else month
        )
        n = int(base or 0)
        shown = None if not n else (value or 0) / n if unit is Unit.RATE else value
        linked = None
        other = RATE_BASE.get(code)
        if other is not None and other in BY_CODE and dimension in (*BY_CODE[other].breakdowns, "total"):
            linked = fig(other, dimension, key, commune, month if month != ALL else self.range_month(other))
        return _Rate(shown, n, unit, linked)

    def spec(
        self, code: str, dimension: str = "total", key: str = "total", commune: str = ALL, month: str = ALL
    ) -> Spec:
        if BY_CODE[code].is_count:
            return self.count(code, dimension, key, commune, month)
        return self.rate(code, dimension, key, commune, month)

    def service_access(self, service: str, commune: str = ALL, month: str = ALL) -> Access:
        found = self.access.get((service, commune, month))
        if found is None:
            found = self.stats.access(service, None if commune == ALL else commune, None if month == ALL else month)
            self.access[service, commune, month] = found
        return found

    def measure(self, measure: str, service: str = ALL, commune: str = ALL, month: str = ALL) -> Spec:
        """One barometer figure. A service's come from its referral domains; "other" (the domains outside
        the seven services) and the whole (ALL) are the indicators' own figures, so that the barometer's
        total is the region's referrals sent."""
        if service in (ALL, OTHER):
            dimension, key = ("total", "total") if service == ALL else ("referral_domain", OTHER)
            if measure == "sent":
                return self.count("referrals_sent", dimension, key, commune, month)
            if measure == "answer_rate":
                return self.rate("counter_referral_rate", dimension, key, commune, month)
            if measure == "median_days":
                return self.rate("median_days_to_counter", dimension, key, commune, month)
            if service == OTHER:
                return Cell(None, Unit.RATE)  # outcomes are not broken down by domain
            where = (None if commune == ALL else commune, None if month == ALL else month)
            served, _ = self.stats.figure("counter_referrals", "outcome", "served", *where)
            counters, _ = self.stats.figure("counter_referrals", "total", "total", *where)
            n = round(counters or 0)
            linked = fig("counter_referrals", "total", "total", commune, month)
            return _Rate((served or 0) / n if n else None, n, Unit.RATE, linked)
        access = self.service_access(service, commune, month)
        qid = sent(service, commune, month)
        if measure == "sent":
            if qid not in self.ledger.values:
                self.ledger.put(qid, access.sent)
            return _Count(qid, Unit.REFERRALS)
        if measure == "answer_rate":
            return _Rate(access.answer_rate, access.sent, Unit.RATE, qid)
        if measure == "served_share":
            return _Rate(access.served_share, access.counters, Unit.RATE)
        delays = access.delays or {}
        return _Rate(access.median_days, sum(delays.values()), Unit.DAYS)

    # -- names

    def commune_label(self, code: str) -> str:
        return commune_name(code, self.lang) or code

    def month_title(self, month: str) -> str:
        return month_label(month, self.lang)

    # -- (a) completeness

    def completeness(self) -> None:
        stats = self.stats
        columns = tuple(Column(m, f"{m[5:7]}/{m[:4]}") for m in stats.months)
        lines = []
        for commune in stats.communes:
            cells: list[Spec] = []
            for month in stats.months:
                state = self._delivery(commune, month)
                cells.append(Cell(label=self.tr(f"region_report.delivery.{state}"), tone=state))
            lines.append((commune, self.commune_label(commune), tuple(cells), False))
        total = len(stats.communes)
        reported = tuple(
            Cell(label=f"{len(stats.reported.get(m, frozenset()) & set(stats.communes))}/{total}") for m in stats.months
        )
        lines.append(("reported", self.tr("region_report.reported"), reported, True))
        notes = tuple(
            self.tr(
                "region_report.legend_line",
                symbol=self.tr(f"region_report.delivery.{d}"),
                meaning=self.tr(f"region_report.delivery_note.{d}", day=LATE_DAY),
            )
            for d in DELIVERIES
        )
        self.drafts.append(
            _Draft(
                COMPLETENESS, COMPLETENESS, self.tr("region_report.completeness"), self.tr("region_report.commune"),
                columns, tuple(lines), notes, self.tr("region_report.sheet.completeness"), chunk=12,
            )
        )  # fmt: skip

    def _delivery(self, commune: str, month: str) -> str:
        if self.deliveries is not None and (commune, month) in self.deliveries:
            return self.deliveries[commune, month]
        return "received" if commune in self.stats.reported.get(month, frozenset()) else "missing"

    # -- (b) month by month

    def months(self) -> None:
        stats = self.stats
        columns = (
            *(Column(m, self.month_title(m)) for m in stats.months),
            Column("range", self.tr("region_report.range_column"), total=True),
            Column("rule", self.tr("region_report.rule_column"), text=True),
        )
        n = len(stats.communes)
        counts = [len(stats.reported.get(m, frozenset()) & set(stats.communes)) for m in stats.months]
        lines: list[DraftLine] = [
            (
                "reported",
                self.tr("region_report.reported"),
                (*(Cell(label=f"{c}/{n}") for c in counts), Cell(label=f"{sum(counts)}/{n * len(counts)}"), Cell()),
                False,
            )
        ]
        for indicator in INDICATORS:
            code = indicator.code
            rule = combine_rule(code)
            cells: list[Spec] = [self.spec(code, month=m) for m in stats.months]
            whole = self.spec(code)
            if isinstance(whole, _Count):
                parts = [c.qid for c in cells if isinstance(c, _Count)]
                self.ledger.line(whole.qid, parts, partition=rule in (Combine.SUM, Combine.PERSON_MONTHS))
            rule_cell = Cell(label=rule_name(rule, self.lang))
            lines.append((code, st.indicator_name(code, self.lang), (*cells, whole, rule_cell), False))
        notes = (
            self.tr("region_report.note.range", last=self.month_title(stats.last_month)),
            self.tr("region_report.note.absent"),
        )
        self.drafts.append(
            _Draft(
                MONTHS, MONTHS, self.tr("region_report.months"), self.tr("region_report.indicator"), columns,
                tuple(lines), notes, self.tr("region_report.sheet.months"), adds_up="rows", chunk=6,
            )
        )  # fmt: skip

    # -- (c) per commune

    def communes(self) -> None:
        stats = self.stats
        columns = tuple(Column(i.code, st.indicator_name(i.code, self.lang)) for i in INDICATORS)
        lines = []
        for commune in stats.communes:
            cells = tuple(self.spec(i.code, commune=commune) for i in INDICATORS)
            lines.append((commune, self.commune_label(commune), cells, False))
        totals = tuple(self.spec(i.code) for i in INDICATORS)
        lines.append(("region", self.tr("region_report.region_total"), totals, True))
        for index, total in enumerate(totals):
            if isinstance(total, _Count):
                parts = [line[2][index] for line in lines[:-1]]
                self.ledger.line(total.qid, [p.qid for p in parts if isinstance(p, _Count)], partition=True)
        notes = (
            self.tr("region_report.note.range", last=self.month_title(stats.last_month)),
            self.tr("region_report.note.absent"),
        )
        self.drafts.append(
            _Draft(
                COMMUNES, COMMUNES, self.tr("region_report.communes"), self.tr("region_report.commune"), columns,
                tuple(lines), notes, self.tr("region_report.sheet.communes"), adds_up="columns", chunk=4,
            )
        )  # fmt: skip

    # -- (d) breakdowns

    def keys(self, code: str, dimension: str) -> list[str]:
        met = self.stats.keys(code, dimension)
        if dimension == "provider":

            def weight(key: str) -> tuple[int, str]:
                _, base = self.stats.figure(code, dimension, key)
                return -int(base or 0), _value_label(dimension, key, self.lang, self.providers)

            return sorted(met, key=weight)
        known = list(DIMENSION_VALUES.get(dimension, ()))
        return known + [k for k in met if k not in known]

    def breakdowns(self) -> None:
        for indicator in INDICATORS:
            code = indicator.code
            rule = combine_rule(code)
            for dimension in indicator.breakdowns:
                keys = self.keys(code, dimension)
                value_title = f"{self.tr('region_report.range_column')} ({rule_name(rule, self.lang)})"
                lines = []
                for key in keys:
                    label = _value_label(dimension, key, self.lang, self.providers)
                    lines.append((key, label, (self.spec(code, dimension, key),), False))
                whole = self.spec(code)
                adds_up = ""
                if isinstance(whole, _Count):
                    parts = [line[2][0].qid for line in lines if isinstance(line[2][0], _Count)]
                    partition = dimension not in MULTI_VALUED
                    self.ledger.line(whole.qid, parts, partition=partition)
                    if partition:
                        lines.append(("", self.tr("stats.total"), (whole,), True))
                        adds_up = "columns"
                else:
                    lines.append(("", self.tr("stats.overall"), (whole,), True))
                notes = [self.tr("reports_stats.multi_valued")] if dimension in MULTI_VALUED else []
                self.drafts.append(
                    _Draft(
                        f"breakdown.{code}.{dimension}", BREAKDOWNS,
                        f"{st.indicator_name(code, self.lang)} — {st.dimension_name(dimension, self.lang)}",
                        st.dimension_name(dimension, self.lang), (Column("range", value_title, total=False),),
                        tuple(lines), tuple(notes), "", adds_up, code=code, dimension=dimension,
                    )
                )  # fmt: skip

    # -- (e) barometer

    def barometer(self) -> None:
        stats = self.stats
        rows = (*BAROMETER_SERVICES, OTHER)
        notes = (self.tr("region_report.note.other"),)
        # Summary: one line per service over the range.
        columns = tuple(Column(m, self.tr(f"region_report.measure.{m}")) for m in MEASURES)
        lines: list[DraftLine] = [
            (s, service_name(s, self.lang), tuple(self.measure(m, s) for m in MEASURES), False) for s in rows
        ]
        lines.append((ALL, self.tr("region_report.all_services"), tuple(self.measure(m) for m in MEASURES), True))
        self.drafts.append(
            _Draft(
                "barometer.summary", BAROMETER, self.tr("region_report.barometer_summary"),
                self.tr("region_report.service"), columns, tuple(lines), notes,
                self.tr("region_report.sheet.barometer"), adds_up="columns",
            )
        )  # fmt: skip
        # Per commune × service.
        for measure in MEASURES:
            columns = (
                *(Column(s, service_name(s, self.lang)) for s in rows),
                Column(ALL, self.tr("region_report.all_services"), total=measure == "sent"),
            )
            lines = []
            for commune in stats.communes:
                cells = tuple(self.measure(measure, s, commune) for s in (*rows, ALL))
                lines.append((commune, self.commune_label(commune), cells, False))
            region = tuple(self.measure(measure, s) for s in (*rows, ALL))
            lines.append((ALL, self.tr("region_report.region_total"), region, True))
            if measure == "sent":
                self.ledger.two_way(
                    {c: {s: self._sent_qid(s, c, ALL) for s in rows} for c in stats.communes},
                    {c: self._sent_qid(ALL, c, ALL) for c in stats.communes},
                    {s: self._sent_qid(s, ALL, ALL) for s in rows},
                    self._sent_qid(ALL, ALL, ALL),
                )
            self.drafts.append(
                _Draft(
                    f"barometer.{measure}.communes", BAROMETER,
                    f"{self.tr(f'region_report.measure.{measure}')} — {self.tr('region_report.by_commune')}",
                    self.tr("region_report.commune"), columns, tuple(lines), notes,
                    self.tr(f"region_report.sheet.{measure}_communes"), adds_up="both" if measure == "sent" else "",
                )
            )  # fmt: skip
        # Per service × month (the trend).
        for measure in MEASURES:
            columns = (
                *(Column(m, self.month_title(m)) for m in stats.months),
                Column("range", self.tr("region_report.range_column"), total=measure == "sent"),
            )
            lines = []
            for s in (*rows, ALL):
                cells = (*(self.measure(measure, s, month=m) for m in stats.months), self.measure(measure, s))
                label = self.tr("region_report.all_services") if s == ALL else service_name(s, self.lang)
                lines.append((s, label, cells, s == ALL))
            if measure == "sent":
                self.ledger.two_way(
                    {s: {m: self._sent_qid(s, ALL, m) for m in stats.months} for s in rows},
                    {s: self._sent_qid(s, ALL, ALL) for s in rows},
                    {m: self._sent_qid(ALL, ALL, m) for m in stats.months},
                    self._sent_qid(ALL, ALL, ALL),
                )
            self.drafts.append(
                _Draft(
                    f"barometer.{measure}.months", BAROMETER,
                    f"{self.tr(f'region_report.measure.{measure}')} — {self.tr('region_report.by_month')}",
                    self.tr("region_report.service"), columns, tuple(lines), notes,
                    self.tr(f"region_report.sheet.{measure}_months"), adds_up="both" if measure == "sent" else "",
                    chunk=6,
                )
            )  # fmt: skip
        # A service's referrals are also its domains' referrals sent, printed in the breakdowns.
        for s, domains in BAROMETER_SERVICES.items():
            self.ledger.same(sent(s), [fig("referrals_sent", "referral_domain", d) for d in domains])

    def _sent_qid(self, service: str, commune: str, month: str) -> Qid:
        spec = self.measure("sent", service, commune, month)
        assert isinstance(spec, _Count)
        return spec.qid

    # -- cells

    def render(self, spec: Spec) -> Cell:
        hidden = self.ledger.hidden
        if isinstance(spec, Cell):
            return spec
        if isinstance(spec, _Count):
            if spec.absent:
                return Cell(None, spec.unit)
            return Cell(float(self.ledger.values[spec.qid]), spec.unit, spec.qid in hidden)
        hide = suppression.rate_hidden(spec.base)
        if spec.linked is not None and spec.linked in hidden and self.ledger.values.get(spec.linked) == spec.base:
            hide = True
        return Cell(spec.value, spec.unit, hide and spec.value is not None)

    def tables(self) -> tuple[Table, ...]:
        out = []
        for d in self.drafts:
            lines = tuple(
                Line(key, label, tuple(map(self.render, cells)), total) for key, label, cells, total in d.lines
            )
            out.append(
                Table(
                    d.key, d.section, d.title, d.corner, d.columns, lines, d.notes, d.sheet, d.adds_up, d.chunk,
                    d.code, d.dimension,
                )
            )  # fmt: skip
        return tuple(out)


def build_report(
    stats: RegionalStatistics,
    lang: str,
    *,
    deliveries: Mapping[tuple[str, str], str] | None = None,
    providers: Mapping[str, tuple[str, str]] | None = None,
    secretariat: str = "",
) -> RegionalReport:
    """Every table of the regional report in ``lang``, small cells hidden.

    ``deliveries``: (commune, month) -> "received" / "late" / "missing" / "pending" (the store's
    completeness grid); without it a month is received when its extract is imported.
    ``providers``: the directory's provider uid -> (French name, Arabic name).
    """
    builder = _Builder(stats, lang, deliveries, providers or {})
    builder.completeness()
    builder.months()
    builder.communes()
    builder.breakdowns()
    builder.barometer()
    builder.ledger.close()
    return RegionalReport(
        lang,
        stats.region_code,
        region_name(stats.region_code, lang),
        stats.months,
        range_label(stats.months, lang),
        stats.communes,
        stats.generated_at,
        builder.tables(),
        secretariat,
        len(builder.ledger.hidden),
    )
