"""The case list: search as you type, filters, the lazily filled table, open and new.

Each keystroke restarts a short timer; when typing pauses the model re-runs the
query in SQL (the filters and the sort too), so the list always answers the last
thing typed. Enter or a double click opens the selected case; the section opens it
in a tab.
"""

from __future__ import annotations

from datetime import date

import shiboken6
from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.codelists import CATEGORIES, STAGES, VULNERABILITY_LEVELS
from desktop.i18n import tr
from desktop.services import users
from desktop.services.case_types import CaseFilter
from desktop.services.users import UserInfo
from desktop.ui.context import AppContext
from desktop.ui.models.case_list_model import (
    AGE,
    CATEGORY,
    NAME,
    NAME_AR,
    NATIONALITY,
    NEXT_FOLLOW_UP,
    NUMBER,
    OFFICER,
    OPENED_ON,
    SEX,
    SORT_COLUMNS,
    STAGE,
    VULNERABILITY,
    CaseListModel,
    codelist_label,
)
from desktop.ui.widgets.common import ErrorLabel, find_and_new_actions, format_number, select_row

SEARCH_DELAY_MS = 150
STATUSES = ("", "open", "closed")
"""The status filter: every case, open cases, closed cases (in that order in the list)."""

COLUMN_SAMPLES: dict[int, str] = {
    NUMBER: "B-2025-000000",
    NAME_AR: "عبد الرحمان الفيلالي",
    SEX: "أنثى",
    AGE: "000",
    NATIONALITY: "Côte d'Ivoire",
    CATEGORY: "Demandeur·se d'asile",
    STAGE: "Accompagnement",
    VULNERABILITY: "Urgente",
    OPENED_ON: "00/00/0000",
    NEXT_FOLLOW_UP: "00/00/0000",
    OFFICER: "Fatima-Zahra Idrissi",
}
"""Typical widest content of each column (the name column takes the room left)."""
NAME_SAMPLE = "EL AMRANI Mohamed-Amine"
OFFICER_NAME_ROLE = Qt.ItemDataRole.UserRole + 1
OFFICER_ACTIVE_ROLE = Qt.ItemDataRole.UserRole + 2


def _to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class CaseTable(QTableView):
    """The table: whole rows, fixed row height, SQL sort on header click, the name column widest."""

    def __init__(self, model: CaseListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self._name_width = 200

    def fit_columns(self) -> None:
        """Widths from the header texts (in the current language) and typical content."""
        metrics = self.fontMetrics()
        header = self.horizontalHeader()
        header_metrics = header.fontMetrics()
        model = self.model()
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
        arrow = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header) + margin
        cell_padding = 2 * metrics.averageCharWidth()
        for column in range(model.columnCount()):
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            wanted = header_metrics.horizontalAdvance(title) + 4 * margin
            if column in SORT_COLUMNS:
                wanted += arrow
            sample = COLUMN_SAMPLES.get(column)
            if sample:
                wanted = max(wanted, metrics.horizontalAdvance(sample) + cell_padding)
            if column == NAME:
                self._name_width = max(wanted, metrics.horizontalAdvance(NAME_SAMPLE) + cell_padding)
            else:
                self.setColumnWidth(column, wanted)
        self._stretch_name()

    def column_menu(self) -> QMenu:
        """Right click on the header: show or hide columns (the number and the name always stay)."""
        menu = QMenu(self)
        model = self.model()
        for column in range(model.columnCount()):
            if column in (NUMBER, NAME):
                continue
            action = menu.addAction(str(model.headerData(column, Qt.Orientation.Horizontal) or ""))
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(column))
            action.setData(column)
        menu.triggered.connect(self._column_toggled)
        return menu

    def _column_toggled(self, action: QAction) -> None:
        self.set_column_visible(int(action.data()), action.isChecked())

    def set_column_visible(self, column: int, visible: bool) -> None:
        self.setColumnHidden(column, not visible)
        self._stretch_name()

    def _header_menu(self, pos: QPoint) -> None:
        menu = self.column_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.horizontalHeader().mapToGlobal(pos))

    def select_row(self, row: int) -> None:
        """Select and make current a whole row (see :func:`widgets.common.select_row`)."""
        select_row(self, row)

    def _stretch_name(self) -> None:
        shown = [c for c in range(self.model().columnCount()) if c != NAME and not self.isColumnHidden(c)]
        others = sum(self.columnWidth(c) for c in shown)
        self.setColumnWidth(NAME, max(self._name_width, self.viewport().width() - others))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._stretch_name()


class CaseListPage(QWidget):
    """Search field and filters above the table; New and Open beside the search."""

    sig_open_case = Signal(int)
    """The person asked to open this case (Enter, double click, the Open button)."""
    sig_new_case = Signal()
    """The person asked to register a new case (Ctrl+N, the New button)."""
    sig_import_register = Signal()
    """The person asked to import a register (the Import button)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = CaseListModel(ctx, self)
        self._count: int | None = None
        self._error: BaseException | None = None
        self._quiet = False
        self._select_after_load: int | None = None
        self._results_wanted = False
        self._scroll_after_load: int | None = None
        self._labels: list[tuple[QLabel, str]] = []

        self.search_edit = QLineEdit()
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._search_typed)
        self.search_edit.returnPressed.connect(self._search_entered)
        self.search_edit.installEventFilter(self)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.apply_filter)
        self.new_button = QPushButton()
        self.new_button.clicked.connect(self.request_new_case)
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.sig_import_register)
        self.open_button = QPushButton()
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_selected)

        self.category_combo = self._combo(CATEGORIES, 20)
        self.status_combo = self._combo(STATUSES[1:], 7)
        self.stage_combo = self._combo(STAGES, 13)
        self.level_combo = self._combo(VULNERABILITY_LEVELS, 9)
        self.officer_combo = self._combo((), 14)
        self.officer_combo.setItemData(0, None)
        self.from_check = QCheckBox()
        self.to_check = QCheckBox()
        today = QDate.currentDate()
        self.from_edit = QDateEdit(today.addMonths(-1))
        self.to_edit = QDateEdit(today)
        for check, edit in ((self.from_check, self.from_edit), (self.to_check, self.to_edit)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self._filters_changed)
            edit.dateChanged.connect(self._period_changed)
        self.overdue_check = QCheckBox()
        self.overdue_check.toggled.connect(self._filters_changed)
        self.reset_button = QPushButton()
        self.reset_button.clicked.connect(self.reset_filter)

        top = QHBoxLayout()
        self.search_label = self._label("case_list.search", self.search_edit)
        top.addWidget(self.search_label)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.open_button)
        top.addWidget(self.new_button)
        top.addWidget(self.import_button)

        # Two rows of filters that fit beside the navigation bar on a 1366-pixel screen.
        first_row = QHBoxLayout()
        self._add_filter(first_row, "case_list.filter.category", self.category_combo)
        self._add_filter(first_row, "case_list.filter.stage", self.stage_combo)
        self._add_filter(first_row, "case_list.filter.level", self.level_combo)
        first_row.addWidget(self.overdue_check)
        first_row.addStretch(1)
        second_row = QHBoxLayout()
        self._add_filter(second_row, "case_list.filter.status", self.status_combo)
        self._add_filter(second_row, "case_list.filter.officer", self.officer_combo)
        second_row.addWidget(self.from_check)
        second_row.addWidget(self.from_edit)
        second_row.addWidget(self.to_check)
        second_row.addWidget(self.to_edit)
        second_row.addStretch(1)
        second_row.addWidget(self.reset_button)

        self.count_label = QLabel()
        self.error_label = ErrorLabel()
        self.table = CaseTable(self.model)
        header = self.table.horizontalHeader()
        header.setSortIndicator(self.model.sort_column, self.model.sort_order)
        header.sortIndicatorChanged.connect(self._sort_changed)
        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(first_row)
        layout.addLayout(second_row)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)

        self.find_action, self.new_action = find_and_new_actions(self, self.focus_search, self.request_new_case)

        self.model.sig_count_changed.connect(self._count_changed)
        self.model.sig_error.connect(self._show_error)
        self.model.modelReset.connect(self._selection_changed)
        self.retranslate()

    def _combo(self, codes: tuple[str, ...], width_chars: int) -> QComboBox:
        """A filter combo: "all" first (data ""), then one item a code (texts set by retranslate).

        About ``width_chars`` characters wide (long labels elide); the list that drops
        down is as wide as its longest label.
        """
        combo = QComboBox()
        combo.addItem("", "")
        for code in codes:
            combo.addItem("", code)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(width_chars)
        combo.view().setTextElideMode(Qt.TextElideMode.ElideNone)
        combo.currentIndexChanged.connect(self._filters_changed)
        return combo

    def _add_filter(self, row: QHBoxLayout, key: str, combo: QComboBox) -> None:
        row.addWidget(self._label(key, combo))
        row.addWidget(combo)
        row.addSpacing(6)

    def _fit_popups(self) -> None:
        for combo in (self.category_combo, self.status_combo, self.stage_combo, self.level_combo, self.officer_combo):
            view = combo.view()
            view.setMinimumWidth(view.sizeHintForColumn(0) + 2 * view.frameWidth() + 24)

    def _label(self, key: str, buddy: QWidget) -> QLabel:
        label = QLabel()
        label.setBuddy(buddy)
        self._labels.append((label, key))
        return label

    # -- filter --------------------------------------------------------------------

    def current_filter(self) -> CaseFilter:
        officer = self.officer_combo.currentData()
        return CaseFilter(
            category=str(self.category_combo.currentData() or ""),
            stage=str(self.stage_combo.currentData() or ""),
            status=str(self.status_combo.currentData() or ""),
            vulnerability_level=str(self.level_combo.currentData() or ""),
            officer_id=int(officer) if officer is not None else None,
            opened_from=_to_date(self.from_edit.date()) if self.from_check.isChecked() else None,
            opened_to=_to_date(self.to_edit.date()) if self.to_check.isChecked() else None,
            overdue_only=self.overdue_check.isChecked(),
            search=self.search_edit.text().strip(),
        )

    def apply_filter(self) -> None:
        """Re-run the query now with the search text and filters on screen."""
        self.search_timer.stop()
        if self.ctx.actor is None:
            return
        self._error = None
        self.error_label.clear_text()
        if self.current_filter() != self.model.current_filter or self._count is None:
            self.model.set_filter(self.current_filter())

    def refresh(self, select_case: int | None = None) -> None:
        """Re-run the query (a case changed or was added).

        With ``select_case`` that case is selected and scrolled to; otherwise the
        selection and the scroll position stay where they were.
        """
        self.search_timer.stop()
        if self.ctx.actor is None:
            return
        if select_case is None:
            self._select_after_load = self.selected_case_id()
            self._scroll_after_load = self.table.verticalScrollBar().value()
        else:
            self._select_after_load = select_case
            self._scroll_after_load = None
        self.model.set_filter(self.current_filter())

    def showEvent(self, event: QShowEvent) -> None:
        """Coming back to the list (another section or a case tab may have changed cases): re-query."""
        super().showEvent(event)
        if not event.spontaneous() and self._count is not None:
            self.refresh()

    def reset_filter(self) -> None:
        self.reset_filter_fields()
        self.apply_filter()

    def reset_filter_fields(self) -> None:
        self._quiet = True
        try:
            for combo in (self.category_combo, self.status_combo, self.stage_combo, self.level_combo):
                combo.setCurrentIndex(0)
            self.officer_combo.setCurrentIndex(0)
            self.from_check.setChecked(False)
            self.to_check.setChecked(False)
            self.overdue_check.setChecked(False)
        finally:
            self._quiet = False

    def _search_typed(self, _text: str) -> None:
        if not self._quiet:
            self.search_timer.start()

    def _filters_changed(self, *_args: object) -> None:
        if not self._quiet:
            self.apply_filter()

    def _period_changed(self, *_args: object) -> None:
        if self.from_check.isChecked() or self.to_check.isChecked():
            self._filters_changed()

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        header = self.table.horizontalHeader()
        if not self.model.is_sortable(column):
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column, self.model.sort_order)
            header.blockSignals(False)
            return
        self._select_after_load = self.selected_case_id()
        self.model.sort(column, order)

    # -- selection and opening -----------------------------------------------------

    def selected_case_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.case_id_at(rows[0].row())

    def select_case(self, case_id: int, scroll: bool = True) -> bool:
        row = self.model.row_of(case_id)
        if row < 0:
            return False
        self.table.select_row(row)
        if scroll:
            self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def open_selected(self) -> None:
        case_id = self.selected_case_id()
        if case_id is not None:
            self.sig_open_case.emit(case_id)

    def request_new_case(self) -> None:
        if self.ctx.actor is not None:
            self.sig_new_case.emit()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _activated(self, index: QModelIndex) -> None:
        case_id = self.model.case_id_at(index.row())
        if case_id is not None:
            self.sig_open_case.emit(case_id)

    def _search_entered(self) -> None:
        """Enter in the search field: run the search now and go to its results."""
        if self.search_timer.isActive():
            self.apply_filter()
        if self.model.loading:
            self._results_wanted = True  # the answer is on its way: go there when it comes
        else:
            self._go_to_results()

    def _go_to_results(self) -> None:
        if self.model.rowCount() == 0:
            return
        if self.selected_case_id() is None:
            self.table.select_row(0)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down:
                self._go_to_results()
                return True
            if event.key() == Qt.Key.Key_Escape and self.search_edit.text():
                self.search_edit.clear()
                return True
        return super().eventFilter(watched, event)

    def _selection_changed(self, *_args: QItemSelection) -> None:
        self.open_button.setEnabled(self.selected_case_id() is not None)

    # -- model answers -------------------------------------------------------------

    def _count_changed(self, count: int) -> None:
        if not shiboken6.isValid(self):
            return
        self._count = count if self.ctx.actor is not None else None
        self._show_count()
        wanted, scroll = self._select_after_load, self._scroll_after_load
        self._select_after_load = self._scroll_after_load = None
        if scroll is not None:
            self.table.verticalScrollBar().setValue(scroll)
        if wanted is not None and self._count is not None:
            self.select_case(wanted, scroll=scroll is None)
        if self._results_wanted:
            self._results_wanted = False
            self._go_to_results()
        self._selection_changed()

    def _show_count(self) -> None:
        if self._count is None:
            self.count_label.clear()
        elif self._count == 1:
            self.count_label.setText(tr("case_list.count_one"))
        else:
            self.count_label.setText(tr("case_list.count", count=format_number(self._count)))

    def _show_error(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._error = error
        self.error_label.show_error(error)

    def _officers_loaded(self, accounts: list[UserInfo]) -> None:
        if not shiboken6.isValid(self) or self.ctx.actor is None:
            return
        current = self.officer_combo.currentData()
        self._quiet = True
        try:
            while self.officer_combo.count() > 1:
                self.officer_combo.removeItem(1)
            for account in sorted(accounts, key=lambda a: (not a.active, a.display_name.casefold())):
                self.officer_combo.addItem("", account.id)
                index = self.officer_combo.count() - 1
                self.officer_combo.setItemData(index, account.display_name, OFFICER_NAME_ROLE)
                self.officer_combo.setItemData(index, account.active, OFFICER_ACTIVE_ROLE)
                self.officer_combo.setItemText(index, self._officer_text(index))
            self._fit_popups()
            index = self.officer_combo.findData(current) if current is not None else 0
            self.officer_combo.setCurrentIndex(max(index, 0))
        finally:
            self._quiet = False

    def _officer_text(self, index: int) -> str:
        """A colleague's name; a disabled account says so (its past cases stay theirs)."""
        name = str(self.officer_combo.itemData(index, OFFICER_NAME_ROLE) or "")
        if self.officer_combo.itemData(index, OFFICER_ACTIVE_ROLE):
            return name
        return tr("case_list.officer_disabled", name=name)

    # -- page contract -------------------------------------------------------------

    def retranslate(self) -> None:
        for label, key in self._labels:
            label.setText(tr(key))
        self.search_edit.setPlaceholderText(tr("case_list.search_hint"))
        self.search_edit.setToolTip(tr("case_list.search_tip"))
        self.search_edit.setAccessibleName(tr("case_list.search"))
        self.table.setAccessibleName(tr("cases.tab.list"))
        self.new_button.setText(tr("case_list.new"))
        self.new_button.setToolTip(tr("case_list.new_tip"))
        self.import_button.setText(tr("import_dialog.open_action"))
        self.import_button.setToolTip(tr("import_dialog.open_action_tip"))
        self.open_button.setText(tr("case_list.open"))
        self.open_button.setToolTip(tr("case_list.open_tip"))
        self.category_combo.setItemText(0, tr("case_list.all_categories"))
        self.status_combo.setItemText(0, tr("case_list.all_statuses"))
        self.stage_combo.setItemText(0, tr("case_list.all_stages"))
        self.level_combo.setItemText(0, tr("case_list.all_levels"))
        self.officer_combo.setItemText(0, tr("case_list.all_officers"))
        for combo, codelist in (
            (self.category_combo, "category"),
            (self.status_combo, "case_list.status"),
            (self.stage_combo, "stage"),
            (self.level_combo, "level"),
        ):
            for index in range(1, combo.count()):
                combo.setItemText(index, codelist_label(codelist, str(combo.itemData(index))))
        for index in range(1, self.officer_combo.count()):
            self.officer_combo.setItemText(index, self._officer_text(index))
        self.from_check.setText(tr("case_list.filter.opened_from"))
        self.to_check.setText(tr("case_list.filter.opened_to"))
        self.overdue_check.setText(tr("case_list.filter.overdue"))
        self.reset_button.setText(tr("case_list.reset"))
        self._fit_popups()
        self.model.retranslate()
        self.table.fit_columns()
        self._show_count()
        if self._error is not None:
            self.error_label.show_error(self._error)

    def reload(self) -> None:
        """New colleagues may have been added; the table re-runs the current query."""
        if self.ctx.actor is None:
            return
        self.ctx.call(users.list_users, on_done=self._officers_loaded, on_error=self._show_error)
        self._select_after_load = self.selected_case_id()
        self._error = None
        self.error_label.clear_text()
        self.model.set_filter(self.current_filter())

    def clear(self) -> None:
        """Nothing personal left: no rows, no search text, filters back to all."""
        self.search_timer.stop()
        self._quiet = True
        try:
            self.search_edit.clear()
            while self.officer_combo.count() > 1:
                self.officer_combo.removeItem(1)
        finally:
            self._quiet = False
        self.reset_filter_fields()
        self.model.clear()
        self._count = None
        self._error = None
        self._select_after_load = None
        self._scroll_after_load = None
        self._results_wanted = False
        self.count_label.clear()
        self.error_label.clear_text()
        self.open_button.setEnabled(False)
