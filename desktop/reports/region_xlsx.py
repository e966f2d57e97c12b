"""The regional report as a workbook (XLSX): one sheet per table of the PDF.

Same tables as the PDF (:mod:`desktop.reports.region_tables`), whole (not cut in groups of
columns): real numbers (counts as integers, rates as fractions shown as percentages,
medians in days), a hidden cell holds the text "<5" (or "×" when hidden to protect another
cell, see the table's notes), nothing reported leaves the cell empty.
No formula anywhere. Headers frozen; in Arabic every sheet reads right to left. Written
atomically, as the office's statistics workbook (whose helpers this module uses).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.domain.indicators import INDICATORS, Unit
from desktop.domain.referrals import office_wall_clock
from desktop.domain.regional import BAROMETER_SERVICES, Combine, combine_rule
from desktop.i18n import tr_in
from desktop.reports import region_tables as rt
from desktop.reports import stats_tables as st
from desktop.reports.pdf_common import labels
from desktop.reports.region_ledger import Cell
from desktop.reports.stats_xlsx import (
    FORMAT_COUNT,
    FORMAT_DAYS,
    FORMAT_RATE,
    LRM,
    VALUE_WIDTH,
    Value,
    bold_row,
    clean_sheet_name,
    line_count,
    put_value,
    save_atomically,
    sheet_name,
    text_width,
    unique_sheet_name,
    write_header,
)

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.worksheet.worksheet import Worksheet

_MONTH = re.compile(r"\d{4}-\d{2}")


def render_regional_xlsx(report: rt.RegionalReport, out: Path) -> None:
    """Writes the workbook to ``out`` atomically: the old file or the whole new one, never half."""
    save_atomically(build_workbook(report), Path(out))


def build_workbook(report: rt.RegionalReport) -> Workbook:
    from openpyxl import Workbook

    lang = report.lang
    book = Workbook()
    cover = book.active
    assert cover is not None
    used: set[str] = set()
    cover.title = unique_sheet_name(clean_sheet_name(tr_in(lang, "region_report.sheet.cover")), used)
    names = []
    for table in report.tables:
        name = table.sheet or sheet_name(table.code, table.dimension, lang)
        sheet = book.create_sheet(unique_sheet_name(clean_sheet_name(name), used))
        names.append((sheet.title, table.title))
        _table_sheet(sheet, report, table)
    definitions = book.create_sheet(
        unique_sheet_name(clean_sheet_name(tr_in(lang, "region_report.sheet.definitions")), used)
    )
    _definitions_sheet(definitions, lang)
    names.append((definitions.title, tr_in(lang, "region_report.annex")))
    _cover_sheet(cover, report, names)
    if lang == "ar":
        for sheet in book.worksheets:
            sheet.sheet_view.rightToLeft = True
    return book


def _code(text: str, lang: str) -> str:
    """A month code such as "2026-10": in Arabic between left-to-right marks, or it shows "10-2026"."""
    return f"{LRM}{text}{LRM}" if lang == "ar" else text


def _cover_sheet(sheet: Worksheet, report: rt.RegionalReport, names: list[tuple[str, str]]) -> None:
    from openpyxl.styles import Alignment, Font

    lang = report.lang
    months = report.months[0] if len(report.months) == 1 else f"{report.months[0]} – {report.months[-1]}"
    lines: list[tuple[str, Value]] = [
        (tr_in(lang, "region_report.xlsx.secretariat"), report.secretariat or None),
        (tr_in(lang, "region_report.cover.region"), report.region_name),
        (tr_in(lang, "region_report.xlsx.region_code"), report.region_code),
        (tr_in(lang, "region_report.cover.months"), f"{report.range_label} ({_code(months, lang)})"),
        (tr_in(lang, "region_report.cover.communes"), len(report.communes)),
        (tr_in(lang, "region_report.xlsx.generated_at"), f"{office_wall_clock(report.generated_at):%d/%m/%Y %H:%M}"),
        (tr_in(lang, "region_report.cover.publication"), tr_in(lang, "region_report.cover.publication_value")),
    ]
    put_value(sheet, 1, 1, tr_in(lang, "region_report.title"))
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    row = 2
    for label, value in lines:
        put_value(sheet, row, 1, label)
        sheet.cell(row, 1).font = Font(bold=True)
        put_value(sheet, row, 2, value)
        sheet.cell(row, 2).alignment = Alignment(horizontal="right" if lang == "ar" else "left")
        row += 1
    row += 1
    put_value(sheet, row, 1, tr_in(lang, "region_report.publication_title"))
    sheet.cell(row, 1).font = Font(bold=True)
    put_value(sheet, row + 1, 1, tr_in(lang, "region_report.publication"))
    sheet.cell(row + 1, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=2)
    sheet.row_dimensions[row + 1].height = 15 * line_count(tr_in(lang, "region_report.publication"), 110)
    row += 3
    put_value(sheet, row, 1, tr_in(lang, "region_report.xlsx.contents"))
    sheet.cell(row, 1).font = Font(bold=True)
    for name, title in names:
        row += 1
        put_value(sheet, row, 1, name)
        put_value(sheet, row, 2, title)
    sheet.column_dimensions["A"].width = text_width([label for label, _ in lines] + [n for n, _ in names], 18, 34)
    sheet.column_dimensions["B"].width = 80


def _format(unit: Unit) -> str:
    if unit is Unit.RATE:
        return FORMAT_RATE
    if unit is Unit.DAYS:
        return FORMAT_DAYS
    return FORMAT_COUNT


def cell_value(cell: Cell) -> Value:
    """What the sheet holds: "<5" or "×" when hidden, a text, a number, or nothing."""
    if cell.hidden:
        return cell.mark()
    if cell.unit is None:
        return cell.label or None
    if cell.value is None:
        return None
    if cell.unit in (Unit.RATE, Unit.DAYS):
        return float(cell.value)
    return int(cell.value)


def _table_sheet(sheet: Worksheet, report: rt.RegionalReport, table: rt.Table) -> None:
    from openpyxl.styles import Alignment, Font

    lang = report.lang
    put_value(sheet, 1, 1, table.title)
    sheet.cell(1, 1).font = Font(bold=True, size=12)
    put_value(sheet, 2, 1, f"{report.region_name} — {report.range_label}")
    titles = [tr_in(lang, "stats_xlsx.column.code"), table.corner]
    for column in table.columns:
        title = column.title
        if _MONTH.fullmatch(column.key) and table.section != rt.COMPLETENESS:
            title = f"{title} ({_code(column.key, lang)})"
        titles.append(title)
    widths = [
        text_width([line.key for line in table.lines], 8, 16),
        text_width([line.label for line in table.lines], 22, 50),
        *(16.0 if table.section == rt.COMPLETENESS else VALUE_WIDTH for _ in table.columns),
    ]
    write_header(sheet, 3, titles, widths)
    sheet.freeze_panes = "C4"  # the titles and the labels stay in view
    right = Alignment(horizontal="right")
    centre = Alignment(horizontal="center")
    row = 3
    for line in table.lines:
        row += 1
        put_value(sheet, row, 1, line.key or None)
        put_value(sheet, row, 2, line.label)
        for at, cell in enumerate(line.cells, 3):
            put_value(sheet, row, at, cell_value(cell), _format(cell.unit) if cell.unit is not None else None)
            if cell.hidden:
                sheet.cell(row, at).alignment = right  # "<5" and "×" line up with the numbers
            elif cell.unit is None:
                sheet.cell(row, at).alignment = centre
        if line.total:
            bold_row(sheet, row, len(titles))
    for note in table.notes:
        row += 1
        put_value(sheet, row + 1, 1, note)


def _definitions_sheet(sheet: Worksheet, lang: str) -> None:
    from openpyxl.styles import Alignment, Font

    titles = [
        tr_in(lang, "stats_xlsx.column.code"),
        tr_in(lang, "stats_xlsx.column.indicator"),
        tr_in(lang, "stats_xlsx.column.unit"),
        tr_in(lang, "region_report.xlsx.rule"),
        tr_in(lang, "stats_xlsx.column.definition"),
    ]
    widths = [24.0, 34.0, 14.0, 70.0, 90.0]
    write_header(sheet, 1, titles, widths)
    top = Alignment(wrap_text=True, vertical="top")
    row = 1
    for indicator in INDICATORS:
        row += 1
        rule = combine_rule(indicator.code)
        values = [
            indicator.code,
            st.indicator_name(indicator.code, lang),
            tr_in(lang, f"stats.unit.{indicator.unit.value}"),
            tr_in(lang, f"region_report.rule_long.{rule.value}"),
            indicator.define(lang),
        ]
        _block(sheet, row, values, widths, top)
    row += 2
    put_value(sheet, row, 1, tr_in(lang, "region_report.annex_rules"))
    sheet.cell(row, 1).font = Font(bold=True)
    for rule in Combine:
        row += 1
        _block(
            sheet,
            row,
            [rule.value, rt.rule_name(rule, lang), "", tr_in(lang, f"region_report.rule_long.{rule.value}")],
            widths,
            top,
        )
    row += 2
    put_value(sheet, row, 1, tr_in(lang, "region_report.annex_barometer"))
    sheet.cell(row, 1).font = Font(bold=True)
    for service, domains in BAROMETER_SERVICES.items():
        row += 1
        _block(
            sheet,
            row,
            [service, rt.service_name(service, lang), "", labels("service_domain", domains, lang)],
            widths,
            top,
        )
    for measure in rt.MEASURES:
        row += 1
        values = [
            measure,
            tr_in(lang, f"region_report.measure.{measure}"),
            "",
            tr_in(lang, f"region_report.measure_text.{measure}"),
        ]
        _block(sheet, row, values, widths, top)
    row += 2
    put_value(sheet, row, 1, tr_in(lang, "region_report.annex_suppression"))
    sheet.cell(row, 1).font = Font(bold=True)
    _block(sheet, row + 1, ["", "", "", tr_in(lang, "region_report.suppression_text")], widths, top)


def _block(sheet: Worksheet, row: int, values: list[str], widths: list[float], top: Alignment) -> None:
    lines = 1
    for column, (value, width) in enumerate(zip(values, widths, strict=False), 1):
        put_value(sheet, row, column, value or None)
        sheet.cell(row, column).alignment = top
        lines = max(lines, line_count(value, width))
    sheet.row_dimensions[row].height = 15 * min(lines, 12)
