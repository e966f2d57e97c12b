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

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from math import gcd

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
PASSES = 64  # narrowing the hidden quantities' ranges: at most this many looks at each sum (it settles in a few)
PROTECT_LABEL = "×"  # a cell hidden only to protect another one (it may be 5 or more)
DELIVERIES: tuple[str, ...] = ("received", "late", "missing", "pending")


@dataclass(frozen=True)
class Cell:
    """One printed value: a number of ``unit`` (hidden or not), or a text when ``unit`` is None."""

    value: float | None = None  # a count, a share in [0, 1], or days; None: nothing to show ("—")
    unit: Unit | None = None
    hidden: bool = False
    label: str = ""  # the text of a text cell
    tone: str = ""  # completeness: the delivery ("received", "late", "missing", "pending")
    protects: bool = False  # hidden only to protect another cell: "×", not "<5"
    base: int = 0  # a share's or a median's base (the units it is taken over)

    def mark(self) -> str:
        """The symbol of a hidden cell: "<5" for 1 to 4 (a count, or the base of a share), else "×"."""
        return PROTECT_LABEL if self.protects else suppression.SMALL_LABEL

    def text(self, lang: str) -> str:
        if self.hidden:
            return self.mark()
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


# ---------------------------------------------------------------- the ledger of published counts


@dataclass(frozen=True)
class _Count:
    qid: Qid
    unit: Unit
    absent: bool = False  # nothing reported: printed "—"


@dataclass(frozen=True)
class _Rate:
    """A share (numerator over base) or a median (over ``base`` delays)."""

    value: float | None  # the share or the median
    base: int
    unit: Unit
    base_qid: Qid | None = None  # what the base counts (a printed count when a table prints it)
    num_qid: Qid | None = None  # a share's numerator; None for a median


@dataclass(frozen=True)
class _Share:
    """What one share reveals with its base: its numerator, and the rest (numerator + rest = base)."""

    num: Qid
    base: Qid
    rest: Qid | None  # None when the figures disagree (numerator above its base)

    def members(self) -> tuple[Qid, ...]:
        return (self.num, self.base) if self.rest is None else (self.num, self.base, self.rest)


Spec = Cell | _Count | _Rate
DraftLine = tuple[str, str, tuple[Spec, ...], bool]  # key, label, cells, total
Relation = tuple[Qid, tuple[Qid, ...]]  # total = sum(parts)
Bound = tuple[int, int | None]  # what a reader knows of a hidden quantity: low, high (None: no limit)


@dataclass
class _Ledger:
    """The quantities the report publishes, the sums that tie them, and which are hidden.

    A quantity is a printed count, or what a printed share reveals: a share times its base gives
    its numerator, so a share publishes its numerator, its base and the rest (base − numerator)
    as surely as a table would. Those are quantities too, with their own sums (a region's
    numerator is its communes' numerators added up), and a share is hidden when any of them is.
    """

    values: dict[Qid, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    hidden: set[Qid] = field(default_factory=set)
    printed: set[Qid] = field(default_factory=set)  # counts a table prints
    bases: set[Qid] = field(default_factory=set)  # revealed only as a share's base ("<5" when 1..4)
    shares: dict[Qid, _Share] = field(default_factory=dict)  # a share's numerator identity -> what it reveals
    inherent: set[Qid] = field(default_factory=set)  # pinned whatever is hidden (see close)
    equal: dict[Qid, set[Qid]] = field(default_factory=dict)  # quantities equal through a one-part sum

    def put(self, qid: Qid, value: float | None) -> Qid:
        """A count a table prints."""
        self.values[qid] = round(value or 0)
        self.printed.add(qid)
        return qid

    def _slot(self, qid: Qid, value: int) -> Qid:
        """``qid`` for this value, or a distinct identity when ``qid`` already stands for another value."""
        while qid in self.values and self.values[qid] != value:
            qid = ("alt", *qid)
        self.values.setdefault(qid, value)
        return qid

    def share(self, num: Qid, numerator: int, base: Qid, total: int) -> None:
        """A share printed somewhere ("—" when its base is 0), once every printed count is known."""
        if num not in self.shares:
            base_id = self._slot(base, total)
            if base_id not in self.printed:
                self.bases.add(base_id)
            num_id = self._slot(num, numerator)
            rest = self._slot(("rest", *num), total - numerator) if 0 <= numerator <= total else None
            if rest is not None:
                self.relation(base_id, (num_id, rest))
            self.shares[num] = _Share(num_id, base_id, rest)

    def share_hidden(self, num: Qid) -> bool:
        return any(q in self.hidden for q in self.shares[num].members())

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
        """Another reading of a published quantity (from other tables): tied when the numbers agree."""
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

    # -- closure

    def bound(self, qid: Qid) -> Bound:
        """What a reader knows of a hidden quantity: a count "<5" is 1 to 4, one hidden to protect another ("×")
        is 5 or more (zeros print as 0); a share's base likewise (a share over nothing prints "—"); a hidden
        numerator or rest, 0 or more."""
        if qid in self.printed or qid in self.bases:
            value = self.values[qid]
            if value == 0:
                return 0, 0
            return (1, suppression.SMALL_MAX) if suppression.is_small(value) else (suppression.SMALL_MAX + 1, None)
        return 0, None

    def protected(self, qid: Qid) -> bool:
        """Must not be worked out when hidden: a printed count (whatever its symbol says), or a quantity of
        1 to 4 that a share would reveal. One of 5 or more that only a hidden share would have revealed is
        simply not published: a reader who works it out learns no small count (those are checked directly)."""
        return qid in self.printed or suppression.is_small(self.values[qid])

    def exposed(self, relations: Sequence[Relation], hidden: set[Qid]) -> set[Qid]:
        """The protected hidden quantities a reader can work out exactly: through any combination of the
        sums, or through the sums and what each hidden quantity's symbol says (1 to 4, 5 or more)."""
        found = determined(relations, hidden, self.values) | pinned(relations, hidden, self.values, self.bound)
        return {q for q in found if self.protected(q)}

    def close(self) -> None:
        """Hide more until no hidden quantity can be worked out from the published ones."""
        chosen = {q for q in self.hidden if self.values.get(q, 0) != 0}
        chosen |= {q for q, v in self.values.items() if suppression.is_small(v)}
        for total, parts in self.relations:
            if len(parts) == 1 and parts[0] != total:
                group = self.equal.get(total, {total}) | self.equal.get(parts[0], {parts[0]})
                for member in group:
                    self.equal[member] = group
        # Pinned even if every non-zero quantity were hidden (four "<5" under a total "<5": all 1): no choice
        # of cells prevents it, the printed zeros and what "<5" says give it away (see docs/regional.md).
        everything = {q for q, v in self.values.items() if v != 0 or q not in self.printed}
        self.inherent = pinned(self.relations, everything, self.values, self.bound)
        given_up: set[Qid] = set(self.inherent)
        implicit = {q for q in self.values if q not in self.printed}
        while True:
            self.hidden = self._with_consequences(chosen)
            found = self.exposed(self.relations, self.hidden) - given_up
            if found - self.printed:  # what the printed counts give without any share: no share to hide
                found -= self.exposed(self.relations, self.hidden | implicit) - self.printed
            if not found:
                return
            first = min(found)
            picked = self._pick(first, chosen)
            if not picked:
                given_up.add(first)
            chosen.update(picked)

    def _with_consequences(self, chosen: set[Qid]) -> set[Qid]:
        """The quantities hidden when ``chosen`` are: those, what equals one of them through a one-part sum
        (a single-domain service's referrals and its domain's, a region of one commune and that commune), and
        what only shares reveal when no printed share reveals it any more nor a visible equal quantity gives
        it (even 0: a hidden share does not say its numerator is 0)."""
        out = set(chosen)
        for qid in chosen:
            out |= self.equal.get(qid, set())
        revealed: set[Qid] = set()
        for share in self.shares.values():
            members = share.members()
            if not any(q in out for q in members):
                revealed.update(members)
        known = {q for q in self.values if q not in out and (q in self.printed or q in revealed)}
        for qid in self.values:
            if qid not in known and not known & self.equal.get(qid, set()):
                out.add(qid)
        return out

    def _pick(self, qid: Qid, chosen: set[Qid]) -> list[Qid]:
        """Visible quantities whose hiding frees ``qid``: one if one will do (the smallest of its own equations
        first, a share before a printed count, parts before totals, then of the equations linked to it through
        hidden quantities), else two (among the first few, or one of them and a member of its own sums, which
        would give it away in turn), else the nearest one that at least touches every sum that on its own
        gives ``qid`` away (and the loop looks again: what is not inherent is freed once enough is hidden)."""
        linked = [self.relations[i] for i in sorted(self._component(qid, self.hidden))]
        same = self.equal.get(qid, {qid})  # the quantity under all its names
        own = [r for r in linked if r[0] in same or any(p in same for p in r[1])]
        alone = [r for r in own if self._gives(r, same)]  # each of these must get one more unknown
        near = self._candidates(own)
        candidates = near + [c for c in self._candidates(linked) if c not in near]

        def hiding(extra: set[Qid]) -> set[Qid] | None:
            """What hiding ``extra`` hides, or None when it leaves a sum that gives ``qid`` away untouched."""
            hidden = self._with_consequences(chosen | extra)
            touched = all(any(m in hidden and m not in self.hidden for m in (t, *ps)) for t, ps in alone)
            return hidden if touched else None

        useful = []
        for candidate in candidates:
            hidden = hiding({candidate})
            if hidden is None:
                continue
            useful.append(candidate)
            if not self._fixed(qid, hidden):
                return [candidate]
        head = (useful + [c for c in candidates if c not in useful])[:PAIR_SEARCH]
        pairs = [(first, second) for i, first in enumerate(head) for second in head[i + 1 :]]
        for first in head[: PAIR_SEARCH // 2]:  # and what would protect ``first`` in turn: its own sums' members
            alias = self.equal.get(first, {first})
            mine = [r for r in self.relations if r[0] in alias or any(p in alias for p in r[1])]
            pairs += [(first, second) for second in self._candidates(mine)[:PAIR_SEARCH] if second != first]
        tried: set[frozenset[Qid]] = set()
        for first, second in pairs:
            if frozenset((first, second)) in tried:
                continue
            tried.add(frozenset((first, second)))
            hidden = hiding({first, second})
            if hidden is not None and not self._fixed(qid, hidden):
                return [first, second]
        return (useful or candidates)[:1]

    def _gives(self, relation: Relation, same: set[Qid]) -> bool:
        """Whether this one sum, with the symbols, gives the quantity away (under one of its names)."""
        found = determined([relation], self.hidden, self.values) | pinned(
            [relation], self.hidden, self.values, self.bound
        )
        return bool(found & same)

    def _candidates(self, relations: Iterable[Relation]) -> list[Qid]:
        found: dict[Qid, tuple[bool, bool, int, Qid]] = {}
        for total, parts in relations:
            for member in (*parts, total):
                value = self.values[member]
                if value > 0 and member not in self.hidden:  # a share before a printed count, parts before totals
                    rank = (member in self.printed, member == total, value, member)
                    found[member] = min(found.get(member, rank), rank)
        return [rank[-1] for rank in sorted(found.values())]

    def _component(self, qid: Qid, hidden: set[Qid]) -> set[int]:
        """The equations linked to ``qid`` through hidden quantities (indexes in ``relations``)."""
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
        """Whether ``qid`` is worked out from the equations linked to it through hidden quantities."""
        linked = [self.relations[i] for i in sorted(self._component(qid, hidden))]
        return qid in determined(linked, hidden, self.values) or qid in pinned(linked, hidden, self.values, self.bound)


def determined(relations: Iterable[tuple[Qid, Sequence[Qid]]], hidden: set[Qid], values: Mapping[Qid, int]) -> set[Qid]:
    """The hidden counts that the printed ones fix exactly, through any combination of the sums.

    Each relation ``total = sum(parts)`` is an equation; printed counts are constants. A
    hidden count is fixed when its unit vector lies in the span of the equations restricted
    to the hidden counts: in the reduced row echelon form, a row with that single entry.
    Exact: integer rows, each pivot row keeping its own pivot and no other (fraction-free).
    """
    unknown = sorted(hidden)
    index = {q: i for i, q in enumerate(unknown)}
    pivots: dict[int, dict[int, int]] = {}
    for total, parts in relations:
        row: dict[int, int] = {}
        for qid, sign in ((total, -1), *((p, 1) for p in parts)):
            if qid in index:
                i = index[qid]
                row[i] = row.get(i, 0) + sign
        row = {i: c for i, c in row.items() if c}
        for p in [p for p in row if p in pivots]:  # pivot rows hold no other pivot: one pass reduces
            factor = row.get(p, 0)
            if factor:
                row = _combine(row, pivots[p][p], pivots[p], factor)
        if not row:
            continue
        p = min(row)
        for other_pivot, other in pivots.items():
            weight = other.get(p)
            if weight:
                pivots[other_pivot] = _combine(other, row[p], row, weight)
        pivots[p] = row
    return {unknown[p] for p, row in pivots.items() if len(row) == 1}


def _combine(a: Mapping[int, int], ka: int, b: Mapping[int, int], kb: int) -> dict[int, int]:
    """ka·a − kb·b, divided by the greatest common divisor of its coefficients."""
    out = {i: ka * c for i, c in a.items()}
    for i, c in b.items():
        out[i] = out.get(i, 0) - kb * c
    out = {i: c for i, c in out.items() if c}
    divisor = gcd(*out.values()) if out else 1
    return {i: c // divisor for i, c in out.items()} if divisor > 1 else out


def pinned(
    relations: Iterable[tuple[Qid, Sequence[Qid]]],
    hidden: set[Qid],
    values: Mapping[Qid, int],
    bound: Callable[[Qid], Bound],
) -> set[Qid]:
    """The hidden quantities a reader pins down from the sums and what each hidden one's symbol says.

    Each hidden quantity starts within ``bound`` (a "<5" is 1 to 4, a "×" 5 or more); each sum
    narrows each of its hidden members to what the other members leave (7 = 5 + "<5" + "<5":
    both are 1), and again for the sums of what moved, until nothing moves. One narrowed to a
    single value is worked out.
    """
    low: dict[Qid, int] = {}
    high: dict[Qid, int | None] = {}
    for qid in hidden:
        low[qid], high[qid] = bound(qid)
    equations: list[list[tuple[Qid, int]]] = []  # sum(a * x) = 0
    constants: list[int] = []  # the printed members' part of the sum
    using: dict[Qid, list[int]] = {}
    for total, parts in relations:
        coefficients: dict[Qid, int] = {total: -1}
        for part in parts:
            coefficients[part] = coefficients.get(part, 0) + 1
        members = [(q, a) for q, a in coefficients.items() if a and q in low]
        if not members:
            continue
        constants.append(sum(a * values.get(q, 0) for q, a in coefficients.items() if q not in low))
        for q, _ in members:
            using.setdefault(q, []).append(len(equations))
        equations.append(members)
    queue = deque(range(len(equations)))
    waiting = set(queue)
    budget = PASSES * max(len(equations), 1)
    while queue and budget > 0:
        budget -= 1
        e = queue.popleft()
        waiting.discard(e)
        members = equations[e]
        # each term a·x lies in [least, most]; None: no limit on that side
        terms = []
        for q, a in members:
            lo, hi = low[q], high[q]
            terms.append(
                (a * lo, None if hi is None else a * hi) if a > 0 else (None if hi is None else a * hi, a * lo)
            )
        least = constants[e] + sum(t[0] for t in terms if t[0] is not None)
        most = constants[e] + sum(t[1] for t in terms if t[1] is not None)
        open_least = sum(1 for t in terms if t[0] is None)
        open_most = sum(1 for t in terms if t[1] is None)
        for (q, a), (t_least, t_most) in zip(members, terms, strict=True):
            # a·x = −(the rest of the sum), which lies in [others_least, others_most]
            others_least = None if open_least - (t_least is None) else least - (t_least or 0)
            others_most = None if open_most - (t_most is None) else most - (t_most or 0)
            ax_lo = None if others_most is None else -others_most
            ax_hi = None if others_least is None else -others_least
            lo_edge, hi_edge = (ax_lo, ax_hi) if a > 0 else (ax_hi, ax_lo)
            new_lo = None if lo_edge is None else -(-lo_edge // a)
            new_hi = None if hi_edge is None else hi_edge // a
            moved = False
            if new_lo is not None and new_lo > low[q]:
                low[q], moved = new_lo, True
            current = high[q]
            if new_hi is not None and (current is None or new_hi < current):
                high[q], moved = new_hi, True
            if moved:
                for other in using[q]:
                    if other != e and other not in waiting:
                        waiting.add(other)
                        queue.append(other)
    return {q for q in hidden if high[q] is not None and low[q] == high[q]}


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
        self.ledger = _Ledger()
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
        base_qid = fig(code, dimension, key, commune, month, prefix="base")
        other = RATE_BASE.get(code)
        if other is not None and other in BY_CODE and dimension in (*BY_CODE[other].breakdowns, "total"):
            base_qid = fig(other, dimension, key, commune, month if month != ALL else self.range_month(other))
        if unit is not Unit.RATE:
            return _Rate(shown, n, unit, base_qid)
        return self.share(
            shown, fig(code, dimension, key, commune, month, prefix="num"), round(value or 0), base_qid, n
        )

    def share(self, value: float | None, num: Qid, numerator: int, base: Qid, total: int) -> _Rate:
        """A share numerator / total: registered with the ledger once the tables are drafted."""
        found = self.shares.get(num)
        if found is None:
            found = self.shares[num] = (numerator, base, total)
        return _Rate(value, total, Unit.RATE, base, num)

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
            return _Count(qid, Unit.REFERRALS)
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
        return _Rate(access.median_days, sum(delays.values()), Unit.DAYS, ("counters", service, commune, month))

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
        ledger = self.ledger
        if isinstance(spec, Cell):
            return spec
        if isinstance(spec, _Count):
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
