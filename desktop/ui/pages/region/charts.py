"""The regional pages' charts (pyqtgraph, imported when a chart is first shown).

The comparison of communes reuses the statistics page's horizontal bars
(:class:`desktop.ui.pages.statistics.charts.BarChart`). The barometer's trend is drawn
here: months where nothing was reported are gaps in the line, never zeros. Right to
left (Arabic) the chart is mirrored like the office's trend: the oldest month on the
right, the value axis on the right (see :mod:`desktop.ui.pages.statistics.charts`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pyqtgraph as pg  # type: ignore[import-untyped]
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from desktop import i18n
from desktop.domain.periods import month_start
from desktop.i18n import tr
from desktop.ui.pages.region.common import month_text
from desktop.ui.pages.statistics.charts import COLOURS, CountAxis, short_month


@dataclass(frozen=True)
class Line:
    name: str
    values: tuple[float | None, ...]  # one per month; None: nothing reported
    texts: tuple[str, ...]
    colour: str
    width: float = 2.0


def palette_colours() -> tuple[QColor, QColor]:
    palette = QWidget().palette()
    return palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)


class TrendLines(QWidget):
    """Lines month by month, with gaps where nothing was reported."""

    sig_hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        background, _text = palette_colours()
        axes = {side: CountAxis(side) for side in ("bottom", "left", "right")}
        self.plot = pg.PlotWidget(background=background, axisItems=axes)
        self.plot.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.item = self.plot.getPlotItem()
        self.item.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.item.setMenuEnabled(False)
        self.item.hideButtons()
        self.item.setMouseEnabled(False, False)
        self.item.showGrid(x=False, y=True, alpha=0.25)
        self.plot.setMinimumHeight(200)
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.months: tuple[str, ...] = ()
        self.lines: tuple[Line, ...] = ()
        self.rtl = False
        self.plot.scene().sigMouseMoved.connect(self._moved)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.plot)

    @property
    def empty(self) -> bool:
        return not any(v is not None for line in self.lines for v in line.values)

    def show_lines(self, months: Sequence[str], lines: Sequence[Line], rtl: bool, empty_text: str) -> None:
        self.months, self.lines, self.rtl = tuple(months), tuple(lines), rtl
        item = self.item
        item.clear()
        _background, text = palette_colours()
        item.getViewBox().invertX(rtl)
        item.showAxis("left", not rtl)
        item.showAxis("right", rtl)
        for name in ("left", "right", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
        bottom = item.getAxis("bottom")
        if not self.months or self.empty:
            bottom.setTicks([[]])
            item.setXRange(0, 1, padding=0)
            item.setYRange(0, 1, padding=0)
            message = pg.TextItem(empty_text, color=text, anchor=(0.5, 0.5))
            message.setPos(0.5, 0.5)
            item.addItem(message)
            return
        lang = i18n.language()
        labels = [
            short_month(month_start(m), lang, index == 0 or month_start(m).month == 1)
            for index, m in enumerate(self.months)
        ]
        bottom.setTicks([list(enumerate(labels))])
        xs = list(range(len(self.months)))
        for line in self.lines:
            ys = [math.nan if v is None else v for v in line.values]
            colour = QColor(line.colour)
            item.plot(
                xs, ys, pen=pg.mkPen(colour, width=line.width), symbol="o", symbolSize=6,
                symbolBrush=colour, symbolPen=colour, connect="finite", antialias=True,
            )  # fmt: skip
        top = max((v for line in self.lines for v in line.values if v is not None), default=0.0)
        item.setXRange(-0.5, len(xs) - 0.5, padding=0)
        item.setYRange(0, max(top * 1.15, 1), padding=0)

    def month_at(self, scene_pos: QPointF) -> int | None:
        view = self.item.getViewBox()
        if not self.months or self.empty or not view.sceneBoundingRect().contains(scene_pos):
            return None
        index = round(view.mapSceneToView(scene_pos).x())
        return index if 0 <= index < len(self.months) else None

    def describe(self, index: int) -> str:
        values = tr("case.list_separator").join(
            tr("statistics.chart.hover", label=line.name, value=line.texts[index]) for line in self.lines
        )
        return tr("statistics.chart.hover_month", month=month_text(self.months[index]), values=values)

    def _moved(self, scene_pos: QPointF) -> None:
        index = self.month_at(scene_pos)
        self.sig_hovered.emit("" if index is None else self.describe(index))


def line_colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]
