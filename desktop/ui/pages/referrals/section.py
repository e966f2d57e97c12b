"""Référencements: the code of a returned slip, the referrals to chase, the whole log.

Most counter-referrals come back on paper: the officer types the slip's code (or a
scanner types it, then Enter) in the field at the top and records the answer at once,
without looking for the case. Below, "À relancer" lists what is late and the log shows
everything, filtered.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTabWidget, QVBoxLayout, QWidget

from desktop.domain.referrals import display_code, normalise_code
from desktop.i18n import tr
from desktop.services import referrals
from desktop.ui.context import AppContext
from desktop.ui.pages.base import Page
from desktop.ui.pages.referrals import common
from desktop.ui.pages.referrals.counter_referral import CounterReferralDialog
from desktop.ui.pages.referrals.log_view import LogView
from desktop.ui.pages.referrals.overdue_view import OverdueView
from desktop.ui.widgets.common import ErrorLabel, StatusMessages


class ReferralsSection(Page):
    title_key = "referrals.title"
    icon_name = "referrals"

    sig_open_case = Signal(int)
    """A case was asked for (the main window's Dossiers section opens it)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.dialog: QDialog | None = None
        self._overdue_count: int | None = None
        self.code_label = QLabel()
        font = self.code_label.font()
        font.setBold(True)
        self.code_label.setFont(font)
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("K7M4-X2QB")
        self.code_edit.setMaxLength(40)
        self.code_edit.setClearButtonEnabled(True)
        metrics = self.code_edit.fontMetrics()
        self.code_edit.setMinimumWidth(metrics.horizontalAdvance("K7M4-X2QB") * 2 + 40)
        self.code_edit.returnPressed.connect(self.find_code)
        self.code_label.setBuddy(self.code_edit)
        self.code_button = QPushButton()
        self.code_button.clicked.connect(self.find_code)
        self.code_hint = QLabel()
        self.code_hint.setWordWrap(True)
        self.code_status = QLabel()
        self.code_status.setWordWrap(True)
        self.code_status.hide()
        self.code_error = ErrorLabel()
        self.code_messages = StatusMessages(self.code_status, self.code_error)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code_label)
        code_row.addWidget(self.code_edit)
        code_row.addWidget(self.code_button)
        code_row.addStretch(1)

        self.overdue_view = OverdueView(ctx)
        self.overdue_view.sig_counter_requested.connect(self.open_counter_referral)
        self.overdue_view.sig_open_case.connect(self.open_case)
        self.overdue_view.sig_changed.connect(self._referrals_changed)
        self.overdue_view.sig_count_changed.connect(self._overdue_counted)
        self.log_view = LogView(ctx)
        self.log_view.sig_open_case.connect(self.open_case)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.overdue_view, "")
        self.tabs.addTab(self.log_view, "")

        layout = QVBoxLayout(self)
        layout.addLayout(code_row)
        layout.addWidget(self.code_hint)
        layout.addWidget(self.code_error)
        layout.addWidget(self.code_status)
        layout.addWidget(self.tabs, 1)
        self.retranslate()

    # -- the code of a returned slip -------------------------------------------------

    def find_code(self) -> None:
        """The referral whose slip carries the typed code: straight to its counter-referral."""
        typed = self.code_edit.text().strip()
        if not typed or self.ctx.actor is None:
            return
        self._say(None)
        self.ctx.call(referrals.find_by_code, typed, on_done=self._code_found, on_error=self._code_failed)

    def _code_found(self, referral_id: int) -> None:
        if not shiboken6.isValid(self) or self.ctx.actor is None:
            return
        self.open_counter_referral(referral_id)

    def _code_failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self) or self.ctx.actor is None:
            return
        self._say(error)
        self.code_edit.selectAll()
        self.code_edit.setFocus()

    def _say(self, error: BaseException | None, status_key: str = "", **params: object) -> None:
        """The outcome of the last code typed: an error, a status line, or nothing (no empty gap)."""
        if error is not None:
            self.code_messages.show_error(error)
        elif status_key:
            self.code_messages.set_status(status_key, **params)
        else:
            self.code_messages.clear()
        self.code_status.setVisible(bool(self.code_status.text()))

    def open_counter_referral(self, referral_id: int) -> None:
        if self.ctx.actor is None:
            return
        previous, self.dialog = self.dialog, CounterReferralDialog(self.ctx, referral_id, self)
        if previous is not None and shiboken6.isValid(previous):
            previous.reject()
        self.dialog.sig_recorded.connect(self._counter_recorded)
        self.dialog.finished.connect(self._dialog_finished)
        self.dialog.open()

    def _counter_recorded(self, _referral_id: int) -> None:
        if not shiboken6.isValid(self):
            return
        dialog = self.dialog
        code = ""
        if isinstance(dialog, CounterReferralDialog) and dialog.referral is not None:
            code = display_code(dialog.referral.row.code)
        elif self.code_edit.text():
            code = display_code(normalise_code(self.code_edit.text()))
        self._say(None, "referrals.section.counter_recorded", code=code)
        self.code_edit.clear()
        self._referrals_changed()

    def _dialog_finished(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.deleteLater()
        if shiboken6.isValid(self) and self.isVisible():
            self.code_edit.setFocus()  # ready for the next slip

    # -- lists -----------------------------------------------------------------------

    def _referrals_changed(self) -> None:
        self.overdue_view.reload()
        self.log_view.refresh()

    def _overdue_counted(self, count: int) -> None:
        self._overdue_count = count
        self._title_tabs()

    def open_case(self, case_id: int) -> None:
        """Show the case in the Dossiers section (and say so to whoever listens)."""
        self.sig_open_case.emit(case_id)
        common.open_case(self, case_id)

    # -- page contract ---------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.ctx.actor is not None:
            self.reload()  # a case tab may have changed referrals meanwhile

    def reload(self) -> None:
        if not shiboken6.isValid(self) or self.ctx.actor is None:
            return
        self.overdue_view.reload()
        self.log_view.reload()

    def clear(self) -> None:
        if not shiboken6.isValid(self):
            return
        dialog, self.dialog = self.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.finished.disconnect(self._dialog_finished)
            dialog.reject()
            dialog.deleteLater()
        self.code_edit.clear()
        self._say(None)
        self._overdue_count = None
        self.overdue_view.clear()
        self.log_view.clear()
        self._title_tabs()

    def _title_tabs(self) -> None:
        count = self._overdue_count
        overdue = (
            tr("referrals.section.overdue_tab", count=count) if count else tr("referrals.section.overdue_tab_none")
        )
        self.tabs.setTabText(0, overdue)
        self.tabs.setTabText(1, tr("referrals.section.log_tab"))

    def retranslate(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.code_label.setText(tr("referrals.section.code"))
        self.code_button.setText(tr("referrals.section.code_button"))
        self.code_hint.setText(tr("referrals.section.code_hint"))
        self.code_messages.retranslate()
        self.overdue_view.retranslate()
        self.log_view.retranslate()
        self._title_tabs()
