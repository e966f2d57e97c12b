"""The directory list: search, filters, the providers table and the actions on it.

The directory is small, so every change of a filter re-asks the service for the whole
list (``list_providers``) on the database thread; an answer to an older question is
dropped. Enter or a double click opens the provider in the editor (the section owns
the dialog); "Marquer vérifié aujourd'hui" records today's check of the selected one.
"""

from __future__ import annotations

from datetime import date
from functools import partial

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import codelists
from desktop.i18n import tr
from desktop.services import directory
from desktop.services.referral_types import DirectoryFilter, ProviderRow
from desktop.ui.context import AppContext
from desktop.ui.models.case_list_model import codelist_label, format_date
from desktop.ui.models.provider_list_model import DOMAINS, NAME, ProviderListModel, display_name
from desktop.ui.pages.directory.area_filter import AreaFilter
from desktop.ui.widgets.common import ErrorLabel, StatusMessages, find_and_new_actions, format_number, select_row

SEARCH_DELAY_MS = 200
FILTER_CODES = {
    "domain": ("service_domain", codelists.SERVICE_DOMAINS, "directory.filter.all_domains"),
    "kind": ("provider_kind", codelists.PROVIDER_KINDS, "directory.filter.all_kinds"),
    "public": ("public", codelists.PUBLICS, "directory.filter.all_publics"),
    "language": ("language", codelists.LANGUAGES, "directory.filter.all_languages"),
}
"""Each filter combo: its code list (label prefix), its codes, the text of its "all" item."""


class DirectoryListPage(QWidget):
    """Search and actions on top, two rows of filters, the table, the outcome of the last action."""

    sig_open_provider = Signal(int)
    """The person asked to edit this provider (Enter, double click, the Edit button)."""
    sig_new_provider = Signal()
    """The person asked to add a provider (Ctrl+N, the New button)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = ProviderListModel(self)
        self._generation = 0
        self._loaded = False
        self._quiet = False
        self._select_after_load: int | None = None
        self._labels: list[tuple[QLabel, str]] = []

        self.search_edit = QLineEdit()
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._search_typed)
        self.search_edit.returnPressed.connect(self.apply_filter)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.apply_filter)
        self.new_button = QPushButton()
        self.new_button.clicked.connect(self.request_new_provider)
        self.edit_button = QPushButton()
        self.edit_button.clicked.connect(self.open_selected)
        self.verify_button = QPushButton()
        self.verify_button.clicked.connect(self.mark_selected_verified)
        self.export_button = QPushButton()
        self.import_button = QPushButton()

        self.combos = {name: self._combo(codes) for name, (_prefix, codes, _all) in FILTER_CODES.items()}
        self.area_filter = AreaFilter()
        self.area_filter.sig_changed.connect(self._filters_changed)
        self.stale_check = QCheckBox()
        self.stale_check.toggled.connect(self._filters_changed)
        self.inactive_check = QCheckBox()
        self.inactive_check.toggled.connect(self._filters_changed)
        self.reset_button = QPushButton()
        self.reset_button.clicked.connect(self.reset_filter)

        top = QHBoxLayout()
        top.addWidget(self._label("directory.search", self.search_edit))
        top.addWidget(self.search_edit, 1)
        for button in (self.edit_button, self.verify_button, self.new_button, self.export_button, self.import_button):
            top.addWidget(button)
        first_row = QHBoxLayout()
        for name in ("domain", "kind", "public"):
            self._add_filter(first_row, f"directory.filter.{name}", self.combos[name])
        first_row.addStretch(1)
        second_row = QHBoxLayout()
        self._add_filter(second_row, "directory.filter.language", self.combos["language"])
        second_row.addWidget(self._label("directory.filter.area", self.area_filter.button))
        second_row.addWidget(self.area_filter)
        second_row.addSpacing(6)
        second_row.addWidget(self.stale_check)
        second_row.addWidget(self.inactive_check)
        second_row.addStretch(1)
        second_row.addWidget(self.reset_button)

        self.table = self._table()
        self.count_label = QLabel()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.error_label = ErrorLabel()
        self.messages = StatusMessages(self.status_label, self.error_label)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(first_row)
        layout.addLayout(second_row)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)

        self.find_action, self.new_action = find_and_new_actions(self, self.focus_search, self.request_new_provider)
        self.model.modelReset.connect(self._update_buttons)
        self.retranslate()

    def _table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DOMAINS, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(DOMAINS, self.fontMetrics().averageCharWidth() * 30)
        table.activated.connect(self._activated)
        table.selectionModel().selectionChanged.connect(self._update_buttons)
        return table

    def _combo(self, codes: tuple[str, ...]) -> QComboBox:
        combo = QComboBox()
        combo.addItem("", "")
        for code in codes:
            combo.addItem("", code)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(18)
        combo.view().setTextElideMode(Qt.TextElideMode.ElideNone)
        combo.currentIndexChanged.connect(self._filters_changed)
        return combo

    def _add_filter(self, row: QHBoxLayout, key: str, combo: QComboBox) -> None:
        row.addWidget(self._label(key, combo))
        row.addWidget(combo)
        row.addSpacing(6)

    def _label(self, key: str, buddy: QWidget) -> QLabel:
        label = QLabel()
        label.setBuddy(buddy)
        self._labels.append((label, key))
        return label

    # -- filter ----------------------------------------------------------------------
    def current_filter(self) -> DirectoryFilter:
        code = {name: str(combo.currentData() or "") for name, combo in self.combos.items()}
        return DirectoryFilter(
            domain=code["domain"],
            kind=code["kind"],
            public=code["public"],
            language=code["language"],
            area=self.area_filter.commune_code(),
            stale_only=self.stale_check.isChecked(),
            include_inactive=self.inactive_check.isChecked(),
            text=self.search_edit.text().strip(),
        )

    def _search_typed(self, _text: str) -> None:
        if not self._quiet:
            self.search_timer.start()

    def _filters_changed(self, *_args: object) -> None:
        if not self._quiet:
            self.apply_filter()

    def apply_filter(self) -> None:
        """Ask for the providers matching what is on screen now."""
        self.search_timer.stop()
        if self.ctx.actor is None:
            return
        self._generation += 1
        self.ctx.call(
            directory.list_providers,
            self.current_filter(),
            on_done=partial(self._providers_loaded, self._generation),
            on_error=partial(self._load_failed, self._generation),
        )

    def reset_filter(self) -> None:
        self._clear_filters()
        self.apply_filter()

    def _clear_filters(self) -> None:
        """Every filter back to "all", without a query per widget."""
        self._quiet = True
        try:
            for combo in self.combos.values():
                combo.setCurrentIndex(0)
            self.area_filter.clear()
            self.stale_check.setChecked(False)
            self.inactive_check.setChecked(False)
            self.search_edit.clear()
        finally:
            self._quiet = False

    def _providers_loaded(self, generation: int, rows: list[ProviderRow]) -> None:
        if not shiboken6.isValid(self) or generation != self._generation or self.ctx.actor is None:
            return
        wanted = self._select_after_load if self._select_after_load is not None else self.selected_id()
        self._select_after_load = None
        self._loaded = True
        self.model.set_rows(rows)
        if wanted is not None:
            self.select_provider(wanted)
        self._show_count()

    def _load_failed(self, generation: int, error: BaseException) -> None:
        if shiboken6.isValid(self) and generation == self._generation:
            self.messages.show_error(error)

    # -- selection ---------------------------------------------------------------------
    def selected_row(self) -> ProviderRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.provider_at(rows[0].row()) if rows else None

    def selected_id(self) -> int | None:
        row = self.selected_row()
        return row.id if row is not None else None

    def select_provider(self, provider_id: int) -> bool:
        row = self.model.row_of(provider_id)
        if row < 0:
            return False
        select_row(self.table, row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _update_buttons(self, *_args: object) -> None:
        chosen = self.selected_row() is not None
        self.edit_button.setEnabled(chosen)
        self.verify_button.setEnabled(chosen)

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.provider_at(index.row())
        if row is not None:
            self.sig_open_provider.emit(row.id)

    def open_selected(self) -> None:
        provider_id = self.selected_id()
        if provider_id is not None:
            self.sig_open_provider.emit(provider_id)

    def request_new_provider(self) -> None:
        if self.ctx.actor is not None:
            self.sig_new_provider.emit()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    # -- verification ------------------------------------------------------------------
    def mark_selected_verified(self) -> None:
        row = self.selected_row()
        if row is None or self.ctx.actor is None:
            return
        today = date.today()
        name = display_name(row.name_fr, row.name_ar)
        self.ctx.call(
            directory.mark_verified,
            row.id,
            today,
            on_done=partial(self._verified, row.id, name, today),
            on_error=self._action_failed,
        )

    def _verified(self, provider_id: int, name: str, on: date, _result: object) -> None:
        if not shiboken6.isValid(self):
            return
        self.messages.set_status("directory.verified_done", name=name, date=format_date(on))
        self.refresh(provider_id)

    def _action_failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self):
            self.messages.show_error(error)

    # -- page contract -------------------------------------------------------------------
    def refresh(self, select_id: int | None = None) -> None:
        """Re-read the list (after a save, a check or an import), selecting ``select_id``."""
        self._select_after_load = select_id
        self.apply_filter()

    def _show_count(self) -> None:
        if not self._loaded:
            self.count_label.clear()
            return
        count, stale = self.model.rowCount(), self.model.stale_count()
        key = "directory.count_stale" if stale else "directory.count"
        self.count_label.setText(tr(key, count=format_number(count), stale=format_number(stale)))

    def retranslate(self) -> None:
        for label, key in self._labels:
            label.setText(tr(key))
        self.search_edit.setPlaceholderText(tr("directory.search_hint"))
        self.search_edit.setAccessibleName(tr("directory.search"))
        self.table.setAccessibleName(tr("directory.title"))
        self.new_button.setText(tr("directory.new"))
        self.new_button.setToolTip(tr("directory.new_tip"))
        self.edit_button.setText(tr("directory.edit"))
        self.edit_button.setToolTip(tr("directory.edit_tip"))
        self.verify_button.setText(tr("directory.mark_verified"))
        self.verify_button.setToolTip(tr("directory.mark_verified_tip"))
        self.export_button.setText(tr("directory.export"))
        self.export_button.setToolTip(tr("directory.export_tip"))
        self.import_button.setText(tr("directory.import"))
        self.import_button.setToolTip(tr("directory.import_tip"))
        for name, (prefix, _codes, all_key) in FILTER_CODES.items():
            combo = self.combos[name]
            combo.setItemText(0, tr(all_key))
            for index in range(1, combo.count()):
                combo.setItemText(index, codelist_label(prefix, str(combo.itemData(index))))
            view = combo.view()
            view.setMinimumWidth(view.sizeHintForColumn(0) + 2 * view.frameWidth() + 24)
        self.area_filter.retranslate()
        self.stale_check.setText(tr("directory.filter.stale"))
        self.stale_check.setToolTip(tr("directory.stale_tip"))
        self.inactive_check.setText(tr("directory.filter.inactive"))
        self.reset_button.setText(tr("directory.filter.reset"))
        selected = self.selected_id()
        self.model.retranslate()
        if selected is not None:
            self.select_provider(selected)
        self._show_count()
        self.messages.retranslate()

    def reload(self) -> None:
        if self.ctx.actor is not None:
            self.apply_filter()

    def clear(self) -> None:
        """The office locked: no rows, no search text, filters back to all."""
        self.search_timer.stop()
        self._generation += 1
        self._clear_filters()
        self._loaded = False
        self._select_after_load = None
        self.model.clear()
        self.messages.clear()
        self._show_count()
