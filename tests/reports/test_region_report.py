"""The regional report (PDF and XLSX, French and Arabic) and its small-cell suppression.

The region is built through the real flow: three fictitious demo offices in three communes
of Souss-Massa, their anonymised extracts of the last three complete months signed and
written as zips, a regional database that registers the offices' public keys and imports
the zips. The truth is each office's own statistics for outside the office
(``statistics.compute(…, Audience.OUTSIDE)``), month by month.

Suppression is checked on every published table by a second reading of the report: the
tables are read as printed, each cell given the identity of the count it shows (the same
region total in three tables is one count), the sums the report prints are written as
equations, and no hidden count may be fixed by them (numpy's rank: a hidden count is
fixed when its unit vector lies in the span of the equations). The same checks run on
random small regions (hypothesis).
"""

from __future__ import annotations

import errno
import os
import random
import re
import shutil
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import numpy
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from sqlalchemy import select

from desktop.db.models import AuditEntry
from desktop.domain import suppression
from desktop.domain.errors import DiskFull
from desktop.domain.geography import geography
from desktop.domain.indicators import BY_CODE, DIMENSION_VALUES, INDICATORS, MULTI_VALUED, Audience, Unit
from desktop.domain.periods import Period
from desktop.domain.regional import BAROMETER_SERVICES, Access, Combine, combine_rule
from desktop.i18n import tr_in
from desktop.reports import region_ledger as ledger
from desktop.reports import region_tables as rt
from desktop.reports.region_pdf import render_regional_pdf
from desktop.reports.region_xlsx import cell_value, render_regional_xlsx
from desktop.services import (
    demo,
    extract,
    extract_keys,
    region,
    region_import,
    region_keys,
    region_reports,
    region_stats,
    statistics,
)
from desktop.services import office as office_service
from desktop.services.office import OfficeHandle
from desktop.services.region_stats import RegionalStatistics

ROOT = Path(__file__).resolve().parents[2]
REGION = "09."
COMMUNES = ("09.001.01.01.", "09.001.05.01.", "09.541.03.01.")  # Agadir, Amskroud, Adar: Souss-Massa
CASES = (70, 110, 160)
SECRETARIAT_PASSWORD = "mot-de-passe-region"
OFFICE_PASSWORD = "mot-de-passe-bureau"
BIDI_MARKS = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ADDITIVE = (Combine.SUM, Combine.PERSON_MONTHS)

if shutil.which("pdftotext") is None:  # pragma: no cover
    pytest.skip("poppler-utils is not installed", allow_module_level=True)


def _last_months(count: int) -> tuple[str, ...]:
    today = date.today()
    out = []
    for back in range(count, 0, -1):
        year, month = today.year, today.month - back
        while month <= 0:
            year, month = year - 1, month + 12
        out.append(f"{year:04d}-{month:02d}")
    return tuple(out)


MONTHS = _last_months(3)


@dataclass
class World:
    handle: OfficeHandle  # the regional database, unlocked by the secretariat
    folder: Path
    truth: dict[tuple[str, str], statistics.Statistics]  # (commune, month) -> the office's outside figures

    def truth_value(self, code: str, commune: str | None = None, month: str | None = None) -> int:
        """An additive or stock count from the offices' own statistics, combined as the region does."""
        communes = COMMUNES if commune is None else (commune,)
        months = MONTHS if month is None else (month,)
        if combine_rule(code) is Combine.LAST_MONTH and month is None:
            months = (MONTHS[-1],)
        return sum(int(self.truth[c, m].current.figures[code].value or 0) for c in communes for m in months)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("region-report")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
        truth: dict[tuple[str, str], statistics.Statistics] = {}
        keys: dict[str, str] = {}
        zips: list[Path] = []
        for index, (commune, cases) in enumerate(zip(COMMUNES, CASES, strict=True)):
            handle, _ = office_service.create_office(
                folder / f"office-{index}.baomdb",
                commune_code=commune,
                office_name=f"BAOM Fictif {index}",
                admin_login="admin",
                admin_name="Admin Fictif",
                admin_password=OFFICE_PASSWORD,
                is_demo=True,
            )
            with handle:
                demo.fill_demo(handle, cases=cases, seed=index + 7)
                keys[commune] = extract_keys.office_public_key(handle).text()
                for month in MONTHS:
                    period = Period.parse_month(month)
                    truth[commune, month] = statistics.compute(handle, period, Audience.OUTSIDE, compare=False)
                    built = extract.build_extract(handle, period)
                    zips.append(extract.write_extract(handle, built, folder / f"{built.stem}.zip"))
        handle, _ = region.create_region(
            folder / "region.baomdb",
            region_code=REGION,
            name="",
            admin_login="secretariat",
            admin_name="Secrétariat Fictif",
            admin_password=SECRETARIAT_PASSWORD,
        )
        for commune, text in keys.items():
            region_keys.add_office(handle, commune, text)
        summary = region_import.import_extracts(handle, zips)
        assert (summary.imported, summary.rejected) == (len(zips), 0)
        try:
            yield World(handle, folder, truth)
        finally:
            handle.close()


@dataclass
class Written:
    report: rt.RegionalReport
    pdf: Path
    xlsx: Path
    seconds: dict[str, float]


@pytest.fixture(scope="module")
def written(world: World) -> dict[str, Written]:
    found = {}
    for lang in ("fr", "ar"):
        started = time.perf_counter()
        report = region_reports.build_regional_report(world.handle, MONTHS[0], MONTHS[-1], lang)
        built = time.perf_counter()
        pdf = world.folder / f"region-{lang}.pdf"
        render_regional_pdf(report, pdf)
        drawn = time.perf_counter()
        xlsx = world.folder / f"region-{lang}.xlsx"
        render_regional_xlsx(report, xlsx)
        done = time.perf_counter()
        found[lang] = Written(
            report, pdf, xlsx, {"tables": built - started, "pdf": drawn - built, "xlsx": done - drawn}
        )
    return found


# ---------------------------------------------------------------- a second reading of the published tables

Ident = tuple[str, ...]
Sum = tuple[Ident, list[Ident]]  # total = sum(parts)
INFINITE = float("inf")


def _range_month(code: str, months: tuple[str, ...]) -> str:
    return months[-1] if combine_rule(code) is Combine.LAST_MONTH else "range"


def _fig(code: str, dimension: str, key: str, where: str, month: str) -> Ident:
    return ("fig", code, dimension, key, where, month)


def _sent(service: str, where: str, month: str) -> Ident:
    """A barometer count: a service's from its domains, "other" and the whole from the indicators."""
    if service == rt.ALL:
        return _fig("referrals_sent", "total", "total", where, month)
    if service == rt.OTHER:
        return _fig("referrals_sent", "referral_domain", "other", where, month)
    return ("sent", service, where, month)


def _answered(service: str, where: str, month: str) -> Ident:
    """The numerator of an answer rate: answered referrals (a service's, "other" domains', all)."""
    if service == rt.ALL:
        return ("answered", "counter_referral_rate", "total", "total", where, month)
    if service == rt.OTHER:
        return ("answered", "counter_referral_rate", "referral_domain", "other", where, month)
    return ("answered", service, where, month)


@dataclass
class Reading:
    """The report as a reader sees it: printed counts and shares with what they count, and the sums."""

    counts: dict[Ident, list[rt.Cell]]
    sums: list[Sum]
    shares: dict[Ident, list[tuple[rt.Cell, Ident]]]  # numerator -> (printed share, the count it is over)
    medians: list[tuple[rt.Cell, Ident | None]]  # printed median, the count of delays it is over if printed


def published(report: rt.RegionalReport) -> Reading:
    """Every printed count and share with the identity of what it counts, and the sums the tables print."""
    cells: dict[Ident, list[rt.Cell]] = defaultdict(list)
    sums: list[Sum] = []
    shares: dict[Ident, list[tuple[rt.Cell, Ident]]] = defaultdict(list)
    medians: list[tuple[rt.Cell, Ident | None]] = []
    months = report.months
    crr = "counter_referral_rate"

    def ratio(code: str, cell: rt.Cell, dimension: str, key: str, where: str, month: str) -> None:
        """An indicator's share or median at one place, over the count its definition names."""
        if code == crr:
            shares[("answered", crr, dimension, key, where, month)].append(
                (cell, _fig("referrals_sent", dimension, key, where, month))
            )
        elif code == "provider_answer_rate":  # over the referrals sent (when they agree); a provider's: not printed
            base = _fig("referrals_sent", dimension, key, where, month)
            if dimension != "total":
                base = ("base", code, dimension, key, where, month)
            shares[("answered", code, dimension, key, where, month)].append((cell, base))
        elif code == "median_days_to_counter":
            medians.append((cell, _fig("counter_referrals", dimension, key, where, month)))

    table = report.table(rt.MONTHS)
    for line in table.lines:
        if line.key == "reported":
            continue
        code = line.key
        for column, cell in zip(table.columns, line.cells, strict=True):
            if column.text:
                continue
            month = "range" if column.key == "range" else column.key
            if not BY_CODE[code].is_count:
                ratio(code, cell, "total", "total", "region", month)
                continue
            whole = _fig(code, "total", "total", "region", _range_month(code, months))
            cells[whole if column.key == "range" else _fig(code, "total", "total", "region", column.key)].append(cell)
        if BY_CODE[code].is_count and combine_rule(code) in ADDITIVE:
            whole = _fig(code, "total", "total", "region", _range_month(code, months))
            sums.append((whole, [_fig(code, "total", "total", "region", m) for m in months]))
    table = report.table(rt.COMMUNES)
    for j, column in enumerate(table.columns):
        code = column.key
        month = _range_month(code, months)
        parts = []
        for line in table.lines:
            where = "region" if line.total else line.key
            if not BY_CODE[code].is_count:
                ratio(code, line.cells[j], "total", "total", where, "range")
                continue
            ident = _fig(code, "total", "total", where, month)
            cells[ident].append(line.cells[j])
            if not line.total:
                parts.append(ident)
        if BY_CODE[code].is_count:
            sums.append((_fig(code, "total", "total", "region", month), parts))
    for table in report.section(rt.BREAKDOWNS):
        if not BY_CODE[table.code].is_count:
            for line in table.lines:
                dimension, key = ("total", "total") if line.total else (table.dimension, line.key)
                ratio(table.code, line.cells[0], dimension, key, "region", "range")
            continue
        month = _range_month(table.code, months)
        whole = _fig(table.code, "total", "total", "region", month)
        parts = []
        for line in table.lines:
            ident = whole if line.total else _fig(table.code, table.dimension, line.key, "region", month)
            cells[ident].append(line.cells[0])
            if not line.total:
                parts.append(ident)
        if table.dimension not in MULTI_VALUED:
            sums.append((whole, parts))

    def measure(name: str, cell: rt.Cell, service: str, where: str, month: str) -> None:
        if name == "sent":
            cells[_sent(service, where, month)].append(cell)
        elif name == "answer_rate":
            shares[_answered(service, where, month)].append((cell, _sent(service, where, month)))
        elif name == "served_share" and service == rt.ALL:
            shares[_fig("counter_referrals", "outcome", "served", where, month)].append(
                (cell, _fig("counter_referrals", "total", "total", where, month))
            )
        elif name == "served_share" and service != rt.OTHER:  # a service's counter-referrals are not printed
            shares[("served", service, where, month)].append((cell, ("counters", service, where, month)))
        elif name == "median_days":
            base = None
            if service in (rt.ALL, rt.OTHER):
                dimension, key = ("total", "total") if service == rt.ALL else ("referral_domain", rt.OTHER)
                base = _fig("counter_referrals", dimension, key, where, month)
            medians.append((cell, base))

    rows = (*BAROMETER_SERVICES, rt.OTHER)
    summary = report.table("barometer.summary")
    for line in summary.lines:
        for column, cell in zip(summary.columns, line.cells, strict=True):
            measure(column.key, cell, line.key, "region", "range")
    for name in rt.MEASURES:
        table = report.table(f"barometer.{name}.communes")
        for line in table.lines:
            where = "region" if line.total else line.key
            for column, cell in zip(table.columns, line.cells, strict=True):
                measure(name, cell, column.key, where, "range")
        table = report.table(f"barometer.{name}.months")
        for line in table.lines:
            for column, cell in zip(table.columns, line.cells, strict=True):
                measure(name, cell, line.key, "region", column.key)
    for where in ("region", *report.communes):
        sums.append((_sent(rt.ALL, where, "range"), [_sent(s, where, "range") for s in rows]))
    for s in (*rows, rt.ALL):
        sums.append((_sent(s, "region", "range"), [_sent(s, c, "range") for c in report.communes]))
        sums.append((_sent(s, "region", "range"), [_sent(s, "region", m) for m in months]))
    for m in months:
        sums.append((_sent(rt.ALL, "region", m), [_sent(s, "region", m) for s in rows]))
    # What a reader can tie across tables when the numbers agree: a service's referrals are its domains'.
    value = {ident: found[0].value or 0 for ident, found in cells.items()}
    for s, domains in BAROMETER_SERVICES.items():
        parts = [_fig("referrals_sent", "referral_domain", d, "region", "range") for d in domains]
        total = _sent(s, "region", "range")
        if all(i in value for i in (total, *parts)) and value[total] == sum(value[i] for i in parts):
            sums.append((total, parts))
    return Reading(dict(cells), sums, dict(shares), medians)


@dataclass
class Knowledge:
    """What a reader knows: exact values, and a range for each hidden quantity."""

    value: dict[Ident, int]  # every quantity's true value (the test knows them all)
    known: set[Ident]
    unknown: dict[Ident, tuple[float, float]]  # hidden quantity -> (least, most) its symbol allows
    sums: list[Sum]
    shared: set[Ident]  # what only shares reveal (numerators and rests that no table prints as a count)


def check_published(report: rt.RegionalReport) -> None:
    """The publication rules, on every table of ``report``: nothing hidden can be worked out.

    A reader knows the printed counts, the printed shares (numerator = share × its printed
    base, rest = base − numerator) and the sums the report prints or its definitions imply;
    and of each hidden count that it is 1 to 4 ("<5") or 5 or more ("×"). Checked: no count
    of 1 to 4 printed, nor given away by a share; no hidden count nor hidden numerator fixed by
    any combination of the sums (linear algebra), nor pinned down by one sum and the ranges of
    its hidden members, except where it would be pinned even if every figure were hidden.
    """
    for table in report.tables:
        for line in table.lines:
            for cell in line.cells:
                if cell.unit is not None and cell.unit not in (Unit.RATE, Unit.DAYS) and not cell.hidden:
                    assert cell.value is None or not suppression.is_small(int(cell.value)), (table.key, line.key)
                if cell.hidden and cell.unit in (Unit.RATE, Unit.DAYS):
                    assert cell.value is not None
                    assert cell.text(report.lang) == ("<5" if suppression.is_small(cell.base) else "×")
                elif cell.hidden:
                    assert cell.text(report.lang) == ("<5" if suppression.is_small(int(cell.value or 0)) else "×")
        _check_lines(report, table)
    reading = published(report)
    knowledge = _knowledge(report, reading)
    unknown = dict(knowledge.unknown)
    # Must not be worked out: a hidden count, or a numerator or rest of 1 to 4 (others are only unpublished).
    checked = {q for q in unknown if q in reading.counts or suppression.is_small(knowledge.value[q])}
    fixed = set(_fixed(sorted(unknown), knowledge.sums)) & checked
    pinned = set(_pinned(unknown, knowledge.value, knowledge.sums)) & checked
    if (fixed | pinned) - set(reading.counts):  # what the counts give without any share is not the shares' doing
        blind = unknown | {q: (0, INFINITE) for q in knowledge.shared}
        fixed -= set(_fixed(sorted(blind), knowledge.sums)) - set(reading.counts)
        pinned -= set(_pinned(blind, knowledge.value, knowledge.sums)) - set(reading.counts)
    assert not fixed, f"a hidden number can be worked out from the printed sums: {sorted(fixed)}"
    if pinned:  # only what no choice of hidden cells could save: pinned with every figure hidden
        everything = dict(unknown)
        for ident in knowledge.known:
            if knowledge.value[ident] or ident in knowledge.shared:
                everything[ident] = (5, INFINITE) if ident in reading.counts else (0, INFINITE)
        inherent = _pinned(everything, knowledge.value, knowledge.sums)
        assert pinned <= set(inherent), f"hidden numbers pinned down by a sum and the symbols: {sorted(pinned)}"


def _knowledge(report: rt.RegionalReport, reading: Reading) -> Knowledge:
    value: dict[Ident, int] = {}
    known: set[Ident] = set()
    unknown: dict[Ident, tuple[float, float]] = {}
    for ident, found in reading.counts.items():
        texts = {cell.text("fr") for cell in found}
        assert len(texts) == 1, (ident, texts)  # one count, printed (or hidden) the same everywhere
        value[ident] = int(found[0].value or 0)
        if not found[0].hidden:
            known.add(ident)
        elif value[ident]:
            unknown[ident] = (1, 4) if suppression.is_small(value[ident]) else (5, INFINITE)
    sums = list(reading.sums)
    shared: set[Ident] = set()
    for cell, base in reading.medians:  # a median over a hidden count would help narrow it
        if not cell.hidden and cell.value is not None:
            assert not suppression.rate_hidden(cell.base)
            if base in reading.counts and value[base] == cell.base:
                assert base in known, base
    modelled: set[Ident] = set()
    bases: set[Ident] = set()
    for num, found in reading.shares.items():
        texts = {cell.text("fr") for cell, _ in found}
        assert len(texts) == 1, (num, texts)  # one share, printed (or hidden) the same everywhere
        cell, base = found[0]
        if base not in reading.counts:  # its base is not printed, but its symbol says something of it
            value[base] = cell.base
            bases.add(base)
            if cell.value is None:
                known.add(base)  # "—": nothing to take a share of
            else:
                unknown[base] = (1, 4) if cell.hidden and cell.text("fr") == "<5" else (5, INFINITE)
            continue
        if value[base] != cell.base:
            continue  # not over the printed count its definition names: share × base cannot be worked out
        numerator = round((cell.value or 0) * cell.base)
        assert value.setdefault(num, numerator) == numerator, num  # a count printed elsewhere (served) must agree
        rest = ("rest", *num)  # not answered, not served
        value[rest] = cell.base - numerator
        quantities = [num, rest]
        sums.append((base, quantities))
        shared.update(q for q in quantities if q not in reading.counts)
        modelled.add(num)
        if not cell.hidden and cell.value is not None:
            assert base in known, ("a share over a hidden base", num)
            assert num not in unknown, ("a share gives a hidden count away", num)
            for q in quantities:
                assert not suppression.is_small(value[q]), ("a share gives a count of 1 to 4 away", q)
            known.update(quantities)
        else:
            for q in quantities:
                if q not in known:  # even 0: a hidden share does not say so
                    unknown.setdefault(q, (0, INFINITE))
    # What the definitions add up: numerators over communes, months, domains and services.
    candidates: list[Sum] = []
    for num in modelled:
        if num[-2:] == ("region", "range"):
            head = num[:-2]
            candidates.append((num, [(*head, c, "range") for c in report.communes]))
            candidates.append((num, [(*head, "region", m) for m in report.months]))
    crr = "counter_referral_rate"
    domains = [n[3] for n in modelled if n[:3] == ("answered", crr, "referral_domain") and n[4:] == ("region", "range")]
    by_domain = [("answered", crr, "referral_domain", d, "region", "range") for d in domains]
    candidates.append((_answered(rt.ALL, "region", "range"), by_domain))
    for num in modelled:
        if num[:4] == ("answered", crr, "total", "total"):
            where, month = num[4:]
            parts = [_answered(s, where, month) for s in (*BAROMETER_SERVICES, rt.OTHER)]
            candidates.append((num, parts))
            candidates.append((("answered", "provider_answer_rate", "total", "total", where, month), [num]))
    for s, members in BAROMETER_SERVICES.items():
        parts = [("answered", crr, "referral_domain", d, "region", "range") for d in members]
        candidates.append((_answered(s, "region", "range"), parts))
    # And the bases no table prints: a provider's referrals add up to the referrals sent, a service's
    # counter-referrals are its domains' (printed), the communes' and months' add up to the region's.
    for base in bases:
        if base[-2:] == ("region", "range"):
            head = base[:-2]
            candidates.append((base, [(*head, c, "range") for c in report.communes]))
            candidates.append((base, [(*head, "region", m) for m in report.months]))
    providers = [
        b for b in bases if b[:3] == ("base", "provider_answer_rate", "provider") and b[4:] == ("region", "range")
    ]
    candidates.append((_fig("referrals_sent", "total", "total", "region", "range"), providers))
    for s, members in BAROMETER_SERVICES.items():
        parts = [_fig("counter_referrals", "referral_domain", d, "region", "range") for d in members]
        candidates.append((("counters", s, "region", "range"), parts))
    counters = [("counters", s, "region", "range") for s in BAROMETER_SERVICES]
    other = _fig("counter_referrals", "referral_domain", rt.OTHER, "region", "range")
    candidates.append((_fig("counter_referrals", "total", "total", "region", "range"), [*counters, other]))
    for total, parts in candidates:
        members = (total, *parts)
        read = all(q in modelled or q in bases or q in reading.counts for q in members)
        if parts and read and value[total] == sum(value[q] for q in parts):
            sums.append((total, parts))
    return Knowledge(value, known, unknown, sums, shared)


def _check_lines(report: rt.RegionalReport, table: rt.Table) -> None:
    """No line that adds up to a printed total has exactly one hidden non-zero count."""
    counts = [j for j, c in enumerate(table.columns) if not c.text]
    if table.adds_up in ("columns", "both"):
        total_line = next(line for line in table.lines if line.total)
        for j in counts:
            if total_line.cells[j].unit in (Unit.RATE, Unit.DAYS) or total_line.cells[j].hidden:
                continue
            parts = [line.cells[j] for line in table.lines if not line.total]
            assert sum(1 for c in parts if c.hidden and c.value) != 1, (table.key, table.columns[j].key)
    if table.adds_up in ("rows", "both"):
        total_at = next(j for j, c in enumerate(table.columns) if c.total)
        for line in table.lines:
            if line.key in BY_CODE and combine_rule(line.key) not in ADDITIVE:
                continue
            if line.key == "reported" or line.cells[total_at].hidden:
                continue
            parts = [line.cells[j] for j in counts if j != total_at]
            assert sum(1 for c in parts if c.hidden and c.value) != 1, (table.key, line.key)


def _fixed(hidden: list[Ident], sums: list[Sum]) -> list[Ident]:
    """The hidden counts the sums fix exactly (independent of the report's own solver).

    The sums restricted to the hidden counts are the rows of a matrix; a hidden count is fixed
    when its unit vector lies in their span, that is when the projection onto the row space
    (from the singular value decomposition) leaves it whole.
    """
    if not hidden:
        return []
    index = {ident: i for i, ident in enumerate(hidden)}
    rows = []
    for total, parts in sums:
        row = numpy.zeros(len(hidden))
        if total in index:
            row[index[total]] -= 1
        for part in parts:
            if part in index:
                row[index[part]] += 1
        if row.any():
            rows.append(row)
    if not rows:
        return []
    _, singular, vt = numpy.linalg.svd(numpy.array(rows), full_matrices=False)
    rank = int((singular > singular.max() * len(hidden) * 1e-12).sum())
    weight = (vt[:rank] ** 2).sum(axis=0)  # |projection of each unit vector|²
    return [ident for ident, i in index.items() if weight[i] > 1 - 1e-9]


def _pinned(ranges: dict[Ident, tuple[float, float]], value: dict[Ident, int], sums: list[Sum]) -> list[Ident]:
    """The hidden quantities narrowed to one value: each sum bounds each hidden member by what the others
    leave (total − the others' most … total − the others' least), over and over until nothing moves."""
    low = {q: r[0] for q, r in ranges.items()}
    high = {q: r[1] for q, r in ranges.items()}

    def span(q: Ident) -> tuple[float, float]:
        return (low[q], high[q]) if q in ranges else (value[q], value[q])

    useful = [(t, ps) for t, ps in sums if t in ranges or any(p in ranges for p in ps)]
    for _ in range(100):
        moved = False
        for total, parts in useful:
            for i, part in enumerate(parts):  # part = total − the other parts
                if part not in ranges:
                    continue
                others = parts[:i] + parts[i + 1 :]
                t_low, t_high = span(total)
                least = t_low - sum(span(o)[1] for o in others)
                most = t_high - sum(span(o)[0] for o in others)
                if least > low[part]:
                    low[part], moved = least, True
                if most < high[part]:
                    high[part], moved = most, True
            if total in ranges:  # total = the sum of the parts
                least, most = sum(span(p)[0] for p in parts), sum(span(p)[1] for p in parts)
                if least > low[total]:
                    low[total], moved = least, True
                if most < high[total]:
                    high[total], moved = most, True
        if not moved:
            break
    return sorted(q for q in ranges if low[q] == high[q])


# ---------------------------------------------------------------- end to end


def test_the_region_adds_up_the_offices_own_figures(world: World, written: dict[str, Written]) -> None:
    report = written["fr"].report
    months_table = report.table(rt.MONTHS)
    communes_table = report.table(rt.COMMUNES)
    region_line = communes_table.line("region")
    checked = 0
    for indicator in INDICATORS:
        code = indicator.code
        if not indicator.is_count:
            continue
        line = months_table.line(code)
        for j, month in enumerate(MONTHS):
            truth = world.truth_value(code, month=month)
            cell = line.cells[j]
            assert cell.value == truth, (code, month)
            assert cell.hidden or cell.text("fr") == str(truth)
            checked += 1
        whole = line.cells[months_table.column("range")]
        assert whole.value == world.truth_value(code)
        assert region_line.cells[communes_table.column(code)].text("fr") == whole.text("fr")
        for commune in COMMUNES:
            cell = communes_table.line(commune).cells[communes_table.column(code)]
            assert cell.value == world.truth_value(code, commune=commune), (code, commune)
    assert checked == 3 * sum(1 for i in INDICATORS if i.is_count)
    # Rates add their numerators and bases; medians come from the delays (never averaged).
    stats = region_stats.regional_statistics(world.handle, MONTHS[0], MONTHS[-1])
    value, base = stats.figure("counter_referral_rate")
    sent_total = world.truth_value("referrals_sent")
    assert base == sent_total and value is not None
    rate_cell = months_table.line("counter_referral_rate").cells[months_table.column("range")]
    assert rate_cell.value == pytest.approx(value / base)


def test_barometer_counts_agree_with_the_referral_breakdowns(written: dict[str, Written]) -> None:
    report = written["fr"].report
    summary = report.table("barometer.summary")
    by_domain = report.table("breakdown.referrals_sent.referral_domain")
    values = {line.key: line.cells[0].value for line in by_domain.lines if not line.total}
    for service, domains in BAROMETER_SERVICES.items():
        assert summary.line(service).cells[summary.column("sent")].value == sum(values[d] or 0 for d in domains)
    whole = summary.line(rt.ALL).cells[summary.column("sent")].value
    assert whole == sum(line.cells[summary.column("sent")].value or 0 for line in summary.lines if not line.total)
    months_table = report.table(rt.MONTHS)
    assert whole == months_table.line("referrals_sent").cells[months_table.column("range")].value
    per_commune = report.table("barometer.sent.communes")
    for service in BAROMETER_SERVICES:
        j = per_commune.column(service)
        column = [line.cells[j].value or 0 for line in per_commune.lines if not line.total]
        assert sum(column) == per_commune.line(rt.ALL).cells[j].value
    trend = report.table("barometer.sent.months")
    for service in BAROMETER_SERVICES:
        line = trend.line(service)
        assert sum(c.value or 0 for c in line.cells[:-1]) == line.cells[-1].value


def test_every_published_table_follows_the_suppression_rules(written: dict[str, Written]) -> None:
    for lang in ("fr", "ar"):
        report = written[lang].report
        check_published(report)
    fr, ar = written["fr"].report, written["ar"].report
    assert [t.key for t in fr.tables] == [t.key for t in ar.tables]
    for a, b in zip(fr.tables, ar.tables, strict=True):  # the same cells hidden whatever the language
        assert [[c.hidden for c in line.cells] for line in a.lines] == [
            [c.hidden for c in line.cells] for line in b.lines
        ]
    small = [c for t in fr.tables for line in t.lines for c in line.cells if c.unit is Unit.REFERRALS and c.hidden]
    assert small  # the fictitious region has small cells, so the rules were exercised
    legend = tr_in("fr", "region_report.legend_line", symbol="×", meaning=tr_in("fr", "region_report.protect_legend"))
    for table in fr.tables:  # "×" is explained under every table that prints it, and only there
        protects = any(c.hidden and c.protects for line in table.lines for c in line.cells)
        assert (legend in table.notes) is protects, table.key
    assert any(legend in table.notes for table in fr.tables)  # cells hidden to protect others: "×", not "<5"


def test_rates_and_medians_over_small_bases_are_hidden(world: World, written: dict[str, Written]) -> None:
    report = written["fr"].report
    stats = region_stats.regional_statistics(world.handle, MONTHS[0], MONTHS[-1])
    table = report.table(rt.COMMUNES)
    for code in ("counter_referral_rate", "median_days_to_counter", "provider_answer_rate"):
        for commune in COMMUNES:
            _, base = stats.figure(code, commune=commune)
            cell = table.line(commune).cells[table.column(code)]
            if base is not None and suppression.rate_hidden(base):
                assert cell.hidden
    rates = report.table("barometer.answer_rate.communes")
    sent = report.table("barometer.sent.communes")
    seen = 0
    for line in rates.lines:
        for j, cell in enumerate(line.cells):
            base = sent.line(line.key).cells[j]
            if base.hidden:  # a rate over a hidden count is hidden too
                assert cell.hidden or cell.value is None
                seen += 1
    assert seen


def test_french_pdf(written: dict[str, Written]) -> None:
    item = written["fr"]
    info = _pdfinfo(item.pdf)
    assert info["Page size"].startswith("595.276 x 841.89")  # A4
    text = _pdftotext(item.pdf)
    phrases = (
        "Rapport régional", "Souss-Massa", "Publication : petits effectifs masqués (<5)", "Complétude des extraits",
        "Chiffres clés mois par mois", "Comparaison des communes", "Baromètre de l'accès aux services de base",
        "Définitions", "personnes-mois", "Agadir", "Amskroud", "× : masqué pour protéger une autre case",
    )  # fmt: skip
    for phrase in phrases:
        assert _flat(phrase) in _flat(text), phrase
    assert f"page 1 / {info['Pages']}" in text
    lines = _layout(item.pdf)
    _same_rows(lines, item.report.table(rt.MONTHS), "fr")
    _same_rows(lines, item.report.table("barometer.sent.communes"), "fr")
    _screenshots(item.pdf, "region_report_fr")


def test_arabic_pdf(written: dict[str, Written]) -> None:
    item = written["ar"]
    info = _pdfinfo(item.pdf)
    assert info["Page size"].startswith("595.276 x 841.89")
    text = _pdftotext(item.pdf)
    for phrase in ("التقرير الجهوي", "سوس-ماسة", "اكتمال المستخرجات", "بارومتر الولوج إلى الخدمات الأساسية", "أكادير"):
        assert _flat(phrase) in _flat(text), phrase
    assert "<5" in text
    _screenshots(item.pdf, "region_report_ar")


def test_the_hidden_values_are_never_printed(written: dict[str, Written]) -> None:
    """A row of the PDF shows exactly the table's texts: "<5" or "×" where a count is hidden, never the count."""
    item = written["fr"]
    lines = _layout(item.pdf)
    tables = (item.report.table(rt.MONTHS), item.report.table("barometer.sent.communes"))
    hidden_rows = [line for table in tables for line in table.lines if any(c.hidden for c in line.cells)]
    assert hidden_rows
    for line in hidden_rows:
        expected = [c.text("fr") for c in line.cells]
        assert {"<5", "×"} & set(expected)
        assert expected in _rows(lines, line.label)  # the PDF prints "<5" in the hidden cells' places


def test_xlsx_holds_the_same_tables(written: dict[str, Written]) -> None:
    for lang in ("fr", "ar"):
        item = written[lang]
        book = openpyxl.load_workbook(item.xlsx)
        assert len(book.sheetnames) == len(item.report.tables) + 2  # the cover and the definitions
        for sheet, table in zip(book.worksheets[1:-1], item.report.tables, strict=True):
            assert sheet.cell(1, 1).value == table.title
            assert sheet.freeze_panes == "C4"
            assert bool(sheet.sheet_view.rightToLeft) is (lang == "ar")
            for row, line in enumerate(table.lines, 4):
                assert sheet.cell(row, 2).value == line.label
                for column, cell in enumerate(line.cells, 3):
                    got = sheet.cell(row, column).value
                    assert got == cell_value(cell), (table.key, line.key, column)
                    assert sheet.cell(row, column).data_type != "f"
                    if cell.hidden:
                        assert got == cell.text(lang) and got in ("<5", "×")
        if lang == "fr":
            months = book.worksheets[2]
            assert months.cell(3, 3).value == f"{rt.month_label(MONTHS[0], 'fr')} ({MONTHS[0]})"
            rate = months.cell(
                4 + [line.key for line in item.report.table(rt.MONTHS).lines].index("counter_referral_rate"),
                3 + len(MONTHS),
            )
            assert isinstance(rate.value, float) and 0 <= rate.value <= 1 and rate.number_format == "0%"


def test_writing_is_audited_and_timed(world: World, written: dict[str, Written], tmp_path: Path) -> None:
    pdf, xlsx = tmp_path / "r.pdf", tmp_path / "r.xlsx"
    report = region_reports.write_regional_report(world.handle, MONTHS[0], MONTHS[-1], "en", pdf=pdf, xlsx=xlsx)
    assert pdf.read_bytes().startswith(b"%PDF-") and xlsx.read_bytes().startswith(b"PK")
    assert report.table(rt.MONTHS).title == "Key figures month by month"
    with world.handle.transaction() as session:
        details = list(session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "exported")))
    assert (
        f"regional {MONTHS[0]}..{MONTHS[-1]} pdf" in details and f"regional {MONTHS[0]}..{MONTHS[-1]} xlsx" in details
    )
    for lang, item in written.items():
        print(lang, {k: round(v, 2) for k, v in item.seconds.items()})
        assert item.seconds["pdf"] < 60 and item.seconds["xlsx"] < 30


def test_a_full_disk_leaves_the_old_files_whole(
    written: dict[str, Written], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = written["fr"].report
    pdf, xlsx = tmp_path / "region.pdf", tmp_path / "region.xlsx"
    pdf.write_bytes(b"old pdf")
    xlsx.write_bytes(b"old xlsx")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(DiskFull):
        render_regional_pdf(report, pdf)
    with pytest.raises(DiskFull):
        render_regional_xlsx(report, xlsx)
    assert pdf.read_bytes() == b"old pdf" and xlsx.read_bytes() == b"old xlsx"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["region.pdf", "region.xlsx"]  # no temporary file left


# ---------------------------------------------------------------- poppler helpers


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdftotext(pdf: Path) -> str:
    return BIDI_MARKS.sub("", _run("pdftotext", "-enc", "UTF-8", str(pdf), "-"))


def _layout(pdf: Path) -> list[str]:
    return [
        BIDI_MARKS.sub("", line) for line in _run("pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-").splitlines()
    ]


def _pdfinfo(pdf: Path) -> dict[str, str]:
    found = {}
    for line in _run("pdfinfo", str(pdf)).splitlines():
        name, _, value = line.partition(":")
        found[name.strip()] = value.strip()
    return found


def _rows(lines: list[str], label: str) -> list[list[str]]:
    """The texts after ``label`` on each ``-layout`` line that starts with it (columns two spaces or more apart)."""
    found = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(label + "  "):
            found.append(re.split(r"\s{2,}", stripped[len(label) :].strip()))
    return found


def _same_rows(lines: list[str], table: rt.Table, lang: str) -> None:
    for line in table.lines:
        if len(line.label) > 30:  # may wrap over two lines
            continue
        assert [c.text(lang) for c in line.cells] in _rows(lines, line.label), line.key


def _screenshots(pdf: Path, name: str) -> None:
    folder = ROOT / "build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(folder / name)], check=True)


# ---------------------------------------------------------------- random small regions

PROVIDER_IDS = ("5f1d2c9e-0b7a-4e61-9a53-2f8c4d7e1b20", "c2a9f0d4-6e3b-4a18-8f75-1d9e0b3c6a42", "none")
# Counted from the same fictitious referrals, so that every share's numerator is also what other tables print.
REFERRAL_CODES = frozenset(
    {"referrals_sent", "counter_referrals", "counter_referral_rate", "provider_answer_rate", "median_days_to_counter"}
)


def random_statistics(seed: int, communes: int, months: int, scale: int) -> RegionalStatistics:
    """A region whose figures add up as extracts do: breakdowns to totals, services to their domains, and the
    referral figures (sent, answered, counter-referrals by outcome and domain, delays, the barometer) all
    counted from one list of fictitious referrals per commune and month, as an office counts them."""
    rng = random.Random(seed)
    codes = tuple(sorted(c.code for c in geography().communes() if c.region_code == REGION)[:communes])
    month_keys = tuple(f"{2024 + (i // 12):04d}-{i % 12 + 1:02d}" for i in range(months))
    cells: dict[tuple[str, str, str, str, str], tuple[float | None, int | None]] = {}
    reported: dict[str, set[str]] = defaultdict(set)
    delays: dict[tuple[str, str, str], dict[int, int]] = {}
    access: dict[tuple[str, str, str], Access] = {}
    for c in codes:
        for m in month_keys:
            if rng.random() < 0.15:
                continue  # this commune did not report this month
            reported[m].add(c)
            for indicator in INDICATORS:
                code = indicator.code
                if code in REFERRAL_CODES or not indicator.is_count:
                    continue
                total = _size(rng, scale)
                cells[code, "total", "total", c, m] = (float(total), None)
                for dimension in indicator.breakdowns:
                    keys = DIMENSION_VALUES[dimension]
                    if dimension in MULTI_VALUED:
                        for key in keys:
                            cells[code, dimension, key, c, m] = (float(rng.randint(0, total)), None)
                    else:
                        for key, part in zip(keys, _partition(rng, total, len(keys)), strict=True):
                            if part:
                                cells[code, dimension, key, c, m] = (float(part), None)
            _referrals(rng, scale, (c, m), cells, delays, access)
    return RegionalStatistics(
        REGION, month_keys, codes, {m: frozenset(v) for m, v in reported.items()}, cells, delays, access,
        datetime(2026, 5, 2, 9, 0, tzinfo=UTC),
    )  # fmt: skip


def _size(rng: random.Random, scale: int) -> int:
    return rng.choice((0, rng.randint(0, scale), rng.randint(0, 4)))


def _referrals(
    rng: random.Random,
    scale: int,
    where: tuple[str, str],
    cells: dict[tuple[str, str, str, str, str], tuple[float | None, int | None]],
    delays: dict[tuple[str, str, str], dict[int, int]],
    access: dict[tuple[str, str, str], Access],
) -> None:
    """One commune's month of referrals: each sent one (domain, provider, provider kind, urgency, answered by
    the month's end) and each counter-referral received (domain, outcome, days), counted like an office does."""
    c, m = where
    domains, outcomes = DIMENSION_VALUES["referral_domain"], DIMENSION_VALUES["outcome"]
    answer_odds, served_odds = rng.choice((0.1, 0.5, 0.9)), rng.choice((0.1, 0.5, 0.9))
    sent = [
        (
            rng.choice(domains),
            rng.choice(PROVIDER_IDS),
            rng.choice(DIMENSION_VALUES["provider_kind"]),
            rng.choice(DIMENSION_VALUES["urgency"]),
            rng.random() < answer_odds,
        )
        for _ in range(_size(rng, scale))
    ]
    back = [
        (rng.choice(domains), "served" if rng.random() < served_odds else rng.choice(outcomes[1:]), rng.randint(0, 20))
        for _ in range(_size(rng, scale))
    ]
    answered = sum(r[4] for r in sent)
    cells["referrals_sent", "total", "total", c, m] = (float(len(sent)), None)
    cells["counter_referrals", "total", "total", c, m] = (float(len(back)), None)
    for code in ("counter_referral_rate", "provider_answer_rate"):
        cells[code, "total", "total", c, m] = (float(answered), len(sent))
    for dimension, at in (("referral_domain", 0), ("provider_kind", 2), ("urgency", 3)):
        for key, n in Counter(r[at] for r in sent).items():
            cells["referrals_sent", dimension, str(key), c, m] = (float(n), None)
    for code, dimension, at in (
        ("counter_referral_rate", "referral_domain", 0),
        ("provider_answer_rate", "provider", 1),
    ):
        for key in {r[at] for r in sent}:
            mine = [r for r in sent if r[at] == key]
            cells[code, dimension, str(key), c, m] = (float(sum(r[4] for r in mine)), len(mine))
    for dimension, at in (("referral_domain", 0), ("outcome", 1)):
        for key, n in Counter(r[at] for r in back).items():
            cells["counter_referrals", dimension, str(key), c, m] = (float(n), None)
    for domain, _, days in back:
        histogram = delays.setdefault((c, m, domain), {})
        histogram[days] = histogram.get(days, 0) + 1
    for service, members in BAROMETER_SERVICES.items():
        out = [r for r in sent if r[0] in members]
        answers = [r for r in back if r[0] in members]
        histogram = dict(Counter(days for _, _, days in answers))
        access[service, c, m] = Access(
            len(out), sum(r[4] for r in out), len(answers), sum(r[1] == "served" for r in answers),
            sum(r[1] == "partly_served" for r in answers), histogram,
        )  # fmt: skip


def _partition(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    edges = [0, *cuts, total]
    out = [edges[i + 1] - edges[i] for i in range(parts)]
    rng.shuffle(out)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=hs.integers(0, 2**32 - 1),
    communes=hs.integers(1, 5),
    months=hs.integers(1, 4),
    scale=hs.sampled_from((3, 6, 12, 40)),
)
def test_random_regions_publish_nothing_recoverable(seed: int, communes: int, months: int, scale: int) -> None:
    stats = random_statistics(seed, communes, months, scale)
    report = rt.build_report(stats, "fr")
    check_published(report)
    for table in report.tables:  # what the tables hold is what the figures say
        if table.key == rt.MONTHS:
            for line in table.lines[1:]:
                if BY_CODE[line.key].is_count:
                    for j, month in enumerate(stats.months):
                        value, _ = stats.figure(line.key, month=month)
                        assert line.cells[j].value == (value if value is not None else None)
    # what the closure assumes a reader knows of each hidden quantity is true of it ("<5": 1 to 4, "×": 5 or more)
    builder = rt._Builder(stats, "fr", None, {})
    for step in (builder.completeness, builder.months, builder.communes, builder.breakdowns, builder.barometer):
        step()
    builder.finish()
    ledger = builder.ledger
    ledger.close()
    for qid in ledger.hidden | {q for q in ledger.values if q not in ledger.printed}:
        low, high = ledger.bound(qid)
        assert low <= ledger.values[qid] and (high is None or ledger.values[qid] <= high), qid
    # the barometer's share served is the outcome breakdown's "served" over the counter-referrals
    served, _ = stats.figure("counter_referrals", "outcome", "served")
    counters, _ = stats.figure("counter_referrals")
    summary = report.table("barometer.summary")
    share = summary.line(rt.ALL).cells[summary.column("served_share")]
    assert share.value == (served / counters if served is not None and counters else None)


# ---------------------------------------------------------------- the two ways back to a hidden cell


def _one_commune(
    figures: dict[tuple[str, str, str], tuple[float, int | None]], communes: int = 1
) -> RegionalStatistics:
    """``figures`` (code, dimension, key) -> (value, base), the same in each of ``communes`` communes."""
    month = "2026-01"
    codes = COMMUNES[:communes]
    cells = {(code, d, k, c, month): pair for (code, d, k), pair in figures.items() for c in codes}
    return RegionalStatistics(
        REGION, (month,), codes, {month: frozenset(codes)}, cells, {}, {}, datetime(2026, 5, 2, 9, 0, tzinfo=UTC)
    )


def _reveal(report: rt.RegionalReport, show: Callable[[rt.Cell], bool]) -> rt.RegionalReport:
    """The report as if the hidden cells ``show`` picks had been printed (what the checker must catch)."""
    tables = []
    for table in report.tables:
        lines = tuple(
            replace(line, cells=tuple(replace(c, hidden=False) if c.hidden and show(c) else c for c in line.cells))
            for line in table.lines
        )
        tables.append(replace(table, lines=lines))
    return replace(report, tables=tuple(tables))


def _served_share(report: rt.RegionalReport) -> rt.Cell:
    summary = report.table("barometer.summary")
    return summary.line(rt.ALL).cells[summary.column("served_share")]


@pytest.mark.parametrize(
    ("outcomes", "why"),
    [
        ({"served": 2, "partly_served": 18}, "hidden count"),  # served "<5" in the breakdown: 10 % × 20 = 2
        ({"served": 6, "partly_served": 2, "refused": 12}, "hidden count"),  # served "×" to protect "partly"
        ({"served": 18, "partly_served": 2}, "hidden count"),  # served "×" to protect "partly"
        ({"served": 16, "partly_served": 2, "refused": 2}, "1 to 4 away', \\('rest'"),  # 80 % of 20: 4 not served
    ],
)
def test_a_share_never_gives_a_hidden_count_away(outcomes: dict[str, int], why: str) -> None:
    figures = {("counter_referrals", "outcome", k): (float(v), None) for k, v in outcomes.items()}
    figures["counter_referrals", "total", "total"] = (float(sum(outcomes.values())), None)
    report = rt.build_report(_one_commune(figures), "fr")
    share = _served_share(report)
    assert share.hidden and share.text("fr") == "×"  # over 20: not "<5", hidden for what it would give away
    assert share.value == pytest.approx(outcomes["served"] / 20)
    breakdown = report.table("breakdown.counter_referrals.outcome")
    assert breakdown.line("").cells[0].text("fr") == "20"
    check_published(report)
    with pytest.raises(AssertionError, match=why):
        check_published(_reveal(report, lambda cell: cell.unit is Unit.RATE))


def test_a_share_over_a_small_numerator_is_hidden_and_the_numerators_add_up() -> None:
    """3 answered of 20 in one commune: its rate is hidden; the other commune's 10 of 20 and the region's
    13 of 40 would give the 3 back (13 − 10), so one of them is hidden too."""
    figures: dict[tuple[str, str, str], tuple[float, int | None]] = {("referrals_sent", "total", "total"): (20.0, None)}
    stats = _one_commune(figures, communes=2)
    cells = dict(stats.cells)
    month = stats.months[0]
    for commune, answered in zip(stats.communes, (3, 10), strict=True):
        cells["counter_referral_rate", "total", "total", commune, month] = (float(answered), 20)
    report = rt.build_report(replace(stats, cells=cells), "fr")
    table = report.table(rt.COMMUNES)
    j = table.column("counter_referral_rate")
    rates = {line.key: line.cells[j] for line in table.lines}
    assert rates[stats.communes[0]].hidden and rates[stats.communes[0]].text("fr") == "×"
    assert sum(cell.hidden for cell in rates.values()) >= 2
    check_published(report)
    with pytest.raises(AssertionError, match="count of 1 to 4"):
        check_published(_reveal(report, lambda cell: cell.unit is Unit.RATE))
    with pytest.raises(AssertionError, match="worked out"):  # all but the small one: 13 − 10
        check_published(_reveal(report, lambda cell: cell.unit is Unit.RATE and cell.value != pytest.approx(3 / 20)))


@pytest.mark.parametrize(
    ("parts", "pinned"),
    [
        ((5, 1, 1), True),  # 7 = 5 + "<5" + "<5": both are 1
        ((4, 4), True),  # 8 = "<5" + "<5": both are 4
        ((6, 2, 3), False),  # 11 = 6 + "<5" + "<5": 2 + 3, 1 + 4, 4 + 1 or 3 + 2; nothing more to hide
    ],
)
def test_hidden_cells_are_not_pinned_down_by_their_symbols(parts: tuple[int, ...], pinned: bool) -> None:
    keys = DIMENSION_VALUES["category"]
    figures: dict[tuple[str, str, str], tuple[float, int | None]] = {
        ("cases_opened", "category", k): (float(v), None) for k, v in zip(keys, parts, strict=False)
    }
    total = sum(parts)
    figures["cases_opened", "total", "total"] = (float(total), None)
    report = rt.build_report(_one_commune(figures), "fr")
    breakdown = report.table("breakdown.cases_opened.category")
    for line in breakdown.lines:
        cell = line.cells[0]
        if cell.hidden:  # "<5" is 1 to 4, "×" 5 or more: never a false figure
            assert cell.text("fr") == ("<5" if suppression.is_small(int(cell.value or 0)) else "×")
    check_published(report)
    hidden_total = report.table(rt.MONTHS).line("cases_opened").cells[0]
    assert hidden_total.hidden is pinned
    assert breakdown.line(keys[0]).cells[0].hidden is (pinned or suppression.is_small(parts[0]))
    if pinned:  # printing the total would pin the parts down: the checker sees it
        with pytest.raises(AssertionError, match="pinned down"):
            check_published(_reveal(report, lambda cell: cell.value == total and cell.unit is Unit.CASES))


def test_pinned_narrows_each_hidden_count_through_its_sums() -> None:
    values = {("t",): 7, ("a",): 5, ("b",): 1, ("c",): 1, ("u",): 8, ("d",): 4, ("e",): 4}
    relations = [(("t",), (("a",), ("b",), ("c",))), (("u",), (("d",), ("e",)))]

    def bound(qid: tuple[str, ...]) -> tuple[int, int | None]:
        return (1, 4) if suppression.is_small(values[qid]) else (5, None)

    assert ledger.pinned(relations, {("b",), ("c",)}, values, bound) == {("b",), ("c",)}  # 7 − 5 = 2 = 1 + 1
    assert ledger.pinned(relations, {("a",), ("b",), ("c",)}, values, bound) == {("a",), ("b",), ("c",)}  # 5 + 1 + 1
    assert ledger.pinned(relations, {("t",), ("a",), ("b",), ("c",)}, values, bound) == set()
    assert ledger.pinned(relations, {("d",), ("e",)}, values, bound) == {("d",), ("e",)}  # 8 = 4 + 4
    assert ledger.pinned(relations, {("u",), ("d",), ("e",)}, values, bound) == set()
    assert ledger.pinned(relations, {("b",), ("c",)}, values, lambda q: (0, None)) == set()  # knowing only ≥ 0


def test_determined_sees_through_combined_sums() -> None:
    """The solver finds a count fixed only by combining two sums (no sum has it alone hidden)."""
    values = {("a",): 7, ("b",): 6, ("c",): 9, ("t",): 22, ("u",): 13}
    relations = [(("t",), (("a",), ("b",), ("c",))), (("u",), (("a",), ("b",)))]
    assert ledger.determined(relations, {("a",), ("b",), ("c",)}, values) == {("c",)}
    assert ledger.determined(relations, {("a",), ("b",)}, values) == set()
