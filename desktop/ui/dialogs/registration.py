"""Registering a person and opening their case, with duplicate detection while typing.

The identity form fills most of the dialog; beside it (mirrored in Arabic) the
people already known who look like the one being typed, the date of the first
reception and the person's consent. 300 ms after the officer stops typing a name,
a birth date, a document or a phone number, ``find_duplicates`` runs on the
database thread; an answer to an older question is dropped.

"C'est la même personne" links the new case to that person (after a confirmation):
their record is loaded into the form, completed by what was typed, and saving opens
a new case for them instead of creating a second person. Saving without consent to
processing is refused (without it only anonymous counting is possible); the
service's validation errors come back under their fields.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QMetaMethod, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import InputRejected
from desktop.domain.names import NameParts, document_key
from desktop.i18n import tr
from desktop.services import cases
from desktop.services.case_types import CaseDetail, PersonInput
from desktop.services.duplicates import DuplicateCandidate, DuplicateProbe, find_duplicates
from desktop.services.validation import ValidationFailed
from desktop.ui.context import AppContext
from desktop.ui.pages.cases.person_fields import DATE_FORMAT
from desktop.ui.pages.cases.person_form import PersonForm
from desktop.ui.widgets.common import BusyDialog, ErrorLabel, confirm, ok_cancel_buttons
from desktop.ui.widgets.commune_picker import fold
from desktop.ui.widgets.duplicates_panel import DuplicatesPanel

log = logging.getLogger(__name__)

DEBOUNCE_MS = 300
"""Quiet time after the last keystroke before looking for duplicates."""
CONSENT_PURPOSES = ("processing", "referral_sharing", "statistics")


def merge_person(known: PersonInput, typed: PersonInput) -> PersonInput:
    """The known person's record, completed and brought up to date by what was typed.

    Identity (names, sex, birth, nationality) and address: the record wins, what was
    typed only fills its gaps (the commune typed is often just the office's default).
    Today's situation (category, languages, phone, legal status, arrival date): what
    was typed wins when given. Documents and household members: the record's, plus the
    typed ones it lacks — saving replaces them, so none may be lost here.
    """
    merged = replace(known, languages=list(known.languages), documents=list(known.documents),
                     household=list(known.household))  # fmt: skip
    for name in ("family_name", "given_name", "family_name_ar", "given_name_ar", "sex", "nationality"):
        if not getattr(known, name) and getattr(typed, name):
            setattr(merged, name, getattr(typed, name))
    if known.birth_date is None and typed.birth_date is not None:
        merged.birth_date, merged.estimated_age = typed.birth_date, None
    elif known.birth_date is None and known.estimated_age is None:
        merged.estimated_age = typed.estimated_age
    if not known.commune_code and typed.commune_code:
        merged.commune_code, merged.douar = typed.commune_code, typed.douar or known.douar
    elif not known.douar and typed.douar and typed.commune_code == known.commune_code:
        merged.douar = typed.douar
    for name in ("category", "phone", "arrival_date"):
        if getattr(typed, name):
            setattr(merged, name, getattr(typed, name))
    if typed.legal_status and typed.legal_status != "unknown":
        merged.legal_status = typed.legal_status
    merged.languages += [code for code in typed.languages if code not in known.languages]
    numbers = {document_key(doc.number) for doc in known.documents}
    merged.documents += [d for d in typed.documents if d.number.strip() and document_key(d.number) not in numbers]
    members = {(m.relation, fold(m.name)) for m in known.household}
    merged.household += [m for m in typed.household if (m.relation, fold(m.name)) not in members]
    return merged


@dataclass(frozen=True)
class LinkedPerson:
    """The existing person the new case will belong to."""

    person_id: int
    name: str
    case_number: str


def _probe_key(probe: DuplicateProbe) -> tuple[Any, ...]:
    return (probe.parts, probe.birth_year, probe.birth_date, tuple(probe.documents), probe.phone,
            probe.exclude_person_id)  # fmt: skip


class RegistrationDialog(BusyDialog):
    """Nouvelle personne, nouveau dossier: identity, duplicates, first reception, consent."""

    sig_registered = Signal(int)
    """The new case's id, once saved."""
    sig_open_case = Signal(int)
    """The officer chose to open an existing case instead (its id); the dialog then closes."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._error: BaseException | None = None
        self._linked: LinkedPerson | None = None
        self._typed_before_link: PersonInput | None = None
        self._generation = 0
        self._last_probe: tuple[Any, ...] | None = None
        self._closed = False
        self.setSizeGripEnabled(True)

        self.form = PersonForm(ctx)
        self.duplicates_panel = DuplicatesPanel()

        self.linked_frame = QFrame()
        self.linked_frame.setObjectName("linkedFrame")
        self.linked_frame.setStyleSheet(
            "QFrame#linkedFrame { border: 1px solid palette(highlight); border-radius: 5px; }"
        )
        self.linked_label = QLabel()
        self.linked_label.setWordWrap(True)
        self.linked_label.setStyleSheet("font-weight: 600;")
        self.linked_hint = QLabel()
        self.linked_hint.setWordWrap(True)
        self.unlink_button = QPushButton()
        linked_layout = QVBoxLayout(self.linked_frame)
        linked_layout.addWidget(self.linked_label)
        linked_layout.addWidget(self.linked_hint)
        linked_layout.addWidget(self.unlink_button, 0, Qt.AlignmentFlag.AlignLeading)
        self.linked_frame.hide()

        self.reception_group = QGroupBox()
        reception_form = QFormLayout(self.reception_group)
        self.first_reception_label = QLabel()
        self.first_reception_edit = QDateEdit()
        self.first_reception_edit.setCalendarPopup(True)
        self.first_reception_edit.setDisplayFormat(DATE_FORMAT)
        self.first_reception_edit.setMinimumDate(QDate(2000, 1, 1))
        self.first_reception_edit.setMaximumDate(QDate.currentDate())
        self.first_reception_edit.setDate(QDate.currentDate())
        self.first_reception_label.setBuddy(self.first_reception_edit)
        reception_form.addRow(self.first_reception_label, self.first_reception_edit)

        self.consent_group = QGroupBox()
        consent_layout = QVBoxLayout(self.consent_group)
        self.consent_boxes = {purpose: QCheckBox() for purpose in CONSENT_PURPOSES}
        self.processing_box = self.consent_boxes["processing"]
        self.consent_labels: dict[str, _CheckLabel] = {}
        for purpose, box in self.consent_boxes.items():
            holder, self.consent_labels[purpose] = _wrapping(box)
            consent_layout.addWidget(holder)
        self.consent_note = QLabel()
        self.consent_note.setWordWrap(True)
        self.consent_note.setObjectName("hintLabel")
        self.consent_error = ErrorLabel()
        consent_layout.addWidget(self.consent_note)
        consent_layout.addWidget(self.consent_error)

        side = QWidget()
        side.setFixedWidth(self.fontMetrics().averageCharWidth() * 46)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.linked_frame)
        side_layout.addWidget(self.duplicates_panel)
        side_layout.addWidget(self.reception_group)
        side_layout.addWidget(self.consent_group)
        side_layout.addStretch(1)
        self.side_column = side

        self.error_label = ErrorLabel()
        self.buttons, self.save_button, self.cancel_button = ok_cancel_buttons(self.save, self.reject)
        body = QHBoxLayout()
        body.addWidget(self.form, 1)
        body.addWidget(side)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_duplicates)
        self.form.sig_changed.connect(self._form_changed)
        self.duplicates_panel.sig_same_person.connect(self._same_person)
        self.duplicates_panel.sig_open_case.connect(self._open_case)
        self.duplicates_panel.sig_different.connect(self._different_person)
        self.unlink_button.clicked.connect(self.unlink)
        self.processing_box.toggled.connect(self._processing_toggled)
        self.finished.connect(self._finished)
        ctx.languages.sig_language_changed.connect(self._language_changed)
        ctx.sig_locked.connect(self._locked)

        self.retranslate()
        self.resize(self._initial_size())

    def _initial_size(self) -> QSize:
        wanted = QSize(1360, 860)
        screen = self.screen()
        if screen is None:
            return wanted
        available = screen.availableGeometry().size()
        return QSize(min(wanted.width(), available.width() - 40), min(wanted.height(), available.height() - 60))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.form.family_edit.text():
            self.form.family_edit.setFocus()

    # -- language ------------------------------------------------------------------------------
    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("registration.title"))
        self.reception_group.setTitle(tr("registration.section.reception"))
        self.first_reception_label.setText(tr("registration.first_reception"))
        self.consent_group.setTitle(tr("registration.section.consent"))
        for purpose, box in self.consent_boxes.items():
            self.consent_labels[purpose].setText(tr(f"registration.consent.{purpose}"))
            box.setAccessibleName(self.consent_labels[purpose].text())
        self.consent_note.setText(tr("registration.consent_note"))
        self.save_button.setText(tr("registration.save"))
        self.cancel_button.setText(tr("registration.cancel"))
        self.unlink_button.setText(tr("registration.unlink"))
        self.linked_hint.setText(tr("registration.linked_hint"))
        if self._linked is not None:
            self.linked_label.setText(
                tr("registration.linked", name=self._linked.name, number=self._linked.case_number)
            )
        if not self.consent_error.isHidden():
            self.consent_error.show_text(tr("registration.consent_required"))
        if self._error is not None:
            self.error_label.show_error(self._error)
        self.duplicates_panel.retranslate()

    # -- duplicates while typing ---------------------------------------------------------------
    def _form_changed(self) -> None:
        self._debounce.start()

    def probe(self) -> DuplicateProbe | None:
        """What to look for, from the form; None when too little is typed to look."""
        person = self.form.person()
        parts = NameParts(person.family_name, person.given_name, person.family_name_ar, person.given_name_ar)
        documents = [doc.number for doc in person.documents if len(document_key(doc.number)) >= 3]
        phone = person.phone if sum(ch.isdigit() for ch in person.phone) >= 6 else ""
        letters = sum(
            ch.isalpha() for part in (parts.family, parts.given, parts.family_ar, parts.given_ar) for ch in part
        )
        if letters < 2 and not documents and not phone:
            return None
        if person.birth_date is not None:
            birth_year: int | None = person.birth_date.year
        elif person.estimated_age is not None:
            birth_year = date.today().year - person.estimated_age
        else:
            birth_year = None
        return DuplicateProbe(
            parts=parts,
            birth_year=birth_year,
            birth_date=person.birth_date,
            documents=documents,
            phone=phone,
            exclude_person_id=self._linked.person_id if self._linked is not None else None,
        )

    def search_duplicates(self) -> None:
        """Ask the database for likely existing persons (skipped when nothing changed)."""
        if not shiboken6.isValid(self) or self.ctx.actor is None or self._closed:
            return
        probe = self.probe()
        if probe is None:
            self._generation += 1  # an answer still on its way is stale now
            self._last_probe = None
            self.duplicates_panel.clear()
            return
        key = _probe_key(probe)
        if key == self._last_probe:
            return
        self._last_probe = key
        self._generation += 1
        self.ctx.call(
            find_duplicates,
            probe,
            on_done=partial(self._duplicates_found, self._generation, probe.parts),
            on_error=partial(self._duplicates_failed, self._generation),
        )

    def _duplicates_found(self, generation: int, names: NameParts, candidates: list[DuplicateCandidate]) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        linked = self._linked.person_id if self._linked is not None else None
        self.duplicates_panel.set_candidates([c for c in candidates if c.person_id != linked], names)

    def _duplicates_failed(self, generation: int, error: BaseException) -> None:
        """Only a hint: registering goes on without it."""
        log.warning("duplicate search failed (%s)", type(error).__name__)  # never the names typed
        if shiboken6.isValid(self) and generation == self._generation:
            self._last_probe = None
            self.duplicates_panel.clear()

    def _different_person(self) -> None:
        self.form.setFocus()

    # -- linking to a known person -------------------------------------------------------------
    def _confirm_link(self, candidate: DuplicateCandidate) -> bool:
        name = candidate.display_name or candidate.display_name_ar
        return confirm(self, tr("registration.confirm_link", name=name, number=candidate.case_number))

    def _same_person(self, person_id: int) -> None:
        candidate = self.duplicates_panel.candidate(person_id)
        if candidate is None or candidate.case_id is None or self.busy or not self._confirm_link(candidate):
            return
        self.ctx.call(
            cases.get_case,
            candidate.case_id,
            on_done=partial(self._known_person_loaded, candidate),
            on_error=self._link_failed,
        )

    def _known_person_loaded(self, candidate: DuplicateCandidate, detail: CaseDetail) -> None:
        if not shiboken6.isValid(self) or self._closed:
            return
        typed = self.form.person()
        if self._typed_before_link is None:
            self._typed_before_link = typed
        self._linked = LinkedPerson(
            detail.person_id, candidate.display_name or candidate.display_name_ar, candidate.case_number
        )
        self.duplicates_panel.clear()
        self.form.set_person(merge_person(detail.person, typed), clean=False)
        self.linked_frame.show()
        self.clear_error()
        self.retranslate()

    def _link_failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self):
            self.show_error(error)

    def linked_person(self) -> LinkedPerson | None:
        return self._linked

    def unlink(self) -> None:
        """Back to a new person, with what was typed before linking."""
        if self._linked is None:
            return
        self._linked = None
        self.linked_frame.hide()
        typed, self._typed_before_link = self._typed_before_link, None
        self._last_probe = None
        self.form.set_person(typed or PersonInput(), clean=False)

    # -- opening an existing case --------------------------------------------------------------
    def _open_case(self, case_id: int) -> None:
        """Open that case instead: the registration is given up (asked first if typed)."""
        listened = self.isSignalConnected(QMetaMethod.fromSignal(self.sig_open_case))
        if self.busy or not listened:
            return
        if self._has_unsaved() and not self._confirm_discard():
            return
        self.sig_open_case.emit(case_id)
        self.done(QDialog.DialogCode.Rejected)

    # -- saving --------------------------------------------------------------------------------
    def consents(self) -> tuple[str, ...]:
        return tuple(purpose for purpose, box in self.consent_boxes.items() if box.isChecked())

    def opened_on(self) -> date:
        qdate = self.first_reception_edit.date()
        return date(qdate.year(), qdate.month(), qdate.day())

    def save(self) -> None:
        if self.busy:
            return
        self.clear_error()
        if not self.processing_box.isChecked():
            self.consent_error.show_text(tr("registration.consent_required"))
            self.processing_box.setFocus()
            return
        register = partial(
            cases.register,
            opened_on=self.opened_on(),
            consents=self.consents(),
            existing_person_id=self._linked.person_id if self._linked is not None else None,
        )
        self._set_busy(True)
        self.ctx.call(register, self.form.person(), on_done=self._saved, on_error=self._save_failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.save_button.setText(tr("registration.saving") if busy else tr("registration.save"))

    def _saved(self, result: tuple[int, int]) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        _person_id, case_id = result
        self.form.mark_clean()
        self._linked = None
        self.sig_registered.emit(case_id)
        self.accept()

    def _save_failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        if isinstance(error, ValidationFailed):
            self.form.show_errors(error.errors)
            self.form.scroll_to_first_error()
            self.show_error(InputRejected("registration.fix_errors"))
        else:
            self.show_error(error)

    def _processing_toggled(self, checked: bool) -> None:
        if checked:
            self.consent_error.clear_text()

    def show_error(self, error: BaseException) -> None:
        self._error = error
        self.error_label.show_error(error)

    def clear_error(self) -> None:
        self._error = None
        self.error_label.clear_text()
        self.consent_error.clear_text()

    # -- leaving -------------------------------------------------------------------------------
    def _has_unsaved(self) -> bool:
        return self.form.is_dirty() or self._linked is not None

    def _confirm_discard(self) -> bool:
        """Ask before losing what was typed (tests replace this)."""
        return confirm(self, tr("registration.confirm_discard"))

    def reject(self) -> None:
        """Cancel, Escape or the window's close button: ask first if something was typed."""
        if self.busy:
            return
        if self._has_unsaved() and not self._confirm_discard():
            return
        super().reject()

    def _locked(self) -> None:
        """The office locked: forget everything typed and close without asking."""
        if not shiboken6.isValid(self):
            return
        self._debounce.stop()
        self._generation += 1
        self._busy = False
        self._linked = None
        self._typed_before_link = None
        self.duplicates_panel.clear()
        self.form.set_person(PersonInput())
        if self.isVisible():
            self.done(QDialog.DialogCode.Rejected)

    def _finished(self, _result: int) -> None:
        self._closed = True
        self._debounce.stop()
        self._generation += 1


class _CheckLabel(QLabel):
    """The wrapping sentence of a check box: clicking it ticks the box."""

    def __init__(self, box: QCheckBox) -> None:
        super().__init__()
        self.box = box
        self.setWordWrap(True)
        self.setBuddy(box)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.box.isEnabled():
            self.box.toggle()
        super().mouseReleaseEvent(event)


def _wrapping(box: QCheckBox) -> tuple[QWidget, _CheckLabel]:
    """A check box whose long sentence wraps (a QCheckBox's own text never does)."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    label = _CheckLabel(box)
    row.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
    row.addWidget(label, 1)
    return holder, label
