"""The monthly statistics as a workbook (XLSX), for the commune and the partners.

Same numbers as the screen and the PDF: every table comes from
:mod:`desktop.reports.stats_tables`, with small cells already hidden when the
figures leave the office. Cells hold real numbers (counts as integers, rates as
fractions shown as percentages, medians in days); a hidden cell holds the text
"<5", a figure with nothing to compute it over is left empty. No formula anywhere:
texts are stored as texts even when they start with "=".

Sheets: "Indicateurs" (what the file is, then every indicator's total with the
period before and the same period a year earlier, and the changes), one sheet per
breakdown of each indicator, and "Définitions" (the contract of each number). In
Arabic every sheet reads right to left.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.db.files import atomic_write_bytes
from desktop.domain import suppression
from desktop.domain.indicators import BY_CODE, INDICATORS, MULTI_VALUED, Audience, Indicator, Unit, change
from desktop.domain.periods import Period
from desktop.domain.referrals import office_wall_clock
from desktop.i18n import tr_in
from desktop.reports import stats_tables as st
from desktop.services.statistics import Snapshot, Statistics

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what XML 1.0 cannot carry

FORMAT_COUNT = "#,##0"
FORMAT_RATE = "0%"
FORMAT_DAYS = "0.0"
FORMAT_CHANGE_COUNT = "+0%;-0%;0%"
FORMAT_CHANGE_DAYS = "+0.0;-0.0;0.0"
LRM = "\u200e"
VALUE_WIDTH = 24.0

Value = int | float | str | datetime | None


def render_statistics_xlsx(stats: Statistics, lang: str, out: Path) -> None:
    """Writes the report to ``out`` atomically: the old file or the whole new one, never half."""
    book = build_workbook(stats, lang)
    save_atomically(book, Path(out))


def build_workbook(stats: Statistics, lang: str) -> Workbook:
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    assert summary is not None
    used: set[str] = set()
    summary.title = unique_sheet_name(tr_in(lang, "stats_xlsx.sheet.summary"), used)
    _summary_sheet(summary, stats, lang)
    for table in st.all_tables(stats, lang):
        sheet = book.create_sheet(unique_sheet_name(sheet_name(table.indicator.code, table.dimension, lang), used))
        _table_sheet(sheet, stats, table, lang)
    titles, months = st.trend_table(stats, lang)
    if months:
        trend_sheet = book.create_sheet(unique_sheet_name(tr_in(lang, "stats_xlsx.sheet.trend"), used))
        _trend_sheet(trend_sheet, stats, titles, months, lang)
    _definitions_sheet(book.create_sheet(unique_sheet_name(tr_in(lang, "stats_xlsx.sheet.definitions"), used)), lang)
    if lang == "ar":
        for sheet in book.worksheets:
            sheet.sheet_view.rightToLeft = True
    return book


# -- sheet names -------------------------------------------------------------------------
def sheet_name(code: str, dimension: str, lang: str) -> str:
    """Sheet name such as "Personnes - Sexe": the short names of the indicator and the breakdown (≤ 31 characters)."""
    return clean_sheet_name(
        f"{tr_in(lang, f'stats_xlsx.short.{code}')} - {tr_in(lang, f'stats_xlsx.short_dim.{dimension}')}"
    )


def clean_sheet_name(name: str) -> str:
    """What Excel accepts: no []:*?/\\, no apostrophe at either end, 1 to 31 characters."""
    name = _SHEET_FORBIDDEN.sub(" ", _ILLEGAL.sub("", name))
    name = " ".join(name.split())[:SHEET_NAME_MAX].strip().strip("'").strip()
    return name or "Sheet"


def unique_sheet_name(name: str, used: set[str]) -> str:
    """Excel compares sheet names without case."""
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        suffix = f" ({n})"
        candidate = name[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
    used.add(candidate.casefold())
    return candidate


# -- cells -------------------------------------------------------------------------------
def put_value(sheet: Worksheet, row: int, column: int, value: Value, number_format: str | None = None) -> None:
    cell = sheet.cell(row, column)
    if isinstance(value, str):
        cell.value = _ILLEGAL.sub("", value)
        cell.data_type = "s"  # a text starting with "=" stays a text, never a formula
    else:
        cell.value = value
        if number_format is not None and value is not None:
            cell.number_format = number_format


def _number_format(unit: Unit) -> str:
    if unit is Unit.RATE:
        return FORMAT_RATE
    if unit is Unit.DAYS:
        return FORMAT_DAYS
    return FORMAT_COUNT


def _cell_value(cell: st.Cell, unit: Unit) -> Value:
    """The number as stored: "<5" when hidden, empty when there is nothing to show."""
    if cell.hidden:
        return suppression.SMALL_LABEL
    if cell.value is None:
        return None
    if unit in (Unit.RATE, Unit.DAYS):
        return float(cell.value)
    return int(cell.value)


def _put_figure(sheet: Worksheet, row: int, column: int, cell: st.Cell, unit: Unit) -> None:
    put_value(sheet, row, column, _cell_value(cell, unit), _number_format(unit))
    if cell.hidden:  # "<5" lines up with the numbers, whatever the sheet's direction
        from openpyxl.styles import Alignment

        sheet.cell(row, column).alignment = Alignment(horizontal="right")


def _change(current: st.Cell, before: st.Cell, unit: Unit, lang: str) -> tuple[float | None, str]:
    """As :func:`stats_tables.format_change`, in numbers: relative for counts, points for rates, days."""
    if current.hidden or before.hidden or current.value is None or before.value is None:
        return None, ""
    if unit is Unit.RATE:
        points = tr_in(lang, "stats_xlsx.points").replace('"', "")
        return round((current.value - before.value) * 100, 1), f'+0" {points}";-0" {points}";0" {points}"'
    if unit is Unit.DAYS:
        return round(current.value - before.value, 1), FORMAT_CHANGE_DAYS
    return change(current.value, before.value), FORMAT_CHANGE_COUNT


# -- layout helpers ----------------------------------------------------------------------
def write_header(sheet: Worksheet, row: int, titles: Sequence[str], widths: Sequence[float]) -> None:
    """The column titles (bold, wrapped, frozen above the data) and the column widths."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE4EE")
    wrap = Alignment(wrap_text=True, vertical="top")
    lines = 1
    for column, (title, width) in enumerate(zip(titles, widths, strict=True), 1):
        put_value(sheet, row, column, title)
        cell = sheet.cell(row, column)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        sheet.column_dimensions[get_column_letter(column)].width = width
        lines = max(lines, line_count(title, width))
    sheet.row_dimensions[row].height = 15 * min(lines, 4)
    sheet.freeze_panes = sheet.cell(row + 1, 1).coordinate


def bold_row(sheet: Worksheet, row: int, columns: int) -> None:
    from openpyxl.styles import Font

    bold = Font(bold=True)
    for column in range(1, columns + 1):
        sheet.cell(row, column).font = bold


def text_width(texts: Sequence[str], least: float, most: float) -> float:
    longest = max((len(t) for t in texts), default=0)
    return float(min(most, max(least, longest + 2)))


def _snapshots(stats: Statistics) -> list[Snapshot]:
    return [snap for snap in (stats.current, stats.previous, stats.last_year) if snap is not None]


def _value_titles(stats: Statistics, lang: str) -> list[str]:
    """Column titles such as "Période (2026-10)", "Période précédente (2026-09)"."""
    titles = st.column_titles(stats, lang)
    return [f"{title} ({_key(snap.period, lang)})" for title, snap in zip(titles, _snapshots(stats), strict=True)]


def _key(period: Period, lang: str) -> str:
    """The period code "2026-10"; in Arabic after a left-to-right mark, or the bidi algorithm shows "10-2026"."""
    return f"{LRM}{period.key()}{LRM}" if lang == "ar" else period.key()


def _unit_name(unit: Unit, lang: str) -> str:
    return tr_in(lang, f"stats.unit.{unit.value}")


# -- the sheets --------------------------------------------------------------------------
def _cover(sheet: Worksheet, stats: Statistics, lang: str) -> tuple[int, list[str]]:
    """The block that says what the file is; returns the next free row and the labels written."""
    from openpyxl.styles import Font

    office = stats.office
    lines: list[tuple[str, Value, str | None]] = [
        (tr_in(lang, "stats_xlsx.cover.office"), office.name, None),
        (tr_in(lang, "stats_xlsx.cover.commune_code"), office.commune_code, None),
    ]
    commune = _commune_name(office.commune_code, lang)
    if commune:
        lines.append((tr_in(lang, "stats_xlsx.cover.commune"), commune, None))
    lines += [
        (tr_in(lang, "stats_xlsx.cover.period"), f"{st.period_label(stats, lang)} ({_key(stats.period, lang)})", None),
        (tr_in(lang, "stats_xlsx.cover.audience"), tr_in(lang, f"stats.audience.{stats.audience.value}"), None),
        (tr_in(lang, "stats_xlsx.cover.generated_at"), f"{office_wall_clock(stats.generated_at):%d/%m/%Y %H:%M}", None),
    ]
    put_value(sheet, 1, 1, tr_in(lang, "stats_xlsx.title"))
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    row = 2
    for label, value, number_format in lines:
        put_value(sheet, row, 1, label)
        sheet.cell(row, 1).font = Font(bold=True)
        put_value(sheet, row, 2, value, number_format)
        row += 1
    notes = []
    if office.is_demo:
        notes.append(tr_in(lang, "stats_xlsx.cover.demo"))
    if stats.audience is Audience.OUTSIDE:
        notes.append(tr_in(lang, "stats_xlsx.cover.small_cells"))
    notes.append(tr_in(lang, "stats_xlsx.change_note"))
    for note in notes:
        put_value(sheet, row, 1, note)
        row += 1
    return row + 1, [label for label, _, _ in lines]


def _commune_name(code: str, lang: str) -> str:
    from desktop.domain.geography import geography

    try:
        commune = geography().commune(code)
    except KeyError:
        return ""
    return (commune.name_ar or commune.name_fr) if lang == "ar" else commune.name_fr


def _summary_sheet(sheet: Worksheet, stats: Statistics, lang: str) -> None:
    row, cover_labels = _cover(sheet, stats, lang)
    totals = st.all_totals(stats, lang)
    comparisons = [snap for snap in (stats.previous, stats.last_year) if snap is not None]
    titles = [
        tr_in(lang, "stats_xlsx.column.code"),
        tr_in(lang, "stats_xlsx.column.indicator"),
        tr_in(lang, "stats_xlsx.column.unit"),
        *_value_titles(stats, lang),
    ]
    if stats.previous is not None:
        titles.append(tr_in(lang, "stats_xlsx.column.change_previous"))
    if stats.last_year is not None:
        titles.append(tr_in(lang, "stats_xlsx.column.change_last_year"))
    widths = [
        text_width([*cover_labels, *(line.key for line in totals)], 12, 30),
        text_width([line.label for line in totals], 30, 48),
        14.0,
        *([VALUE_WIDTH] * (len(titles) - 3)),
    ]
    write_header(sheet, row, titles, widths)
    first_change = 4 + len(comparisons) + 1
    for line in totals:
        row += 1
        unit = BY_CODE[line.key].unit
        put_value(sheet, row, 1, line.key)
        put_value(sheet, row, 2, line.label)
        put_value(sheet, row, 3, _unit_name(unit, lang))
        for i, cell in enumerate(line.cells):
            _put_figure(sheet, row, 4 + i, cell, unit)
        for i in range(len(comparisons)):
            value, number_format = _change(line.cells[0], line.cells[1 + i], unit, lang)
            put_value(sheet, row, first_change + i, value, number_format)


def _table_sheet(sheet: Worksheet, stats: Statistics, table: st.Table, lang: str) -> None:
    from openpyxl.styles import Font

    unit = table.indicator.unit
    put_value(sheet, 1, 1, f"{table.title} ({_unit_name(unit, lang)})")
    sheet.cell(1, 1).font = Font(bold=True, size=12)
    put_value(sheet, 2, 1, f"{st.period_label(stats, lang)} — {tr_in(lang, f'stats.audience.{stats.audience.value}')}")
    titles = [
        tr_in(lang, "stats_xlsx.column.code"),
        st.dimension_name(table.dimension, lang),
        *_value_titles(stats, lang),
    ]
    lines = list(table.rows) + ([table.total] if table.total is not None else [])
    widths = [
        text_width([line.key for line in lines], 8, 16),
        text_width([line.label for line in lines], 24, 60),
        *([VALUE_WIDTH] * (len(titles) - 2)),
    ]
    write_header(sheet, 3, titles, widths)
    row = 3
    for line in lines:
        row += 1
        put_value(sheet, row, 1, line.key or None)
        put_value(sheet, row, 2, line.label)
        for i, cell in enumerate(line.cells):
            _put_figure(sheet, row, 3 + i, cell, unit)
    if table.total is not None:
        bold_row(sheet, row, len(titles))
    if table.dimension in MULTI_VALUED:
        put_value(sheet, row + 2, 1, tr_in(lang, "stats_xlsx.note_multi"))


def _trend_sheet(
    sheet: Worksheet, stats: Statistics, titles: Sequence[str], months: Sequence[st.Row], lang: str
) -> None:
    """The 12 months ending with the period, month by month (counts)."""
    from openpyxl.styles import Font

    put_value(sheet, 1, 1, tr_in(lang, "stats_xlsx.sheet.trend"))
    sheet.cell(1, 1).font = Font(bold=True, size=12)
    put_value(sheet, 2, 1, f"{st.period_label(stats, lang)} — {tr_in(lang, f'stats.audience.{stats.audience.value}')}")
    header = [tr_in(lang, "stats_xlsx.column.code"), tr_in(lang, "stats_xlsx.column.month"), *titles]
    write_header(sheet, 3, header, [10, 18, *([VALUE_WIDTH] * len(titles))])
    for row, month in enumerate(months, 4):
        put_value(sheet, row, 1, month.key)
        put_value(sheet, row, 2, month.label)
        for column, cell in enumerate(month.cells, 3):
            _put_figure(sheet, row, column, cell, Unit.PERSONS)


def _definitions_sheet(sheet: Worksheet, lang: str) -> None:
    from openpyxl.styles import Alignment

    titles = [
        tr_in(lang, "stats_xlsx.column.code"),
        tr_in(lang, "stats_xlsx.column.indicator"),
        tr_in(lang, "stats_xlsx.column.unit"),
        tr_in(lang, "stats_xlsx.column.breakdowns"),
        tr_in(lang, "stats_xlsx.column.definition"),
    ]
    widths = [24.0, 34.0, 14.0, 34.0, 90.0]
    write_header(sheet, 1, titles, widths)
    top = Alignment(wrap_text=True, vertical="top")
    for row, indicator in enumerate(INDICATORS, 2):
        values = _definition_line(indicator, lang)
        lines = 1
        for column, (value, width) in enumerate(zip(values, widths, strict=True), 1):
            put_value(sheet, row, column, value)
            sheet.cell(row, column).alignment = top
            lines = max(lines, line_count(value, width))
        sheet.row_dimensions[row].height = 15 * lines


def line_count(text: str, width: float) -> int:
    """About how many lines ``text`` wraps to in a column ``width`` characters wide."""
    return max(1, math.ceil(len(text) * 1.1 / max(width - 1, 1)))


def _definition_line(indicator: Indicator, lang: str) -> list[str]:
    return [
        indicator.code,
        st.indicator_name(indicator.code, lang),
        _unit_name(indicator.unit, lang),
        ", ".join(st.dimension_name(dimension, lang) for dimension in indicator.breakdowns),
        indicator.define(lang),
    ]


# -- writing -----------------------------------------------------------------------------
def save_atomically(book: Workbook, out: Path) -> None:
    """A reader sees the old file or the whole new one (temporary file, fsync, rename)."""
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if data[:2] != b"PK":
        raise OSError(f"not a workbook: {out.name}")
    atomic_write_bytes(out, data)
