"""The ledger behind the regional report's small-cell suppression: published quantities, their sums, the closure.

A quantity is a printed count or what a printed share reveals (its numerator, its base and
the rest). :class:`Ledger` records them and the sums that tie them, hides what
:mod:`desktop.domain.suppression` asks, then closes: no hidden quantity may be worked out
through a linear combination of the sums (:func:`determined`) or through one sum and the
bounds the symbols give (:func:`pinned`). Pure. The tables it serves: :mod:`region_tables`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from math import gcd

from desktop.domain import suppression
from desktop.domain.indicators import Unit
from desktop.reports import stats_tables as st

Qid = tuple[str, ...]  # a published count: ("fig", code, dimension, key, commune|ALL, month|ALL) or ("sent", …)
PAIR_SEARCH = 12  # when no single count frees a fixed one, pairs among this many candidates are tried
PASSES = 64  # narrowing the hidden quantities' ranges: at most this many looks at each sum (it settles in a few)
PROTECT_LABEL = "×"  # a cell hidden only to protect another one (it may be 5 or more)


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


# ---------------------------------------------------------------- the ledger of published counts


@dataclass(frozen=True)
class CountSpec:
    qid: Qid
    unit: Unit
    absent: bool = False  # nothing reported: printed "—"


@dataclass(frozen=True)
class RateSpec:
    """A share (numerator over base) or a median (over ``base`` delays)."""

    value: float | None  # the share or the median
    base: int
    unit: Unit
    base_qid: Qid | None = None  # what the base counts (a printed count when a table prints it)
    num_qid: Qid | None = None  # a share's numerator; None for a median


@dataclass(frozen=True)
class Share:
    """What one share reveals with its base: its numerator, and the rest (numerator + rest = base)."""

    num: Qid
    base: Qid
    rest: Qid | None  # None when the figures disagree (numerator above its base)

    def members(self) -> tuple[Qid, ...]:
        return (self.num, self.base) if self.rest is None else (self.num, self.base, self.rest)


Spec = Cell | CountSpec | RateSpec
DraftLine = tuple[str, str, tuple[Spec, ...], bool]  # key, label, cells, total
Relation = tuple[Qid, tuple[Qid, ...]]  # total = sum(parts)
Bound = tuple[int, int | None]  # what a reader knows of a hidden quantity: low, high (None: no limit)


@dataclass
class Ledger:
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
    shares: dict[Qid, Share] = field(default_factory=dict)  # a share's numerator identity -> what it reveals
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
            self.shares[num] = Share(num_id, base_id, rest)

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
