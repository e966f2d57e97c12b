"""À relancer: the referrals past their due date with no counter-referral, the latest first.

Each line carries what the officer needs to pick up the phone: the provider's number
and focal point, and when they last chased it. "Relance faite" records the call in
one click; "Contre-référence…" records the answer when the call brought one.
"""

from __future__ import annotations

from functools import partial

import shiboken6
from PySide6.QtCore import QItemSelection, QModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.domain.referrals import display_code
from desktop.i18n import tr
from desktop.services import referrals
from desktop.services.referral_types import ReferralRow
from desktop.ui.context import AppContext
from desktop.ui.pages.referrals.common import ReferralRowsModel, ReferralSelection, referral_table
from desktop.ui.widgets.common import ErrorLabel, StatusMessages

COLUMNS = ("days_late", "code", "person", "need", "provider", "contact", "follow_up")


class OverdueView(ReferralSelection, QWidget):
    """The "À relancer" list and its two one-click actions."""

    sig_counter_requested = Signal(int)
    """Record the counter-referral of this referral id (the section opens the dialog)."""
    sig_open_case = Signal(int)
    """Open this case id."""
    sig_changed = Signal()
    """A follow-up was recorded: counts elsewhere are stale."""
    sig_count_changed = Signal(int)
    """How many referrals are late now."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._generation = 0
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.model = ReferralRowsModel(COLUMNS, self)
        self.table = referral_table(self.model, "provider")
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(self._double_clicked)
        self.empty_label = QLabel()
        self.empty_label.hide()
        self.follow_up_button = QPushButton()
        self.follow_up_button.clicked.connect(self.follow_up_done)
        self.counter_button = QPushButton()
        self.counter_button.clicked.connect(self.counter_referral)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self.open_case)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.error_label = ErrorLabel()
        self.messages = StatusMessages(self.status_label, self.error_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.follow_up_button)
        buttons.addWidget(self.counter_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        self.retranslate()
        self.update_actions()

    # -- data ------------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        if self.ctx.actor is None:
            return
        keep = select_id if select_id is not None else self.selected_id()
        done = partial(self._listed, self._generation, keep)
        self.ctx.call(referrals.overdue, on_done=done, on_error=self._failed)

    def _listed(self, generation: int, keep: int | None, rows: list[ReferralRow]) -> None:
        if not shiboken6.isValid(self) or generation != self._generation or self.ctx.actor is None:
            return
        self.model.set_rows(rows)
        self.empty_label.setVisible(not rows)
        if keep is not None:
            self.select_referral(keep)
        self.update_actions()
        self.sig_count_changed.emit(len(rows))

    def _failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self) and self.ctx.actor is not None:
            self.messages.show_error(error)

    def clear(self) -> None:
        self._generation += 1
        self.model.clear()
        self.messages.clear()
        self.empty_label.hide()
        self.update_actions()

    # -- actions ---------------------------------------------------------------------

    def follow_up_done(self) -> None:
        """The provider was called (or written to) today: one click."""
        row = self.selected()
        if row is None:
            return
        self.follow_up_button.setEnabled(False)
        done = partial(self._followed_up, row.id, display_code(row.code))
        self.ctx.call(referrals.record_follow_up, row.id, on_done=done, on_error=self._action_failed)

    def _followed_up(self, referral_id: int, code: str, _result: object) -> None:
        if not shiboken6.isValid(self) or self.ctx.actor is None:
            return
        self.messages.set_status("referrals.overdue.followed_up", code=code)
        self.reload(select_id=referral_id)
        self.sig_changed.emit()

    def _action_failed(self, error: BaseException) -> None:
        self._failed(error)
        if shiboken6.isValid(self):
            self.update_actions()

    def counter_referral(self) -> None:
        row = self.selected()
        if row is not None:
            self.sig_counter_requested.emit(row.id)

    def open_case(self) -> None:
        row = self.selected()
        if row is not None:
            self.sig_open_case.emit(row.case_id)

    def _double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if isinstance(row, ReferralRow):
            self.sig_open_case.emit(row.case_id)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.update_actions()

    def update_actions(self) -> None:
        chosen = self.selected() is not None
        for button in (self.follow_up_button, self.counter_button, self.open_button):
            button.setEnabled(chosen)

    def retranslate(self) -> None:
        self.intro.setText(tr("referrals.overdue.intro"))
        self.empty_label.setText(tr("referrals.overdue.none"))
        self.follow_up_button.setText(tr("referrals.overdue.follow_up"))
        self.counter_button.setText(tr("referrals.overdue.counter"))
        self.open_button.setText(tr("referrals.open_case"))
        self.messages.retranslate()
        self.model.retranslate()
