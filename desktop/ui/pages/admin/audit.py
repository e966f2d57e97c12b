"""The audit log viewer: filter by who, when, what; verify the hash chain."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import shiboken6
from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.audit import AuditAction, RecordType
from desktop.i18n import tr
from desktop.services import audit
from desktop.services.audit import AuditFilter, ChainReport
from desktop.ui.context import AppContext
from desktop.ui.models.audit_model import DETAIL, AuditModel, action_label, actor_label, record_type_label
from desktop.ui.widgets.common import ErrorLabel, format_number, records_table


def _local_midnight(day: QDate) -> datetime:
    """The start of a calendar day on this PC, as an aware datetime (the log is in UTC)."""
    return datetime.combine(date(day.year(), day.month(), day.day()), time.min).astimezone()


class AuditTab(QWidget):
    """Filters above, the lazily filled table in the middle, the chain check below."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = AuditModel(ctx, self)
        self._count: int | None = None
        self._error: BaseException | None = None
        self._chain: ChainReport | None = None
        self._labels: list[tuple[QLabel, str]] = []

        self.actor_combo = QComboBox()
        self.actor_combo.addItem("", "")
        self.action_combo = QComboBox()
        self.action_combo.addItem("", "")
        for action in AuditAction:
            self.action_combo.addItem("", action.value)
        self.record_type_combo = QComboBox()
        self.record_type_combo.addItem("", "")
        for record_type in RecordType:
            self.record_type_combo.addItem("", record_type.value)
        self.record_id_edit = QLineEdit()
        self.record_id_edit.setClearButtonEnabled(True)
        self.record_id_edit.returnPressed.connect(self.apply_filter)
        self.since_check = QCheckBox()
        self.until_check = QCheckBox()
        today = QDate.currentDate()
        self.since_edit = QDateEdit(today.addDays(-30))
        self.until_edit = QDateEdit(today)
        for check, edit in ((self.since_check, self.since_edit), (self.until_check, self.until_edit)):
            edit.setCalendarPopup(True)
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
        self.apply_button = QPushButton()
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply_filter)
        self.reset_button = QPushButton()
        self.reset_button.clicked.connect(self.reset_filter)

        filters = QGridLayout()
        filters.addWidget(self._label("audit_page.filter.actor", self.actor_combo), 0, 0)
        filters.addWidget(self.actor_combo, 0, 1)
        filters.addWidget(self._label("audit_page.filter.action", self.action_combo), 0, 2)
        filters.addWidget(self.action_combo, 0, 3)
        filters.addWidget(self.since_check, 0, 4)
        filters.addWidget(self.since_edit, 0, 5)
        filters.addWidget(self._label("audit_page.filter.record_type", self.record_type_combo), 1, 0)
        filters.addWidget(self.record_type_combo, 1, 1)
        filters.addWidget(self._label("audit_page.filter.record_id", self.record_id_edit), 1, 2)
        filters.addWidget(self.record_id_edit, 1, 3)
        filters.addWidget(self.until_check, 1, 4)
        filters.addWidget(self.until_edit, 1, 5)
        for column in (1, 3, 5):
            filters.setColumnStretch(column, 1)

        filter_buttons = QHBoxLayout()
        self.count_label = QLabel()
        filter_buttons.addWidget(self.count_label)
        filter_buttons.addStretch(1)
        filter_buttons.addWidget(self.reset_button)
        filter_buttons.addWidget(self.apply_button)

        self.table = records_table(self.model, DETAIL)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        # Sized from the visible rows only: never a reason to fetch the whole log.
        self.table.horizontalHeader().setResizeContentsPrecision(0)

        self.verify_button = QPushButton()
        self.verify_button.clicked.connect(self.verify_chain)
        self.chain_label = QLabel()
        self.chain_label.setWordWrap(True)
        self.error_label = ErrorLabel()
        verify_row = QHBoxLayout()
        verify_row.addWidget(self.verify_button)
        verify_row.addWidget(self.chain_label, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(filter_buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(verify_row)

        self.model.sig_count_changed.connect(self._count_changed)
        self.model.sig_error.connect(self._show_error)
        self.retranslate()

    def _label(self, key: str, buddy: QWidget) -> QLabel:
        label = QLabel()
        label.setBuddy(buddy)
        self._labels.append((label, key))
        return label

    # -- filters ---------------------------------------------------------------

    def current_filter(self) -> AuditFilter:
        since = _local_midnight(self.since_edit.date()) if self.since_check.isChecked() else None
        until = None
        if self.until_check.isChecked():
            until = _local_midnight(self.until_edit.date()) + timedelta(days=1)  # the whole "to" day
        return AuditFilter(
            actor=str(self.actor_combo.currentData() or ""),
            since=since,
            until=until,
            record_type=str(self.record_type_combo.currentData() or ""),
            record_id=self.record_id_edit.text().strip(),
            action=str(self.action_combo.currentData() or ""),
        )

    def set_actor(self, login: str) -> bool:
        index = self.actor_combo.findData(login)
        if index >= 0:
            self.actor_combo.setCurrentIndex(index)
        return index >= 0

    def apply_filter(self) -> None:
        if self.ctx.actor is None:
            return
        self._error = None
        self.error_label.clear_text()
        self.model.set_filter(self.current_filter())

    def reset_filter(self) -> None:
        self.reset_filter_fields()
        self.apply_filter()

    def _count_changed(self, count: int) -> None:
        self._count = count if self.ctx.actor is not None else None
        self._show_count()

    def _show_count(self) -> None:
        if self._count is None:
            self.count_label.clear()
        else:
            self.count_label.setText(tr("audit_page.count", count=format_number(self._count)))

    def _actors_loaded(self, actors: list[str]) -> None:
        if not shiboken6.isValid(self) or self.ctx.actor is None:
            return
        current = str(self.actor_combo.currentData() or "")
        self.actor_combo.blockSignals(True)
        while self.actor_combo.count() > 1:
            self.actor_combo.removeItem(1)
        for login in actors:
            self.actor_combo.addItem(actor_label(login), login)
        self.actor_combo.blockSignals(False)
        self.set_actor(current)

    def _show_error(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._error = error
        self.error_label.show_error(error)

    # -- chain -----------------------------------------------------------------

    def verify_chain(self) -> None:
        self._chain = None
        self.chain_label.setText(tr("audit_page.verifying"))
        self.chain_label.setStyleSheet("")
        self.verify_button.setEnabled(False)
        self.ctx.call(audit.verify_chain, on_done=self._chain_verified, on_error=self._chain_failed)

    def _chain_verified(self, report: ChainReport) -> None:
        if not shiboken6.isValid(self):
            return
        self._chain = report
        self.verify_button.setEnabled(True)
        self._show_chain()

    def _chain_failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.verify_button.setEnabled(True)
        self.chain_label.clear()
        self._show_error(error)

    def chain_text(self) -> str:
        report = self._chain
        if report is None:
            return ""
        if report.ok:
            return tr("audit_page.chain_ok", entries=format_number(report.entries))
        return tr(report.reason, entry=report.first_broken_id or 0)

    def _show_chain(self) -> None:
        self.chain_label.setText(self.chain_text())
        broken = self._chain is not None and not self._chain.ok
        self.chain_label.setStyleSheet("color: #c62828; font-weight: 600;" if broken else "")

    # -- page contract ---------------------------------------------------------

    def retranslate(self) -> None:
        for label, key in self._labels:
            label.setText(tr(key))
        self.actor_combo.setItemText(0, tr("audit_page.all_users"))
        for index in range(1, self.actor_combo.count()):
            self.actor_combo.setItemText(index, actor_label(str(self.actor_combo.itemData(index))))
        self.action_combo.setItemText(0, tr("audit_page.all_actions"))
        for index in range(1, self.action_combo.count()):
            self.action_combo.setItemText(index, action_label(str(self.action_combo.itemData(index))))
        self.record_type_combo.setItemText(0, tr("audit_page.all_record_types"))
        for index in range(1, self.record_type_combo.count()):
            self.record_type_combo.setItemText(index, record_type_label(str(self.record_type_combo.itemData(index))))
        self.record_id_edit.setPlaceholderText(tr("audit_page.record_id_hint"))
        self.since_check.setText(tr("audit_page.filter.since"))
        self.until_check.setText(tr("audit_page.filter.until"))
        self.apply_button.setText(tr("audit_page.apply"))
        self.reset_button.setText(tr("audit_page.reset"))
        self.verify_button.setText(tr("audit_page.verify"))
        self.model.retranslate()
        self._show_count()
        if self._chain is not None:
            self._show_chain()
        if self._error is not None:
            self.error_label.show_error(self._error)

    def reload(self) -> None:
        """New actors may have appeared; the table re-runs the current filter."""
        if self.ctx.actor is None:
            return
        self.ctx.call(audit.actors, on_done=self._actors_loaded, on_error=self._show_error)
        self.apply_filter()

    def clear(self) -> None:
        self.model.clear()
        self._count = None
        self._chain = None
        self._error = None
        self.actor_combo.blockSignals(True)
        while self.actor_combo.count() > 1:
            self.actor_combo.removeItem(1)
        self.actor_combo.blockSignals(False)
        self.reset_filter_fields()
        self.count_label.clear()
        self.chain_label.clear()
        self.chain_label.setStyleSheet("")
        self.error_label.clear_text()
        self.verify_button.setEnabled(True)

    def reset_filter_fields(self) -> None:
        for combo in (self.actor_combo, self.action_combo, self.record_type_combo):
            combo.setCurrentIndex(0)
        self.record_id_edit.clear()
        self.since_check.setChecked(False)
        self.until_check.setChecked(False)
