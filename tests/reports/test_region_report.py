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
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
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


def _range_month(code: str, months: tuple[str, ...]) -> str:
    return months[-1] if combine_rule(code) is Combine.LAST_MONTH else "range"


def published(report: rt.RegionalReport) -> tuple[dict[Ident, list[rt.Cell]], list[tuple[Ident, list[Ident]]]]:
    """Every printed count with the identity of what it counts, and the sums the tables print."""
    cells: dict[Ident, list[rt.Cell]] = defaultdict(list)
    sums: list[tuple[Ident, list[Ident]]] = []
    months = report.months

    def fig(code: str, dimension: str, key: str, where: str, month: str) -> Ident:
        return ("fig", code, dimension, key, where, month)

    table = report.table(rt.MONTHS)
    for line in table.lines:
        if line.key == "reported" or not BY_CODE[line.key].is_count:
            continue
        code = line.key
        whole = fig(code, "total", "total", "region", _range_month(code, months))
        for column, cell in zip(table.columns, line.cells, strict=True):
            if not column.text:
                cells[whole if column.key == "range" else fig(code, "total", "total", "region", column.key)].append(
                    cell
                )
        if combine_rule(code) in ADDITIVE:
            sums.append((whole, [fig(code, "total", "total", "region", m) for m in months]))
    table = report.table(rt.COMMUNES)
    for j, column in enumerate(table.columns):
        code = column.key
        if not BY_CODE[code].is_count:
            continue
        month = _range_month(code, months)
        parts = []
        for line in table.lines:
            ident = fig(code, "total", "total", "region" if line.total else line.key, month)
            cells[ident].append(line.cells[j])
            if not line.total:
                parts.append(ident)
        sums.append((fig(code, "total", "total", "region", month), parts))
    for table in report.section(rt.BREAKDOWNS):
        if not BY_CODE[table.code].is_count:
            continue
        month = _range_month(table.code, months)
        whole = fig(table.code, "total", "total", "region", month)
        parts = []
        for line in table.lines:
            ident = whole if line.total else fig(table.code, table.dimension, line.key, "region", month)
            cells[ident].append(line.cells[0])
            if not line.total:
                parts.append(ident)
        if table.dimension not in MULTI_VALUED:
            sums.append((whole, parts))

    def sent(service: str, where: str, month: str) -> Ident:
        """A barometer count: a service's from its domains, "other" and the whole from the indicators."""
        if service == rt.ALL:
            return fig("referrals_sent", "total", "total", where, month)
        if service == rt.OTHER:
            return fig("referrals_sent", "referral_domain", "other", where, month)
        return ("sent", service, where, month)

    rows = (*BAROMETER_SERVICES, rt.OTHER)
    summary = report.table("barometer.summary")
    column = summary.column("sent")
    for line in summary.lines:
        cells[sent(line.key, "region", "range")].append(line.cells[column])
    table = report.table("barometer.sent.communes")
    for line in table.lines:
        where = "region" if line.total else line.key
        for column_, cell in zip(table.columns, line.cells, strict=True):
            cells[sent(column_.key, where, "range")].append(cell)
        sums.append((sent(rt.ALL, where, "range"), [sent(s, where, "range") for s in rows]))
    for s in (*rows, rt.ALL):
        sums.append((sent(s, "region", "range"), [sent(s, c, "range") for c in report.communes]))
    table = report.table("barometer.sent.months")
    for line in table.lines:
        for column_, cell in zip(table.columns, line.cells, strict=True):
            cells[sent(line.key, "region", column_.key)].append(cell)
        sums.append((sent(line.key, "region", "range"), [sent(line.key, "region", m) for m in months]))
    for m in (*months, "range"):
        sums.append((sent(rt.ALL, "region", m), [sent(s, "region", m) for s in rows]))
    # What a reader can tie across tables when the numbers agree: a service's referrals are its domains'.
    value = {ident: found[0].value or 0 for ident, found in cells.items()}
    for s, domains in BAROMETER_SERVICES.items():
        parts = [fig("referrals_sent", "referral_domain", d, "region", "range") for d in domains]
        total = sent(s, "region", "range")
        if all(i in value for i in (total, *parts)) and value[total] == sum(value[i] for i in parts):
            sums.append((total, parts))
    return cells, sums


def check_published(report: rt.RegionalReport) -> None:
    """The publication rules, on every table of ``report``."""
    for table in report.tables:
        for line in table.lines:
            for cell in line.cells:
                if cell.unit is not None and cell.unit not in (Unit.RATE, Unit.DAYS) and not cell.hidden:
                    assert cell.value is None or not suppression.is_small(int(cell.value)), (table.key, line.key)
                if cell.hidden:
                    assert cell.text(report.lang) == "<5"
        _check_lines(report, table)
    cells, sums = published(report)
    value: dict[Ident, int] = {}
    for ident, found in cells.items():
        texts = {cell.text(report.lang) for cell in found}
        assert len(texts) == 1, (ident, texts)  # one count, printed (or hidden) the same everywhere
        value[ident] = int(found[0].value or 0)
    hidden = sorted(i for i, found in cells.items() if found[0].hidden and value[i] != 0)
    assert not _fixed(hidden, sums), "a hidden count can be worked out from the printed sums"
    for table in report.tables:  # rates and medians over 1..4 are hidden (their base is checked below)
        for line in table.lines:
            for cell in line.cells:
                if cell.unit in (Unit.RATE, Unit.DAYS) and cell.hidden:
                    assert cell.value is not None


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


def _fixed(hidden: list[Ident], sums: list[tuple[Ident, list[Ident]]]) -> list[Ident]:
    """The hidden counts the sums fix exactly (independent of the report's own solver)."""
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
    matrix = numpy.array(rows)
    rank = numpy.linalg.matrix_rank(matrix)
    fixed = []
    for ident, i in index.items():
        unit = numpy.zeros(len(hidden))
        unit[i] = 1
        if numpy.linalg.matrix_rank(numpy.vstack([matrix, unit])) == rank:
            fixed.append(ident)
    return fixed


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
        "Définitions", "personnes-mois", "Agadir", "Amskroud",
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
    """A row of the PDF shows exactly the table's texts: "<5" where a count is hidden, never the count."""
    item = written["fr"]
    lines = _layout(item.pdf)
    tables = (item.report.table(rt.MONTHS), item.report.table("barometer.sent.communes"))
    hidden_rows = [line for table in tables for line in table.lines if any(c.hidden for c in line.cells)]
    assert hidden_rows
    for line in hidden_rows:
        expected = [c.text("fr") for c in line.cells]
        assert "<5" in expected
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
                        assert got == "<5"
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


def random_statistics(seed: int, communes: int, months: int, scale: int) -> RegionalStatistics:
    """A region whose figures add up as extracts do (breakdowns to totals, services to their domains)."""
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
                if indicator.is_count:
                    total = rng.choice((0, rng.randint(0, scale), rng.randint(0, 4)))
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
                elif indicator.unit is Unit.RATE:
                    base = rng.randint(0, scale)
                    cells[code, "total", "total", c, m] = (float(rng.randint(0, base)), base)
                    for dimension in indicator.breakdowns:
                        keys = DIMENSION_VALUES[dimension] or ("5f1d2c9e-0b7a-4e61-9a53-2f8c4d7e1b20", "none")
                        for key, part in zip(keys, _partition(rng, base, len(keys)), strict=True):
                            if part:
                                cells[code, dimension, key, c, m] = (float(rng.randint(0, part)), part)
            for domain in DIMENSION_VALUES["referral_domain"]:
                if rng.random() < 0.4:
                    delays[c, m, domain] = {rng.randint(0, 20): rng.randint(1, 3) for _ in range(rng.randint(1, 3))}
            for service, domains in BAROMETER_SERVICES.items():
                sent = sum(
                    int((cells.get(("referrals_sent", "referral_domain", d, c, m)) or (0, None))[0] or 0)
                    for d in domains
                )
                answered = rng.randint(0, sent)
                counters = rng.randint(0, scale)
                histogram: dict[int, int] = {}
                for d in domains:
                    for days, n in delays.get((c, m, d), {}).items():
                        histogram[days] = histogram.get(days, 0) + n
                access[service, c, m] = Access(sent, answered, counters, rng.randint(0, counters), 0, histogram)
    return RegionalStatistics(
        REGION, month_keys, codes, {m: frozenset(v) for m, v in reported.items()}, cells, delays, access,
        datetime(2026, 5, 2, 9, 0, tzinfo=UTC),
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


def test_determined_sees_through_combined_sums() -> None:
    """The solver finds a count fixed only by combining two sums (no sum has it alone hidden)."""
    values = {("a",): 7, ("b",): 6, ("c",): 9, ("t",): 22, ("u",): 13}
    relations = [(("t",), (("a",), ("b",), ("c",))), (("u",), (("a",), ("b",)))]
    assert rt.determined(relations, {("a",), ("b",), ("c",)}, values) == {("c",)}
    assert rt.determined(relations, {("a",), ("b",)}, values) == set()
