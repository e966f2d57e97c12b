"""Complétude: for each registered commune and month, was the extract received, late, missing?

An extract is on time when it arrives by the 10th of the following month
(:func:`desktop.services.region_status.due_date`); a month not due yet is "pending", not missing.
Each cell has its colour *and* a sign (colour alone would not do for everyone), its
word in the tooltip, and the legend says what each means.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import InputRejected
from desktop.i18n import tr
from desktop.services import region_status
from desktop.services.region_status import Completeness, Delivery
from desktop.ui.context import AppContext
from desktop.ui.pages.region.common import (
    MonthRange,
    RegionPage,
    bold,
    commune_label,
    date_text,
    month_header,
    month_text,
    note_label,
    number_item,
    read_only_table,
    text_item,
)
from desktop.ui.pages.statistics.texts import ltr

COLOURS: dict[Delivery, str] = {
    Delivery.RECEIVED: "#b7e1b9",
    Delivery.LATE: "#ffd59a",
    Delivery.MISSING: "#f4b4b4",
    Delivery.PENDING: "#e3e6ea",
}
"""Light backgrounds with dark text: readable on a light or a dark palette alike."""
SIGNS: dict[Delivery, str] = {
    Delivery.RECEIVED: "✓",
    Delivery.LATE: "!",
    Delivery.MISSING: "✗",
    Delivery.PENDING: "…",
}
TEXT_COLOUR = "#1b1b1b"
MONTHS_SHOWN = 12


class CompletenessPage(RegionPage):
    title_key = "region_ui.nav.completeness"
    heading_key = "region_ui.completeness.heading"
    intro_key = "region_ui.completeness.intro"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.grid: Completeness | None = None
        self.range = MonthRange(MONTHS_SHOWN)
        self.range.sig_changed.connect(self.load)
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.load)
        self.legend = QWidget()
        legend_row = QHBoxLayout(self.legend)
        legend_row.setContentsMargins(0, 0, 0, 0)
        self.legend_labels: dict[Delivery, QLabel] = {}
        for delivery in Delivery:
            swatch = QLabel(SIGNS[delivery])
            swatch.setAlignment(Qt.AlignmentFlag.AlignCenter)
            swatch.setFixedSize(26, 22)
            swatch.setStyleSheet(
                f"background: {COLOURS[delivery]}; color: {TEXT_COLOUR}; border: 1px solid #9e9e9e; font-weight: 600;"
            )
            name = QLabel()
            legend_row.addWidget(swatch)
            legend_row.addWidget(name)
            legend_row.addSpacing(12)
            self.legend_labels[delivery] = name
        legend_row.addStretch(1)
        self.table = read_only_table()
        self.table.setSelectionMode(self.table.SelectionMode.NoSelection)
        self.table.setAlternatingRowColors(False)
        self.month_summary = note_label()
        top = QHBoxLayout()
        top.addWidget(self.range)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addLayout(top)
        layout.addWidget(self.legend)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.month_summary)
        layout.addWidget(self.status_label)
        self.retranslate()

    def load(self) -> None:
        if self.ctx.actor is None:
            return
        try:
            first, last = self.range.months()
        except InputRejected as error:  # a range running backwards
            self.messages.show_error(error)
            return
        self.messages.clear()
        generation = self.started()
        self.ctx.call(
            region_status.completeness,
            first,
            last,
            on_done=lambda grid: self._loaded(generation, grid),
            on_error=lambda error: self.failed(generation, error),
        )

    def _loaded(self, generation: int, grid: Completeness) -> None:
        if self.wanted(generation):
            self.grid = grid
            self._show()

    def cell(self, row: int, month: str) -> Delivery | None:
        """What the grid says for a commune (row) and a month (for tests and tooltips)."""
        grid = self.grid
        if grid is None or month not in grid.months:
            return None
        return grid.rows[row].cells[grid.months.index(month)]

    def _show(self) -> None:
        grid = self.grid
        months = grid.months if grid else ()
        rows = grid.rows if grid else ()
        self.table.clear()
        self.table.setColumnCount(len(months) + 2)
        self.table.setRowCount(len(rows))
        headers = [tr("region_ui.completeness.column.commune")]
        headers += [month_header(month) for month in months]
        headers.append(tr("region_ui.completeness.column.received"))
        self.table.setHorizontalHeaderLabels(headers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(48)
        for row, line in enumerate(rows):
            self.table.setItem(row, 0, text_item(commune_label(line.commune_code), line.office_name))
            due = 0
            arrived = 0
            for column, (month, delivery) in enumerate(zip(months, line.cells, strict=True), start=1):
                item = text_item(SIGNS[delivery], self._tip(line.commune_code, month, delivery))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QColor(COLOURS[delivery]))
                item.setForeground(QColor(TEXT_COLOUR))
                item.setData(Qt.ItemDataRole.AccessibleTextRole, tr(f"region.delivery.{delivery.value}"))
                bold(item)
                self.table.setItem(row, column, item)
                due += delivery is not Delivery.PENDING
                arrived += delivery in (Delivery.RECEIVED, Delivery.LATE)
            self.table.setItem(row, len(months) + 1, number_item(ltr(f"{arrived} / {due}"), arrived))
        complete = sum(
            1
            for index in range(len(months))
            if rows and all(line.cells[index] in (Delivery.RECEIVED, Delivery.LATE) for line in rows)
        )
        if grid is None:
            self.month_summary.clear()
        elif not rows:
            self.month_summary.setText(tr("region_ui.completeness.no_office"))
        else:
            self.month_summary.setText(
                tr("region_ui.completeness.summary", complete=complete, months=len(months), communes=len(rows))
            )

    @staticmethod
    def _tip(commune: str, month: str, delivery: Delivery) -> str:
        return tr(
            "region_ui.completeness.tip",
            commune=commune_label(commune),
            month=month_text(month),
            state=tr(f"region.delivery.{delivery.value}"),
            due=date_text(region_status.due_date(month)),
        )

    def clear(self) -> None:
        super().clear()
        self.grid = None
        self._show()

    def retranslate(self) -> None:
        super().retranslate()
        self.range.retranslate()
        self.refresh_button.setText(tr("region_ui.refresh"))
        for delivery, label in self.legend_labels.items():
            label.setText(tr(f"region_ui.completeness.legend.{delivery.value}"))
        self._show()
