"""Vector charts for the statistics report: ReportLab's own bar and line charts.

ReportLab draws a chart's strings with ``drawString``, which neither shapes Arabic
nor orders a mixed line.  So the charts here keep only numbers inside the drawing
(axis graduations, the value at the end of each bar, months as ``10/2026``), and
every word (category labels, the legend) is drawn over the chart by
:class:`~desktop.reports.pdf_common.BidiParagraph`, the path the rest of the
document uses: words in visual order, shaped by HarfBuzz, read back by
``pdftotext``.

In Arabic the charts are mirrored like the tables: labels on the right, bars
growing from right to left, the value axis on the right and the months running
from right to left.

A hidden count ("<5", for what leaves the office) is never drawn with its value:
its bar has no length and "<5" is printed where its value would be.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.platypus import Flowable

from desktop.reports import fonts
from desktop.reports.pdf_common import CONTENT_WIDTH, INK, MUTED, RULE, BidiParagraph, TextStyle, Writer

LABEL_SIZE = 8.0
NUMBER_SIZE = 7.5
AXIS_HEIGHT = 16.0  # the value axis and its graduations, below the plot
LEGEND_HEIGHT = 16.0
VALUE_ROOM = 30.0  # room for the value printed at the end of the longest bar
GAP = 6.0
BAR = 6  # thickness of a bar, in points
GRID = colors.HexColor("#d9dee4")
PALETTE = (
    colors.HexColor("#1d4e89"),
    colors.HexColor("#e07b39"),
    colors.HexColor("#3c9d5d"),
    colors.HexColor("#8e5ba8"),
)


@dataclass(frozen=True)
class Bar:
    """One category: its label, and for each series the length drawn and the text printed."""

    label: str
    values: tuple[float, ...]  # 0 for a hidden or missing value
    texts: tuple[str, ...]  # "12", "<5", "45 %"


@dataclass(frozen=True)
class Line:
    """One series of the trend: its name and a value per month (None: hidden, not drawn)."""

    name: str
    values: tuple[float | None, ...]


@dataclass
class _Overlay:
    paragraph: BidiParagraph
    x: float
    y: float  # bottom
    width: float


class ChartFlowable(Flowable):
    """A ReportLab drawing with shaped text laid over it."""

    def __init__(self, drawing: Drawing, overlays: list[_Overlay]) -> None:
        super().__init__()
        self.drawing = drawing
        self.overlays = overlays
        self.width = float(drawing.width)
        self.height = float(drawing.height)
        self.hAlign = "CENTER"

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        renderPDF.draw(self.drawing, self.canv, 0, 0)
        for overlay in self.overlays:
            overlay.paragraph.wrap(overlay.width, self.height)
            overlay.paragraph.drawOn(self.canv, overlay.x, overlay.y)


def _label(
    w: Writer, text: str, size: float = LABEL_SIZE, align: str = "end", color: colors.Color = INK
) -> BidiParagraph:
    return BidiParagraph(text, w.rtl, TextStyle(size=size, align=align, color=color, leading=round(size * 1.3, 1)))


def _text_width(text: str, size: float) -> float:
    words = text.split()
    return sum(fonts.word_width(word, size) for word in words) + fonts.space_width(size) * max(len(words) - 1, 0)


def nice_scale(largest: float) -> tuple[float, float]:
    """(top of the axis, step) for counts: whole steps of 1, 2 or 5 × 10ⁿ, about five of them."""
    if largest <= 0:
        return 5.0, 1.0
    raw = largest / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    step = max(1.0, step)
    if step != int(step):
        step = math.ceil(step)
    return math.ceil(largest / step) * step, step


def _swatch(x: float, y: float, size: float, color: colors.Color) -> Rect:
    square = Rect(x, y, size, size)
    square.fillColor = color
    square.strokeColor = None
    return square


def _number(x: float, y: float, text: str, anchor: Literal["start", "end"]) -> String:
    string = String(x, y, text, textAnchor=anchor)
    string.fontName = fonts.REGULAR
    string.fontSize = NUMBER_SIZE
    string.fillColor = INK
    return string


def _place(chart: HorizontalBarChart | HorizontalLineChart, x: float, y: float, width: float, height: float) -> None:
    """Where the plot goes in the drawing (the stubs want ints; ReportLab takes any number)."""
    geometry: Any = chart
    geometry.x, geometry.y, geometry.width, geometry.height = x, y, width, height


def _legend(w: Writer, drawing: Drawing, names: Sequence[str], left: float, right: float, y: float) -> list[_Overlay]:
    """Swatches and names in a row from the start side: left to right, or right to left in Arabic."""
    overlays = []
    swatch = 7.0
    cursor = right if w.rtl else left
    for index, name in enumerate(names):
        width = _text_width(name, LABEL_SIZE) + 2
        color = PALETTE[index % len(PALETTE)]
        if w.rtl:
            drawing.add(_swatch(cursor - swatch, y + 2, swatch, color))
            text_x = cursor - swatch - 3 - width
            cursor = text_x - 12
        else:
            drawing.add(_swatch(cursor, y + 2, swatch, color))
            text_x = cursor + swatch + 3
            cursor = text_x + width + 12
        paragraph = _label(w, name, align="start")
        overlays.append(_Overlay(paragraph, text_x, y - 0.5, width))
    return overlays


def bar_chart(
    w: Writer,
    bars: Sequence[Bar],
    series: Sequence[str],
    *,
    percent: bool = False,
    width: float = CONTENT_WIDTH,
    label_share: float = 0.36,
) -> ChartFlowable:
    """Horizontal bars, one band per category (first at the top), a bar per series in each band."""
    count = max(len(bars), 1)
    label_width = width * label_share
    plot_width = width - label_width - GAP - VALUE_ROOM
    labels = [_label(w, bar.label) for bar in bars]
    tallest = max((paragraph.wrap(label_width, 1000)[1] for paragraph in labels), default=0.0)
    band = math.ceil(max(tallest + 3, 7.0 + 7.5 * len(series)))  # whole points: the bar chart wants ints
    plot_height = band * count
    legend = LEGEND_HEIGHT if len(series) > 1 else 0.0
    height = AXIS_HEIGHT + plot_height + legend
    drawing = Drawing(width, height)

    plot_x = VALUE_ROOM if w.rtl else label_width + GAP
    chart = HorizontalBarChart()
    _place(chart, plot_x, AXIS_HEIGHT, plot_width, plot_height)
    order = list(reversed(range(len(series))))  # ReportLab stacks a band's bars upwards: the first series on top
    chart.data = [[bar.values[index] for bar in bars] or [0] for index in order]
    chart.barWidth = BAR
    chart.barSpacing = 1
    chart.groupSpacing = band - BAR * len(series) - (len(series) - 1)
    for row, index in enumerate(order):
        chart.bars[row].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[row].strokeColor = None
    category = chart.categoryAxis
    category.categoryNames = [""] * count
    category.reverseDirection = 1  # the first category at the top
    category.visibleLabels = 0
    category.visibleTicks = 0
    category.strokeColor = RULE
    category.strokeWidth = 0.6
    value = chart.valueAxis
    value.valueMin = 0
    if percent:
        top, step = 1.0, 0.25
        value.labelTextFormat = lambda v: f"{round(v * 100)} %"
    else:
        top, step = nice_scale(max((v for bar in bars for v in bar.values), default=0.0))
        value.labelTextFormat = lambda v: f"{v:.0f}"
    value.valueMax, value.valueStep = top, step
    value.reverseDirection = 1 if w.rtl else 0
    value.labels.fontName = fonts.REGULAR
    value.labels.fontSize = NUMBER_SIZE
    value.labels.fillColor = MUTED
    value.strokeColor = RULE
    value.strokeWidth = 0.6
    value.visibleGrid = 1
    value.gridStrokeColor = GRID
    value.gridStrokeWidth = 0.4
    drawing.add(chart)

    overlays = []
    label_x = width - label_width if w.rtl else 0.0
    top_of_plot = AXIS_HEIGHT + plot_height
    stack = BAR * len(series) + len(series) - 1
    for index, (bar, paragraph) in enumerate(zip(bars, labels, strict=True)):
        _, h = paragraph.wrap(label_width, 1000)
        centre = top_of_plot - (index + 0.5) * band
        overlays.append(_Overlay(paragraph, label_x, centre - h / 2 - 1.0, label_width))
        for rank, text in enumerate(bar.texts):  # the value just past the end of its bar ("<5" at the axis)
            middle = centre + stack / 2 - rank * (BAR + 1) - BAR / 2
            length = plot_width * min(bar.values[rank] / top, 1.0)
            end = plot_x + plot_width - length - 3 if w.rtl else plot_x + length + 3
            drawing.add(_number(end, middle - NUMBER_SIZE * 0.32, text, "end" if w.rtl else "start"))
    if legend:
        overlays.extend(_legend(w, drawing, series, plot_x, plot_x + plot_width, top_of_plot + 3))
    return ChartFlowable(drawing, overlays)


def _runs(values: Sequence[float | None]) -> list[list[float | None]]:
    """The series cut where a value is hidden: one row per unbroken run, None elsewhere."""
    rows: list[list[float | None]] = []
    current: list[float | None] | None = None
    for index, value in enumerate(values):
        if value is None:
            current = None
            continue
        if current is None:
            current = [None] * len(values)
            rows.append(current)
        current[index] = value
    return rows


def trend_chart(
    w: Writer, months: Sequence[date], lines: Sequence[Line], *, width: float = CONTENT_WIDTH
) -> ChartFlowable:
    """A line per series over the months, markers on each month; a hidden month breaks the line."""
    height = 150.0
    plot_height = height - AXIS_HEIGHT - LEGEND_HEIGHT - 6
    axis_room = 30.0
    drawing = Drawing(width, height)
    chart = HorizontalLineChart()
    _place(chart, 8.0 if w.rtl else axis_room, AXIS_HEIGHT, width - axis_room - 8.0, plot_height)
    rows: list[list[float | None]] = []
    styles: list[int] = []
    for index, line in enumerate(lines):
        for run in _runs(line.values):
            rows.append(run)
            styles.append(index)
    chart.data = rows or [[0.0] * max(len(months), 1)]
    chart.joinedLines = 1
    for row, index in enumerate(styles):
        color = PALETTE[index % len(PALETTE)]
        chart.lines[row].strokeColor = color
        chart.lines[row].strokeWidth = 1.6
        chart.lines[row].symbol = makeMarker("FilledCircle", size=3.2, fillColor=color, strokeColor=color)  # type: ignore[no-untyped-call]
    if not rows:
        chart.lines[0].strokeColor = None
    category = chart.categoryAxis
    category.categoryNames = [f"{month:%m/%Y}" for month in months]
    category.reverseDirection = 1 if w.rtl else 0
    category.labels.fontName = fonts.REGULAR
    category.labels.fontSize = NUMBER_SIZE - 0.5
    category.labels.fillColor = MUTED
    category.labels.boxAnchor = "n"
    category.labels.dy = -3
    category.strokeColor = RULE
    category.strokeWidth = 0.6
    category.tickDown = 2
    value = chart.valueAxis
    value.valueMin = 0
    top = max((v for line in lines for v in line.values if v is not None), default=0.0)
    value.valueMax, value.valueStep = nice_scale(top)
    value.labelTextFormat = lambda v: f"{v:.0f}"
    value.labels.fontName = fonts.REGULAR
    value.labels.fontSize = NUMBER_SIZE
    value.labels.fillColor = MUTED
    value.strokeColor = RULE
    value.strokeWidth = 0.6
    value.visibleGrid = 1
    value.gridStrokeColor = GRID
    value.gridStrokeWidth = 0.4
    if w.rtl:
        value.joinAxisMode = "right"
        value.labels.boxAnchor = "w"
        value.labels.dx = 5
        value.tickLeft, value.tickRight = 0, 5
    drawing.add(chart)
    overlays = _legend(
        w, drawing, [line.name for line in lines], chart.x, chart.x + chart.width, height - LEGEND_HEIGHT + 2
    )
    return ChartFlowable(drawing, overlays)
