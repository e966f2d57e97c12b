"""The counter-referral dialog: what came back from the provider, keyed in from the slip.

Opened from a case's Référencements tab or straight from the code typed (or scanned)
in the Référencements section: the referral is read first (an audited view), so the
officer checks the person and the provider before recording the outcome.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.codelists import REFERRAL_OUTCOMES
from desktop.domain.errors import InputRejected
from desktop.domain.referrals import OPEN_STATES, display_code, office_today
from desktop.i18n import tr
from desktop.services import referrals
from desktop.services.referral_types import CounterReferralInput, ReferralDetail
from desktop.ui.context import AppContext
from desktop.ui.models.case_list_model import codelist_label
from desktop.ui.pages.cases.case_tabs import (
    LimitedTextEdit,
    OptionalDateEdit,
    bidi_text,
    caption,
    date_edit,
    date_text,
    from_qdate,
    to_qdate,
)
from desktop.ui.pages.referrals.common import provider_name, referral_cell
from desktop.ui.widgets.common import BusyDialog, ErrorLabel, ok_cancel_buttons

FEEDBACK_LIMIT = referrals.MAX_TEXT
FACTS = ("code", "person", "provider", "need", "date", "due")


class CounterReferralDialog(BusyDialog):
    """Received on, outcome, date of service, feedback: then the referral is closed."""

    sig_recorded = Signal(int)
    """The counter-referral of that referral id was recorded."""

    def __init__(self, ctx: AppContext, referral_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.referral_id = referral_id
        self.referral: ReferralDetail | None = None
        self._error: BaseException | None = None

        self.facts_frame = QFrame()
        self.facts_frame.setFrameShape(QFrame.Shape.StyledPanel)
        facts = QGridLayout(self.facts_frame)
        facts.setVerticalSpacing(2)
        self.fact_captions: dict[str, QLabel] = {}
        self.fact_values: dict[str, QLabel] = {}
        for number, name in enumerate(FACTS):
            label, value = caption(), QLabel()
            value.setWordWrap(True)
            self.fact_captions[name], self.fact_values[name] = label, value
            row, column = divmod(number, 2)
            facts.addWidget(label, row, column * 2)
            facts.addWidget(value, row, column * 2 + 1)
        facts.setColumnStretch(1, 1)
        facts.setColumnStretch(3, 1)
        self.state_note = QLabel()
        self.state_note.setWordWrap(True)
        self.state_note.hide()

        self.received_label = caption()
        self.received_edit = date_edit(office_today())
        self.received_label.setBuddy(self.received_edit)
        self.outcome_box = QGroupBox()
        self.outcome_group = QButtonGroup(self)
        self.outcome_buttons: dict[str, QRadioButton] = {}
        grid = QGridLayout(self.outcome_box)
        for number, code in enumerate(REFERRAL_OUTCOMES):
            button = QRadioButton()
            self.outcome_group.addButton(button)
            self.outcome_buttons[code] = button
            grid.addWidget(button, number // 2, number % 2)
        self.service_date = OptionalDateEdit(not_after_today=True)
        self.feedback_label = caption()
        self.feedback_edit = LimitedTextEdit(FEEDBACK_LIMIT)
        self.feedback_edit.setMinimumHeight(self.feedback_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.feedback_label.setBuddy(self.feedback_edit)
        received = QHBoxLayout()
        received.addWidget(self.received_label)
        received.addWidget(self.received_edit)
        received.addSpacing(24)
        received.addWidget(self.service_date)
        received.addStretch(1)

        self.error_label = ErrorLabel()
        buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(self.submit, self.reject)
        self.ok_button.setEnabled(False)  # until the referral is read
        layout = QVBoxLayout(self)
        layout.addWidget(self.facts_frame)
        layout.addWidget(self.state_note)
        layout.addLayout(received)
        layout.addWidget(self.outcome_box)
        layout.addWidget(self.feedback_label)
        layout.addWidget(self.feedback_edit, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(760, self.sizeHint().height())

        ctx.languages.sig_language_changed.connect(self.retranslate)
        ctx.sig_locked.connect(self._locked)
        self.retranslate()
        self._busy = True
        ctx.call(referrals.get_referral, referral_id, on_done=self._loaded, on_error=self._load_failed)

    # -- the form ------------------------------------------------------------------

    def outcome(self) -> str:
        for code, button in self.outcome_buttons.items():
            if button.isChecked():
                return code
        return ""

    def set_outcome(self, code: str) -> None:
        self.outcome_buttons[code].setChecked(True)

    def counter_referral(self) -> CounterReferralInput:
        return CounterReferralInput(
            received_on=from_qdate(self.received_edit.date()),
            outcome=self.outcome(),
            service_date=self.service_date.value(),
            feedback=self.feedback_edit.text(),
        )

    def _show_error(self, error: BaseException | None) -> None:
        self._error = error
        if error is None:
            self.error_label.clear_text()
        else:
            self.error_label.show_error(error)

    # -- loading and saving --------------------------------------------------------

    def _alive(self) -> bool:
        return shiboken6.isValid(self) and self.ctx.actor is not None

    def _loaded(self, referral: ReferralDetail) -> None:
        if not self._alive():
            return
        self._busy = False
        self.referral = referral
        sent = referral.row.sent_on or referral.row.created_on
        self.received_edit.setMinimumDate(to_qdate(sent))
        self.service_date.edit.setMinimumDate(to_qdate(sent))
        self.ok_button.setEnabled(referral.row.state in OPEN_STATES)
        self._show_facts()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))  # long names wrap

    def _load_failed(self, error: BaseException) -> None:
        if not self._alive():
            return
        self._busy = False
        self._show_error(error)

    def submit(self) -> None:
        if self.referral is None or self._busy:
            return
        data = self.counter_referral()
        if not data.outcome:
            self._show_error(InputRejected("referral.error.outcome"))
            return
        self._busy = True
        self.ok_button.setEnabled(False)
        self.ctx.call(
            referrals.record_counter_referral, self.referral_id, data, on_done=self._recorded, on_error=self._failed
        )

    def _recorded(self, _result: object) -> None:
        if not self._alive():
            return
        self._busy = False
        self.sig_recorded.emit(self.referral_id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if not self._alive():
            return
        self._busy = False
        self.ok_button.setEnabled(True)
        self._show_error(error)

    def _locked(self) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self.referral = None
        for value in self.fact_values.values():
            value.clear()
        self.feedback_edit.clear()
        self.reject()

    # -- language ------------------------------------------------------------------

    def _show_facts(self) -> None:
        referral = self.referral
        if referral is None:
            return
        row = referral.row
        texts = {
            "code": display_code(row.code),
            "person": bidi_text(f"{row.person_name} ({row.case_number})"),
            "provider": provider_name(row.provider_name, row.provider_name_ar),
            "need": codelist_label("service_domain", row.domain),
            "date": date_text(row.sent_on or row.created_on),
            "due": referral_cell(row, "due"),
        }
        for name, value in self.fact_values.items():
            value.setText(texts[name])
        waiting = row.state in OPEN_STATES
        self.state_note.setVisible(not waiting)
        if not waiting:
            self.state_note.setText(
                tr("referrals.counter.not_waiting", state=codelist_label("referral_state", row.state))
            )

    def retranslate(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.setWindowTitle(tr("referrals.counter.title"))
        for name, label in self.fact_captions.items():
            label.setText(tr(f"referrals.counter.fact.{name}"))
        self.received_label.setText(tr("referrals.counter.received_on"))
        self.outcome_box.setTitle(tr("referrals.counter.outcome"))
        for code, button in self.outcome_buttons.items():
            button.setText(codelist_label("outcome", code))
        self.service_date.set_text(tr("referrals.counter.service_date"))
        self.feedback_label.setText(tr("referrals.counter.feedback"))
        self.ok_button.setText(tr("referrals.counter.save"))
        self.cancel_button.setText(tr("referrals.cancel"))
        self._show_error(self._error)
        self._show_facts()
