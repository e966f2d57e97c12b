"""The cases behind a figure: the ids from :func:`statistics.cases_behind`, shown like the case list.

The list reuses the case list's model and table (rows fetched a page at a time as
they are shown, the same columns and labels), fed with the ids of the figure instead
of a filter. A double click or Enter opens the case in the Dossiers section; the
dialog stays open (not modal), so the person can go through the cases one by one.
Listing cases is for officers and above: anyone else reads why, not an empty list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.domain.errors import PermissionDenied
from desktop.domain.indicators import Audience
from desktop.domain.periods import Period
from desktop.i18n import tr
from desktop.services import statistics
from desktop.ui.context import AppContext
from desktop.ui.models.case_list_model import NEXT_FOLLOW_UP, OFFICER, CaseListModel
from desktop.ui.pages.cases.list_page import CaseTable
from desktop.ui.widgets.common import ErrorLabel, busy_bar, format_number, select_row


@dataclass(frozen=True)
class DrillRequest:
    """A figure or one of its cells: what to list, and how to say it."""

    period: Period
    code: str
    dimension: str | None = None
    key: str | None = None
    audience: Audience = Audience.INTERNAL


class CaseIdsModel(CaseListModel):
    """The case list's model on a given list of ids: no filter to run, no SQL sort."""

    def set_ids(self, ids: list[int]) -> None:
        self._generation += 1
        self._in_flight = None
        self._shown = None
        self._replace_ids(list(ids))

    def case_ids(self) -> list[int]:
        return [case_id for row in range(self.row_count()) if (case_id := self.case_id_at(row)) is not None]

    def _ask_ids(self) -> None:
        self._in_flight = None  # the ids come from the statistics, never from a filter

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Newest case first, as the statistics give them."""


class DrillDownDialog(QDialog):
    """What a figure counts, the cases behind it, open on double click."""

    sig_open_case = Signal(int)

    def __init__(
        self, ctx: AppContext, request: DrillRequest, describe: Callable[[], str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.request = request
        self._describe = describe
        """The figure in words, in the current language."""
        self._count: int | None = None
        self._error: BaseException | None = None
        self.setModal(False)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.count_label = QLabel()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.busy = busy_bar()
        self.error_label = ErrorLabel()
        self.model = CaseIdsModel(ctx, self)
        self.table = CaseTable(self.model)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(False)
        header.setSortIndicatorShown(False)
        for column in (NEXT_FOLLOW_UP, OFFICER):
            self.table.setColumnHidden(column, True)
        self.table.activated.connect(self._activated)
        self.open_button = QPushButton()
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.open_selected)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.reject)
        buttons = QDialogButtonBox()
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addWidget(self.count_label)
        box.addWidget(self.note)
        box.addWidget(self.busy)
        box.addWidget(self.error_label)
        box.addWidget(self.table, 1)
        box.addWidget(buttons)
        self.model.modelReset.connect(self._update_buttons)
        ctx.languages.sig_language_changed.connect(self.retranslate)
        self.resize(980, 520)
        self.retranslate()
        self.load()

    def load(self) -> None:
        request = self.request
        if self.ctx.actor is None:
            return
        self.busy.show()
        self.ctx.call(
            statistics.cases_behind,
            request.period,
            request.code,
            request.dimension,
            request.key,
            request.audience,
            on_done=partial(self._loaded, request),
            on_error=partial(self._failed, request),
        )

    def _loaded(self, request: DrillRequest, ids: list[int]) -> None:
        if not shiboken6.isValid(self) or request != self.request or self.ctx.actor is None:
            return
        self.busy.hide()
        self._count = len(ids)
        self.model.set_ids(ids)
        self.table.fit_columns()
        self._fit_width()
        if ids:
            select_row(self.table, 0)
        self._show_count()

    def _failed(self, request: DrillRequest, error: BaseException) -> None:
        if not shiboken6.isValid(self) or request != self.request:
            return
        self.busy.hide()
        self._error = error
        self._show_error()

    def _fit_width(self) -> None:
        """Wide enough for every column shown (within the screen): no sideways scrolling."""
        table = self.table
        shown = [c for c in range(self.model.columnCount()) if not table.isColumnHidden(c)]
        wanted = sum(table.columnWidth(c) for c in shown) + 2 * table.frameWidth()
        wanted += self.width() - table.viewport().width() + table.verticalScrollBar().sizeHint().width()
        screen = self.screen()
        limit = screen.availableGeometry().width() - 40 if screen is not None else wanted
        if self.width() < wanted:
            self.resize(min(wanted, limit), self.height())

    def _show_error(self) -> None:
        if isinstance(self._error, PermissionDenied):
            self.error_label.show_text(tr("statistics.drill.denied"))
        elif self._error is not None:
            self.error_label.show_error(self._error)

    def _show_count(self) -> None:
        if self._count is None:
            self.count_label.setText(tr("statistics.drill.loading"))
        elif self._count == 0:
            self.count_label.setText(tr("statistics.drill.none"))
        else:
            self.count_label.setText(tr("statistics.drill.count", count=format_number(self._count)))

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.model.row_count() > 0)

    def selected_case_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.case_id_at(rows[0].row()) if rows else None

    def open_selected(self) -> None:
        case_id = self.selected_case_id()
        if case_id is not None:
            self.sig_open_case.emit(case_id)

    def _activated(self, index: QModelIndex) -> None:
        case_id = self.model.case_id_at(index.row()) if index.isValid() else None
        if case_id is not None:
            self.sig_open_case.emit(case_id)

    def clear(self) -> None:
        """The office locked: forget the ids and rows."""
        self.model.clear()

    def retranslate(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.setWindowTitle(tr("statistics.drill.title"))
        self.heading.setText(self._describe())
        self.note.setText(tr("statistics.drill.note"))
        self.open_button.setText(tr("statistics.drill.open"))
        self.close_button.setText(tr("statistics.drill.close"))
        self._show_count()
        self._show_error()
        self.model.retranslate()
        if self.model.row_count():
            self.table.fit_columns()
        self._update_buttons()
