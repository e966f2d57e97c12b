"""Indicateurs régionaux: the region's totals month by month, and the communes compared.

The figures come from :func:`desktop.services.region_stats.regional_statistics`, combined
over communes and months by the nature of each indicator (docs/regional.md): events
add up, persons become person-months over several months, stocks are the last month's,
rates and medians are recomputed. A month where no commune reported shows "—" (unknown,
not zero); the first row says how many communes reported each month.

Exact numbers, like an office's internal dashboard: these screens are the secretariat's
own. Small cells are suppressed only in what is published (the regional report).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain.errors import InputRejected
from desktop.domain.geography import commune_name
from desktop.domain.indicators import INDICATORS
from desktop.domain.regional import Combine, combine_rule
from desktop.i18n import tr
from desktop.reports.stats_tables import indicator_name
from desktop.services import region_stats
from desktop.services.region_stats import RegionalStatistics
from desktop.ui.context import AppContext
from desktop.ui.pages.region.common import (
    MonthRange,
    RegionPage,
    bold,
    commune_label,
    figure_number,
    figure_text,
    fit_columns,
    month_header,
    month_text,
    note_label,
    number_item,
    read_only_table,
    share_splitter,
    text_item,
)
from desktop.ui.pages.region.report import ReportButtons
from desktop.ui.pages.statistics.texts import ltr

if TYPE_CHECKING:
    from desktop.ui.pages.statistics.charts import BarChart, ChartFrame

MONTHS_SHOWN = 6
CODES: tuple[str, ...] = tuple(indicator.code for indicator in INDICATORS)


def rule_note(code: str, several_months: bool) -> str:
    """How the range column combines the months, for its tooltip."""
    if not several_months:
        return ""
    return tr(f"region_ui.indicators.rule.{combine_rule(code).value}")


class IndicatorsPage(RegionPage):
    title_key = "region_ui.nav.indicators"
    heading_key = "region_ui.indicators.heading"
    intro_key = "region_ui.indicators.intro"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.stats: RegionalStatistics | None = None
        self.range = MonthRange(MONTHS_SHOWN)
        self.range.sig_changed.connect(self.load)
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.load)
        self.report = ReportButtons(ctx, self, self.range.months, self.messages)
        self.exact_note = note_label()

        self.totals = read_only_table()
        self.rules_note = note_label()
        totals_tab = QWidget()
        totals_layout = QVBoxLayout(totals_tab)
        totals_layout.addWidget(self.totals, 1)
        totals_layout.addWidget(self.rules_note)

        self.indicator_label = QLabel()
        self.indicator_combo = QComboBox()
        self.indicator_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for code in CODES:
            self.indicator_combo.addItem("", code)
        self.indicator_label.setBuddy(self.indicator_combo)
        self.indicator_combo.currentIndexChanged.connect(self._show_comparison)
        self.rule_label = note_label()
        """How the range column combines the months, for the indicator chosen."""
        self.comparison = read_only_table()
        self.chart: BarChart | None = None
        self.chart_frame: ChartFrame | None = None
        self.chart_holder = QWidget()
        self.chart_layout = QVBoxLayout(self.chart_holder)
        self.chart_layout.setContentsMargins(0, 0, 0, 0)
        self.chart_layout.addStretch(1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.comparison)
        self.splitter.addWidget(self.chart_holder)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        comparison_tab = QWidget()
        comparison_layout = QVBoxLayout(comparison_tab)
        choose = QHBoxLayout()
        choose.addWidget(self.indicator_label)
        choose.addWidget(self.indicator_combo)
        choose.addWidget(self.rule_label, 1)
        comparison_layout.addLayout(choose)
        comparison_layout.addWidget(self.splitter, 1)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(totals_tab, "")
        self.tabs.addTab(comparison_tab, "")
        self.tabs.currentChanged.connect(self._tab_changed)

        top = QHBoxLayout()
        top.addWidget(self.range)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        for button in self.report.buttons.values():
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addLayout(top)
        layout.addWidget(self.exact_note)
        layout.addWidget(self.error_label)
        layout.addWidget(self.tabs, 1)
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

    # -- the region's totals -----------------------------------------------------------------------
    def _show(self) -> None:
        self._show_totals()
        self._show_comparison()

    def _month_headers(self, first: str) -> list[str]:
        stats = self.stats
        months = stats.months if stats else ()
        return [first, *(month_header(m) for m in months), tr("region_ui.indicators.column.range")]

    def _show_totals(self) -> None:
        stats = self.stats
        table = self.totals
        table.clear()
        months = stats.months if stats else ()
        table.setColumnCount(len(months) + 2)
        table.setHorizontalHeaderLabels(self._month_headers(tr("region_ui.indicators.column.indicator")))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        fit_columns(table, 1, len(months) + 1)
        if stats is None:
            table.setRowCount(0)
            return
        table.setRowCount(len(CODES) + 1)
        total = len(stats.communes)
        table.setItem(0, 0, bold(text_item(tr("region_ui.indicators.reported"))))
        for column, month in enumerate(months, start=1):
            count = len(stats.reported.get(month, ()))
            tip = tr("region_ui.indicators.reported_tip", count=count, total=total)
            table.setItem(0, column, number_item(ltr(f"{count} / {total}"), count, tip))
        anywhere = len(set().union(*stats.reported.values())) if stats.reported else 0
        table.setItem(0, len(months) + 1, number_item(ltr(f"{anywhere} / {total}"), anywhere))
        several = len(months) > 1
        for row, code in enumerate(CODES, start=1):
            name = indicator_name(code, i18n.language())
            if several and combine_rule(code) is Combine.PERSON_MONTHS:
                name = tr("region_ui.indicators.person_months", name=name)
            table.setItem(row, 0, text_item(name))
            for column, month in enumerate(months, start=1):
                pair = stats.figure(code, month=month)
                table.setItem(row, column, number_item(figure_text(code, pair), figure_number(code, pair)))
            pair = stats.figure(code)
            cell = bold(number_item(figure_text(code, pair), figure_number(code, pair), rule_note(code, several)))
            table.setItem(row, len(months) + 1, cell)

    # -- the communes compared -----------------------------------------------------------------------
    def indicator(self) -> str:
        return str(self.indicator_combo.currentData() or CODES[0])

    def _show_comparison(self, *_args: object) -> None:
        stats = self.stats
        table = self.comparison
        table.clear()
        months = stats.months if stats else ()
        code = self.indicator()
        table.setColumnCount(len(months) + 2)
        table.setHorizontalHeaderLabels(self._month_headers(tr("region_ui.indicators.column.commune")))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        fit_columns(table, 1, len(months) + 1)
        several = stats is not None and len(stats.months) > 1
        self.rule_label.setText(rule_note(code, several))
        if stats is None:
            table.setRowCount(0)
            self._draw_chart()
            return
        communes = stats.communes
        table.setRowCount(len(communes) + 1)
        for row, commune in enumerate((*communes, None)):
            label = commune_label(commune) if commune else tr("region_ui.indicators.region_row")
            first = text_item(label)
            table.setItem(row, 0, bold(first) if commune is None else first)
            for column, month in enumerate(months, start=1):
                pair = stats.figure(code, commune=commune, month=month)
                table.setItem(row, column, number_item(figure_text(code, pair), figure_number(code, pair)))
            pair = stats.figure(code, commune=commune)
            table.setItem(row, len(months) + 1, bold(number_item(figure_text(code, pair), figure_number(code, pair))))
        self._draw_chart()

    def _tab_changed(self, index: int) -> None:
        if index == 1:
            self._draw_chart()

    def _draw_chart(self) -> None:
        """The range's value of each commune as bars (built when the tab is first shown)."""
        if self.tabs.currentIndex() != 1 and self.chart is None:
            return
        from desktop.ui.pages.statistics.charts import BarChart, ChartData, ChartFrame, Series

        if self.chart is None:
            self.chart = BarChart()
            self.chart.plot.setCursor(Qt.CursorShape.ArrowCursor)
            self.chart_frame = ChartFrame(self.chart)
            self.chart_layout.insertWidget(0, self.chart_frame)
            share_splitter(self.splitter, 0.62)
        assert self.chart_frame is not None
        stats = self.stats
        code = self.indicator()
        lang = i18n.language()
        data = None
        if stats is not None:
            keys, labels, values, texts = [], [], [], []
            for commune in stats.communes:
                pair = stats.figure(code, commune=commune)
                number = figure_number(code, pair)
                if number is None:
                    continue
                keys.append(commune)
                labels.append(commune_name(commune, i18n.language()))
                values.append(number)
                texts.append(figure_text(code, pair).replace("\u2066", "").replace("\u2069", ""))
            name = indicator_name(code, lang)
            data = ChartData(
                "commune", tuple(keys), tuple(labels),
                (Series(code, name, tuple(values), tuple(texts), "#0072B2"),),
            )  # fmt: skip
            span = month_text(stats.months[0])
            if len(stats.months) > 1:
                span = tr("region_ui.range.text", first=span, last=month_text(stats.months[-1]))
            self.chart_frame.title.setText(tr("region_ui.indicators.chart_title", indicator=name, period=span))
        else:
            self.chart_frame.title.clear()
        self.chart_frame.legend.show_series(())
        rows = len(data.keys) if data is not None else 0
        self.chart_frame.setMaximumHeight(max(240, 56 * rows + 110))  # bars of a readable thickness, not slabs
        self.chart.show_data(data, i18n.is_rtl(lang), tr("region_ui.no_data"))

    def retranslate(self) -> None:
        super().retranslate()
        self.range.retranslate()
        self.refresh_button.setText(tr("region_ui.refresh"))
        self.report.retranslate()
        self.exact_note.setText(tr("region_ui.indicators.exact_note"))
        self.rules_note.setText(tr("region_ui.indicators.rules"))
        self.tabs.setTabText(0, tr("region_ui.indicators.tab.totals"))
        self.tabs.setTabText(1, tr("region_ui.indicators.tab.communes"))
        self.indicator_label.setText(tr("region_ui.indicators.choose"))
        for index, code in enumerate(CODES):
            self.indicator_combo.setItemText(index, indicator_name(code, i18n.language()))
        self._show()
