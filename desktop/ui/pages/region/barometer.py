"""Baromètre: access to seven basic services, commune by commune and month by month.

For each service (each covering referral domains, :data:`BAROMETER_SERVICES`): referrals
made, the counter-referral rate, the share served and the median delay
(docs/regional.md, *Barometer*). The table crosses the services with the communes for
the measure chosen; below, the service chosen month by month: a chart of the measure
(the region and each commune) and the region's four measures in a table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain.errors import InputRejected
from desktop.domain.geography import commune_name
from desktop.domain.regional import BAROMETER_SERVICES, Access
from desktop.i18n import tr
from desktop.services import region_stats
from desktop.services.region_stats import RegionalStatistics
from desktop.ui.context import AppContext
from desktop.ui.pages.region.common import (
    DASH,
    MEASURES,
    MonthRange,
    RegionPage,
    access_tip,
    bold,
    commune_label,
    measure_number,
    measure_text,
    month_text,
    note_label,
    number_item,
    read_only_table,
    reported,
    share_splitter,
    text_item,
)
from desktop.ui.pages.region.report import ReportButtons

if TYPE_CHECKING:
    from desktop.ui.pages.region.charts import TrendLines
    from desktop.ui.pages.statistics.charts import ChartFrame

MONTHS_SHOWN = 6
SERVICES: tuple[str, ...] = tuple(BAROMETER_SERVICES)
COMMUNE_LINES = 5
"""At most this many communes drawn beside the region (more would not be read)."""
REGION_COLOUR = "#333333"


def service_name(service: str) -> str:
    return tr(f"region_ui.service.{service}")


def measure_name(measure: str) -> str:
    return tr(f"region_ui.measure.{measure}")


def cell_access(stats: RegionalStatistics, service: str, commune: str | None, month: str | None) -> Access | None:
    """The service's access where something was reported, else None (shown "—")."""
    if not reported(stats, commune, month):
        return None
    return stats.access(service, commune=commune, month=month)


class BarometerPage(RegionPage):
    title_key = "region_ui.nav.barometer"
    heading_key = "region_ui.barometer.heading"
    intro_key = "region_ui.barometer.intro"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.stats: RegionalStatistics | None = None
        self.range = MonthRange(MONTHS_SHOWN)
        self.range.sig_changed.connect(self.load)
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.load)
        self.report = ReportButtons(ctx, self, self.range.months, self.messages)
        self.measure_label = QLabel()
        self.measure_combo = QComboBox()
        for measure in MEASURES:
            self.measure_combo.addItem("", measure)
        self.measure_label.setBuddy(self.measure_combo)
        self.measure_combo.currentIndexChanged.connect(self._show)
        self.matrix = read_only_table()
        self.matrix.horizontalHeader().setStretchLastSection(False)
        self.exact_note = note_label()

        self.trend_label = QLabel()
        font = self.trend_label.font()
        font.setBold(True)
        self.trend_label.setFont(font)
        self.service_combo = QComboBox()
        for service in SERVICES:
            self.service_combo.addItem("", service)
        self.trend_label.setBuddy(self.service_combo)
        self.service_combo.currentIndexChanged.connect(self._show_trend)
        self.months_table = read_only_table()
        self.chart: TrendLines | None = None
        self.chart_frame: ChartFrame | None = None
        self.hover_label = QLabel()
        self.hover_label.setWordWrap(True)
        self.hover_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.chart_holder = QWidget()
        self.chart_layout = QVBoxLayout(self.chart_holder)
        self.chart_layout.setContentsMargins(0, 0, 0, 0)
        self.chart_layout.addWidget(self.hover_label)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.chart_holder)
        self.splitter.addWidget(self.months_table)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        top = QHBoxLayout()
        top.addWidget(self.range)
        top.addWidget(self.refresh_button)
        top.addSpacing(12)
        top.addWidget(self.measure_label)
        top.addWidget(self.measure_combo)
        top.addStretch(1)
        for button in self.report.buttons.values():
            top.addWidget(button)
        trend_row = QHBoxLayout()
        trend_row.addWidget(self.trend_label)
        trend_row.addWidget(self.service_combo)
        trend_row.addStretch(1)
        self.vertical = QSplitter(Qt.Orientation.Vertical)
        self.vertical.setChildrenCollapsible(False)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.matrix, 1)
        upper_layout.addWidget(self.exact_note)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(trend_row)
        lower_layout.addWidget(self.splitter, 1)
        self.vertical.addWidget(upper)
        self.vertical.addWidget(lower)
        self.vertical.setStretchFactor(0, 2)
        self.vertical.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addLayout(top)
        layout.addWidget(self.error_label)
        layout.addWidget(self.vertical, 1)
        layout.addWidget(self.status_label)
        self.retranslate()

    # -- loading -------------------------------------------------------------------------------
    def load(self) -> None:
        if self.ctx.actor is None:
            return
        try:
            first, last = self.range.months()
        except InputRejected as error:
            self.messages.show_error(error)
            return
        self.messages.clear()
        generation = self.started()
        self.ctx.call(
            region_stats.regional_statistics,
            first,
            last,
            on_done=lambda stats: self._loaded(generation, stats),
            on_error=lambda error: self.failed(generation, error),
        )

    def _loaded(self, generation: int, stats: RegionalStatistics) -> None:
        if self.wanted(generation):
            self.stats = stats
            self._show()

    def clear(self) -> None:
        super().clear()
        self.stats = None
        self._show()

    def measure(self) -> str:
        return str(self.measure_combo.currentData() or MEASURES[0])

    def service(self) -> str:
        return str(self.service_combo.currentData() or SERVICES[0])

    # -- services × communes -----------------------------------------------------------------------
    def _show(self, *_args: object) -> None:
        stats = self.stats
        measure = self.measure()
        table = self.matrix
        table.clear()
        communes: tuple[str | None, ...] = (None, *(stats.communes if stats else ()))
        table.setColumnCount(len(communes) + 1)
        headers = [tr("region_ui.barometer.column.service")]
        lang = i18n.language()
        headers += [tr("region_ui.barometer.region") if c is None else commune_name(c, lang) for c in communes]
        table.setHorizontalHeaderLabels(headers)
        for column, commune in enumerate(communes, start=1):
            header_item = table.horizontalHeaderItem(column)
            if header_item is not None and commune is not None:
                header_item.setToolTip(commune_label(commune))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.setRowCount(len(SERVICES) if stats else 0)
        if stats is not None:
            for row, service in enumerate(SERVICES):
                table.setItem(row, 0, text_item(service_name(service)))
                for column, commune in enumerate(communes, start=1):
                    access = cell_access(stats, service, commune, None)
                    tip = access_tip(access) if access is not None else ""
                    number = measure_number(measure, access) if access is not None else None
                    item = number_item(measure_text(measure, access), number, tip)
                    table.setItem(row, column, bold(item) if commune is None else item)
        self._show_trend()

    # -- one service month by month ------------------------------------------------------------------
    def _show_trend(self, *_args: object) -> None:
        stats = self.stats
        service = self.service()
        table = self.months_table
        table.clear()
        table.setColumnCount(len(MEASURES) + 1)
        short = (tr(f"region_ui.measure_short.{m}") for m in MEASURES)  # on two lines: the chart keeps its room
        table.setHorizontalHeaderLabels([tr("region_ui.barometer.column.month"), *short])
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        months = stats.months if stats else ()
        table.setRowCount(len(months) + 1 if stats else 0)
        if stats is not None:
            for row, month in enumerate((*months, None)):
                label = month_text(month) if month else tr("region_ui.barometer.range_row")
                first = text_item(label)
                table.setItem(row, 0, bold(first) if month is None else first)
                access = cell_access(stats, service, None, month)
                for column, measure in enumerate(MEASURES, start=1):
                    number = measure_number(measure, access) if access is not None else None
                    tip = access_tip(access) if access is not None else ""
                    item = number_item(measure_text(measure, access), number, tip)
                    table.setItem(row, column, bold(item) if month is None else item)
        self._draw_chart()

    def _ensure_chart(self) -> tuple[TrendLines, ChartFrame]:
        from desktop.ui.pages.region.charts import TrendLines
        from desktop.ui.pages.statistics.charts import ChartFrame

        if self.chart is None or self.chart_frame is None:
            self.chart = TrendLines()
            self.chart.sig_hovered.connect(self.hover_label.setText)
            self.chart_frame = ChartFrame(self.chart)
            self.chart_layout.insertWidget(0, self.chart_frame, 1)
            share_splitter(self.splitter, 0.5)
        return self.chart, self.chart_frame

    def _draw_chart(self) -> None:
        stats = self.stats
        if stats is None and self.chart is None:
            return
        from desktop.ui.pages.region.charts import Line, line_colour
        from desktop.ui.pages.statistics.charts import Series

        chart, frame = self._ensure_chart()
        self.hover_label.clear()
        if stats is None:
            frame.title.clear()
            frame.legend.show_series(())
            chart.show_lines((), (), i18n.is_rtl(), "")
            return
        service, measure = self.service(), self.measure()
        lines: list[Line] = []
        drawn: tuple[str | None, ...] = (None, *stats.communes[:COMMUNE_LINES])
        for index, commune in enumerate(drawn):
            accesses = [cell_access(stats, service, commune, month) for month in stats.months]
            values = tuple(measure_number(measure, a) if a is not None else None for a in accesses)
            texts = tuple(
                measure_text(measure, a).replace("\u2066", "").replace("\u2069", "") if a is not None else DASH
                for a in accesses
            )
            name = tr("region_ui.barometer.region") if commune is None else commune_name(commune, i18n.language())
            colour = REGION_COLOUR if commune is None else line_colour(index - 1)
            lines.append(Line(name, values, texts, colour, 3.0 if commune is None else 1.6))
        frame.title.setText(
            tr("region_ui.barometer.chart_title", service=service_name(service), measure=measure_name(measure))
        )
        frame.legend.show_series(tuple(Series("", line.name, (), (), line.colour) for line in lines))
        more = len(stats.communes) - COMMUNE_LINES
        frame.source.setText(tr("region_ui.barometer.more_communes", count=more) if more > 0 else "")
        frame.source.setVisible(more > 0)
        chart.show_lines(stats.months, lines, i18n.is_rtl(), tr("region_ui.no_data"))

    def retranslate(self) -> None:
        super().retranslate()
        self.range.retranslate()
        self.refresh_button.setText(tr("region_ui.refresh"))
        self.report.retranslate()
        self.measure_label.setText(tr("region_ui.barometer.measure"))
        for index, measure in enumerate(MEASURES):
            self.measure_combo.setItemText(index, measure_name(measure))
        self.trend_label.setText(tr("region_ui.barometer.trend"))
        for index, service in enumerate(SERVICES):
            self.service_combo.setItemText(index, service_name(service))
        self.exact_note.setText(tr("region_ui.barometer.exact_note"))
        self._show()
