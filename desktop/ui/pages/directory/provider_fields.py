"""The editors of a provider, on three tabs: the structure and its contact, access and hours, services.

``value()`` reads a :class:`ProviderInput` from the screen and ``set_value()`` shows one;
the service checks it. Its answer names one problem (a message key): ``show_problem()``
goes to the tab of that field, frames the field in red and gives it the focus.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import codelists
from desktop.domain.errors import BaomError
from desktop.i18n import tr
from desktop.services.directory import HOURS
from desktop.services.referral_types import ProviderInput
from desktop.ui.models.case_list_model import codelist_label
from desktop.ui.pages.cases.person_fields import DATE_FORMAT, INVALID_STYLE
from desktop.ui.pages.directory.code_checks import CodeChecks
from desktop.ui.pages.directory.services_table import ServicesTable
from desktop.ui.widgets.commune_picker import CommunePicker

NEVER = QDate(2000, 1, 1)
"""The verified-date editor at this value means "never verified" (shown as words)."""
STYLE = INVALID_STYLE + ' QGroupBox[invalid="true"] { border: 2px solid #c62828; }'
TAB_STRUCTURE, TAB_ACCESS, TAB_SERVICES = range(3)


def _combo(codelist: str, codes: tuple[str, ...]) -> QComboBox:
    combo = QComboBox()
    for code in codes:
        combo.addItem(codelist_label(codelist, code), code)
    combo.setProperty("codelist", codelist)
    return combo


def _note(height_lines: int) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * height_lines + 12)
    return edit


def _set_invalid(widget: QWidget, invalid: bool) -> None:
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


class ProviderFields(QTabWidget):
    """Every field of a provider; ``sig_changed`` on any edit."""

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(STYLE)
        self._labels: list[tuple[QLabel, str]] = []
        self._uid = ""
        self._invalid: list[QWidget] = []
        self.addTab(self._structure_tab(), "")
        self.addTab(self._access_tab(), "")
        self.services = ServicesTable(self._first_domain)
        self.addTab(self.services, "")
        for edit in (self.name_fr_edit, self.name_ar_edit, self.address_edit, self.focal_edit, self.phone_edit,
                     self.email_edit, *self.hours_edits.values()):  # fmt: skip
            edit.textChanged.connect(self._changed)
        for note in (self.documents_edit, self.notes_edit):
            note.textChanged.connect(self._changed)
        for combo in (self.kind_combo, self.coverage_combo, self.cost_combo):
            combo.currentIndexChanged.connect(self._changed)
        for checks in (self.domain_checks, self.language_checks, self.public_checks, self.services):
            checks.sig_changed.connect(self._changed)
        self.active_check.toggled.connect(self._changed)
        self.verified_edit.dateChanged.connect(self._changed)
        self.commune_picker.sig_commune_changed.connect(self._changed)
        self.retranslate()

    # -- building ----------------------------------------------------------------------------
    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return form

    def _row(self, form: QFormLayout, key: str, field: QWidget) -> None:
        label = QLabel()
        label.setBuddy(field)
        self._labels.append((label, key))
        form.addRow(label, field)

    def _structure_tab(self) -> QWidget:
        self.name_fr_edit = QLineEdit()
        self.name_ar_edit = QLineEdit()
        self.name_ar_edit.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.kind_combo = _combo("provider_kind", codelists.PROVIDER_KINDS)
        self.active_check = QCheckBox()
        self.domain_checks = CodeChecks("service_domain", codelists.SERVICE_DOMAINS, columns=2)
        self.verified_edit = QDateEdit()
        self.verified_edit.setCalendarPopup(True)
        self.verified_edit.setDisplayFormat(DATE_FORMAT)
        self.verified_edit.setMinimumDate(NEVER)
        self.verified_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # 13/11/2026, in Arabic too
        self.verified_edit.setMaximumDate(QDate.currentDate())
        self.verified_today_button = QPushButton()
        self.verified_today_button.clicked.connect(self.verified_today)
        verified_row = QHBoxLayout()
        verified_row.addWidget(self.verified_edit)
        verified_row.addWidget(self.verified_today_button)
        verified_row.addStretch(1)
        verified = QWidget()
        verified.setLayout(verified_row)
        verified_row.setContentsMargins(0, 0, 0, 0)
        left = self._form()
        self._row(left, "directory.field.name_fr", self.name_fr_edit)
        self._row(left, "directory.field.name_ar", self.name_ar_edit)
        self._row(left, "directory.field.kind", self.kind_combo)
        self._row(left, "directory.field.verified_on", verified)
        left.addRow("", self.active_check)
        left_box = QVBoxLayout()
        left_box.addLayout(left)
        left_box.addWidget(self.domain_checks)
        left_box.addStretch(1)

        self.address_edit = QLineEdit()
        self.commune_picker = CommunePicker()
        self.coverage_combo = _combo("coverage", codelists.COVERAGE_LEVELS)
        self.focal_edit = QLineEdit()
        self.phone_edit = QLineEdit()
        self.email_edit = QLineEdit()
        for edit in (self.phone_edit, self.email_edit):
            edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.place_group = QGroupBox()
        place = QVBoxLayout(self.place_group)
        place.addWidget(self.commune_picker)
        coverage = self._form()
        self._row(coverage, "directory.field.coverage", self.coverage_combo)
        place.addLayout(coverage)
        self.coverage_hint = QLabel()
        self.coverage_hint.setWordWrap(True)
        place.addWidget(self.coverage_hint)
        self.contact_group = QGroupBox()
        contact = self._form()
        self.contact_group.setLayout(contact)
        self._row(contact, "directory.field.address", self.address_edit)
        self._row(contact, "directory.field.focal_point", self.focal_edit)
        self._row(contact, "directory.field.phone", self.phone_edit)
        self._row(contact, "directory.field.email", self.email_edit)
        right_box = QVBoxLayout()
        right_box.addWidget(self.contact_group)
        right_box.addWidget(self.place_group)
        right_box.addStretch(1)

        tab = QWidget()
        row = QHBoxLayout(tab)
        row.addLayout(left_box, 1)
        row.addSpacing(12)
        row.addLayout(right_box, 1)
        return tab

    def _access_tab(self) -> QWidget:
        self.hours_edits = {day: QLineEdit() for day in codelists.WEEKDAYS}
        self.hours_group = QGroupBox()
        hours = QGridLayout(self.hours_group)
        self.hours_hint = QLabel()
        self.hours_hint.setWordWrap(True)
        self.hours_hint.setObjectName("hintLabel")
        hours.addWidget(self.hours_hint, 0, 0, 1, 2)
        for position, (day, edit) in enumerate(self.hours_edits.items(), start=1):
            edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
            label = QLabel()
            label.setBuddy(edit)
            self._labels.append((label, f"weekday.{day}"))
            hours.addWidget(label, position, 0)
            hours.addWidget(edit, position, 1)
        self.cost_combo = _combo("cost", codelists.COSTS)
        self.documents_edit = _note(3)
        self.notes_edit = _note(4)
        form = self._form()
        self._row(form, "directory.field.cost", self.cost_combo)
        self._row(form, "directory.field.documents", self.documents_edit)
        self._row(form, "directory.field.notes", self.notes_edit)
        left = QVBoxLayout()
        left.addWidget(self.hours_group)
        left.addLayout(form)
        left.addStretch(1)

        self.language_checks = CodeChecks("language", codelists.LANGUAGES, columns=3)
        self.public_checks = CodeChecks("public", codelists.PUBLICS, columns=2)
        self.publics_hint = QLabel()
        self.publics_hint.setWordWrap(True)
        self.publics_hint.setObjectName("hintLabel")
        right = QVBoxLayout()
        right.addWidget(self.language_checks)
        right.addWidget(self.public_checks)
        right.addWidget(self.publics_hint)
        right.addStretch(1)

        tab = QWidget()
        row = QHBoxLayout(tab)
        row.addLayout(left, 1)
        row.addSpacing(12)
        row.addLayout(right, 1)
        return tab

    # -- value ---------------------------------------------------------------------------------
    def _first_domain(self) -> str:
        chosen = self.domain_checks.codes()
        return chosen[0] if chosen else ""

    def _changed(self, *_args: object) -> None:
        self.sig_changed.emit()

    def verified_today(self) -> None:
        today = QDate.currentDate()
        self.verified_edit.setMaximumDate(today)
        self.verified_edit.setDate(today)

    def verified_on(self) -> date | None:
        value = self.verified_edit.date()
        return None if value <= NEVER else date(value.year(), value.month(), value.day())

    def value(self) -> ProviderInput:
        return ProviderInput(
            name_fr=self.name_fr_edit.text().strip(),
            name_ar=self.name_ar_edit.text().strip(),
            kind=str(self.kind_combo.currentData() or ""),
            domains=self.domain_checks.codes(),
            address=self.address_edit.text().strip(),
            commune_code=self.commune_picker.commune_code() or "",
            coverage=str(self.coverage_combo.currentData() or ""),
            focal_point=self.focal_edit.text().strip(),
            phone=self.phone_edit.text().strip(),
            email=self.email_edit.text().strip(),
            hours={day: edit.text().strip() for day, edit in self.hours_edits.items() if edit.text().strip()},
            languages=self.language_checks.codes(),
            cost=str(self.cost_combo.currentData() or ""),
            documents_required=self.documents_edit.toPlainText().strip(),
            publics=self.public_checks.codes(),
            notes=self.notes_edit.toPlainText().strip(),
            verified_on=self.verified_on(),
            active=self.active_check.isChecked(),
            services=self.services.services(),
            uid=self._uid,
        )

    def set_value(self, data: ProviderInput) -> None:
        self._uid = data.uid
        self.name_fr_edit.setText(data.name_fr)
        self.name_ar_edit.setText(data.name_ar)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(data.kind) if data.kind else -1)
        self.domain_checks.set_codes(data.domains)
        self.address_edit.setText(data.address)
        self.commune_picker.set_commune(data.commune_code or None)
        self.coverage_combo.setCurrentIndex(self.coverage_combo.findData(data.coverage))
        self.focal_edit.setText(data.focal_point)
        self.phone_edit.setText(data.phone)
        self.email_edit.setText(data.email)
        for day, edit in self.hours_edits.items():
            edit.setText(data.hours.get(day, ""))
        self.language_checks.set_codes(data.languages)
        self.cost_combo.setCurrentIndex(self.cost_combo.findData(data.cost))
        self.documents_edit.setPlainText(data.documents_required)
        self.public_checks.set_codes(data.publics)
        self.notes_edit.setPlainText(data.notes)
        verified = data.verified_on
        self.verified_edit.setDate(QDate(verified.year, verified.month, verified.day) if verified else NEVER)
        self.active_check.setChecked(data.active)
        self.services.set_services(data.services)
        self.clear_problem()
        self.setCurrentIndex(TAB_STRUCTURE)

    # -- problems ------------------------------------------------------------------------------
    def _problem_widgets(self, key: str) -> tuple[int, list[QWidget]]:
        """The tab and the fields a service message is about."""
        if key == "directory.error.name_required":
            return TAB_STRUCTURE, [self.name_fr_edit, self.name_ar_edit]
        simple: dict[str, tuple[int, QWidget]] = {
            "directory.error.kind": (TAB_STRUCTURE, self.kind_combo),
            "directory.error.domains": (TAB_STRUCTURE, self.domain_checks),
            "directory.error.coverage": (TAB_STRUCTURE, self.coverage_combo),
            "directory.error.commune_required": (TAB_STRUCTURE, self.commune_picker.commune_combo),
            "error.commune_unknown": (TAB_STRUCTURE, self.commune_picker.commune_combo),
            "directory.error.email": (TAB_STRUCTURE, self.email_edit),
            "error.language_invalid": (TAB_ACCESS, self.language_checks),
            "directory.error.cost": (TAB_ACCESS, self.cost_combo),
            "directory.error.publics": (TAB_ACCESS, self.public_checks),
            "error.date_future": (TAB_STRUCTURE, self.verified_edit),
        }
        if key in simple:
            tab, widget = simple[key]
            return tab, [widget]
        if key == "directory.error.hours":
            edits: list[QWidget] = list(self.hours_edits.values())
            wrong = [e for e in self.hours_edits.values() if e.text().strip() and not HOURS.match(e.text().strip())]
            return TAB_ACCESS, list[QWidget](wrong) or edits
        if key == "directory.error.service_name":
            return TAB_SERVICES, [self.services.table]
        return -1, []

    def show_problem(self, error: BaseException) -> None:
        """Frame the field(s) the service's message is about and go there."""
        self.clear_problem()
        key = error.key if isinstance(error, BaomError) else ""
        widgets: list[QWidget]
        if key == "directory.error.domains" and self.domain_checks.codes():
            tab, widgets = TAB_SERVICES, [self.services.table]  # the provider's domains are fine: a service's
        else:
            tab, widgets = self._problem_widgets(key)
        if tab < 0:
            return
        self.setCurrentIndex(tab)
        for widget in widgets:
            if widget is self.services.table:
                self.services.set_invalid(True)
            else:
                _set_invalid(widget, True)
            self._invalid.append(widget)
        if key == "directory.error.service_name" and self.services.first_unnamed_row() >= 0:
            self.services.table.setCurrentCell(self.services.first_unnamed_row(), 0)
        widgets[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_problem(self) -> None:
        for widget in self._invalid:
            if widget is self.services.table:
                self.services.set_invalid(False)
            else:
                _set_invalid(widget, False)
        self._invalid = []

    # -- language ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setTabText(TAB_STRUCTURE, tr("directory.tab.structure"))
        self.setTabText(TAB_ACCESS, tr("directory.tab.access"))
        self.setTabText(TAB_SERVICES, tr("directory.tab.services"))
        for label, key in self._labels:
            label.setText(tr(key))
        for combo in (self.kind_combo, self.coverage_combo, self.cost_combo):
            codelist = str(combo.property("codelist"))
            for index in range(combo.count()):
                combo.setItemText(index, codelist_label(codelist, str(combo.itemData(index))))
        self.kind_combo.setPlaceholderText(tr("directory.choose"))
        self.name_ar_edit.setPlaceholderText(tr("directory.field.name_ar_hint"))
        self.active_check.setText(tr("directory.field.active"))
        self.verified_edit.setSpecialValueText(tr("directory.never_verified"))
        self.verified_today_button.setText(tr("directory.field.verified_today"))
        self.domain_checks.setTitle(tr("directory.field.domains"))
        self.language_checks.setTitle(tr("directory.field.languages"))
        self.public_checks.setTitle(tr("directory.field.publics"))
        self.publics_hint.setText(tr("directory.field.publics_hint"))
        self.hours_group.setTitle(tr("directory.field.hours"))
        self.place_group.setTitle(tr("directory.field.place"))
        self.contact_group.setTitle(tr("directory.field.contact"))
        self.coverage_hint.setText(tr("directory.field.coverage_hint"))
        self.hours_hint.setText(tr("directory.field.hours_hint"))
        for edit in self.hours_edits.values():
            edit.setPlaceholderText(tr("directory.field.hours_placeholder"))
        for checks in (self.domain_checks, self.language_checks, self.public_checks):
            checks.retranslate()
        self.commune_picker.retranslate()
        self.services.retranslate()
