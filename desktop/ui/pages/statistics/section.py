"""Statistiques: the office's figures for a month (or a run of months), on screen.

On top the period (by default the last complete month at the office), then the key
figures with how they moved, then the charts beside the table of the breakdown they
show. Clicking a key figure, a bar or a table row lists the cases behind it.

The figures are for the office's own use (``Audience.INTERNAL``: every person
received counts, no cell is hidden); what leaves the office goes through the report.

Computing runs on the database thread (``statistics.compute``). One computation at a
time: choosing other periods meanwhile only changes the one wanted, asked for when
the running one returns, and an answer for a period no longer wanted is dropped, so
the screen never shows figures of another period than the one chosen. After 300 ms a
moving bar shows and the figures grey out. The page computes when it is shown (the
database thread is shared: a large office's figures are not computed for nobody),
and again when shown after five minutes or on "Actualiser".
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain.errors import InputRejected
from desktop.domain.indicators import Audience
from desktop.domain.periods import Period
from desktop.i18n import tr
from desktop.reports import stats_tables
from desktop.services import statistics
from desktop.services.statistics import Statistics
from desktop.ui.context import AppContext
from desktop.ui.pages.base import Page
from desktop.ui.pages.statistics.drill_down import DrillDownDialog, DrillRequest
from desktop.ui.pages.statistics.extract_dialog import ExtractLauncher
from desktop.ui.pages.statistics.key_figures import KeyFigures
from desktop.ui.pages.statistics.period_picker import PeriodPicker
from desktop.ui.pages.statistics.tables import BreakdownPanel
from desktop.ui.pages.statistics.texts import period_text
from desktop.ui.tasks import BUSY_INDICATOR_DELAY_MS
from desktop.ui.widgets.common import ErrorLabel, StatusMessages, busy_bar, format_datetime

if TYPE_CHECKING:
    from desktop.ui.pages.statistics.charts import ChartPanel

PICK_DELAY_MS = 250
"""A period clicked through (previous, previous, previous) is computed once the clicks pause."""
RECOMPUTE_AFTER_S = 300
"""Shown again after this long, the page computes again (cases were recorded meanwhile)."""
AUDIENCE = Audience.INTERNAL


class StatisticsSection(Page):
    title_key = "statistics.title"
    icon_name = "statistics"

    sig_open_case = Signal(int)
    """A case was asked for from the cases behind a figure (the Dossiers section opens it)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.stats: Statistics | None = None
        self._generation = 0
        """Bumped by each period asked for and by a lock: which answer is wanted."""
        self._in_flight: int | None = None
        """The generation of the computation running now, if any."""
        self._wanted: Period | None = None
        self._computed_at: float | None = None
        self._stale = True
        self._export_dir = ""
        self.drill_dialog: DrillDownDialog | None = None

        self.picker = PeriodPicker()
        self.picker.sig_changed.connect(self._period_changed)
        self.pick_timer = QTimer(self)
        self.pick_timer.setSingleShot(True)
        self.pick_timer.setInterval(PICK_DELAY_MS)
        self.pick_timer.timeout.connect(self.compute)
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.compute)
        self.extract = ExtractLauncher(ctx, self)
        """The regional extract (supervisors and admins)."""
        self.audience_label = QLabel()
        self.audience_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.busy = busy_bar()
        self.busy_timer = QTimer(self)
        self.busy_timer.setSingleShot(True)
        self.busy_timer.setInterval(BUSY_INDICATOR_DELAY_MS)
        self.busy_timer.timeout.connect(self._show_busy)
        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.compare_label = QLabel()
        self.compare_label.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label = ErrorLabel()
        self.messages = StatusMessages(self.status_label, self.error_label)

        self.figures = KeyFigures()
        self.figures.sig_drill.connect(lambda code: self.drill(code, "", ""))
        self.chart_tabs = QTabWidget()
        self.chart_tabs.setDocumentMode(True)
        self.panels: list[ChartPanel] = []
        """Built when first shown: pyqtgraph (and numpy) cost half a second to import."""
        self.chart_tabs.currentChanged.connect(self._chart_tab_changed)
        self.tables = BreakdownPanel()
        self.tables.sig_drill.connect(self.drill)
        self.tables.choose("people_received", "category")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.chart_tabs)
        self.splitter.addWidget(self.tables)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.results = QWidget()
        results_box = QVBoxLayout(self.results)
        results_box.setContentsMargins(0, 0, 0, 0)
        results_box.addWidget(self.figures)
        results_box.addWidget(self.splitter, 1)

        top = QHBoxLayout()
        top.addWidget(self.picker)
        top.addWidget(self.refresh_button)
        top.addWidget(self.extract.button)
        top.addStretch(1)
        top.addWidget(self.audience_label)
        title_row = QHBoxLayout()
        title_row.addWidget(self.heading)
        title_row.addWidget(self.compare_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.busy)
        layout.addWidget(self.error_label)
        layout.addLayout(title_row)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status_label)
        self.retranslate()

    # -- computing ---------------------------------------------------------------------

    def _period_changed(self) -> None:
        self.pick_timer.start()

    def compute(self) -> None:
        """Compute the period on screen (the newest wins; see the module's note)."""
        self.pick_timer.stop()
        if not shiboken6.isValid(self) or self.ctx.actor is None:
            return
        try:
            period = self.picker.period()
        except InputRejected as error:
            self.messages.show_error(error)
            return
        self.messages.clear()
        if self._in_flight is not None and self._in_flight == self._generation and self._wanted == period:
            return  # already computing this very period (unlocked and shown at once)
        self._generation += 1
        self._wanted = period
        if not self.busy_timer.isActive() and not self.busy.isVisible():
            self.busy_timer.start()
        if self._in_flight is None:
            self._ask()

    def _ask(self) -> None:
        generation, period = self._generation, self._wanted
        assert period is not None
        self._in_flight = generation
        # First the period alone (its figures show at once), then the comparisons and the trend.
        self.ctx.call(
            statistics.compute,
            period,
            AUDIENCE,
            False,
            0,
            on_done=partial(self._computed, generation, False),
            on_error=partial(self._failed, generation),
        )

    def _answer_wanted(self, generation: int) -> bool:
        if not shiboken6.isValid(self) or self._in_flight != generation:
            return False  # from before a lock
        self._in_flight = None
        if self.ctx.actor is None:
            return False
        if generation != self._generation:
            self._ask()  # another period was chosen meanwhile: ask for the newest only
            return False
        return True

    def _computed(self, generation: int, complete: bool, stats: Statistics) -> None:
        if not self._answer_wanted(generation):
            return
        self._stop_busy()
        self.stats = stats
        self._computed_at = time.monotonic()
        self._stale = False
        self._show_stats()
        if not complete:  # now what the period is compared with, and the year's trend
            self._in_flight = generation
            self.ctx.call(
                statistics.complete,
                stats,
                on_done=partial(self._computed, generation, True),
                on_error=partial(self._failed, generation),
            )

    def _failed(self, generation: int, error: BaseException) -> None:
        if not self._answer_wanted(generation):
            return
        self._stop_busy()
        self.messages.show_error(error)

    def _show_busy(self) -> None:
        self.busy.show()
        self.results.setEnabled(False)

    def _stop_busy(self) -> None:
        self.busy_timer.stop()
        self.busy.hide()
        self.results.setEnabled(True)

    @property
    def computing(self) -> bool:
        return self._in_flight is not None or self.pick_timer.isActive()

    # -- showing -------------------------------------------------------------------------

    def _show_stats(self) -> None:
        stats = self.stats
        lang = i18n.language()
        if stats is not None:
            self._build_charts()
        self.figures.show_stats(stats, lang)
        for panel in self.panels:
            panel.show_stats(stats, lang)
        self.tables.show_stats(stats, lang)
        if stats is None:
            self.heading.clear()
            self.compare_label.clear()
            return
        self.heading.setText(stats_tables.period_label(stats, lang))
        compared = [period_text(s.period, lang) for s in (stats.previous, stats.last_year) if s is not None]
        parts = []
        if compared:
            parts.append(tr("statistics.compared_with", periods=tr("statistics.and").join(compared)))
        parts.append(tr("statistics.computed_at", date=format_datetime(stats.generated_at)))
        self.compare_label.setText(tr("case.list_separator").join(parts))

    def _build_charts(self) -> None:
        if self.panels:
            return
        from desktop.ui.pages.statistics.charts import CHARTS, ChartPanel

        for spec in CHARTS:
            panel = ChartPanel(spec)
            panel.sig_drill.connect(self._bar_clicked)
            panel.sig_export.connect(self.export_chart)
            self.panels.append(panel)
            self.chart_tabs.addTab(panel, "")
        self._title_tabs()
        self.splitter.setSizes([3000, 2000])  # three fifths for the charts, now that they exist

    def _title_tabs(self) -> None:
        for index, panel in enumerate(self.panels):
            self.chart_tabs.setTabText(index, tr(f"statistics.chart.tab.{panel.spec.key}"))

    def _chart_tab_changed(self, index: int) -> None:
        if 0 <= index < len(self.panels) and self.panels[index].spec.dimension:
            spec = self.panels[index].spec
            self.tables.choose(spec.codes[0], spec.dimension)

    def _bar_clicked(self, code: str, dimension: str, key: str) -> None:
        self.tables.choose(code, dimension)
        self.tables.select_key(key)
        self.drill(code, dimension, key)

    # -- the cases behind a figure ---------------------------------------------------------

    def drill(self, code: str, dimension: str, key: str) -> None:
        """List the cases behind a figure ("" dimension: the whole figure) in a dialog."""
        stats = self.stats
        if stats is None or self.ctx.actor is None:
            return
        request = DrillRequest(stats.period, code, dimension or None, key if dimension else None, AUDIENCE)
        self._close_drill()
        dialog = DrillDownDialog(self.ctx, request, partial(self._describe, request, stats), self)
        dialog.sig_open_case.connect(self.open_case)
        dialog.finished.connect(self._drill_finished)
        self.drill_dialog = dialog
        dialog.show()

    @staticmethod
    def _describe(request: DrillRequest, stats: Statistics) -> str:
        lang = i18n.language()
        indicator = stats_tables.indicator_name(request.code, lang)
        period = period_text(request.period, lang)
        if request.dimension:
            return tr(
                "statistics.drill.heading_cell",
                indicator=indicator,
                dimension=stats_tables.dimension_name(request.dimension, lang),
                value=stats_tables.value_label(request.dimension, request.key or "", lang, stats.current),
                period=period,
            )
        return tr("statistics.drill.heading", indicator=indicator, period=period)

    def open_case(self, case_id: int) -> None:
        """Show the case in the Dossiers section (and say so to whoever listens)."""
        from desktop.ui.pages.referrals import common

        self.sig_open_case.emit(case_id)
        common.open_case(self, case_id)

    def _drill_finished(self, _result: int) -> None:
        dialog, self.drill_dialog = self.drill_dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.deleteLater()

    def _close_drill(self) -> None:
        dialog, self.drill_dialog = self.drill_dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.finished.disconnect(self._drill_finished)
            dialog.clear()
            dialog.done(QDialog.DialogCode.Rejected)
            dialog.deleteLater()

    # -- export ----------------------------------------------------------------------------

    def ask_png_path(self, file_name: str) -> str:
        """Where to write the picture ("" if the person gave up; tests replace this method)."""
        folder = self._export_dir or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(
            self, tr("statistics.export.title"), str(Path(folder) / file_name), tr("statistics.export.filter")
        )
        return path

    def export_chart(self, panel: ChartPanel) -> None:
        """Write the chart as a PNG, then audit the export."""
        stats = self.stats
        if stats is None or self.ctx.actor is None:
            return
        chosen = self.ask_png_path(panel.file_name())
        if not chosen:
            return
        out = Path(chosen)
        if out.suffix.lower() != ".png":
            out = out.with_name(out.name + ".png")
        self._export_dir = str(out.parent)
        try:
            panel.save_png(out)
        except OSError:
            self.messages.clear()
            self.error_label.show_text(tr("statistics.export.failed", path=str(out)))
            return
        self.ctx.call(
            statistics.record_export,
            stats.period,
            f"chart {panel.spec.key} png",
            stats.audience,
            on_done=lambda _none: self._exported(out),
            on_error=self._export_failed,
        )

    def _exported(self, out: Path) -> None:
        if shiboken6.isValid(self) and self.ctx.actor is not None:
            self.messages.set_status("statistics.export.done", path=str(out))

    def _export_failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self):
            self.messages.show_error(error)

    # -- page contract ---------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._build_charts()
        if self.ctx.actor is None or self._in_flight is not None:
            return
        old = self._computed_at is None or time.monotonic() - self._computed_at > RECOMPUTE_AFTER_S
        if self._stale or old:
            self.compute()

    def reload(self) -> None:
        """Unlocked: compute now if shown, else when shown (see the module's note)."""
        if not shiboken6.isValid(self):
            return
        self._stale = True
        if self.isVisible():
            self.compute()

    def clear(self) -> None:
        """The office locked: no figure, no case stays; the next session starts on the default month."""
        if not shiboken6.isValid(self):
            return
        self._generation += 1
        self._in_flight = None
        self._wanted = None
        self._computed_at = None
        self._stale = True
        self.pick_timer.stop()
        self._stop_busy()
        self._close_drill()
        self.stats = None
        self.messages.clear()
        self.picker.reset()
        self._show_stats()

    def retranslate(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.picker.retranslate()
        self.refresh_button.setText(tr("statistics.refresh"))
        self.audience_label.setText(tr("statistics.audience_note"))
        self.audience_label.setToolTip(tr("statistics.audience_tip"))
        self._title_tabs()
        self.messages.retranslate()
        self._show_stats()
