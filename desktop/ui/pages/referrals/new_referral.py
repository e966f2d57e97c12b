"""The new referral dialog: a need, a provider from the directory, the urgency, what is shared.

The need is proposed from the latest bilan social (its highest-priority need); the
directory is filtered for the person (:mod:`provider_chooser`). "Envoyer maintenant"
records the referral as sent (the due date starts today), "Enregistrer en brouillon"
keeps it to send later. Sharing a person's data needs their consent: without it the
service refuses and says so; a supervisor may record a reasoned override instead.
"""

from __future__ import annotations

from functools import partial

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.codelists import PRIORITIES, SERVICE_DOMAINS, SHARED_ITEMS, URGENCIES
from desktop.domain.errors import BaomError
from desktop.domain.referrals import ASSESSMENT_TO_SERVICE, due_on, office_today, public_of
from desktop.domain.users import Role, role_at_least
from desktop.i18n import tr
from desktop.services import referrals
from desktop.services.case_types import CaseDetail
from desktop.services.office import OfficeInfo, office_info
from desktop.services.referral_types import ReferralInput
from desktop.ui.context import AppContext
from desktop.ui.models.case_list_model import codelist_label
from desktop.ui.pages.cases.case_tabs import (
    CheckList,
    CodeCombo,
    LimitedTextEdit,
    caption,
    date_text,
    good_colour,
    warning_colour,
)
from desktop.ui.pages.referrals.common import ReasonDialog
from desktop.ui.pages.referrals.provider_chooser import Criteria, ProviderChooser
from desktop.ui.widgets.common import BusyDialog, ErrorLabel

CONSENT_MISSING = "referral.error.consent_missing"


def proposed_domain(detail: CaseDetail) -> tuple[str, str]:
    """(service domain, assessment domain) of the latest bilan's most pressing need, or ("", "")."""
    if not detail.assessments:
        return "", ""
    latest = detail.assessments[0]  # newest first
    needs = [item for item in latest.items if item.priority in PRIORITIES and item.domain in ASSESSMENT_TO_SERVICE]
    if not needs:
        return "", ""
    rank = {priority: number for number, priority in enumerate(reversed(PRIORITIES))}  # high first
    first = min(needs, key=lambda item: rank[item.priority])
    return ASSESSMENT_TO_SERVICE[first.domain][0], first.domain


def sharing_consent_since(detail: CaseDetail) -> str:
    """The date the person consented to referral sharing ("" when no consent stands)."""
    for consent in detail.consents:
        if consent.purpose == referrals.SHARING_CONSENT and consent.withdrawn_on is None:
            return date_text(consent.given_on)
    return ""


class NewReferralDialog(BusyDialog):
    """Refer the case's person to a provider (or log a referral received from one)."""

    sig_created = Signal(int)
    """A referral was recorded: its id."""

    def __init__(self, ctx: AppContext, detail: CaseDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail = detail
        self.public = public_of(detail.person.category, detail.person.legal_status)
        self.area = detail.person.commune_code
        self._error: BaseException | None = None
        self._send = True
        self.proposed, self.proposed_from = proposed_domain(detail)

        self.incoming_check = QCheckBox()
        self.incoming_check.toggled.connect(self._direction_changed)
        self.domain_label = caption()
        self.domain_combo = CodeCombo("service_domain", SERVICE_DOMAINS, empty_key="referrals.new.choose_domain")
        self.domain_label.setBuddy(self.domain_combo)
        self.domain_hint = QLabel()
        self.domain_hint.setWordWrap(True)
        self.chooser = ProviderChooser(ctx)
        self.provider_box = QGroupBox()
        need_row = QHBoxLayout()
        need_row.addWidget(self.domain_label)
        need_row.addWidget(self.domain_combo, 1)
        left = QVBoxLayout(self.provider_box)
        left.addWidget(self.incoming_check)
        left.addLayout(need_row)
        left.addWidget(self.domain_hint)
        left.addWidget(self.chooser, 1)

        self.details_box = QGroupBox()
        self.urgency_label = caption()
        self.urgency_combo = CodeCombo("urgency", URGENCIES)
        self.urgency_combo.set_code("weeks2")
        self.urgency_label.setBuddy(self.urgency_combo)
        self.due_label = QLabel()
        self.due_label.setWordWrap(True)
        self.reason_label = caption()
        self.reason_edit = LimitedTextEdit(referrals.MAX_TEXT)
        self.reason_edit.setMinimumHeight(self.reason_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.reason_label.setBuddy(self.reason_edit)
        self.shared_label = caption()
        self.shared = CheckList("shared_item", SHARED_ITEMS, columns=1)
        self.shared.set_checked(["identity"])
        self.consent_label = QLabel()
        self.consent_label.setWordWrap(True)
        right = QGridLayout(self.details_box)
        right.addWidget(self.urgency_label, 0, 0)
        right.addWidget(self.urgency_combo, 0, 1)
        right.addWidget(self.due_label, 1, 0, 1, 2)
        right.addWidget(self.reason_label, 2, 0, 1, 2)
        right.addWidget(self.reason_edit, 3, 0, 1, 2)
        right.addWidget(self.shared_label, 4, 0, 1, 2)
        right.addWidget(self.shared, 5, 0, 1, 2)
        right.addWidget(self.consent_label, 6, 0, 1, 2)
        right.setColumnStretch(1, 1)
        right.setRowStretch(3, 1)

        self.error_label = ErrorLabel()
        self.override_button = QPushButton()
        self.override_button.clicked.connect(self.override)
        self.override_button.hide()
        self.send_button = QPushButton()
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send_now)
        self.draft_button = QPushButton()
        self.draft_button.clicked.connect(self.save_draft)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.override_button)
        buttons.addStretch(1)
        for button in (self.send_button, self.draft_button, self.cancel_button):
            buttons.addWidget(button)

        columns = QHBoxLayout()
        columns.addWidget(self.provider_box, 3)
        columns.addWidget(self.details_box, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.resize(1000, 640)

        self.domain_combo.set_code(self.proposed)
        self.domain_combo.currentIndexChanged.connect(self._criteria_changed)
        self.urgency_combo.currentIndexChanged.connect(self._show_due)
        ctx.languages.sig_language_changed.connect(self.retranslate)
        ctx.sig_locked.connect(self._locked)
        self.retranslate()
        if self.area:
            self._criteria_changed()
        else:  # no commune for the person: the office's commune
            ctx.call(office_info, on_done=self._office_read)

    # -- the form ------------------------------------------------------------------

    @property
    def incoming(self) -> bool:
        return self.incoming_check.isChecked()

    def referral(self) -> ReferralInput:
        return ReferralInput(
            domain=self.domain_combo.code(),
            provider_id=self.chooser.provider_id(),
            service_id=self.chooser.service_id(),
            urgency=self.urgency_combo.code(),
            reason=self.reason_edit.text(),
            shared=[] if self.incoming else self.shared.checked(),
            direction="incoming" if self.incoming else "outgoing",
        )

    def _office_read(self, info: OfficeInfo) -> None:
        if shiboken6.isValid(self) and not self.area:
            self.area = info.commune_code
            self._criteria_changed()

    def _criteria_changed(self, *_args: object) -> None:
        self.chooser.set_criteria(Criteria(self.domain_combo.code(), self.area, self.public, self.incoming))
        self._show_hint()

    def _direction_changed(self, incoming: bool) -> None:
        for widget in (self.urgency_label, self.urgency_combo, self.due_label, self.shared_label, self.shared):
            widget.setVisible(not incoming)
        self.consent_label.setVisible(not incoming)
        self.draft_button.setVisible(not incoming)
        self.override_button.hide()
        self._criteria_changed()
        self.retranslate()

    # -- recording -----------------------------------------------------------------

    def send_now(self) -> None:
        self.submit(send=True)

    def save_draft(self) -> None:
        self.submit(send=False)

    def submit(self, *, send: bool, override_reason: str = "") -> None:
        if self._busy or self.ctx.actor is None:
            return
        self._send = send
        self._set_busy(True)
        create = partial(referrals.create_referral, send=send, override_reason=override_reason)
        self.ctx.call(create, self.detail.case_id, self.referral(), on_done=self._created, on_error=self._failed)

    def override(self) -> None:
        """A supervisor shares without consent, saying why (kept with the referral, audited)."""
        reason = ReasonDialog.ask(self, tr("referrals.override.title"), tr("referrals.override.prompt"))
        if reason:
            self.submit(send=self._send, override_reason=reason)

    def may_override(self) -> bool:
        actor = self.ctx.actor
        return actor is not None and role_at_least(actor.role, Role.SUPERVISOR)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.send_button, self.draft_button, self.override_button):
            button.setEnabled(not busy)

    def _created(self, referral_id: int) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        self.sig_created.emit(referral_id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        self._show_error(error)
        missing = isinstance(error, BaomError) and error.key == CONSENT_MISSING
        self.override_button.setVisible(missing and self.may_override())

    def _show_error(self, error: BaseException | None) -> None:
        self._error = error
        if error is None:
            self.error_label.clear_text()
        else:
            self.error_label.show_error(error)

    def _locked(self) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self.reason_edit.clear()
        self.chooser.clear()
        self.reject()

    # -- texts ---------------------------------------------------------------------

    def _show_hint(self) -> None:
        if self.proposed and self.domain_combo.code() == self.proposed:
            self.domain_hint.setText(tr("referrals.new.proposed", need=codelist_label("domain", self.proposed_from)))
            self.domain_hint.show()
        else:
            self.domain_hint.hide()

    def _show_due(self, *_args: object) -> None:
        urgency = self.urgency_combo.code()
        self.due_label.setText(tr("referrals.new.due", date=date_text(due_on(office_today(), urgency))))

    def _show_consent(self) -> None:
        since = sharing_consent_since(self.detail)
        if since:
            self.consent_label.setText(tr("referrals.new.consent_given", date=since))
            colour = good_colour()
        else:
            self.consent_label.setText(tr("referrals.new.consent_missing"))
            colour = warning_colour()
        self.consent_label.setStyleSheet(f"color: {colour.name()};")

    def retranslate(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.setWindowTitle(tr("referrals.new.title", number=self.detail.number))
        self.incoming_check.setText(tr("referrals.new.incoming"))
        self.provider_box.setTitle(tr("referrals.new.origin_box" if self.incoming else "referrals.new.provider_box"))
        self.details_box.setTitle(tr("referrals.new.details_box"))
        self.domain_label.setText(tr("referrals.new.domain"))
        self.urgency_label.setText(tr("referrals.new.urgency"))
        self.reason_label.setText(tr("referrals.new.reason"))
        self.shared_label.setText(tr("referrals.new.shared"))
        self.override_button.setText(tr("referrals.new.override"))
        self.send_button.setText(tr("referrals.new.record_incoming" if self.incoming else "referrals.new.send"))
        self.draft_button.setText(tr("referrals.new.draft"))
        self.cancel_button.setText(tr("referrals.cancel"))
        for combo in (self.domain_combo, self.urgency_combo):
            combo.retranslate()
        self.shared.retranslate()
        self.chooser.retranslate()
        self._show_hint()
        self._show_due()
        self._show_consent()
        self._show_error(self._error)
