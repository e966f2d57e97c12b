"""The monthly statistics report, as an A4 PDF for the office or for the commune.

Cover (office, commune, period, who the figures are for), the key figures with
their comparisons, the 12-month trend, then each indicator's breakdown tables
with bar charts for the main ones, and an annex defining every indicator.

Every number comes from :mod:`desktop.reports.stats_tables`, so the report shows
exactly what the screen, the spreadsheet and the command line show, small cells
already hidden ("<5") when the report leaves the office (``Audience.OUTSIDE``).
The charts are ReportLab vector drawings (:mod:`desktop.reports.stats_charts`);
a hidden count is never drawn with its value.

French, English, or Arabic (shaped, the whole document right to left, tables
and charts mirrored); Western digits everywhere.  Nothing here touches the
database or Qt.  :func:`render_statistics_pdf` returns the PDF's bytes and,
given a path, also writes them there atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Table, TableStyle

from desktop.domain import suppression
from desktop.domain.indicators import BY_CODE, INDICATORS, MULTI_VALUED, TREND_FIGURES, Audience, Unit
from desktop.domain.referrals import office_wall_clock
from desktop.reports import fonts
from desktop.reports import stats_tables as st
from desktop.reports.bidi import keep_together
from desktop.reports.pdf_common import (
    ACCENT,
    BODY_SIZE,
    CONTENT_WIDTH,
    HEADER_FILL,
    INK,
    MUTED,
    RULE,
    SMALL_SIZE,
    BidiParagraph,
    DocumentInfo,
    Run,
    TextStyle,
    Writer,
    commune_name,
    fmt_datetime,
    list_join,
    pdf_bytes,
    space,
)
from desktop.reports.stats_charts import Bar, Line, bar_chart, trend_chart
from desktop.services.statistics import Statistics

TABLE_SIZE = 8.5
# The breakdowns drawn as bar charts under their table.
CHARTED: frozenset[tuple[str, str]] = frozenset(
    {
        ("people_received", "category"),
        ("people_received", "sex"),
        ("people_received", "age_band"),
        ("people_received", "nationality_group"),
        ("needs", "need_domain"),
    }
)
# Referrals sent and counter-referrals received, by domain, share one chart (after the latter's table).
PAIRED_CHART = (("referrals_sent", "referral_domain"), ("counter_referrals", "referral_domain"))
# The series of the trend chart (its table shows every TREND_FIGURES series).
TREND_LINES: tuple[str, ...] = ("people_received", "contacts", "referrals_sent")
NOTE_FILL = colors.HexColor("#f3f5f8")
WARNING_FILL = colors.HexColor("#fdf3e7")


def render_statistics_pdf(stats: Statistics, lang: str, out: Path | None = None) -> bytes:
    """The statistics report of ``stats`` in ``lang``, as PDF bytes.

    Given ``out``, also writes them there atomically (the previous file, if any,
    stays whole until the new one replaces it).
    """
    w = Writer(lang)
    office = stats.office
    commune = commune_name(office.commune_code, w.lang)
    generated = office_wall_clock(stats.generated_at)
    title = w.tr("reports_stats.title")
    period = st.period_label(stats, w.lang)
    tables = st.all_tables(stats, w.lang)

    story: list[Flowable] = [*_cover(w, stats, commune, title, period, generated), PageBreak()]
    story.extend(_key_figures(w, stats))
    story.extend(_trend(w, stats))
    story.append(PageBreak())
    story.extend(_indicators(w, stats, tables))
    story.append(PageBreak())
    story.extend(_annex(w))

    info = DocumentInfo(f"{title} — {period}", w.lang, office.name, commune, "", generated)
    return pdf_bytes(story, w, info, out)


def typeset(text: str, lang: str) -> str:
    """French spacing kept whole: no line starts with "»", ":" or ";" nor ends with "«"."""
    if lang != "fr":
        return text
    for spaced, kept in (("« ", "«\u00a0"), (" »", "\u00a0»"), (" :", "\u00a0:"), (" ;", "\u00a0;")):
        text = text.replace(spaced, kept)
    return text


# ---------------------------------------------------------------- cover


def _cover(w: Writer, stats: Statistics, commune: str, title: str, period: str, generated: datetime) -> list[Flowable]:
    centred = "center"
    story: list[Flowable] = [
        space(38),
        w.para(stats.office.name, TextStyle(size=20, bold=True, align=centred)),
        w.para(commune, TextStyle(size=13, color=MUTED, align=centred)),
        space(28),
        w.para(title, TextStyle(size=24, bold=True, color=ACCENT, align=centred)),
        space(3),
        w.para(period, TextStyle(size=17, align=centred)),
        space(22),
        facts_table(
            w,
            [
                (w.tr("reports_stats.period"), period),
                (w.tr("reports_stats.generated_on"), keep_together(fmt_datetime(generated))),
                (w.tr("reports_stats.audience"), w.tr(f"stats.audience.{stats.audience.value}")),
            ],
        ),
        space(14),
    ]
    if stats.audience is Audience.OUTSIDE:
        story.append(
            note_box(
                w,
                w.tr("reports_stats.note_outside_title"),
                typeset(w.tr("reports_stats.note_outside"), w.lang),
                NOTE_FILL,
                legend=(suppression.SMALL_LABEL, w.tr("reports_stats.small_legend")),
            )
        )
    else:
        story.append(
            note_box(
                w,
                w.tr("reports_stats.note_internal_title"),
                typeset(w.tr("reports_stats.note_internal"), w.lang),
                WARNING_FILL,
            )
        )
    if stats.office.is_demo:
        story.extend([space(6), w.para(w.tr("reports_stats.demo"), TextStyle(bold=True, color=MUTED, align=centred))])
    return story


def facts_table(w: Writer, pairs: Sequence[tuple[str, str]]) -> Table:
    """Label / value lines in the middle of the cover."""
    rows = [
        [w.para(name, TextStyle(size=10.5, color=MUTED, align="end")), w.value(value, TextStyle(size=10.5, bold=True))]
        for name, value in pairs
    ]
    widths = [CONTENT_WIDTH * 0.36, CONTENT_WIDTH * 0.44]
    if w.rtl:
        rows = [list(reversed(row)) for row in rows]
        widths.reverse()
    table = Table(rows, colWidths=widths, hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.6, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def note_box(w: Writer, heading: str, text: str, fill: colors.Color, legend: tuple[str, str] | None = None) -> Table:
    """A shaded box: a bold heading, a paragraph, and optionally a "symbol: meaning" line."""
    inner = CONTENT_WIDTH * 0.86
    content: list[Flowable] = [
        w.para(heading, TextStyle(size=11, bold=True, space_after=2)),
        w.para(text, TextStyle(size=BODY_SIZE)),
    ]
    if legend is not None:
        symbol, meaning = legend
        cells: list[Flowable] = [
            number_cell(symbol, bold=True, size=BODY_SIZE, align="center"),
            w.para(meaning, TextStyle(size=BODY_SIZE)),
        ]
        widths = [12 * mm, inner - 12 * mm - 12]
        if w.rtl:
            cells.reverse()
            widths.reverse()
        line = Table([cells], colWidths=widths, hAlign="RIGHT" if w.rtl else "LEFT")
        symbol_cell = (-1, 0) if w.rtl else (0, 0)
        line.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", symbol_cell, symbol_cell, colors.white),
                    ("BOX", symbol_cell, symbol_cell, 0.5, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        content.extend([space(2), line])
    box = Table([[content]], colWidths=[inner], hAlign="CENTER")
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return box


# ---------------------------------------------------------------- tables


def number_cell(text: str, *, bold: bool = False, size: float = TABLE_SIZE, align: str = "end") -> Flowable:
    """A figure ("12", "<5", "45 %", "+3 pts"): always left to right, right-aligned so that units line up."""
    return _Figure(keep_together(text) or "—", size, bold, align)


class _Figure(Flowable):
    """One line of digits and signs, drawn directly: nothing to shape or reorder, and a thousand of them per report.

    Sits on the same baseline as a :class:`BidiParagraph` of the same size.
    """

    def __init__(self, text: str, size: float, bold: bool, align: str) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.bold = bold
        self.align = align
        self.line_height = TextStyle(size=size).line_height()

    def __repr__(self) -> str:
        return f"_Figure({self.text!r})"

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        self.width, self.height = aW, self.line_height
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFont(fonts.BOLD if self.bold else fonts.REGULAR, self.size)
        canvas.setFillColor(INK)
        baseline = self.height - self.size
        if self.align == "center":
            canvas.drawCentredString(self.width / 2, baseline, self.text)
        elif self.align == "end":
            canvas.drawRightString(self.width, baseline, self.text)
        else:
            canvas.drawString(0, baseline, self.text)


def text_cell(w: Writer, text: str, *, bold: bool = False, size: float = TABLE_SIZE) -> BidiParagraph:
    return w.value(text, TextStyle(size=size, bold=bold))


def _grid(
    w: Writer,
    header: Sequence[str],
    rows: Sequence[Sequence[Flowable]],
    widths: Sequence[float],
    *,
    total: bool = False,
) -> Table:
    """A ruled table (first column on the start side) whose last row is a bold total when ``total``."""
    figure_side = TextStyle(size=TABLE_SIZE, bold=True, align="start" if w.rtl else "end")  # over the figures
    head = [text_cell(w, header[0], bold=True), *(w.para(text, figure_side) for text in header[1:])]
    table = w.table(None, [head, *rows], widths, size=TABLE_SIZE, zebra=False)
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
    ]
    for index in range(2, len(rows) + 1, 2):
        commands.append(("BACKGROUND", (0, index), (-1, index), colors.HexColor("#f5f7fa")))
    if total:
        commands.extend(
            [
                ("LINEABOVE", (0, -1), (-1, -1), 1.0, INK),
                ("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL),
            ]
        )
    table.setStyle(TableStyle(commands))
    table.repeatRows = 1
    return table


def _row(w: Writer, row: st.Row, unit: Unit, *, bold: bool = False, extra: Sequence[str] = ()) -> list[Flowable]:
    cells: list[Flowable] = [text_cell(w, row.label, bold=bold)]
    cells.extend(number_cell(cell.text(unit, w.lang), bold=bold) for cell in row.cells)
    cells.extend(number_cell(text, bold=bold) for text in extra)
    return cells


def _key_figures(w: Writer, stats: Statistics) -> list[Flowable]:
    columns = st.column_titles(stats, w.lang)
    compare = stats.previous is not None
    header = [w.tr("reports_stats.indicator"), *columns]
    if compare:
        header.append(w.tr("reports_stats.change"))
    rows = []
    for row in st.key_figures(stats, w.lang):
        unit = BY_CODE[row.key].unit
        extra = [st.format_change(row.cells[0].number(), row.cells[1].number(), unit)] if compare else []
        rows.append(_row(w, row, unit, extra=extra))
    widths = [3.2] + [1.25] * len(columns) + ([1.0] if compare else [])
    story: list[Flowable] = [
        w.title(w.tr("reports_stats.key_figures")),
        w.para(st.period_label(stats, w.lang), TextStyle(size=11, color=MUTED, space_after=6)),
        _grid(w, header, rows, widths),
    ]
    if compare:
        story.append(w.small(w.tr("reports_stats.change_note"), space_before=3))
    return story


def _trend_value(value: int, outside: bool) -> tuple[float | None, str]:
    """What the trend draws and prints for one month: hidden counts are neither."""
    if outside and suppression.is_small(value):
        return None, suppression.SMALL_LABEL
    return float(value), str(value)


def _trend(w: Writer, stats: Statistics) -> list[Flowable]:
    trend = stats.trend
    if trend is None or not trend.months:
        return []
    outside = stats.audience is Audience.OUTSIDE
    codes = [code for code in TREND_FIGURES if code in trend.values]
    lines = []
    for code in TREND_LINES:
        if code in trend.values:
            points = tuple(_trend_value(value, outside)[0] for value in trend.values[code])
            lines.append(Line(st.indicator_name(code, w.lang), points))
    rows = []
    for index, month in enumerate(trend.months):
        name = f"{w.tr(f'stats.month.{month.month}')} {month.year}"
        cells: list[Flowable] = [text_cell(w, name)]
        cells.extend(number_cell(_trend_value(trend.values[code][index], outside)[1]) for code in codes)
        rows.append(cells)
    header = [w.tr("reports_stats.month"), *(st.indicator_name(code, w.lang) for code in codes)]
    return [
        CondPageBreak(90 * mm),
        w.heading(w.tr("reports_stats.trend")),
        trend_chart(w, trend.months, lines),
        space(3),
        _grid(w, header, rows, [1.6] + [1.0] * len(codes)),
    ]


def _bars(tables: Sequence[st.Table], lang: str) -> list[Bar]:
    """One bar per category of the first table (the period's values), a series per table; empty rows left out."""
    first = tables[0]
    found: list[Bar] = []
    for row in first.rows:
        cells = []
        for table in tables:
            match = next((other for other in table.rows if other.key == row.key), None)
            cells.append(match.cells[0] if match is not None else st.Cell(0))
        values = tuple(float(cell.number() or 0) for cell in cells)
        if not any(values) and not any(cell.hidden for cell in cells):
            continue
        texts = tuple(cell.text(first.indicator.unit, lang) for cell in cells)
        found.append(Bar(row.label, values, texts))
    return found


def _breakdown(w: Writer, table: st.Table, columns: Sequence[str]) -> list[Flowable]:
    unit = table.indicator.unit
    rows = [_row(w, row, unit) for row in table.rows]
    if table.total is not None:
        rows.append(_row(w, table.total, unit, bold=True))
    header = [st.dimension_name(table.dimension, w.lang), *columns]
    block: list[Flowable] = [
        w.subheading(st.dimension_name(table.dimension, w.lang)),
        _grid(w, header, rows, [3.2] + [1.25] * len(columns), total=table.total is not None),
    ]
    if table.dimension in MULTI_VALUED:
        block.append(w.small(w.tr("reports_stats.multi_valued"), space_before=2))
    return block


def _indicators(w: Writer, stats: Statistics, tables: Sequence[st.Table]) -> list[Flowable]:
    columns = st.column_titles(stats, w.lang)
    by_key = {(table.indicator.code, table.dimension): table for table in tables}
    story: list[Flowable] = [w.title(w.tr("reports_stats.indicators"))]
    for indicator in INDICATORS:
        story.append(CondPageBreak(60 * mm))
        unit = w.tr(f"stats.unit.{indicator.unit.value}")
        # The indicator's heading goes with its first table (a KeepTogether cannot join a keepWithNext chain).
        lead: list[Flowable] = [
            w.heading(st.indicator_name(indicator.code, w.lang)),
            w.small(w.tr("reports_stats.unit", unit=unit), space_after=1),
        ]
        for dimension in indicator.breakdowns:
            table = by_key[indicator.code, dimension]
            block = [*lead, *_breakdown(w, table, columns)]
            lead = []
            charts = _charts(w, table, by_key, columns)
            if len(table.rows) <= 12:  # a short table and its chart on the same page
                story.append(KeepTogether(block + charts))
                charts = []
            elif len(table.rows) <= 20:
                story.append(KeepTogether(block))
            else:  # a long list of providers breaks over pages (header row repeated), from a page with room
                for flowable in block:
                    flowable.keepWithNext = 0  # a keepWithNext chain would push the whole table to a new page
                story.extend([CondPageBreak(70 * mm), *block])
            story.extend(charts)
            story.append(space(2))
    return story


def _charts(
    w: Writer, table: st.Table, by_key: dict[tuple[str, str], st.Table], columns: Sequence[str]
) -> list[Flowable]:
    """The chart drawn under ``table``, if any, with its caption (it may fall on the next page)."""
    key = (table.indicator.code, table.dimension)
    if key in CHARTED:
        tables, names, caption = [table], [columns[0]], table.title
    elif key == PAIRED_CHART[1]:
        tables = [by_key[pair] for pair in PAIRED_CHART]
        names = [st.indicator_name(pair[0], w.lang) for pair in PAIRED_CHART]
        caption = w.tr("reports_stats.referrals_by_domain")
    else:
        return []
    bars = _bars(tables, w.lang)
    if not bars:
        return []
    return [space(2), w.minor_heading(caption), bar_chart(w, bars, names)]


# ---------------------------------------------------------------- annex


def _annex(w: Writer) -> list[Flowable]:
    story: list[Flowable] = [
        w.title(w.tr("reports_stats.annex")),
        w.body(typeset(w.tr("reports_stats.annex_intro"), w.lang), space_after=4),
    ]
    for indicator in INDICATORS:
        unit = w.tr(f"stats.unit.{indicator.unit.value}")
        names = list_join((st.dimension_name(dimension, w.lang) for dimension in indicator.breakdowns), w.lang)
        story.append(
            KeepTogether(
                [
                    w.subheading(st.indicator_name(indicator.code, w.lang)),
                    w.body(typeset(indicator.define(w.lang), w.lang)),
                    w.para(
                        [
                            Run(w.tr("reports_stats.unit", unit=unit)),
                            Run("  ·  "),
                            Run(w.tr("reports_stats.breakdowns", names=names)),
                        ],
                        TextStyle(size=SMALL_SIZE, color=MUTED, space_before=1),
                    ),
                ]
            )
        )
    return story
