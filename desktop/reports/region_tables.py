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
is hidden everywhere or nowhere. A printed share is as good as its numerator and its base:
share × base gives the numerator, base − numerator the rest (not answered, not served). So
a share publishes three quantities; they have identities too (the region's "answered" is
the communes' "answered" added up, and "served" is the outcome breakdown's printed count),
and a share is printed only when none of the three is hidden. Then:

1. each line that adds up (months to the range, communes to the region, a single-valued
   breakdown's keys to its total) is suppressed with ``suppress_line(…, partition=True)``
   and each two-way table with margins (barometer referrals: commune × service, service ×
   month) with ``suppress_table``; a multi-valued breakdown gets primary suppression only;
   a quantity of 1 to 4 that only a share reveals (2 served of 20) hides the share;
2. what one table hides, every table hides (same quantity);
3. closure: all the sums the report publishes, across tables (a service's referrals are also
   the sum of its domains' referrals in (d); numerators, bases and rests add up like counts),
   are taken together. A hidden quantity must not be worked out exactly, neither through any
   linear combination of the sums (:func:`determined`) nor through one sum and what the
   symbols say of the hidden ones — hidden cells are not zero (zeros print as 0), a "<5" is
   at most 4 and a "×" at least 5: 7 = 5 + "<5" + "<5" says both are 1 (:func:`pinned`).
   While one can, the smallest visible non-zero quantity of one of its equations is hidden
   too (hiding a share's numerator hides the share, which may expose another numerator, so
   this runs until nothing moves). Protected: every hidden printed count, and what a share
   would reveal when it is 1 to 4. Left alone: what would be pinned even with every figure
   hidden (four "<5" under a total "<5"), and what the printed counts give without any share.

A count of 1 to 4 prints "<5"; one hidden only to protect another (5 or more) prints "×"
(:data:`PROTECT_LABEL`), never "<5", which would be false. A share or median over 1 to 4
units prints "<5"; hidden for any other reason, "×". Medians are also hidden when the count
they are taken over is printed and hidden.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from desktop.domain import suppression
from desktop.domain.indicators import BY_CODE, DIMENSION_VALUES, INDICATORS, MULTI_VALUED, Unit
from desktop.domain.regional import BAROMETER_SERVICES, LATE_DAY, Access, Combine, combine_rule
from desktop.i18n import tr_in
from desktop.reports import stats_tables as st
from desktop.reports.pdf_common import commune_name
from desktop.reports.region_ledger import (
    PROTECT_LABEL,
    Cell,
    CountSpec,
    DraftLine,
    Ledger,
    Qid,
    RateSpec,
    Spec,
)
from desktop.services.region_stats import RegionalStatistics

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
DELIVERIES: tuple[str, ...] = ("received", "late", "missing", "pending")


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
    hidden_counts: int = 0  # printed counts hidden (primary and secondary), for the record

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


# ---------------------------------------------------------------- building


def fig(
    code: str, dimension: str = "total", key: str = "total", commune: str = ALL, month: str = ALL, prefix: str = "fig"
) -> Qid:
    """A printed count (``prefix`` "fig"), or a share's numerator ("num") or base ("base")."""
    return (prefix, code, dimension, key, commune, month)


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
        self.ledger = Ledger()
        self.drafts: list[_Draft] = []
        self.access: dict[tuple[str, str, str], Access] = {}
        self.absent: set[Qid] = set()  # counts of communes or months that reported nothing
        # the shares printed: numerator's identity -> (numerator, base's identity, base)
        self.shares: dict[Qid, tuple[int, Qid, int]] = {}

    def tr(self, key: str, **params: object) -> str:
        return tr_in(self.lang, key, **params)

    # -- figures

    def range_month(self, code: str) -> str:
        """The month a range figure stands for: the last one for stocks, else all."""
        return self.stats.last_month if combine_rule(code) is Combine.LAST_MONTH else ALL

    def count(
        self, code: str, dimension: str = "total", key: str = "total", commune: str = ALL, month: str = ALL
    ) -> CountSpec:
        month = self.range_month(code) if month == ALL else month
        qid = fig(code, dimension, key, commune, month)
        if qid not in self.ledger.values:
            value, _ = self.stats.figure(
                code, dimension, key, None if commune == ALL else commune, None if month == ALL else month
            )
            self.ledger.put(qid, value)
            if value is None:
                self.absent.add(qid)
        return CountSpec(qid, BY_CODE[code].unit, qid in self.absent)

    def rate(
        self, code: str, dimension: str = "total", key: str = "total", commune: str = ALL, month: str = ALL
    ) -> RateSpec:
        unit = BY_CODE[code].unit
        value, base = self.stats.figure(
            code, dimension, key, None if commune == ALL else commune, None if month == ALL else month
        )
        n = int(base or 0)
        shown = None if not n else (value or 0) / n if unit is Unit.RATE else value
        base_qid = fig(code, dimension, key, commune, month, prefix="base")
        other = RATE_BASE.get(code)
        if other is not None and other in BY_CODE and dimension in (*BY_CODE[other].breakdowns, "total"):
            base_qid = fig(other, dimension, key, commune, month if month != ALL else self.range_month(other))
        if unit is not Unit.RATE:
            return RateSpec(shown, n, unit, base_qid)
        return self.share(
            shown, fig(code, dimension, key, commune, month, prefix="num"), round(value or 0), base_qid, n
        )

    def share(self, value: float | None, num: Qid, numerator: int, base: Qid, total: int) -> RateSpec:
        """A share numerator / total: registered with the ledger once the tables are drafted."""
        found = self.shares.get(num)
        if found is None:
            found = self.shares[num] = (numerator, base, total)
        return RateSpec(value, total, Unit.RATE, base, num)

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
            return self.share(
                (served or 0) / n if n else None, fig("counter_referrals", "outcome", "served", commune, month),
                round(served or 0), fig("counter_referrals", "total", "total", commune, month), n,
            )  # fmt: skip
        access = self.service_access(service, commune, month)
        qid = sent(service, commune, month)
        if measure == "sent":
            if qid not in self.ledger.values:
                self.ledger.put(qid, access.sent)
            return CountSpec(qid, Unit.REFERRALS)
        if measure == "answer_rate":
            return self.share(
                access.answer_rate, ("answered", service, commune, month), access.answered, qid, access.sent
            )
        if measure == "served_share":
            return self.share(
                access.served_share, ("served", service, commune, month), access.served,
                ("counters", service, commune, month), access.counters,
            )  # fmt: skip
        delays = access.delays or {}
        return RateSpec(access.median_days, sum(delays.values()), Unit.DAYS, ("counters", service, commune, month))

    # -- what shares reveal

    def finish(self) -> None:
        """The shares' quantities and their sums, once every printed count is in the ledger."""
        ledger = self.ledger
        for num, (numerator, base, total) in self.shares.items():
            ledger.share(num, numerator, base, total)
        communes, months = self.stats.communes, self.stats.months
        # Communes add up to the region and months to the range, for what only shares reveal as for counts.
        for qid in list(ledger.values):
            if qid[-2:] != (ALL, ALL):
                continue
            for where in ([(c, ALL) for c in communes], [(ALL, m) for m in months]):
                parts = [(*qid[:-2], *w) for w in where]
                if not all(q in ledger.printed for q in (qid, *parts)):
                    ledger.same(qid, parts)
        crr = "counter_referral_rate"
        for code in (crr, "provider_answer_rate"):  # a total is its keys added up (the breakdowns: region, range)
            for dimension in BY_CODE[code].breakdowns:
                if dimension not in MULTI_VALUED:
                    keys = self.keys(code, dimension)
                    self.tie(fig(code, prefix="num"), [fig(code, dimension, k, prefix="num") for k in keys])
        for c in (ALL, *communes):
            for m in (ALL, *months):
                # all referrals: the seven services and the other domains; both answer rates over the same referrals
                whole = fig(crr, commune=c, month=m, prefix="num")
                services = [("answered", s, c, m) for s in BAROMETER_SERVICES]
                self.tie(whole, [*services, fig(crr, "referral_domain", OTHER, c, m, prefix="num")])
                self.tie(fig("provider_answer_rate", commune=c, month=m, prefix="num"), [whole])
        for s, domains in BAROMETER_SERVICES.items():  # a service is its domains (printed in the breakdowns)
            self.tie(("answered", s, ALL, ALL), [fig(crr, "referral_domain", d, prefix="num") for d in domains])
            served = ledger.shares.get(("served", s, ALL, ALL))
            if served is not None:
                ledger.same(served.base, [fig("counter_referrals", "referral_domain", d) for d in domains])
        counters = [ledger.shares[q].base for q in ledger.shares if q[0] == "served" and q[2:] == (ALL, ALL)]
        ledger.same(fig("counter_referrals"), [*counters, fig("counter_referrals", "referral_domain", OTHER)])

    def tie(self, total: Qid, parts: Sequence[Qid]) -> None:
        """Shares whose numerators (and bases, and rests) add up: ``total``'s is the sum of ``parts``'."""
        shares = self.ledger.shares
        if total not in shares or not parts or any(p not in shares for p in parts):
            return
        whole, pieces = shares[total], [shares[p] for p in parts]
        self.ledger.same(whole.num, [p.num for p in pieces])
        self.ledger.same(whole.base, [p.base for p in pieces])
        rests = [p.rest for p in pieces if p.rest is not None]
        if whole.rest is not None and len(rests) == len(pieces):
            self.ledger.same(whole.rest, rests)

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
            if isinstance(whole, CountSpec):
                parts = [c.qid for c in cells if isinstance(c, CountSpec)]
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
            if isinstance(total, CountSpec):
                parts = [line[2][index] for line in lines[:-1]]
                self.ledger.line(total.qid, [p.qid for p in parts if isinstance(p, CountSpec)], partition=True)
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
                if isinstance(whole, CountSpec):
                    parts = [line[2][0].qid for line in lines if isinstance(line[2][0], CountSpec)]
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
        assert isinstance(spec, CountSpec)
        return spec.qid

    # -- cells

    def render(self, spec: Spec) -> Cell:
        ledger = self.ledger
        if isinstance(spec, Cell):
            return spec
        if isinstance(spec, CountSpec):
            if spec.absent:
                return Cell(None, spec.unit)
            value = ledger.values[spec.qid]
            hidden = spec.qid in ledger.hidden
            return Cell(float(value), spec.unit, hidden, protects=hidden and not suppression.is_small(value))
        small = suppression.rate_hidden(spec.base)
        if spec.num_qid is not None:
            hide = small or ledger.share_hidden(spec.num_qid)
        else:  # a median: hidden with the count it is taken over, when that is printed
            q = spec.base_qid
            hide = small or (q in ledger.printed and ledger.values.get(q) == spec.base and q in ledger.hidden)
        hide = hide and spec.value is not None
        return Cell(spec.value, spec.unit, hide, protects=hide and not small, base=spec.base)

    def protect_legend(self) -> str:
        return self.tr(
            "region_report.legend_line", symbol=PROTECT_LABEL, meaning=self.tr("region_report.protect_legend")
        )

    def tables(self) -> tuple[Table, ...]:
        out = []
        for d in self.drafts:
            lines = tuple(
                Line(key, label, tuple(map(self.render, cells)), total) for key, label, cells, total in d.lines
            )
            notes = d.notes
            if any(cell.hidden and cell.protects for line in lines for cell in line.cells):
                notes = (*notes, self.protect_legend())
            out.append(
                Table(
                    d.key, d.section, d.title, d.corner, d.columns, lines, notes, d.sheet, d.adds_up, d.chunk,
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
    builder.finish()
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
        len(builder.ledger.hidden & builder.ledger.printed),
    )
