"""What every BAOM table model shares: flat rows, columns named by i18n keys, retranslation.

A subclass sets :attr:`TranslatedTableModel.column_keys` (one i18n key a column, in
order), says how many rows it has in :meth:`TranslatedTableModel.row_count` and
answers ``data()``; headers follow the interface language and
:meth:`TranslatedTableModel.retranslate` asks the views to re-read every text.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.i18n import tr

ModelIndex = QModelIndex | QPersistentModelIndex


class TranslatedTableModel(QAbstractTableModel):
    """A flat table whose column headers are the translations of :attr:`column_keys`."""

    column_keys: tuple[str, ...] = ()
    """The i18n key of each column's header, in column order."""

    def row_count(self) -> int:
        """How many rows the table has now."""
        raise NotImplementedError

    def rows_changed(self, first: int, last: int) -> None:
        """Every cell of rows ``first`` to ``last`` (included) may read differently."""
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.column_keys) - 1))

    def retranslate(self) -> None:
        """Headers and cells follow the interface language."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.column_keys) - 1)
        self.rows_changed(0, self.row_count() - 1)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.column_keys)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.column_keys):
            return tr(self.column_keys[section])
        return None
