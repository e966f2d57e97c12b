"""Statistics as labelled tables, the same for the screen, the PDF, the XLSX and the CLI.

Each table is one breakdown of one indicator: a row per value, with the period, the
period before and the same period a year earlier. For what leaves the office
(``Audience.OUTSIDE``), counts 1–4 are hidden ("<5") with secondary suppression, and
rates and medians over 1–4 units are hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.domain import suppression
from desktop.domain.indicators import (
    BY_CODE,
    DIMENSION_VALUES,
    INDICATORS,
    KEY_FIGURES,
    LABEL_PREFIX,
    MULTI_VALUED,
    TREND_FIGURES,
    Audience,
    Figure,
    Indicator,
    Unit,
)
from desktop.i18n import tr_in
from desktop.services.statistics import Snapshot, Statistics

COLUMNS: tuple[str, ...] = ("current", "previous", "last_year")


@dataclass(frozen=True)
class Cell:
    """One number: its value (None: nothing to compute), hidden or not."""

    value: float | None
    hidden: bool = False

    def text(self, unit: Unit, lang: str) -> str:
        """As printed: "<5", "—", "12", "45 %", "3,5"."""
        if self.hidden:
            return suppression.SMALL_LABEL
        return format_value(self.value, unit, lang)

    def number(self) -> float | None:
        """For spreadsheets and JSON: None when hidden or absent."""
        return None if self.hidden else self.value


@dataclass(frozen=True)
class Row:
    key: str  # the breakdown value ("" for the total)
    label: str
    cells: tuple[Cell, ...]  # in the order of COLUMNS (missing comparisons: absent)


@dataclass(frozen=True)
class Table:
    indicator: Indicator
    dimension: str  # "" for the key figures table
    title: str
    rows: tuple[Row, ...]
    total: Row | None  # None when the breakdown does not add up (multi-valued) or for rates


def format_value(value: float | None, unit: Unit, lang: str) -> str:
    if value is None:
        return "—"
    if unit is Unit.RATE:
        return f"{round(value * 100)} %"
    if unit is Unit.DAYS:
        text = f"{value:.1f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if lang == "fr" else text
    return str(int(value))


def format_change(current: float | None, before: float | None, unit: Unit) -> str:
    """Change as printed: "+12 %" for counts, "+5 pts" for rates, "+1.5" days; "" when not comparable."""
    if current is None or before is None:
        return ""
    if unit is Unit.RATE:
        points = round((current - before) * 100)
        return f"{points:+d} pts"
    if unit is Unit.DAYS:
        return f"{current - before:+.1f}"
    if before == 0:
        return ""
    return f"{round((current - before) / before * 100):+d} %"


def value_label(dimension: str, key: str, lang: str, snapshot: Snapshot | None = None) -> str:
    if dimension == "provider":
        names = snapshot.provider_names.get(key) if snapshot else None
        if names is None:
            return key
        return (names[1] or names[0]) if lang == "ar" else names[0]
    prefix = LABEL_PREFIX.get(dimension, dimension)
    text = tr_in(lang, f"{prefix}.{key}")
    return key if text == f"{prefix}.{key}" else text


def indicator_name(code: str, lang: str) -> str:
    return tr_in(lang, f"stats.indicator.{code}")


def dimension_name(dimension: str, lang: str) -> str:
    return tr_in(lang, f"stats.dimension.{dimension}")


def _snapshots(stats: Statistics) -> list[Snapshot | None]:
    return [stats.current, stats.previous, stats.last_year]


def _keys(indicator: Indicator, dimension: str, snapshots: list[Snapshot | None]) -> list[str]:
    """The code list's order, then values met in the data but not in the list (old codes)."""
    known = list(DIMENSION_VALUES.get(dimension, ()))
    seen: set[str] = set()
    for snap in snapshots:
        if snap is not None:
            seen.update(snap.figures[indicator.code].breakdowns.get(dimension, {}))
    if dimension == "provider":
        current = snapshots[0]
        assert current is not None
        cells = current.figures[indicator.code].bases.get("provider", {})
        return sorted(seen, key=lambda k: (-cells.get(k, 0), value_label("provider", k, "fr", current)))
    return known + sorted(seen - set(known))


def _count_cells(figure: Figure, dimension: str, keys: list[str], suppress: bool) -> tuple[dict[str, Cell], Cell]:
    values = {key: int(figure.breakdowns.get(dimension, {}).get(key) or 0) for key in keys}
    total = int(figure.value or 0)
    hidden: set[str] = set()
    if suppress:
        hidden = suppression.suppress_line(values, total, partition=dimension not in MULTI_VALUED)
    total_cell = Cell(total, suppress and suppression.hide_total(total))
    return {key: Cell(values[key], key in hidden) for key in keys}, total_cell


def _ratio_cells(figure: Figure, dimension: str, keys: list[str], suppress: bool) -> tuple[dict[str, Cell], Cell]:
    cells = {}
    for key in keys:
        value = figure.breakdowns.get(dimension, {}).get(key)
        base = figure.bases.get(dimension, {}).get(key, 0)
        cells[key] = Cell(value, suppress and suppression.rate_hidden(base))
    total = Cell(figure.value, suppress and suppression.rate_hidden(figure.base or 0))
    return cells, total


def _cells(figure: Figure, dimension: str, keys: list[str], suppress: bool) -> tuple[dict[str, Cell], Cell]:
    if BY_CODE[figure.code].is_count:
        return _count_cells(figure, dimension, keys, suppress)
    return _ratio_cells(figure, dimension, keys, suppress)


def breakdown_table(stats: Statistics, code: str, dimension: str, lang: str) -> Table:
    indicator = BY_CODE[code]
    suppress = stats.audience is Audience.OUTSIDE
    snapshots = _snapshots(stats)
    keys = _keys(indicator, dimension, snapshots)
    columns: list[tuple[dict[str, Cell], Cell] | None] = [
        _cells(snap.figures[code], dimension, keys, suppress) if snap is not None else None for snap in snapshots
    ]
    rows = []
    for key in keys:
        cells = tuple(column[0][key] for column in columns if column is not None)
        rows.append(Row(key, value_label(dimension, key, lang, stats.current), cells))
    total = None
    if indicator.is_count and dimension not in MULTI_VALUED:
        total = Row("", tr_in(lang, "stats.total"), tuple(column[1] for column in columns if column is not None))
    elif not indicator.is_count:
        total = Row("", tr_in(lang, "stats.overall"), tuple(column[1] for column in columns if column is not None))
    title = f"{indicator_name(code, lang)} — {dimension_name(dimension, lang)}"
    return Table(indicator, dimension, title, tuple(rows), total)


def key_figures(stats: Statistics, lang: str) -> tuple[Row, ...]:
    """The key figures: one row per indicator of KEY_FIGURES, total cells only."""
    return _total_rows(stats, lang, KEY_FIGURES)


def all_totals(stats: Statistics, lang: str) -> tuple[Row, ...]:
    """Every indicator's total (the "Indicateurs" sheet and the CLI's summary)."""
    return _total_rows(stats, lang, tuple(indicator.code for indicator in INDICATORS))


def _total_rows(stats: Statistics, lang: str, codes: tuple[str, ...]) -> tuple[Row, ...]:
    suppress = stats.audience is Audience.OUTSIDE
    rows = []
    for code in codes:
        indicator = BY_CODE[code]
        cells = []
        for snap in _snapshots(stats):
            if snap is None:
                continue
            figure = snap.figures[code]
            if indicator.is_count:
                cells.append(Cell(figure.value, suppress and suppression.hide_total(int(figure.value or 0))))
            else:
                cells.append(Cell(figure.value, suppress and suppression.rate_hidden(figure.base or 0)))
        rows.append(Row(code, indicator_name(code, lang), tuple(cells)))
    return tuple(rows)


def all_tables(stats: Statistics, lang: str) -> tuple[Table, ...]:
    """Every breakdown of every indicator, in the catalogue's order."""
    return tuple(
        breakdown_table(stats, indicator.code, dimension, lang)
        for indicator in INDICATORS
        for dimension in indicator.breakdowns
    )


def column_titles(stats: Statistics, lang: str) -> tuple[str, ...]:
    """Headers of the value columns: "Période", "Période précédente", "Même période N-1"."""
    titles = [tr_in(lang, "stats.column.current")]
    if stats.previous is not None:
        titles.append(tr_in(lang, "stats.column.previous"))
    if stats.last_year is not None:
        titles.append(tr_in(lang, "stats.column.last_year"))
    return tuple(titles)


def period_label(stats: Statistics, lang: str) -> str:
    """The period as printed: "octobre 2026", "أكتوبر 2026", or "du 01/01/2026 au 31/12/2026"."""
    period = stats.period
    if period.is_month:
        return f"{tr_in(lang, f'stats.month.{period.start.month}')} {period.start.year}"
    return tr_in(lang, "stats.period_range", start=f"{period.start:%d/%m/%Y}", end=f"{period.end:%d/%m/%Y}")


def month_label(month: date, lang: str) -> str:
    return f"{tr_in(lang, f'stats.month.{month.month}')} {month.year}"


def trend_table(stats: Statistics, lang: str) -> tuple[tuple[str, ...], tuple[Row, ...]]:
    """The 12-month trend as (column titles, one row per month, oldest first).

    For what leaves the office, each count from 1 to 4 is hidden (the months are not
    added up anywhere, so no secondary suppression is needed).
    """
    trend = stats.trend
    if trend is None:
        return (), ()
    codes = [code for code in TREND_FIGURES if code in trend.values]
    suppress = stats.audience is Audience.OUTSIDE
    rows = []
    for index, month in enumerate(trend.months):
        cells = []
        for code in codes:
            value = trend.values[code][index]
            cells.append(Cell(value, suppress and suppression.is_small(value)))
        rows.append(Row(f"{month:%Y-%m}", month_label(month, lang), tuple(cells)))
    return tuple(indicator_name(code, lang) for code in codes), tuple(rows)
