"""The regional report as an A4 PDF: completeness, key figures, communes, breakdowns, barometer.

Every number comes from :mod:`desktop.reports.region_tables` (small cells already hidden,
"<5", and those hidden to protect them, "×"), so the PDF and the workbook agree. Wide
tables (24 months, 14 indicators) are cut into groups of columns, the label column
repeated, so that a region of 16 communes prints on portrait pages. French, English or
Arabic: the office report's writer and helpers (:mod:`desktop.reports.stats_pdf`,
:mod:`desktop.reports.pdf_common`) shape the Arabic, mirror the tables and charts and
number the pages. Nothing here touches the database or Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Table, TableStyle

from desktop.domain import suppression
from desktop.domain.indicators import INDICATORS
from desktop.domain.referrals import office_wall_clock
from desktop.domain.regional import BAROMETER_SERVICES, LATE_DAY, Combine, combine_rule
from desktop.reports import region_tables as rt
from desktop.reports import stats_tables as st
from desktop.reports.bidi import keep_together
from desktop.reports.pdf_common import (
    ACCENT,
    BODY_SIZE,
    CONTENT_WIDTH,
    HEADER_FILL,
    INK,
    MUTED,
    PAGE_HEIGHT,
    RULE,
    SMALL_SIZE,
    DocumentInfo,
    Run,
    TextStyle,
    Writer,
    fmt_datetime,
    labels,
    list_join,
    pdf_bytes,
    space,
)
from desktop.reports.region_ledger import PROTECT_LABEL
from desktop.reports.stats_charts import Bar, bar_chart
from desktop.reports.stats_pdf import NOTE_FILL, TABLE_SIZE, facts_table, note_box, number_cell, text_cell, typeset

ZEBRA = colors.HexColor("#f5f7fa")
TONE_FILL = {
    "received": colors.HexColor("#dcefe0"),
    "late": colors.HexColor("#fbe8c8"),
    "missing": colors.HexColor("#f6d5d5"),
    "pending": colors.HexColor("#eceff3"),
}
LABEL_SHARE = 0.30  # of the page's width, for the label column of a wide table
VALUE_MAX = 30 * mm  # a value column is never wider than this
TEXT_WIDTH = 24 * mm  # a column of words (the rule over the range)
GRID_SIZE = 7.0  # the completeness grid's cells


def _section_break() -> CondPageBreak:
    """A new page unless most of this one is still free (a short section is not left alone on a page)."""
    return CondPageBreak(PAGE_HEIGHT * 0.45)


PAIRED_LINES = 24  # breakdowns up to this many lines are printed two side by side


def render_regional_pdf(report: rt.RegionalReport, out: Path | None = None) -> bytes:
    """The regional report as PDF bytes; given ``out``, also written there atomically."""
    w = Writer(report.lang)
    title = w.tr("region_report.title")
    generated = office_wall_clock(report.generated_at)
    story: list[Flowable] = [*_cover(w, report, title, generated), PageBreak()]
    story.extend(_completeness(w, report))
    story.append(_section_break())
    story.extend(_section(w, report, rt.MONTHS, "region_report.months_intro"))
    story.append(_section_break())
    story.extend(_section(w, report, rt.COMMUNES, "region_report.communes_intro"))
    story.append(PageBreak())
    story.extend(_breakdowns(w, report))
    story.append(PageBreak())
    story.extend(_barometer(w, report))
    story.append(PageBreak())
    story.extend(_annex(w, report))

    info = DocumentInfo(
        f"{title} — {report.range_label}", w.lang, report.secretariat, report.region_name, "", generated
    )
    return pdf_bytes(story, w, info, out)


# ---------------------------------------------------------------- cover


def _cover(w: Writer, report: rt.RegionalReport, title: str, generated: Any) -> list[Flowable]:
    centred = "center"
    codes = report.months[0] if len(report.months) == 1 else f"{report.months[0]} – {report.months[-1]}"
    months = f"{report.range_label} ({keep_together(codes)})"
    region = f"{report.region_name} ({keep_together(report.region_code)})"
    return [
        space(38),
        w.para(report.secretariat or report.region_name, TextStyle(size=20, bold=True, align=centred)),
        w.para(region, TextStyle(size=13, color=MUTED, align=centred)),
        space(28),
        w.para(title, TextStyle(size=24, bold=True, color=ACCENT, align=centred)),
        space(3),
        w.para(report.range_label, TextStyle(size=17, align=centred)),
        space(22),
        facts_table(
            w,
            [
                (w.tr("region_report.cover.region"), region),
                (w.tr("region_report.cover.months"), months),
                (w.tr("region_report.cover.communes"), str(len(report.communes))),
                (w.tr("reports_stats.generated_on"), keep_together(fmt_datetime(generated))),
                (w.tr("region_report.cover.publication"), w.tr("region_report.cover.publication_value")),
            ],
        ),
        space(14),
        note_box(
            w,
            w.tr("region_report.publication_title"),
            typeset(w.tr("region_report.publication"), w.lang),
            NOTE_FILL,
            legend=(suppression.SMALL_LABEL, w.tr("region_report.small_legend")),
        ),
        space(3),
        w.small(
            w.tr("region_report.legend_line", symbol=PROTECT_LABEL, meaning=w.tr("region_report.protect_legend")),
            align=centred,
        ),
    ]


# ---------------------------------------------------------------- tables


def _chunks(table: rt.Table) -> list[list[int]]:
    """Groups of column indexes printed side by side; totals and texts go with the last group."""
    tail = [i for i, column in enumerate(table.columns) if column.total or column.text]
    body = [i for i in range(len(table.columns)) if i not in tail]
    size = table.chunk or len(body) or 1
    groups = [body[i : i + size] for i in range(0, len(body), size)] or [[]]
    groups[-1].extend(tail)
    return groups


def _widths(table: rt.Table, columns: Sequence[int], total: float, label: float) -> list[float]:
    """The label column, then the text columns (the rule) at a fixed width and the figures sharing the rest."""
    texts = sum(1 for i in columns if table.columns[i].text)
    figures = len(columns) - texts
    room = total - label - texts * TEXT_WIDTH
    value = min(room / max(figures, 1), VALUE_MAX)
    return [label, *(TEXT_WIDTH if table.columns[i].text else value for i in columns)]


def _grid(
    w: Writer,
    table: rt.Table,
    columns: Sequence[int],
    *,
    width: float = CONTENT_WIDTH,
    label_share: float = LABEL_SHARE,
    size: float = TABLE_SIZE,
    padding: float = 3,
) -> Table:
    """Some columns of ``table`` as a ruled table: the label column on the start side, figures right-aligned."""
    figure_side = TextStyle(size=size, bold=True, align="start" if w.rtl else "end")
    header: list[Flowable] = [text_cell(w, table.corner, bold=True, size=size)]
    for i in columns:
        words = all(line.cells[i].unit is None for line in table.lines)
        style = TextStyle(size=size, bold=True, align="center") if words else figure_side
        header.append(w.para(table.columns[i].title, style))
    rows: list[list[Flowable]] = [header]
    fills: list[tuple[int, int, colors.Color]] = []
    for r, line in enumerate(table.lines, 1):
        row: list[Flowable] = [text_cell(w, line.label, bold=line.total, size=size)]
        for c, i in enumerate(columns, 1):
            cell = line.cells[i]
            if cell.tone:
                row.append(w.para(cell.text(w.lang), TextStyle(size=size, align="center")))
                fills.append((c, r, TONE_FILL[cell.tone]))
            elif cell.unit is None:
                row.append(w.para(cell.text(w.lang), TextStyle(size=size, bold=line.total, align="center")))
            else:
                row.append(number_cell(cell.text(w.lang), bold=line.total, size=size))
        rows.append(row)
    widths = _widths(table, columns, width, width * label_share)
    last = len(widths) - 1
    if w.rtl:
        rows = [list(reversed(row)) for row in rows]
        widths.reverse()
        fills = [(last - c, r, fill) for c, r, fill in fills]
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
    ]
    for index in range(2, len(rows), 2):
        commands.append(("BACKGROUND", (0, index), (-1, index), ZEBRA))
    for r, line in enumerate(table.lines, 1):
        if line.total:
            commands.extend([("LINEABOVE", (0, r), (-1, r), 1.0, INK), ("BACKGROUND", (0, r), (-1, r), HEADER_FILL)])
    for c, r, fill in fills:
        commands.append(("BACKGROUND", (c, r), (c, r), fill))
    out = Table(rows, colWidths=widths, repeatRows=1, hAlign="CENTER")
    out.setStyle(TableStyle(commands))
    return out


def _notes(w: Writer, table: rt.Table) -> list[Flowable]:
    return [w.small(typeset(note, w.lang), space_before=2) for note in table.notes]


def _printed(w: Writer, table: rt.Table, *, notes: bool = True, **options: Any) -> list[Flowable]:
    """The table, cut in groups of columns when it is wide, then its notes."""
    groups = _chunks(table)
    story: list[Flowable] = []
    for number, columns in enumerate(groups, 1):
        if len(groups) > 1:
            part = w.tr("region_report.part", number=number, count=len(groups))
            story.append(w.minor_heading(part))
        story.append(_grid(w, table, columns, **options))
        story.append(space(2))
    return [*story, *(_notes(w, table) if notes else [])]


def _section(w: Writer, report: rt.RegionalReport, section: str, intro: str) -> list[Flowable]:
    story: list[Flowable] = []
    for table in report.section(section):
        story.extend([w.title(table.title), w.body(typeset(w.tr(intro), w.lang), space_after=4)])
        story.extend(_printed(w, table))
    return story


def _completeness(w: Writer, report: rt.RegionalReport) -> list[Flowable]:
    table = report.table(rt.COMPLETENESS)
    return [
        w.title(table.title),
        w.body(typeset(w.tr("region_report.completeness_intro", day=LATE_DAY), w.lang), space_after=4),
        *_printed(w, table, notes=False, label_share=0.22, size=GRID_SIZE, padding=1.5),
        w.small("  ·  ".join(typeset(note, w.lang) for note in table.notes), space_before=2),
    ]


def _breakdowns(w: Writer, report: rt.RegionalReport) -> list[Flowable]:
    """Each indicator's breakdowns, two tables side by side."""
    story: list[Flowable] = [
        w.title(w.tr("region_report.breakdowns")),
        w.body(typeset(w.tr("region_report.breakdowns_intro"), w.lang), space_after=2),
    ]
    tables = report.section(rt.BREAKDOWNS)
    gap = 6 * mm
    half = (CONTENT_WIDTH - gap) / 2
    for indicator in INDICATORS:
        mine = [t for t in tables if t.code == indicator.code]
        rule = combine_rule(indicator.code)
        story.append(CondPageBreak(50 * mm))
        lead: list[Flowable] = [
            w.heading(st.indicator_name(indicator.code, w.lang)),
            w.small(
                f"{w.tr('reports_stats.unit', unit=w.tr(f'stats.unit.{indicator.unit.value}'))}  ·  "
                f"{w.tr(f'region_report.rule_text.{rule.value}')}",
                space_after=2,
            ),
        ]
        short = [t for t in mine if len(t.lines) <= PAIRED_LINES]
        for start in range(0, len(short), 2):
            holder = _pair(w, short[start : start + 2], half, gap)
            story.append(KeepTogether([*lead, holder]) if lead else holder)  # the heading stays with its tables
            lead = []
        for table in (t for t in mine if len(t.lines) > PAIRED_LINES):  # a long list (providers) breaks over pages
            for flowable in lead:
                flowable.keepWithNext = 0  # a keepWithNext chain would push the whole table to a new page
            story.extend(
                [CondPageBreak(70 * mm), *lead, _grid(w, table, [0], width=CONTENT_WIDTH * 0.7, label_share=0.75)]
            )
            story.extend(_notes(w, table))
            lead = []
    return story


def _pair(w: Writer, tables: Sequence[rt.Table], half: float, gap: float) -> Table:
    """One or two breakdown tables side by side (the first on the start side)."""
    cells: list[list[Flowable]] = []
    for table in tables:
        cells.append([_grid(w, table, [0], width=half, label_share=0.68), *_notes(w, table)])
    if len(cells) == 1:
        cells.append([space(1)])
    if w.rtl:
        cells.reverse()
    widths = [half, half + gap] if w.rtl else [half + gap, half]
    holder = Table([cells], colWidths=widths, hAlign="CENTER", spaceAfter=4)
    pad = ("RIGHTPADDING", (0, 0), (0, 0), gap) if not w.rtl else ("LEFTPADDING", (1, 0), (1, 0), gap)
    holder.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                pad,
            ]
        )
    )
    return holder


def _barometer(w: Writer, report: rt.RegionalReport) -> list[Flowable]:
    summary = report.table("barometer.summary")
    story: list[Flowable] = [
        w.title(w.tr("region_report.barometer")),
        w.body(typeset(w.tr("region_report.barometer_intro"), w.lang), space_after=4),
        w.heading(summary.title),
        _grid(w, summary, list(range(len(summary.columns))), label_share=0.32),
        *_notes(w, summary),
        space(3),
    ]
    bars = []
    rates = (summary.column("answer_rate"), summary.column("served_share"))
    for line in summary.lines:
        if line.key == rt.OTHER:  # not followed by the barometer: the table says what it holds
            continue
        cells = [line.cells[i] for i in rates]
        values = tuple(float(cell.number() or 0) for cell in cells)
        bars.append(Bar(line.label, values, tuple(cell.text(w.lang) for cell in cells)))
    names = [summary.columns[i].title for i in rates]
    story.extend(
        [
            KeepTogether(
                [w.minor_heading(w.tr("region_report.barometer_chart")), bar_chart(w, bars, names, percent=True)]
            ),
            w.small(w.tr("region_report.chart_note"), space_before=2),
        ]
    )
    for measure in rt.MEASURES:
        table = report.table(f"barometer.{measure}.communes")
        story.extend([CondPageBreak(70 * mm), w.heading(table.title)])
        story.extend(_printed(w, table, notes=False, label_share=0.22, size=TABLE_SIZE - 0.5))
    story.extend([CondPageBreak(70 * mm), w.heading(w.tr("region_report.barometer_trend"))])
    for measure in rt.MEASURES:
        table = report.table(f"barometer.{measure}.months")
        story.extend([CondPageBreak(50 * mm), w.subheading(table.title)])
        story.extend(_printed(w, table, notes=False, label_share=0.26))
    return story


# ---------------------------------------------------------------- annex


def _annex(w: Writer, report: rt.RegionalReport) -> list[Flowable]:
    story: list[Flowable] = [
        w.title(w.tr("region_report.annex")),
        w.body(typeset(w.tr("region_report.annex_intro"), w.lang), space_after=4),
        w.heading(w.tr("region_report.annex_rules")),
    ]
    for rule in Combine:
        codes = [i.code for i in INDICATORS if combine_rule(i.code) is rule]
        story.append(
            KeepTogether(
                [
                    w.subheading(rt.rule_name(rule, w.lang).capitalize()),
                    w.body(typeset(w.tr(f"region_report.rule_long.{rule.value}"), w.lang)),
                    w.para(
                        [
                            Run(w.tr("region_report.annex_applies") + " ", True),
                            Run(list_join((st.indicator_name(code, w.lang) for code in codes), w.lang)),
                        ],
                        TextStyle(size=SMALL_SIZE, color=MUTED, space_before=1),
                    ),
                ]
            )
        )
    story.append(w.heading(w.tr("region_report.annex_barometer")))
    story.append(w.body(typeset(w.tr("region_report.barometer_intro"), w.lang), space_after=2))
    for service, domains in BAROMETER_SERVICES.items():
        service_label = w.tr("region_report.service_label", service=rt.service_name(service, w.lang))
        runs = [Run(service_label + " ", True), Run(labels("service_domain", domains, w.lang))]
        story.append(w.para(runs, TextStyle(size=BODY_SIZE, space_after=1)))
    for measure in rt.MEASURES:
        story.append(
            KeepTogether(
                [
                    w.subheading(w.tr(f"region_report.measure.{measure}")),
                    w.body(typeset(w.tr(f"region_report.measure_text.{measure}"), w.lang)),
                ]
            )
        )
    story.append(w.heading(w.tr("region_report.annex_suppression")))
    story.append(w.body(typeset(w.tr("region_report.suppression_text"), w.lang), space_after=2))
    story.append(w.small(w.tr("region_report.hidden_count", count=report.hidden_counts)))
    story.append(w.heading(w.tr("region_report.annex_indicators")))
    for indicator in INDICATORS:
        unit = w.tr(f"stats.unit.{indicator.unit.value}")
        rule_text = rt.rule_name(combine_rule(indicator.code), w.lang)
        story.append(
            KeepTogether(
                [
                    w.subheading(st.indicator_name(indicator.code, w.lang)),
                    w.body(typeset(indicator.define(w.lang), w.lang)),
                    w.para(
                        [
                            Run(w.tr("reports_stats.unit", unit=unit)),
                            Run("  ·  "),
                            Run(w.tr("region_report.annex_rule", rule=rule_text)),
                        ],
                        TextStyle(size=SMALL_SIZE, color=MUTED, space_before=1),
                    ),
                ]
            )
        )
    return story
