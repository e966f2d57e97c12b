"""One referral in full: its facts and every event (created, sent, follow-ups, counter-referral…).

Reading it is an audited view of a person's record, like opening the case.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QDialog, QFormLayout, QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.domain.referrals import display_code
from desktop.i18n import tr
from desktop.services import referrals
from desktop.services.referral_types import ReferralDetail, ReferralEventRow
from desktop.ui.context import AppContext
from desktop.ui.models.case_list_model import codelist_label
from desktop.ui.pages.cases.case_tabs import RowsModel, bidi_text, caption, codes_text, date_text, rows_table
from desktop.ui.pages.referrals.common import provider_name, referral_cell
from desktop.ui.widgets.common import ErrorLabel

FACTS = (
    "code",
    "person",
    "direction",
    "need",
    "provider",
    "service",
    "urgency",
    "state",
    "created",
    "sent",
    "due",
    "outcome",
    "service_date",
    "feedback",
    "reason",
    "shared",
    "override",
    "officer",
)
EVENT_COLUMNS = (
    "referrals.history.col.date",
    "referrals.history.col.event",
    "referrals.history.col.note",
    "referrals.history.col.officer",
)
STATE_EVENTS = frozenset({"draft", "sent", "acknowledged", "closed", "cancelled", "override", "counter", "follow_up"})


def event_text(event: ReferralEventRow) -> str:
    return tr(f"referrals.event.{event.kind}") if event.kind in STATE_EVENTS else event.kind


def event_note(event: ReferralEventRow) -> str:
    return codelist_label("outcome", event.note) if event.kind == "counter" else event.note


class ReferralHistoryDialog(QDialog):
    """The referral's facts and its history, read-only."""

    def __init__(self, ctx: AppContext, referral_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.referral_id = referral_id
        self.referral: ReferralDetail | None = None
        self._error: BaseException | None = None
        self.facts_box = QGroupBox()
        form = QFormLayout(self.facts_box)
        self.captions: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for name in FACTS:
            label, value = caption(), QLabel()
            value.setWordWrap(True)
            self.captions[name], self.values[name] = label, value
            form.addRow(label, value)
        self.events_box = QGroupBox()
        self.model = RowsModel(EVENT_COLUMNS, self._cell, self)
        self.table = rows_table(self.model, 2)
        QVBoxLayout(self.events_box).addWidget(self.table)
        self.error_label = ErrorLabel()
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.facts_box)
        layout.addWidget(self.events_box, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.close_button)
        self.resize(720, 720)
        ctx.languages.sig_language_changed.connect(self.retranslate)
        ctx.sig_locked.connect(self._locked)
        self.retranslate()
        ctx.call(referrals.get_referral, referral_id, on_done=self._loaded, on_error=self._failed)

    def _cell(self, event: ReferralEventRow, column: int) -> str:
        if column == 0:
            return date_text(event.on_date)
        if column == 1:
            return event_text(event)
        if column == 2:
            return event_note(event)
        return event.officer

    def _loaded(self, referral: ReferralDetail) -> None:
        if not shiboken6.isValid(self) or self.ctx.actor is None:
            return
        self.referral = referral
        self.model.set_rows(referral.events)
        self._show()

    def _failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self):
            self._error = error
            self.error_label.show_error(error)

    def _locked(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.referral = None
        self.model.clear()
        self._show()
        self.reject()

    def _show(self) -> None:
        referral = self.referral
        if referral is None:
            for name, value in self.values.items():
                value.clear()
                value.hide()
                self.captions[name].hide()
            return
        row = referral.row
        texts = {
            "code": display_code(row.code),
            "person": f"{row.person_name} ({row.case_number})",
            "direction": codelist_label("direction", row.direction),
            "need": codelist_label("service_domain", row.domain),
            "provider": provider_name(row.provider_name, row.provider_name_ar),
            "service": referral.service_name,
            "urgency": referral_cell(row, "urgency"),
            "state": referral_cell(row, "state"),
            "created": date_text(row.created_on),
            "sent": date_text(row.sent_on),
            "due": referral_cell(row, "due"),
            "outcome": codelist_label("outcome", row.outcome),
            "service_date": date_text(referral.service_date),
            "feedback": referral.feedback,
            "reason": referral.reason,
            "shared": codes_text("shared_item", referral.shared),
            "override": referral.consent_override,
            "officer": referral.officer,
        }
        for name, value in self.values.items():
            value.setText(bidi_text(texts[name]))
            shown = bool(texts[name])
            value.setVisible(shown)
            self.captions[name].setVisible(shown)

    def retranslate(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.setWindowTitle(tr("referrals.history.title"))
        self.facts_box.setTitle(tr("referrals.history.facts"))
        self.events_box.setTitle(tr("referrals.history.events"))
        for name, label in self.captions.items():
            label.setText(tr(f"referrals.history.fact.{name}"))
        self.close_button.setText(tr("referrals.history.close"))
        self.model.retranslate()
        if self._error is not None:
            self.error_label.show_error(self._error)
        self._show()
