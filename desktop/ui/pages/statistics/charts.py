"""The charts (pyqtgraph): breakdowns as horizontal bars, the year's trend as lines.

Every number drawn comes from :mod:`desktop.reports.stats_tables` (``breakdown_table``
and the trend), so a bar reads like the table beside it and the printed report.

Right to left (Arabic), the whole chart is mirrored, the bars and the trend alike:

* A breakdown is a list of labelled bars read like a sentence: the labels stand on
  the right and the bars grow towards the left.
* The trend's months run from right to left, the oldest on the right, and its value
  axis stands on the right. A time axis could have stayed left to right (it is a
  number line, and spreadsheets draw it so), but the printed monthly report mirrors
  its charts in Arabic (:mod:`desktop.reports.stats_charts`): the screen, the exported
  picture and the report must show the same chart, and an Arabic reader starts from
  the right, where the axis and the first month are.

Qt shapes the Arabic labels itself when pyqtgraph draws them. The plot items are
kept left to right whatever the application's direction (a mirrored grid layout
would put the "left" axis on the right with its labels facing the wrong way); the
mirroring is done here, on purpose: the view's x axis inverted, the axis shown on
the right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyqtgraph as pg  # type: ignore[import-untyped]
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFontMetrics, QImage, QPalette, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain.indicators import BY_CODE, TREND_FIGURES
from desktop.i18n import tr
from desktop.reports import stats_tables
from desktop.services.export_files import write_export
from desktop.services.statistics import Statistics
from desktop.ui.pages.statistics.texts import month_label
from desktop.ui.widgets.common import format_datetime

COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
"""Okabe–Ito: told apart by people with a colour vision deficiency, on light and dark backgrounds."""
BAR_SPAN = 0.7
"""The share of a category's row the bars fill (the rest separates the rows)."""
HEADROOM = 1.18
"""Room right of the longest bar for its value."""
RLM = "\u200f"
"""Right-to-left mark: a line starts right to left whatever its first word."""
EXPORT_SCALE = 2.0
"""Exported pictures are drawn at twice the screen's size (sharp in a report or a slide)."""


@dataclass(frozen=True)
class ChartSpec:
    """One chart: the indicators drawn, the breakdown ("" for the trend), and its rows."""

    key: str
    codes: tuple[str, ...]
    dimension: str
    keep_empty_rows: bool = False
    """Every value of the breakdown, even at 0 (short ordered lists: sex, age); else only those with a value."""


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("people_category", ("people_received",), "category"),
    ChartSpec("people_sex", ("people_received",), "sex", keep_empty_rows=True),
    ChartSpec("people_age", ("people_received",), "age_band", keep_empty_rows=True),
    ChartSpec("needs", ("needs",), "need_domain"),
    ChartSpec("referrals", ("referrals_sent", "counter_referrals"), "referral_domain"),
    ChartSpec("trend", TREND_FIGURES, ""),
)


@dataclass(frozen=True)
class Series:
    code: str
    name: str
    values: tuple[float, ...]
    texts: tuple[str, ...]
    colour: str


@dataclass(frozen=True)
class ChartData:
    """What a chart draws: rows (categories or months), one series per indicator."""

    dimension: str
    keys: tuple[str, ...]
    labels: tuple[str, ...]
    series: tuple[Series, ...]

    @property
    def empty(self) -> bool:
        return not self.keys or not any(value for series in self.series for value in series.values)


def short_month(day: date, lang: str, with_year: bool) -> str:
    """A tick of the trend: "oct." / "Oct" / "أكتوبر", with the year on January (the title says the span)."""
    from PySide6.QtCore import QLocale

    from desktop.ui.language import locale_for

    name = locale_for(lang).standaloneMonthName(day.month, QLocale.FormatType.ShortFormat)
    if not with_year:
        return name
    # Drawn small in Arabic, "يناير 2026" loses its space (Qt 6.9); a right-to-left mark keeps it.
    return f"{name} {RLM}{day.year}" if i18n.is_rtl(lang) else f"{name} {day.year}"


def bar_data(stats: Statistics, spec: ChartSpec, lang: str) -> ChartData:
    """The rows of a breakdown chart, from the same tables as the screen's and the report's."""
    tables = [stats_tables.breakdown_table(stats, code, spec.dimension, lang) for code in spec.codes]
    keys: list[str] = []
    labels: dict[str, str] = {}
    for table in tables:
        for row in table.rows:
            if row.key not in labels:
                keys.append(row.key)
                labels[row.key] = row.label
    values: list[dict[str, tuple[float, str]]] = []
    for table in tables:
        unit = table.indicator.unit
        values.append({row.key: (row.cells[0].number() or 0, row.cells[0].text(unit, lang)) for row in table.rows})
    if not spec.keep_empty_rows:
        keys = [key for key in keys if any(found.get(key, (0, ""))[0] for found in values)]
    series = tuple(
        Series(
            code,
            stats_tables.indicator_name(code, lang),
            tuple(found.get(key, (0, "0"))[0] for key in keys),
            tuple(found.get(key, (0, "0"))[1] for key in keys),
            COLOURS[index % len(COLOURS)],
        )
        for index, (code, found) in enumerate(zip(spec.codes, values, strict=True))
    )
    return ChartData(spec.dimension, tuple(keys), tuple(labels[key] for key in keys), series)


def trend_data(stats: Statistics, lang: str) -> ChartData | None:
    trend = stats.trend
    if trend is None:
        return None
    months = trend.months
    labels = tuple(short_month(day, lang, day.month == 1) for day in months)
    series = tuple(
        Series(
            code,
            stats_tables.indicator_name(code, lang),
            tuple(float(v) for v in trend.values.get(code, ())),
            tuple(stats_tables.format_value(v, BY_CODE[code].unit, lang) for v in trend.values.get(code, ())),
            COLOURS[index % len(COLOURS)],
        )
        for index, code in enumerate(TREND_FIGURES)
    )
    return ChartData("", tuple(f"{day:%Y-%m}" for day in months), labels, series)


def chart_title(spec: ChartSpec, stats: Statistics, lang: str) -> str:
    if spec.key == "trend" and stats.trend is not None and stats.trend.months:
        months = stats.trend.months
        span = f"{month_label(months[0], lang)} – {month_label(months[-1], lang)}"
        return i18n.tr_in(lang, "statistics.chart.title.trend", period=span)
    return i18n.tr_in(lang, f"statistics.chart.title.{spec.key}", period=stats_tables.period_label(stats, lang))


# -- axes -----------------------------------------------------------------------------------


class CountAxis(pg.AxisItem):  # type: ignore[misc]
    """A value axis of counts: whole numbers only (no "2.5 persons")."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        levels = super().tickSpacing(minVal, maxVal, size)
        whole = [(spacing, offset) for spacing, offset in levels if spacing >= 1]
        return whole or [(1.0, 0.0)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [str(round(value * scale)) for value in values]


def _colours() -> tuple[QColor, QColor]:
    """Background and text colours from the palette (light or dark)."""
    palette = QWidget().palette()
    return palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)


def _plot_widget() -> pg.PlotWidget:
    background, _text = _colours()
    axes = {side: CountAxis(side) for side in ("bottom", "left", "right")}
    widget = pg.PlotWidget(background=background, axisItems=axes)
    widget.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    item = widget.getPlotItem()
    item.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    item.setMenuEnabled(False)
    item.hideButtons()
    item.setMouseEnabled(False, False)
    widget.setMinimumHeight(220)
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return widget


def _style_axes(item: pg.PlotItem) -> None:
    _background, text = _colours()
    for name in ("left", "right", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(text))
        axis.setTextPen(pg.mkPen(text))


class Legend(QWidget):
    """Coloured squares and names under the chart (Qt lays them out, right to left in Arabic)."""

    COLUMNS = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(4, 0, 4, 0)
        self.grid.setHorizontalSpacing(14)
        self.labels: list[QLabel] = []

    def show_series(self, series: tuple[Series, ...]) -> None:
        while self.grid.count():
            taken = self.grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        self.labels = []
        size = self.fontMetrics().height() - 4
        for index, one in enumerate(series):
            swatch = QLabel()
            pixmap = QPixmap(size, size)
            pixmap.fill(QColor(one.colour))
            swatch.setPixmap(pixmap)
            name = QLabel(one.name)
            cell = QWidget()
            row = QHBoxLayout(cell)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(6)
            row.addWidget(swatch)
            row.addWidget(name, 1)
            self.grid.addWidget(cell, index // self.COLUMNS, index % self.COLUMNS)
            self.labels.append(name)
        self.setVisible(len(series) > 1)


# -- charts ---------------------------------------------------------------------------------


class BarChart(QWidget):
    """Horizontal bars, one row per breakdown value, grouped when there are several indicators."""

    sig_hovered = Signal(str)
    """What the bar under the mouse stands for ("" when none)."""
    sig_clicked = Signal(str, str, str)
    """Indicator code, breakdown dimension and value of the bar clicked."""

    LABEL_SHARE = 0.42
    """At most this share of the width for a category's label (longer ones are cut in the middle)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = _plot_widget()
        self.item = self.plot.getPlotItem()
        self.view = self.item.getViewBox()
        self.view.invertY(True)
        self.item.showGrid(x=True, y=False, alpha=0.25)
        self.data: ChartData | None = None
        self.rtl = False
        self.value_items: list[pg.TextItem] = []
        self.plot.scene().sigMouseMoved.connect(self._moved)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self.plot.setCursor(Qt.CursorShape.PointingHandCursor)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.plot)

    @property
    def category_axis(self) -> pg.AxisItem:
        return self.item.getAxis("right" if self.rtl else "left")

    def show_data(self, data: ChartData | None, rtl: bool, empty_text: str) -> None:
        self.data = data
        self.rtl = rtl
        self.item.clear()
        self.value_items = []
        self.view.invertX(rtl)
        self.item.showAxis("left", not rtl)
        self.item.showAxis("right", rtl)
        _style_axes(self.item)
        if data is None or data.empty:
            for name in ("left", "right"):
                self.item.getAxis(name).setTicks([[]])
            self.item.setXRange(0, 1, padding=0)
            self.item.setYRange(0, 1, padding=0)
            message = pg.TextItem(empty_text, color=_colours()[1], anchor=(0.5, 0.5))
            message.setPos(0.5, 0.5)
            self.item.addItem(message)
            return
        count = len(data.series)
        height = BAR_SPAN / count
        _background, text = _colours()
        for number, series in enumerate(data.series):
            centres = [row - BAR_SPAN / 2 + height * (number + 0.5) for row in range(len(data.keys))]
            bars = pg.BarGraphItem(
                x0=0, y=centres, height=height * 0.92, width=list(series.values),
                brush=QColor(series.colour), pen=pg.mkPen(QColor(series.colour).darker(130)),
            )  # fmt: skip
            self.item.addItem(bars)
            for centre, value, shown in zip(centres, series.values, series.texts, strict=True):
                label = pg.TextItem(shown, color=text, anchor=(1.0 if rtl else 0.0, 0.5))
                label.setPos(value, centre)
                self.item.addItem(label)
                self.value_items.append(label)
        top = max((value for series in data.series for value in series.values), default=0)
        self.item.setXRange(0, max(top * HEADROOM, 1), padding=0)
        self.item.setYRange(-0.5, len(data.keys) - 0.5, padding=0)
        self._label_rows()

    def _label_rows(self) -> None:
        """The category labels on the side the reading starts from, cut in the middle if too long."""
        data = self.data
        if data is None or data.empty:
            return
        axis = self.category_axis
        metrics = QFontMetrics(axis.font() if hasattr(axis, "font") else self.font())
        room = max(140, int(self.width() * self.LABEL_SHARE))
        ticks = [
            (row, metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, room))
            for row, label in enumerate(data.labels)
        ]
        axis.setTicks([ticks])
        self.item.getAxis("left" if self.rtl else "right").setTicks([[]])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._label_rows()

    # -- the mouse ----------------------------------------------------------------------

    def bar_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """(series, row) of the bar at this point of the scene, or None."""
        data = self.data
        if data is None or data.empty or not self.view.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.view.mapSceneToView(scene_pos)
        row = round(point.y())
        if not 0 <= row < len(data.keys) or abs(point.y() - row) > BAR_SPAN / 2:
            return None
        height = BAR_SPAN / len(data.series)
        series = min(len(data.series) - 1, max(0, int((point.y() - (row - BAR_SPAN / 2)) / height)))
        return series, row

    def scene_pos_of(self, series: int, row: int) -> QPointF:
        """The middle of a bar, in scene coordinates (for tests and keyboard-free checks)."""
        assert self.data is not None
        height = BAR_SPAN / len(self.data.series)
        centre = row - BAR_SPAN / 2 + height * (series + 0.5)
        value = self.data.series[series].values[row]
        point: QPointF = self.view.mapViewToScene(QPointF(max(value, 0.2) / 2, centre))
        return point

    def describe(self, series: int, row: int) -> str:
        assert self.data is not None
        one = self.data.series[series]
        label = self.data.labels[row]
        if len(self.data.series) == 1:
            return tr("statistics.chart.hover", label=label, value=one.texts[row])
        return tr("statistics.chart.hover_series", label=label, series=one.name, value=one.texts[row])

    def _moved(self, scene_pos: QPointF) -> None:
        found = self.bar_at(scene_pos)
        text = self.describe(*found) if found is not None else ""
        self.sig_hovered.emit(text)
        if text:
            QToolTip.showText(QCursor.pos(), text, self.plot)
        else:
            QToolTip.hideText()

    def _clicked(self, event: object) -> None:
        button = getattr(event, "button", None)
        scene_pos = getattr(event, "scenePos", None)
        if button is None or scene_pos is None or button() != Qt.MouseButton.LeftButton:
            return
        self.click_at(scene_pos())

    def click_at(self, scene_pos: QPointF) -> None:
        found = self.bar_at(scene_pos)
        if found is None or self.data is None:
            return
        series, row = found
        self.sig_clicked.emit(self.data.series[series].code, self.data.dimension, self.data.keys[row])


class TrendChart(QWidget):
    """Lines month by month, the oldest first in the reading direction (see the module's note)."""

    sig_hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = _plot_widget()
        self.item = self.plot.getPlotItem()
        self.item.showGrid(x=False, y=True, alpha=0.25)
        self.data: ChartData | None = None
        self.rtl = False
        self.cursor_line = pg.InfiniteLine(angle=90, movable=False)
        self.plot.scene().sigMouseMoved.connect(self._moved)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.plot)

    def show_data(self, data: ChartData | None, rtl: bool, empty_text: str) -> None:
        self.data = data
        self.rtl = rtl
        self.item.clear()
        _background, text = _colours()
        self.item.getViewBox().invertX(rtl)
        self.item.showAxis("left", not rtl)
        self.item.showAxis("right", rtl)
        _style_axes(self.item)
        bottom = self.item.getAxis("bottom")
        if data is None or data.empty:
            bottom.setTicks([[]])
            self.item.setXRange(0, 1, padding=0)
            self.item.setYRange(0, 1, padding=0)
            message = pg.TextItem(empty_text, color=text, anchor=(0.5, 0.5))
            message.setPos(0.5, 0.5)
            self.item.addItem(message)
            return
        xs = list(range(len(data.keys)))
        bottom.setTicks([list(enumerate(data.labels))])
        for series in data.series:
            colour = QColor(series.colour)
            self.item.plot(
                xs, list(series.values), pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=6,
                symbolBrush=colour, symbolPen=colour, antialias=True,
            )  # fmt: skip
        cursor = QColor(text)
        cursor.setAlpha(110)
        self.cursor_line.setPen(pg.mkPen(cursor, width=1, style=Qt.PenStyle.DashLine))
        self.cursor_line.hide()
        self.item.addItem(self.cursor_line, ignoreBounds=True)
        top = max((value for series in data.series for value in series.values), default=0)
        self.item.setXRange(-0.5, len(xs) - 0.5, padding=0)
        self.item.setYRange(0, max(top * 1.12, 1), padding=0)

    def month_at(self, scene_pos: QPointF) -> int | None:
        data = self.data
        view = self.item.getViewBox()
        if data is None or data.empty or not view.sceneBoundingRect().contains(scene_pos):
            return None
        index = round(view.mapSceneToView(scene_pos).x())
        return index if 0 <= index < len(data.keys) else None

    def describe(self, index: int) -> str:
        assert self.data is not None
        year, month = (int(part) for part in self.data.keys[index].split("-"))
        values = tr("case.list_separator").join(
            tr("statistics.chart.hover", label=series.name, value=series.texts[index]) for series in self.data.series
        )
        return tr(
            "statistics.chart.hover_month", month=month_label(date(year, month, 1), i18n.language()), values=values
        )

    def _moved(self, scene_pos: QPointF) -> None:
        index = self.month_at(scene_pos)
        if index is None:
            self.cursor_line.hide()
            self.sig_hovered.emit("")
            return
        self.cursor_line.setValue(index)
        self.cursor_line.show()
        self.sig_hovered.emit(self.describe(index))


# -- a chart with its title, legend, hover line and export ------------------------------------


class ChartFrame(QWidget):
    """What a picture of the chart shows: title, plot, legend, source."""

    def __init__(self, chart: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.title = QLabel()
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.legend = Legend()
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 6, 8, 6)
        box.addWidget(self.title)
        box.addWidget(chart, 1)
        box.addWidget(self.legend)
        box.addWidget(self.source)

    def png_bytes(self, scale: float = EXPORT_SCALE) -> bytes:
        """The frame drawn at ``scale`` times its size, as PNG."""
        size = self.size()
        image = QImage(int(size.width() * scale), int(size.height() * scale), QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(scale)
        image.fill(self.palette().color(QPalette.ColorRole.Window))
        self.render(image)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        saved = image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; PySide wants str
        if not saved:
            raise OSError("PNG encoding failed")
        buffer.close()
        return bytes(data.data())


def write_file(out: Path, data: bytes) -> None:
    """All of the file or nothing (a full disk raises DiskFull, told in the user's language)."""
    write_export(out, data)


class ChartPanel(QWidget):
    """One tab: the chart in its frame, what the mouse points at, "Exporter en PNG…"."""

    sig_drill = Signal(str, str, str)
    """Indicator code, breakdown and value of a bar clicked."""
    sig_export = Signal(object)
    """This panel: the person asked for a PNG of its chart."""

    def __init__(self, spec: ChartSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.chart: BarChart | TrendChart
        if spec.dimension:
            self.chart = BarChart()
            self.chart.sig_clicked.connect(self.sig_drill)
        else:
            self.chart = TrendChart()
        self.chart.sig_hovered.connect(self._hovered)
        self.frame = ChartFrame(self.chart)
        self.hover_label = QLabel()
        self.hover_label.setWordWrap(True)
        self.hint_label = QLabel()
        self.hint_label.setWordWrap(True)
        self.hint_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.export_button = QPushButton()
        self.export_button.clicked.connect(lambda: self.sig_export.emit(self))
        self.export_button.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hover_label, 1)
        bottom.addWidget(self.export_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.frame, 1)
        box.addWidget(self.hint_label)
        box.addLayout(bottom)
        self._stats: Statistics | None = None

    def _hovered(self, text: str) -> None:
        self.hover_label.setText(text)

    def show_stats(self, stats: Statistics | None, lang: str) -> None:
        self._stats = stats
        rtl = i18n.is_rtl(lang)
        empty = tr("statistics.chart.empty")
        self.hover_label.clear()
        self.export_button.setText(tr("statistics.chart.export"))
        self.hint_label.setText(tr("statistics.chart.click_hint") if self.spec.dimension else "")
        self.hint_label.setVisible(bool(self.spec.dimension))
        if stats is None:
            self.frame.title.clear()
            self.frame.source.clear()
            self.frame.legend.show_series(())
            self.chart.show_data(None, rtl, "")
            self.export_button.setEnabled(False)
            return
        self.frame.title.setText(chart_title(self.spec, stats, lang))
        source = tr(
            "statistics.chart.source",
            office=stats.office.name,
            date=format_datetime(stats.generated_at),
            audience=tr(f"stats.audience.{stats.audience.value}"),
        )
        # An office named in Latin letters would make the line read left to right in Arabic.
        self.frame.source.setText(RLM + source if rtl else source)
        data = bar_data(stats, self.spec, lang) if isinstance(self.chart, BarChart) else trend_data(stats, lang)
        self.chart.show_data(data, rtl, empty)
        self.frame.legend.show_series(data.series if data is not None else ())
        self.export_button.setEnabled(True)

    def file_name(self) -> str:
        period = self._stats.period.key().replace("..", "_") if self._stats is not None else ""
        return f"statistiques_{self.spec.key}_{period}.png"

    def save_png(self, out: Path) -> None:
        write_file(out, self.frame.png_bytes())
