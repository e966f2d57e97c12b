"""The Identité and Consentements tabs of the case window."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain.codelists import CONSENT_PURPOSES
from desktop.i18n import tr
from desktop.services import cases
from desktop.services.case_types import CaseDetail, ConsentRow, PersonInput
from desktop.services.validation import ValidationFailed
from desktop.ui.models.case_list_model import codelist_label, country_name
from desktop.ui.pages.cases.case_tabs import (
    CaseHost,
    CaseTab,
    CodeCombo,
    RowsModel,
    caption,
    date_edit,
    date_text,
    from_qdate,
    good_colour,
    print_consent_form,
    reset_date,
    rows_table,
    selected_row,
    warning_colour,
)


def _person_form_class() -> Any:
    """The editable identity form, or None while it is not available."""
    try:
        from desktop.ui.pages.cases.person_form import PersonForm
    except ImportError:
        return None
    return PersonForm


def commune_name(code: str) -> str:
    if not code:
        return ""
    from desktop.domain.geography import geography

    try:
        return geography().name(geography().commune(code), i18n.language())
    except KeyError:
        return code


class PersonSummary(QWidget):
    """Identity read-only, while the editable form is not available."""

    FIELDS = (
        "case.person.name_latin",
        "case.person.name_arabic",
        "case.person.sex",
        "case.person.birth",
        "case.person.nationality",
        "case.person.category",
        "case.person.languages",
        "case.person.phone",
        "case.person.address",
        "case.person.legal_status",
        "case.person.arrival",
        "case.person.documents",
        "case.person.household",
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person: PersonInput | None = None
        self.captions: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        form = QFormLayout(self)
        for key in self.FIELDS:
            label = caption()
            value = QLabel()
            value.setWordWrap(True)
            self.captions[key] = label
            self.values[key] = value
            form.addRow(label, value)
        self.retranslate()

    def set_person(self, person: PersonInput | None) -> None:
        self.person = person
        self._show()

    def retranslate(self) -> None:
        for key, label in self.captions.items():
            label.setText(tr(key))
        self._show()

    def _show(self) -> None:
        p = self.person
        if p is None:
            for value in self.values.values():
                value.clear()
            return
        if p.birth_date is not None:
            birth = date_text(p.birth_date)
        elif p.estimated_age is not None:
            birth = tr("case.header.age_estimated", age=p.estimated_age)
        else:
            birth = ""
        texts = {
            "case.person.name_latin": " ".join(x for x in (p.family_name.upper(), p.given_name) if x),
            "case.person.name_arabic": " ".join(x for x in (p.family_name_ar, p.given_name_ar) if x),
            "case.person.sex": codelist_label("sex", p.sex),
            "case.person.birth": birth,
            "case.person.nationality": country_name(p.nationality, i18n.language()) if p.nationality else "",
            "case.person.category": codelist_label("category", p.category),
            "case.person.languages": ", ".join(codelist_label("language", code) for code in p.languages),
            "case.person.phone": p.phone,
            "case.person.address": " — ".join(x for x in (commune_name(p.commune_code), p.douar) if x),
            "case.person.legal_status": codelist_label("legal_status", p.legal_status),
            "case.person.arrival": date_text(p.arrival_date),
            "case.person.documents": "\n".join(
                f"{codelist_label('document_type', d.kind)} : {d.number}" for d in p.documents
            ),
            "case.person.household": "\n".join(
                " — ".join(
                    x
                    for x in (
                        codelist_label("relation", m.relation),
                        m.name,
                        str(m.birth_year or ""),
                        codelist_label("schooling", m.schooling) if m.schooling != "unknown" else "",
                    )
                    if x
                )
                for m in p.household
            ),
        }
        for key, value in self.values.items():
            value.setText(texts.get(key, ""))


class IdentityTab(CaseTab):
    """The person: the identity form (with the household) and Save."""

    title_key = "case.tab.identity"

    def __init__(self, host: CaseHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        form_class = _person_form_class()
        self.form: Any = form_class(self.ctx) if form_class is not None else None
        self.summary: PersonSummary | None = None
        body: QWidget
        if self.form is not None:
            body = self.form  # it scrolls itself and follows the language itself
            self.form.sig_changed.connect(self._form_changed)
        else:
            self.summary = PersonSummary()
            body = QScrollArea()
            body.setWidgetResizable(True)
            body.setWidget(self.summary)
        self.unavailable_label = QLabel()
        self.unavailable_label.setWordWrap(True)
        self.unavailable_label.setVisible(self.form is None)
        self.other_cases_label = QLabel()
        self.other_cases_label.setWordWrap(True)
        self.save_button = QPushButton()
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.save_button.setVisible(self.form is not None)

        bottom = QHBoxLayout()
        bottom.addLayout(self.message_box(), 1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.unavailable_label)
        layout.addWidget(body, 1)
        layout.addWidget(self.other_cases_label)
        layout.addLayout(bottom)
        self.retranslate()

    def show_detail(self, detail: CaseDetail) -> None:
        if self.form is not None:
            if not self.form.is_dirty():
                self.form.set_person(detail.person)
                self.form.mark_clean()
        elif self.summary is not None:
            self.summary.set_person(detail.person)
        self._show_other_cases()

    def _show_other_cases(self) -> None:
        others = self.detail.other_cases if self.detail is not None else []
        self.other_cases_label.setText(
            tr("case.identity.other_cases", numbers=", ".join(number for _id, number in others)) if others else ""
        )
        self.other_cases_label.setVisible(bool(others))

    def clear_fields(self) -> None:
        if self.form is not None:
            self.form.clear_errors()
            self.form.set_person(PersonInput())
            self.form.mark_clean()
        if self.summary is not None:
            self.summary.set_person(None)
        self.other_cases_label.clear()
        self.other_cases_label.hide()

    def is_dirty(self) -> bool:
        return self.form is not None and self.detail is not None and bool(self.form.is_dirty())

    def _form_changed(self, *_args: object) -> None:
        self.update_actions()

    def update_actions(self) -> None:
        self.save_button.setEnabled(self.detail is not None and not self.busy and self.is_dirty())

    def save(self) -> None:
        if self.form is None or self.detail is None:
            return
        self.form.clear_errors()
        self.host.perform(
            self,
            cases.update_person,
            self.detail.person_id,
            self.form.person(),
            status_key="case.identity.saved",
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, _result: object) -> None:
        if self.form is not None:
            self.form.mark_clean()

    def _failed(self, error: BaseException) -> None:
        if self.form is not None and isinstance(error, ValidationFailed):
            self.form.show_errors(error.errors)

    def retranslate(self) -> None:
        super().retranslate()
        self.save_button.setText(tr("case.identity.save"))
        self.unavailable_label.setText(tr("case.identity.read_only"))
        if self.summary is not None:
            self.summary.retranslate()
        self._show_other_cases()


class ConsentTab(CaseTab):
    """Consent per purpose: the state today, the history, give, withdraw, print the form."""

    title_key = "case.tab.consent"
    COLUMNS = (
        "case.consent.col.purpose",
        "case.consent.col.given_on",
        "case.consent.col.withdrawn_on",
        "case.consent.col.form_signed",
    )

    def __init__(self, host: CaseHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.state_box = QGroupBox()
        states = QGridLayout(self.state_box)
        self.purpose_labels: dict[str, QLabel] = {}
        self.state_labels: dict[str, QLabel] = {}
        for row, purpose in enumerate(CONSENT_PURPOSES):
            name = QLabel()
            state = QLabel()
            state.setWordWrap(True)
            self.purpose_labels[purpose] = name
            self.state_labels[purpose] = state
            states.addWidget(name, row, 0)
            states.addWidget(state, row, 1)
        states.setColumnStretch(1, 1)

        self.model = RowsModel(self.COLUMNS, self._cell, self)
        self.table = rows_table(self.model, 0)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.withdraw_label = caption()
        self.withdraw_date = date_edit()
        self.withdraw_label.setBuddy(self.withdraw_date)
        self.withdraw_button = QPushButton()
        self.withdraw_button.clicked.connect(self.withdraw)
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self.print_form)

        self.history_box = QGroupBox()
        history = QVBoxLayout(self.history_box)
        history.addWidget(self.table, 1)
        withdraw_row = QHBoxLayout()
        withdraw_row.addWidget(self.withdraw_label)
        withdraw_row.addWidget(self.withdraw_date)
        withdraw_row.addWidget(self.withdraw_button)
        withdraw_row.addStretch(1)
        withdraw_row.addWidget(self.print_button)
        history.addLayout(withdraw_row)

        self.give_box = QGroupBox()
        self.purpose_combo = CodeCombo("consent_purpose", CONSENT_PURPOSES)
        self.purpose_label = caption()
        self.purpose_label.setBuddy(self.purpose_combo)
        self.given_date = date_edit()
        self.given_label = caption()
        self.given_label.setBuddy(self.given_date)
        self.signed_check = QCheckBox()
        self.give_button = QPushButton()
        self.give_button.clicked.connect(self.give)
        give = QGridLayout(self.give_box)
        give.addWidget(self.purpose_label, 0, 0)
        give.addWidget(self.purpose_combo, 0, 1, 1, 3)
        give.addWidget(self.given_label, 1, 0)
        give.addWidget(self.given_date, 1, 1)
        give.addWidget(self.signed_check, 1, 2)
        give.addWidget(self.give_button, 1, 4)
        give.setColumnStretch(3, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.state_box)
        layout.addWidget(self.history_box, 1)
        layout.addWidget(self.give_box)
        layout.addLayout(self.message_box())
        self.retranslate()

    # -- display ---------------------------------------------------------------

    def _cell(self, row: ConsentRow, column: int) -> str:
        if column == 0:
            return codelist_label("consent_purpose", row.purpose)
        if column == 1:
            return date_text(row.given_on)
        if column == 2:
            return date_text(row.withdrawn_on)
        return tr("case.yes") if row.form_signed else tr("case.no")

    def current(self, purpose: str) -> ConsentRow | None:
        """The latest consent recorded for ``purpose``."""
        rows = [c for c in (self.detail.consents if self.detail else []) if c.purpose == purpose]
        return max(rows, key=lambda c: c.id) if rows else None

    def show_detail(self, detail: CaseDetail) -> None:
        self.model.set_rows(sorted(detail.consents, key=lambda c: c.id, reverse=True))
        self._show_states()
        missing = [p for p in CONSENT_PURPOSES if (c := self.current(p)) is None or not c.active]
        if missing and self.purpose_combo.code() not in missing:
            self.purpose_combo.set_code(missing[0])

    def _show_states(self) -> None:
        for purpose, label in self.state_labels.items():
            consent = self.current(purpose) if self.detail is not None else None
            if self.detail is None:
                label.clear()
                label.setStyleSheet("")
                continue
            if consent is None:
                text, colour = tr("case.consent.state.none"), None
            elif consent.active:
                key = "case.consent.state.given_signed" if consent.form_signed else "case.consent.state.given"
                text, colour = tr(key, date=date_text(consent.given_on)), good_colour()
            else:
                text = tr(
                    "case.consent.state.withdrawn",
                    date=date_text(consent.withdrawn_on),
                    given=date_text(consent.given_on),
                )
                colour = warning_colour()
            label.setText(text)
            label.setStyleSheet(f"color: {colour.name()}; font-weight: 600;" if colour is not None else "")

    def clear_fields(self) -> None:
        self.model.clear()
        self._show_states()
        self.signed_check.setChecked(False)
        reset_date(self.given_date)
        reset_date(self.withdraw_date)

    def selected_consent(self) -> ConsentRow | None:
        row = selected_row(self.table)
        found = self.model.row_at(row)
        return found if isinstance(found, ConsentRow) else None

    def _selection_changed(self, *_args: object) -> None:
        self.update_actions()

    def update_actions(self) -> None:
        loaded = self.detail is not None and not self.busy
        selected = self.selected_consent()
        self.withdraw_button.setEnabled(loaded and selected is not None and selected.active)
        self.give_button.setEnabled(loaded)
        self.print_button.setEnabled(loaded)

    def retranslate(self) -> None:
        super().retranslate()
        self.state_box.setTitle(tr("case.consent.state_title"))
        self.history_box.setTitle(tr("case.consent.history_title"))
        self.give_box.setTitle(tr("case.consent.give_title"))
        for purpose, label in self.purpose_labels.items():
            label.setText(codelist_label("consent_purpose", purpose))
        self.withdraw_label.setText(tr("case.consent.withdrawn_on"))
        self.withdraw_button.setText(tr("case.consent.withdraw"))
        self.print_button.setText(tr("case.consent.print"))
        self.purpose_label.setText(tr("case.consent.purpose"))
        self.given_label.setText(tr("case.consent.given_on"))
        self.signed_check.setText(tr("case.consent.form_signed"))
        self.give_button.setText(tr("case.consent.give"))
        self.purpose_combo.retranslate()
        self.model.retranslate()
        self._show_states()

    # -- actions ---------------------------------------------------------------

    def give(self) -> None:
        if self.detail is None:
            return
        purpose = self.purpose_combo.code()
        self.host.perform(
            self,
            cases.give_consent,
            self.detail.person_id,
            purpose,
            from_qdate(self.given_date.date()),
            self.signed_check.isChecked(),
            status_key="case.consent.given_status",
            status_params={"purpose": codelist_label("consent_purpose", purpose)},
            on_done=self._given,
        )

    def _given(self, _result: object) -> None:
        self.signed_check.setChecked(False)
        reset_date(self.given_date)

    def withdraw(self) -> None:
        consent = self.selected_consent()
        if consent is None or not consent.active:
            return
        on: date = from_qdate(self.withdraw_date.date())
        purpose = codelist_label("consent_purpose", consent.purpose)
        if not self.host.confirm_action(tr("case.consent.withdraw_confirm", purpose=purpose, date=date_text(on))):
            return
        self.host.perform(
            self,
            cases.withdraw_consent,
            consent.id,
            on,
            status_key="case.consent.withdrawn_status",
            status_params={"purpose": purpose},
        )

    def print_form(self) -> None:
        if self.detail is None:
            return
        self.host.print_pdf(
            self,
            "consent_pdf",
            tr("case.consent.pdf_name", number=self.detail.number),
            print_consent_form,
            self.detail,
            i18n.language(),
        )
