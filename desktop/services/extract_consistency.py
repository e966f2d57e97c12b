"""Checks 9 and 10 of the regional import (docs/extract-format.md §11): consistency, k-anonymity.

On the tables that passed check 8: they agree with each other, with the manifest's counts
and with the indicator catalogue; every class of quasi-identifiers in persons.csv has at
least ``k`` rows (§5).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from desktop.domain.extract_format import INDICATORS, MANIFEST, PERSONS, QUASI_IDENTIFIERS, REFERRALS, K
from desktop.domain.indicators import BY_CODE, DIMENSION_VALUES, MULTI_VALUED, Indicator, Unit
from desktop.domain.indicators import INDICATORS as CATALOGUE
from desktop.services.extract_csv_checks import Table
from desktop.services.extract_problems import Problems, fragment, shown, stop, unknown_code

# ---- 9. consistency

_PROVIDER_KEY = re.compile(r"[A-Za-z0-9._:-]{1,36}")  # a directory uid (desktop/services/directory_file.py)


def check_consistency(tables: Mapping[str, Table], manifest: Mapping[str, Any], newer: bool) -> None:
    """Check 9; ``newer``: the extract is of a later minor release than this reader's."""
    problems = Problems()
    persons, referrals, indicators = tables[PERSONS], tables[REFERRALS], tables[INDICATORS]
    period = manifest["period"]
    counts, listed = manifest["persons"], manifest["referrals"]

    # referrals.person_key -> persons.csv
    unknown = referrals.values("person_key") - persons.values("person_key") - {""}
    if unknown:
        for line, value in problems.lines_of(referrals.column("person_key"), unknown):
            problems.add("consistency.person_unknown", REFERRALS, line, "person_key", found=shown(value))

    # the manifest's counts
    def manifest_count(label: str, what: str, expected: int, found: int) -> None:
        if expected != found:
            problems.add(
                "consistency.manifest", MANIFEST, 0, label, what=what, expected=str(expected), found=str(found)
            )

    manifest_count("persons.written", fragment("persons_rows"), persons.rows, counts["written"])
    manifest_count(
        "persons.written",
        fragment("population_minus_suppressed"),
        counts["population"] - counts["suppressed"],
        counts["written"],
    )
    if counts["generalised"] > counts["written"]:
        problems.add(
            "consistency.generalised",
            MANIFEST,
            0,
            "persons.generalised",
            found=str(counts["generalised"]),
            written=str(counts["written"]),
        )
    manifest_count("referrals.written", fragment("referrals_rows"), referrals.rows, listed["written"])
    blanked = referrals.column("person_key").count("")
    manifest_count("referrals.person_key_blanked", fragment("blanked_rows"), blanked, listed["person_key_blanked"])

    # no first_reception after the period
    late = {value for value in persons.values("first_reception") if _after(value, period)}
    if late:
        for line, value in problems.lines_of(persons.column("first_reception"), late):
            problems.add(
                "consistency.first_reception", PERSONS, line, "first_reception", found=shown(value), period=period
            )

    totals = _check_indicators(indicators, manifest, newer, problems)
    _check_figures(totals, persons, referrals, manifest, problems)
    problems.raise_any()


def _after(value: str, period: str) -> bool:
    """A first reception (YYYY-MM, YYYY-Qn or YYYY) that begins after the period YYYY-MM."""
    if len(value) == 7 and value[5] == "Q":
        return f"{value[:4]}-{(int(value[6]) - 1) * 3 + 1:02d}" > period
    return value[:4] > period[:4] if len(value) == 4 else value > period


@dataclass(frozen=True)
class _Figure:
    line: int
    value: int
    base: int | None


def _check_indicators(table: Table, manifest: Mapping[str, Any], newer: bool, problems: Problems) -> dict[str, _Figure]:
    """Each row against the catalogue; then totals present and single-valued breakdowns adding up."""
    totals: dict[str, _Figure] = {}
    sums: dict[tuple[str, str], list[int]] = {}
    present: set[str] = set()  # indicators with a total row, good or not
    broken: set[str] = set()  # indicators with a row in error: their sums are not checked
    rows = zip(*table.columns, strict=True)
    for line, (code, unit, dimension, key, value, base) in enumerate(rows, start=2):
        indicator = BY_CODE.get(code)
        if indicator is None:
            continue  # not in the reader's catalogue: refused as a code by check 8
        if dimension == "total":
            present.add(code)
        figure = _indicator_row(indicator, line, (unit, dimension, key, value, base), manifest, newer, problems)
        if figure is None:
            broken.add(code)
        elif dimension == "total":
            totals[code] = figure
        elif indicator.unit != Unit.DAYS and dimension not in MULTI_VALUED:
            added = sums.setdefault((code, dimension), [0, 0])
            added[0] += figure.value
            added[1] += figure.base or 0
    for indicator in CATALOGUE:
        if indicator.code not in present:
            problems.add("consistency.total_missing", INDICATORS, indicator=indicator.code)
        if indicator.code not in totals or indicator.code in broken or indicator.unit == Unit.DAYS:
            continue
        total = totals[indicator.code]
        for dimension in indicator.breakdowns:
            if dimension in MULTI_VALUED:
                continue
            value, base = sums.get((indicator.code, dimension), [0, 0])
            checks = [("value", total.value, value)]
            if indicator.unit == Unit.RATE:
                checks.append(("base", total.base or 0, base))
            for column, expected, found in checks:
                if expected != found:
                    problems.add(
                        "consistency.sum",
                        INDICATORS,
                        total.line,
                        column,
                        indicator=indicator.code,
                        dimension=dimension,
                        expected=str(expected),
                        found=str(found),
                    )
    return totals


def _indicator_row(
    indicator: Indicator,
    line: int,
    cells: tuple[str, str, str, str, str],
    manifest: Mapping[str, Any],
    newer: bool,
    problems: Problems,
) -> _Figure | None:
    """One row of indicators.csv against the catalogue; None after a problem."""
    unit, dimension, key, value, base = cells
    code = indicator.code
    if unit != indicator.unit.value:
        problems.add(
            "consistency.unit",
            INDICATORS,
            line,
            "unit",
            found=shown(unit),
            expected=indicator.unit.value,
            indicator=code,
        )
        return None
    if dimension == "total":
        if key != "total":
            problems.add(
                "consistency.key", INDICATORS, line, "key", found=shown(key), dimension=dimension, allowed="total"
            )
            return None
    elif dimension not in indicator.breakdowns:
        if newer:
            release = manifest["schema_release"]
            problems.add("schema.unknown_code", INDICATORS, line, "dimension", **unknown_code(dimension, release))
        else:
            problems.add(
                "consistency.dimension",
                INDICATORS,
                line,
                "dimension",
                found=shown(dimension),
                indicator=code,
                allowed=", ".join(("total", *indicator.breakdowns)),
            )
        return None
    elif not _key_ok(dimension, key):
        if newer and dimension != "provider":
            release = manifest["schema_release"]
            problems.add("schema.unknown_code", INDICATORS, line, "key", **unknown_code(key, release))
        else:
            allowed = "uid, none" if dimension == "provider" else ", ".join(DIMENSION_VALUES[dimension])
            problems.add(
                "consistency.key", INDICATORS, line, "key", found=shown(key), dimension=dimension, allowed=allowed
            )
        return None
    return _figure(indicator.unit, line, value, base, problems)


def _key_ok(dimension: str, key: str) -> bool:
    if dimension == "provider":
        return key == "none" or _PROVIDER_KEY.fullmatch(key) is not None
    return key in _dimension_values()[dimension]


@cache
def _dimension_values() -> dict[str, frozenset[str]]:
    return {dimension: frozenset(values) for dimension, values in DIMENSION_VALUES.items()}


def _figure(unit: Unit, line: int, value: str, base: str, problems: Problems) -> _Figure | None:
    """value and base as the unit wants them (§7), or None after a problem."""

    def wrong(why: str, column: str) -> None:
        problems.add("consistency.value", INDICATORS, line, column, why=why, unit=unit.value)

    if unit == Unit.DAYS:
        if base == "":
            wrong(fragment("base_required"), "base")
        elif base == "0" and value != "":
            wrong(fragment("median_without_base"), "value")
        elif base != "0" and (value == "" or (float(value) * 2) % 1):
            wrong(fragment("median_half"), "value")
        else:
            return _Figure(line, 0, int(base))
    elif value == "" or "." in value:
        wrong(fragment("value_integer"), "value")
    elif unit == Unit.RATE:
        if base == "":
            wrong(fragment("base_required"), "base")
        elif int(value) > int(base):
            wrong(fragment("rate_above_base"), "value")
        else:
            return _Figure(line, int(value), int(base))
    elif base != "":
        wrong(fragment("base_for_count"), "base")
    else:
        return _Figure(line, int(value), None)
    return None


def _check_figures(
    totals: Mapping[str, _Figure], persons: Table, referrals: Table, manifest: Mapping[str, Any], problems: Problems
) -> None:
    """Indicator totals that referrals.csv and persons.csv also tell."""
    period = manifest["period"]
    direction = referrals.column("direction")
    outgoing_sent = sum(
        1 for d, m in zip(direction, referrals.column("month_sent"), strict=True) if d == "outgoing" and m == period
    )
    countered = sum(
        1 for d, m in zip(direction, referrals.column("counter_month"), strict=True) if d == "outgoing" and m == period
    )
    expected = (
        ("referrals_sent", "value", outgoing_sent, fragment("outgoing_sent")),
        ("counter_referral_rate", "base", outgoing_sent, fragment("outgoing_sent")),
        ("referrals_incoming", "value", direction.count("incoming"), fragment("incoming_rows")),
        ("counter_referrals", "value", countered, fragment("countered_rows")),
        ("overdue_at_end", "value", referrals.column("overdue_at_end").count("1"), fragment("overdue_rows")),
    )
    for code, column, count, what in expected:
        total = totals.get(code)
        if total is None:
            continue
        found = total.value if column == "value" else total.base
        if found != count:
            problems.add(
                "consistency.figure",
                INDICATORS,
                total.line,
                column,
                indicator=code,
                what=what,
                expected=str(count),
                found=str(found),
            )
    received = totals.get("people_received")
    if received is not None:
        low = persons.column("received_in_month").count("1")
        high = low + manifest["persons"]["suppressed"]
        if not low <= received.value <= high:
            problems.add(
                "consistency.people_received",
                INDICATORS,
                received.line,
                "value",
                found=str(received.value),
                low=str(low),
                high=str(high),
            )


# ---- 10. k-anonymity

_LINES_SHOWN = 12  # lines of a small class named in its message


def check_k_anonymity(persons: Table, manifest: Mapping[str, Any]) -> None:
    """Check 10: the declared k and the size of every class of quasi-identifiers."""
    k = manifest["k"]
    if k < K:
        raise stop("privacy.k_declared", file=MANIFEST, field="k", found=str(k), k=str(K))
    qi = [persons.column(name) for name in QUASI_IDENTIFIERS]
    sizes = Counter(zip(*qi, strict=True))
    small = {qis for qis, size in sizes.items() if size < k}
    if not small:
        return
    lines: dict[tuple[str, ...], list[int]] = {}
    for i, qis in enumerate(zip(*qi, strict=True)):
        if qis in small:
            lines.setdefault(qis, []).append(i + 2)
    problems = Problems()
    for qis, found in sorted(lines.items(), key=lambda item: item[1][0]):
        named = ", ".join(map(str, found[:_LINES_SHOWN])) + (", …" if len(found) > _LINES_SHOWN else "")
        problems.add("privacy.k", PERSONS, found[0], lines=named, size=str(sizes[qis]), k=str(k))
    problems.raise_any()
