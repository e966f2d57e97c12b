"""A breakdown as a table: one indicator by one breakdown, the period and what it is compared with.

The rows are :func:`desktop.reports.stats_tables.breakdown_table`'s, as printed in the
report. Enter or a double click on a row lists the cases behind it (the total row:
behind the whole figure).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.indicators import BY_CODE, INDICATORS
from desktop.i18n import tr
from desktop.reports import stats_tables
from desktop.reports.stats_tables import Row, Table
from desktop.services.statistics import Statistics
from desktop.ui.models.base import ModelIndex, TranslatedTableModel
from desktop.ui.pages.statistics.texts import ltr
from desktop.ui.widgets.common import select_row

DRILL_ROLE = Qt.ItemDataRole.UserRole
"""``data(index, DRILL_ROLE)``: the breakdown value of the row ("" for the total row)."""


class BreakdownModel(TranslatedTableModel):
    """The rows of a :class:`Table`, then its total; value columns as :func:`column_titles` says."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table: Table | None = None
        self.rows: list[Row] = []
        self.titles: tuple[str, ...] = ()
        self.columns: tuple[str, ...] = ()
        self.lang = "fr"

    def set_table(self, table: Table | None, stats: Statistics | None, lang: str) -> None:
        self.beginResetModel()
        self.table = table
        self.rows = [] if table is None else [*table.rows, *([table.total] if table.total is not None else [])]
        self.titles = stats_tables.column_titles(stats, lang) if stats is not None and table is not None else ()
        self.columns = ()
        if self.titles and stats is not None:
            compared = {"previous": stats.previous, "last_year": stats.last_year}
            self.columns = ("current", *(name for name, snap in compared.items() if snap is not None))
        self.lang = lang
        self.endResetModel()

    @property
    def has_change(self) -> bool:
        return "previous" in self.columns

    def row_count(self) -> int:
        return len(self.rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.table is None:
            return 0
        return 1 + len(self.titles) + (1 if self.has_change else 0)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or self.table is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:  # short: the numbers keep the room
            if section == 0:
                return stats_tables.dimension_name(self.table.dimension, self.lang)
            if section <= len(self.columns):
                return tr(f"statistics.table.col.{self.columns[section - 1]}")
            return tr("statistics.table.change")
        if role == Qt.ItemDataRole.ToolTipRole and 0 < section <= len(self.titles):
            return self.titles[section - 1]
        if role == Qt.ItemDataRole.TextAlignmentRole and section > 0:
            return int(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
        return None

    def is_total(self, row: int) -> bool:
        return self.table is not None and self.table.total is not None and row == len(self.rows) - 1

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.table is None or not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        unit = self.table.indicator.unit
        if role == DRILL_ROLE:
            return row.key
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.label
            if column <= len(self.titles):
                cell = row.cells[column - 1] if column - 1 < len(row.cells) else None
                return ltr(cell.text(unit, self.lang)) if cell is not None else ""
            if self.has_change and len(row.cells) > 1:
                return ltr(stats_tables.format_change(row.cells[0].number(), row.cells[1].number(), unit))
            return ""
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return row.label
        if role == Qt.ItemDataRole.FontRole and self.is_total(index.row()):
            font = QFont()
            font.setBold(True)
            return font
        return None


class BreakdownPanel(QWidget):
    """Which indicator, which breakdown, and the table."""

    sig_drill = Signal(str, str, str)
    """Indicator code, breakdown, value ("" for the whole figure)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stats: Statistics | None = None
        self.lang = "fr"
        self.indicator_label = QLabel()
        self.indicator_combo = QComboBox()
        for indicator in INDICATORS:
            self.indicator_combo.addItem("", indicator.code)
        self.indicator_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.indicator_combo.setMinimumContentsLength(16)
        self.indicator_combo.view().setTextElideMode(Qt.TextElideMode.ElideNone)
        self.dimension_label = QLabel()
        self.dimension_combo = QComboBox()
        self.dimension_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.dimension_combo.setMinimumContentsLength(10)
        self.indicator_label.setBuddy(self.indicator_combo)
        self.dimension_label.setBuddy(self.dimension_combo)
        self.indicator_combo.currentIndexChanged.connect(self._indicator_changed)
        self.dimension_combo.currentIndexChanged.connect(self._show_table)
        self.model = BreakdownModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.table.activated.connect(self._activated)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        choose = QHBoxLayout()
        choose.addWidget(self.indicator_label)
        choose.addWidget(self.indicator_combo, 2)
        choose.addWidget(self.dimension_label)
        choose.addWidget(self.dimension_combo, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(choose)
        box.addWidget(self.table, 1)
        box.addWidget(self.hint)
        self._fill_dimensions()

    # -- choice ---------------------------------------------------------------------------

    def code(self) -> str:
        return str(self.indicator_combo.currentData())

    def dimension(self) -> str:
        return str(self.dimension_combo.currentData() or "")

    def choose(self, code: str, dimension: str) -> None:
        """Show this indicator by this breakdown (a chart tab was chosen)."""
        index = self.indicator_combo.findData(code)
        if index < 0 or dimension not in BY_CODE[code].breakdowns:
            return
        self.indicator_combo.blockSignals(True)
        self.indicator_combo.setCurrentIndex(index)
        self.indicator_combo.blockSignals(False)
        self._fill_dimensions(dimension)
        self._show_table()

    def _indicator_changed(self, _index: int) -> None:
        self._fill_dimensions()
        self._show_table()

    def _fill_dimensions(self, wanted: str = "") -> None:
        current = wanted or self.dimension()
        self.dimension_combo.blockSignals(True)
        try:
            self.dimension_combo.clear()
            for dimension in BY_CODE[self.code()].breakdowns:
                self.dimension_combo.addItem(stats_tables.dimension_name(dimension, self.lang), dimension)
            index = self.dimension_combo.findData(current)
            self.dimension_combo.setCurrentIndex(max(0, index))
        finally:
            self.dimension_combo.blockSignals(False)

    # -- content --------------------------------------------------------------------------

    def show_stats(self, stats: Statistics | None, lang: str) -> None:
        self.stats = stats
        self.lang = lang
        self.retranslate()

    def _show_table(self, *_args: object) -> None:
        stats = self.stats
        code = self.code()
        self.indicator_combo.setToolTip(BY_CODE[code].define(self.lang))
        if stats is None or not self.dimension():
            self.model.set_table(None, None, self.lang)
            return
        table = stats_tables.breakdown_table(stats, code, self.dimension(), self.lang)
        self.model.set_table(table, stats, self.lang)
        if self.model.columnCount() > 0:
            self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def row_of(self, key: str) -> int:
        for number, row in enumerate(self.model.rows):
            if row.key == key:
                return number
        return -1

    def select_key(self, key: str) -> None:
        row = self.row_of(key)
        if row >= 0:
            select_row(self.table, row)

    def _activated(self, index: QModelIndex) -> None:
        if not index.isValid() or self.stats is None:
            return
        key = str(self.model.data(index, DRILL_ROLE) or "")
        self.sig_drill.emit(self.code(), "" if self.model.is_total(index.row()) else self.dimension(), key)

    def retranslate(self) -> None:
        self.indicator_label.setText(tr("statistics.table.indicator"))
        self.dimension_label.setText(tr("statistics.table.dimension"))
        self.hint.setText(tr("statistics.table.hint"))
        for index in range(self.indicator_combo.count()):
            code = str(self.indicator_combo.itemData(index))
            self.indicator_combo.setItemText(index, stats_tables.indicator_name(code, self.lang))
        self._fill_dimensions()
        self._show_table()
