"""The Référencements tab of the case window: the case's referrals and what to do with each.

The referrals are not part of :class:`CaseDetail`: the tab reads them
(``case_referrals``) each time the case is shown or a referral changes. Each action
acts on the selected referral and only on the states where it makes sense (send a
draft, acknowledge a sent one, record the counter-referral of a waiting one…).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import QItemSelection, QModelIndex
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop import i18n
from desktop.domain.referrals import DRAFT, OPEN_STATES, SENT, display_code
from desktop.i18n import tr
from desktop.services import referrals
from desktop.services.case_types import CaseDetail
from desktop.services.referral_types import ReferralRow
from desktop.ui.pages.cases.case_tabs import CaseHost, CaseTab
from desktop.ui.pages.referrals.common import (
    ReasonDialog,
    ReferralRowsModel,
    ReferralSelection,
    print_referral_slip,
    referral_table,
    select_row,
)
from desktop.ui.pages.referrals.counter_referral import CounterReferralDialog
from desktop.ui.pages.referrals.history import ReferralHistoryDialog
from desktop.ui.pages.referrals.new_referral import NewReferralDialog

COLUMNS = ("code", "date", "need", "provider", "urgency", "state", "due", "outcome")
ACTIONS = ("send", "acknowledge", "counter", "follow_up", "cancel", "print", "history")
"""The buttons under the table, each acting on the selected referral (``referrals.tab.<name>``)."""


class ReferralsTab(ReferralSelection, CaseTab):
    title_key = "case.tab.referrals"

    def __init__(self, host: CaseHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self._generation = 0
        self.dialog: QDialog | None = None
        self.new_button = QPushButton()
        self.new_button.clicked.connect(self.new_referral)
        self.summary_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addSpacing(12)
        top.addWidget(self.summary_label, 1)

        self.model = ReferralRowsModel(COLUMNS, self)
        self.table = referral_table(self.model, "provider")
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(self._double_clicked)

        self.buttons: dict[str, QPushButton] = {name: QPushButton() for name in ACTIONS}
        handlers = {
            "send": self.send,
            "acknowledge": self.acknowledge,
            "counter": self.counter_referral,
            "follow_up": self.follow_up,
            "cancel": self.cancel,
            "print": self.print_slip,
            "history": self.show_history,
        }
        actions = QHBoxLayout()
        for name, button in self.buttons.items():
            button.clicked.connect(handlers[name])
            actions.addWidget(button)
            if name == "cancel":
                actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addLayout(self.message_box())
        self.retranslate()

    # -- the list --------------------------------------------------------------------

    def show_detail(self, detail: CaseDetail) -> None:
        self.load_referrals()

    def load_referrals(self, select_id: int | None = None) -> None:
        """Read the case's referrals again, keeping (or moving to) the selected one."""
        if self.detail is None or self.ctx.actor is None:
            return
        keep = select_id if select_id is not None else self.selected_id()
        done = partial(self._listed, self._generation, keep)
        self.ctx.call(referrals.case_referrals, self.detail.case_id, on_done=done, on_error=self._load_failed)

    def _listed(self, generation: int, keep: int | None, rows: list[ReferralRow]) -> None:
        if not shiboken6.isValid(self) or generation != self._generation or self.detail is None:
            return
        self.model.set_rows(rows)
        for number, row in enumerate(rows):
            if row.id == keep:
                select_row(self.table, number)
        self._show_summary()
        self.update_actions()

    def _load_failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self) and self.detail is not None:
            self.show_error(error)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.update_actions()

    def _double_clicked(self, _index: QModelIndex) -> None:
        self.show_history()

    def clear_fields(self) -> None:
        self._generation += 1
        self.model.clear()
        self.summary_label.clear()
        dialog, self.dialog = self.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.reject()

    def update_actions(self) -> None:
        ready = self.detail is not None and not self.busy
        row = self.selected()
        state = row.state if row is not None else ""
        outgoing = row is not None and row.direction == "outgoing"
        self.new_button.setEnabled(ready)
        enabled = {
            "send": state == DRAFT,
            "acknowledge": state == SENT and outgoing,
            "counter": state in OPEN_STATES,
            "follow_up": state in OPEN_STATES and outgoing,
            "cancel": state in (DRAFT, *OPEN_STATES),
            "print": row is not None and state != "cancelled",
            "history": row is not None,
        }
        for name, button in self.buttons.items():
            button.setEnabled(ready and enabled[name])

    def _show_summary(self) -> None:
        rows: list[ReferralRow] = self.model.rows()
        if self.detail is None:
            self.summary_label.clear()
            return
        late = sum(1 for row in rows if row.overdue)
        text = tr("referrals.tab.summary", count=len(rows))
        if late:
            text = tr("referrals.tab.summary_late", count=len(rows), late=late)
        self.summary_label.setText(text)

    # -- actions ---------------------------------------------------------------------

    def _open(self, dialog: QDialog) -> None:
        previous, self.dialog = self.dialog, dialog
        if previous is not None and shiboken6.isValid(previous):
            previous.reject()
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def new_referral(self) -> None:
        if self.detail is None:
            return
        dialog = NewReferralDialog(self.ctx, self.detail, self)
        dialog.sig_created.connect(self._created)
        self._open(dialog)

    def _created(self, referral_id: int) -> None:
        if shiboken6.isValid(self) and self.detail is not None:
            self.messages.set_status("referrals.tab.created")
            self.load_referrals(select_id=referral_id)

    def _perform(self, fn: Callable[..., Any], *args: Any, status_key: str) -> None:
        row = self.selected()
        if row is None:
            return
        self.host.perform(
            self,
            fn,
            row.id,
            *args,
            status_key=status_key,
            status_params={"code": display_code(row.code)},
            on_done=self._changed,
            changed=False,
        )

    def _changed(self, _result: object) -> None:
        self.load_referrals()

    def send(self) -> None:
        self._perform(referrals.send, status_key="referrals.tab.sent")

    def acknowledge(self) -> None:
        self._perform(referrals.acknowledge, status_key="referrals.tab.acknowledged")

    def follow_up(self) -> None:
        self._perform(referrals.record_follow_up, status_key="referrals.tab.followed_up")

    def cancel(self) -> None:
        row = self.selected()
        if row is None:
            return
        code = display_code(row.code)
        prompt = tr("referrals.cancel_dialog.prompt", code=code)
        reason = ReasonDialog.ask(self, tr("referrals.cancel_dialog.title"), prompt)
        if reason:
            self._perform(referrals.cancel, None, reason, status_key="referrals.tab.cancelled")

    def counter_referral(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = CounterReferralDialog(self.ctx, row.id, self)
        dialog.sig_recorded.connect(self._counter_recorded)
        self._open(dialog)

    def _counter_recorded(self, referral_id: int) -> None:
        if shiboken6.isValid(self) and self.detail is not None:
            self.messages.set_status("referrals.tab.counter_recorded")
            self.load_referrals(select_id=referral_id)

    def print_slip(self) -> None:
        row = self.selected()
        if row is None:
            return
        code = display_code(row.code)
        name = tr("referrals.pdf_name", code=code)
        self.host.print_pdf(self, "referral_pdf", name, print_referral_slip, row.id, i18n.language())

    def show_history(self) -> None:
        row = self.selected()
        if row is not None:
            self._open(ReferralHistoryDialog(self.ctx, row.id, self))

    # -- language --------------------------------------------------------------------

    def retranslate(self) -> None:
        super().retranslate()
        self.new_button.setText(tr("referrals.tab.new"))
        for name, button in self.buttons.items():
            button.setText(tr(f"referrals.tab.{name}"))
        self.model.retranslate()
        self._show_summary()
