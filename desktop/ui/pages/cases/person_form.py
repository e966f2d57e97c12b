"""A person's identity as typed at the counter: one form for registration and for the case.

The form reads and writes a :class:`PersonInput`. The rules live in
:func:`check_person` (pure and cheap, so it runs on the GUI thread): when a field
loses focus the person is checked again and each mistake shows under its field, in
red, but only for fields the officer already went through, so a blank form is not a
wall of red. Saving shows every remaining mistake (``show_errors``).

Latin name fields are written left to right and Arabic ones right to left whatever
the interface language; phone and document numbers stay left to right. Dates are
day first and may be *unknown* (the date edit's minimum, shown as a word).
"""

from __future__ import annotations

from datetime import date

import shiboken6
from PySide6.QtCore import QDate, QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain import codelists
from desktop.i18n import tr
from desktop.services.case_types import DocumentInput, FieldError, HouseholdInput, PersonInput
from desktop.services.validation import check_person
from desktop.ui.context import AppContext
from desktop.ui.models.case_list_model import country_name
from desktop.ui.pages.cases.person_fields import (
    COLUMN_KEYS,
    DOCUMENT_COLUMNS,
    FREQUENT_NATIONALITIES,
    INVALID_STYLE,
    MEMBER_COLUMNS,
    NAME_FIELDS,
    SKIPPED_FOCUS_REASONS,
    UNKNOWN_DATE,
    DateEdit,
    OptionalSpinBox,
    _arabic,
    _code,
    _combo,
    _DocumentRow,
    _fill_codes,
    _latin,
    _MemberRow,
    _retranslate_codes,
    _Row,
    _select_code,
    _set_invalid,
    codelist_label,
    other_countries,
)
from desktop.ui.pages.cases.person_tables import PersonTables
from desktop.ui.widgets.common import ErrorLabel
from desktop.ui.widgets.commune_picker import CommunePicker, fold


class PersonForm(PersonTables, QWidget):
    """Identité, adresse et contact, documents d'identité, ménage — for one person."""

    sig_changed = Signal()
    """Something was edited (not emitted while ``set_person`` loads a person)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._loading = False
        self._read_only = False
        self._person_loaded = False
        self._rows: dict[str, _Row] = {}
        self._field_of: dict[QObject, str] = {}
        self._touched: set[str] = set()
        self._errors: list[FieldError] = []
        self._group_keys: list[tuple[QGroupBox, str]] = []
        self._document_rows: list[_DocumentRow] = []
        self._member_rows: list[_MemberRow] = []

        self.setStyleSheet(INVALID_STYLE)
        self.general_error = ErrorLabel()
        self._build_identity()
        self._build_contact()
        self._build_documents()
        self._build_household()

        content = QWidget()
        columns = QHBoxLayout()
        columns.addWidget(self.identity_group, 1)
        right = QVBoxLayout()
        right.addWidget(self.contact_group)
        right.addWidget(self.documents_group)
        right.addStretch(1)
        columns.addLayout(right, 1)
        content_layout = QVBoxLayout(content)
        content_layout.addWidget(self.general_error)
        content_layout.addLayout(columns)
        content_layout.addWidget(self.household_group)
        content_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)

        self.retranslate()
        self._baseline = self.person()
        ctx.languages.sig_language_changed.connect(self._language_changed)
        from desktop.services.office import office_info

        ctx.call(office_info, on_done=self._office_loaded, on_error=self._office_failed)

    # -- building ----------------------------------------------------------------------------
    def _group(self, key: str) -> QGroupBox:
        group = QGroupBox()
        self._group_keys.append((group, key))
        return group

    def _add_row(self, form: QFormLayout, name: str, key: str, widget: QWidget, editors: list[QWidget]) -> None:
        """A labelled field with its message underneath; ``editors`` lose focus → it is checked."""
        label = QLabel()
        label.setBuddy(editors[0] if editors else widget)
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        error_label = ErrorLabel()
        box.addWidget(error_label)
        form.addRow(label, cell)
        self._rows[name] = _Row(key, label, error_label)
        for editor in editors:
            self._watch(editor, name)

    def _watch(self, editor: QWidget, name: str) -> None:
        self._field_of[editor] = name
        editor.installEventFilter(self)

    @staticmethod
    def _form() -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        return form

    def _build_identity(self) -> None:
        self.identity_group = self._group("person_form.section.identity")
        form = self._form()
        self.identity_group.setLayout(form)
        self.family_edit = _latin(QLineEdit())
        self.given_edit = _latin(QLineEdit())
        self.family_ar_edit = _arabic(QLineEdit())
        self.given_ar_edit = _arabic(QLineEdit())
        for name, edit in (("family_name", self.family_edit), ("given_name", self.given_edit),
                           ("family_name_ar", self.family_ar_edit), ("given_name_ar", self.given_ar_edit)):  # fmt: skip
            self._add_row(form, name, f"person_form.field.{name}", edit, [edit])
            edit.textChanged.connect(self._changed)

        self.sex_combo = _combo()
        _fill_codes(self.sex_combo, "sex", codelists.SEXES, placeholder=True)
        self.sex_combo.currentIndexChanged.connect(self._changed)
        self._add_row(form, "sex", "person_form.field.sex", self.sex_combo, [self.sex_combo])

        self.birth_date_radio = QRadioButton()
        self.age_radio = QRadioButton()
        self._birth_mode = QButtonGroup(self)
        self._birth_mode.addButton(self.birth_date_radio)
        self._birth_mode.addButton(self.age_radio)
        self.birth_date_radio.setChecked(True)
        today = QDate.currentDate()
        self.birth_date_edit = DateEdit(QDate(today.year() - 30, 1, 1))
        self.age_spin = OptionalSpinBox(120)
        self.age_spin.setEnabled(False)
        birth = QWidget()
        birth_layout = QHBoxLayout(birth)
        birth_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.birth_date_radio, self.birth_date_edit, self.age_radio, self.age_spin):
            birth_layout.addWidget(widget)
        birth_layout.addStretch(1)
        self.birth_date_radio.toggled.connect(self._birth_mode_changed)
        self.birth_date_edit.dateChanged.connect(self._changed)
        self.age_spin.valueChanged.connect(self._changed)
        self._add_row(form, "birth_date", "person_form.field.birth", birth,
                      [self.birth_date_edit, self.age_spin, self.birth_date_radio, self.age_radio])  # fmt: skip

        self.nationality_combo = _combo()
        self.nationality_combo.setEditable(True)
        self.nationality_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.nationality_combo.setMaxVisibleItems(20)
        self.nationality_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.nationality_combo.setMinimumContentsLength(18)
        completer = QCompleter(self.nationality_combo.model(), self.nationality_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.nationality_combo.setCompleter(completer)
        self.nationality_combo.currentIndexChanged.connect(self._changed)
        self.nationality_combo.editTextChanged.connect(self._changed)
        self._add_row(form, "nationality", "person_form.field.nationality", self.nationality_combo,
                      [self.nationality_combo])  # fmt: skip

        self.category_combo = _combo()
        _fill_codes(self.category_combo, "category", codelists.CATEGORIES, placeholder=True)
        self.category_combo.currentIndexChanged.connect(self._changed)
        self._add_row(form, "category", "person_form.field.category", self.category_combo, [self.category_combo])

        self.legal_status_combo = _combo()
        _fill_codes(self.legal_status_combo, "legal_status", codelists.LEGAL_STATUSES, placeholder=False)
        _select_code(self.legal_status_combo, "unknown")
        self.legal_status_combo.currentIndexChanged.connect(self._changed)
        self._add_row(form, "legal_status", "person_form.field.legal_status", self.legal_status_combo,
                      [self.legal_status_combo])  # fmt: skip

        self.arrival_date_edit = DateEdit(QDate.currentDate())
        self.arrival_unknown_box = QCheckBox()
        arrival = QWidget()
        arrival_layout = QHBoxLayout(arrival)
        arrival_layout.setContentsMargins(0, 0, 0, 0)
        arrival_layout.addWidget(self.arrival_date_edit)
        arrival_layout.addWidget(self.arrival_unknown_box)
        arrival_layout.addStretch(1)
        self.arrival_unknown_box.setChecked(True)
        self.arrival_date_edit.dateChanged.connect(self._arrival_changed)
        self.arrival_unknown_box.toggled.connect(self._arrival_unknown_toggled)
        self._add_row(form, "arrival_date", "person_form.field.arrival_date", arrival,
                      [self.arrival_date_edit, self.arrival_unknown_box])  # fmt: skip

        self.languages_list = QListWidget()
        self.languages_list.setFlow(QListView.Flow.LeftToRight)
        self.languages_list.setWrapping(True)
        self.languages_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.languages_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.languages_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.languages_list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.languages_list.setAutoScroll(False)
        self.languages_list.viewport().installEventFilter(self)
        for code in codelists.LANGUAGES:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.languages_list.addItem(item)
        self.languages_list.itemChanged.connect(self._changed)
        self._add_row(form, "languages", "person_form.field.languages", self.languages_list, [self.languages_list])

    def _build_contact(self) -> None:
        self.contact_group = self._group("person_form.section.contact")
        layout = QVBoxLayout(self.contact_group)
        form = self._form()
        self.phone_edit = _latin(QLineEdit())
        self.phone_edit.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
        self.phone_edit.textChanged.connect(self._changed)
        self._add_row(form, "phone", "person_form.field.phone", self.phone_edit, [self.phone_edit])
        layout.addLayout(form)
        self.commune_caption = QLabel()
        self.commune_caption.setObjectName("sectionCaption")
        layout.addWidget(self.commune_caption)
        self.commune_picker = CommunePicker()
        self.commune_picker.sig_commune_changed.connect(self._changed)
        layout.addWidget(self.commune_picker)
        commune_error = ErrorLabel()
        layout.addWidget(commune_error)
        self._rows["commune_code"] = _Row("person_form.field.commune", None, commune_error)
        for combo in (self.commune_picker.commune_combo, self.commune_picker.filter_edit):
            self._watch(combo, "commune_code")
        form2 = self._form()
        self.douar_edit = QLineEdit()
        self.douar_edit.textChanged.connect(self._changed)
        self._add_row(form2, "douar", "person_form.field.douar", self.douar_edit, [self.douar_edit])
        layout.addLayout(form2)

    def person(self) -> PersonInput:
        """What the form holds now (names stripped; unknown dates and blank age as None)."""
        by_age = self.age_radio.isChecked()
        return PersonInput(
            family_name=self.family_edit.text().strip(),
            given_name=self.given_edit.text().strip(),
            family_name_ar=self.family_ar_edit.text().strip(),
            given_name_ar=self.given_ar_edit.text().strip(),
            sex=_code(self.sex_combo),
            birth_date=None if by_age else self.birth_date_edit.value(),
            estimated_age=self.age_spin.value_or_none() if by_age else None,
            nationality=self.nationality_code(),
            category=_code(self.category_combo),
            languages=self.languages(),
            phone=self.phone_edit.text().strip(),
            commune_code=self.commune_picker.commune_code() or "",
            douar=self.douar_edit.text().strip(),
            legal_status=_code(self.legal_status_combo) or "unknown",
            arrival_date=self.arrival_date_edit.value(),
            documents=[DocumentInput(_code(row.kind), row.number.text().strip()) for row in self._document_rows],
            household=[
                HouseholdInput(
                    relation=_code(row.relation),
                    name=row.name.text().strip(),
                    sex=_code(row.sex),
                    birth_year=int(row.birth_year.text()) if row.birth_year.text().isdigit() else None,
                    schooling=_code(row.schooling) or "unknown",
                    birth_registration=_code(row.birth_registration) or "unknown",
                    lives_with=row.lives_with.isChecked(),
                )
                for row in self._member_rows
            ],
        )

    def set_person(self, person: PersonInput, *, clean: bool = True) -> None:
        """Show ``person``; the form is then clean and without messages.

        ``clean=False`` loads it as if typed: what was there before stays the reference
        of ``is_dirty`` and ``sig_changed`` is emitted once.
        """
        self._loading = True
        try:
            self._person_loaded = True
            self.family_edit.setText(person.family_name)
            self.given_edit.setText(person.given_name)
            self.family_ar_edit.setText(person.family_name_ar)
            self.given_ar_edit.setText(person.given_name_ar)
            _select_code(self.sex_combo, person.sex)
            by_age = person.birth_date is None and person.estimated_age is not None
            self.age_radio.setChecked(by_age)
            self.birth_date_radio.setChecked(not by_age)
            self.birth_date_edit.set_value(person.birth_date)
            self.age_spin.set_value_or_none(person.estimated_age)
            self.set_nationality(person.nationality)
            _select_code(self.category_combo, person.category)
            self.set_languages(person.languages)
            self.phone_edit.setText(person.phone)
            self.commune_picker.set_commune(person.commune_code or None)
            self.douar_edit.setText(person.douar)
            _select_code(self.legal_status_combo, person.legal_status or "unknown")
            self.arrival_date_edit.set_value(person.arrival_date)
            self._clear_table(self.documents_table, self._document_rows)
            for doc in person.documents:
                self.add_document(doc.kind, doc.number)
            self._clear_table(self.household_table, self._member_rows)
            for member in person.household:
                self.add_member(member)
        finally:
            self._loading = False
        self._touched.clear()
        self.clear_errors()
        if clean:
            self.mark_clean()
        else:
            self._changed()

    def show_errors(self, errors: list[FieldError]) -> None:
        """Each message under its field (``FieldError.field``), the field framed in red."""
        self._errors = list(errors)
        for error in errors:
            self._touched.add(self._row_name(error.field))
            if error.key == "error.name_required":
                self._touched.update(NAME_FIELDS)
        self._render_errors()

    def clear_errors(self) -> None:
        self._errors = []
        self._render_errors()

    def errors(self) -> list[FieldError]:
        """The messages shown now."""
        return list(self._errors)

    def is_dirty(self) -> bool:
        return self.person() != self._baseline

    def mark_clean(self) -> None:
        self._baseline = self.person()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for edit in (self.family_edit, self.given_edit, self.family_ar_edit, self.given_ar_edit, self.phone_edit,
                     self.douar_edit):  # fmt: skip
            edit.setReadOnly(read_only)
        choices: list[QWidget] = [self.sex_combo, self.birth_date_radio, self.age_radio, self.nationality_combo,
                                  self.category_combo, self.legal_status_combo, self.arrival_date_edit,
                                  self.arrival_unknown_box, self.languages_list, self.commune_picker]  # fmt: skip
        for choice in choices:
            choice.setEnabled(not read_only)
        self.birth_date_edit.setEnabled(not read_only and self.birth_date_radio.isChecked())
        self.age_spin.setEnabled(not read_only and self.age_radio.isChecked())
        for row in self._all_rows():
            for widget in row.widgets():
                widget.setEnabled(not read_only)
        self._update_buttons()

    def is_read_only(self) -> bool:
        return self._read_only

    def set_nationality(self, code: str) -> None:
        index = self.nationality_combo.findData(code.upper()) if code else -1
        self.nationality_combo.setCurrentIndex(index)
        if index < 0:
            self.nationality_combo.setEditText(code)

    def nationality_code(self) -> str:
        """The chosen country's code; typed text is matched to a name (accents and case ignored)."""
        combo = self.nationality_combo
        text = combo.currentText().strip()
        if not text:
            return ""
        index = combo.currentIndex()
        if index >= 0 and combo.itemText(index) == text and combo.itemData(index):
            return str(combo.itemData(index))
        index = self._country_index(text)
        return str(combo.itemData(index)) if index >= 0 else ""

    def _country_index(self, text: str) -> int:
        wanted = fold(text)
        combo = self.nationality_combo
        for index in range(combo.count()):
            data = combo.itemData(index)
            if data and (fold(combo.itemText(index)) == wanted or str(data).casefold() == text.casefold()):
                return index
        return -1

    def languages(self) -> list[str]:
        found = []
        for index in range(self.languages_list.count()):
            item = self.languages_list.item(index)
            if item.checkState() == Qt.CheckState.Checked:
                found.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return found

    def set_languages(self, codes: list[str]) -> None:
        for index in range(self.languages_list.count()):
            item = self.languages_list.item(index)
            checked = item.data(Qt.ItemDataRole.UserRole) in codes
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def error_text(self, name: str) -> str:
        """The message shown under a field (``family_name``, ``documents``…), "" if none."""
        row = self._rows.get(name)
        return row.error_label.text() if row is not None and not row.error_label.isHidden() else ""

    def first_error_widget(self) -> QWidget | None:
        for error in self._errors:
            editor = self._editor_for(error.field)
            if editor is not None:
                return editor
        return None

    def scroll_to_first_error(self) -> None:
        editor = self.first_error_widget()
        if editor is not None:
            self.scroll_area.ensureWidgetVisible(editor)
            editor.setFocus()

    # -- language ------------------------------------------------------------------------------
    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    def retranslate(self) -> None:
        self._loading, was_loading = True, self._loading
        try:
            for group, key in self._group_keys:
                group.setTitle(tr(key))
            for row in self._rows.values():
                if row.label is not None:
                    row.label.setText(tr(row.label_key))
            self.commune_caption.setText(tr("person_form.field.commune"))
            self.birth_date_radio.setText(tr("person_form.birth_date_option"))
            self.age_radio.setText(tr("person_form.age_option"))
            self.age_spin.setSuffix(tr("person_form.age_suffix"))
            self.arrival_unknown_box.setText(tr("person_form.unknown"))
            for edit in (self.birth_date_edit, self.arrival_date_edit):
                edit.retranslate()
            _retranslate_codes(self.sex_combo, "sex")
            _retranslate_codes(self.category_combo, "category")
            _retranslate_codes(self.legal_status_combo, "legal_status")
            self._fill_nationalities()
            for index in range(self.languages_list.count()):
                item = self.languages_list.item(index)
                item.setText(codelist_label("language", str(item.data(Qt.ItemDataRole.UserRole))))
            self._fit_languages()
            self.phone_edit.setPlaceholderText(tr("person_form.phone_placeholder"))
            self.family_ar_edit.setPlaceholderText(tr("person_form.arabic_placeholder"))
            self.given_ar_edit.setPlaceholderText(tr("person_form.arabic_placeholder"))
            self.documents_table.setHorizontalHeaderLabels([tr(COLUMN_KEYS["documents"][c]) for c in DOCUMENT_COLUMNS])
            self.household_table.setHorizontalHeaderLabels([tr(COLUMN_KEYS["household"][c]) for c in MEMBER_COLUMNS])
            for doc_row in self._document_rows:
                _retranslate_codes(doc_row.kind, "document_type")
            for member_row in self._member_rows:
                _retranslate_codes(member_row.relation, "relation")
                _retranslate_codes(member_row.sex, "sex")
                _retranslate_codes(member_row.schooling, "schooling")
                _retranslate_codes(member_row.birth_registration, "birth_registration")
                self._fit_member_columns(member_row)
            self.add_document_button.setText(tr("person_form.add_document"))
            self.remove_document_button.setText(tr("person_form.remove_row"))
            self.add_member_button.setText(tr("person_form.add_member"))
            self.remove_member_button.setText(tr("person_form.remove_row"))
            self.commune_picker.retranslate()
        finally:
            self._loading = was_loading
        self._render_errors()

    def _fill_nationalities(self) -> None:
        combo = self.nationality_combo
        code = self.nationality_code()
        typed = combo.currentText() if not code else ""
        lang = i18n.language()
        combo.blockSignals(True)
        try:
            combo.clear()
            for frequent in FREQUENT_NATIONALITIES:
                combo.addItem(country_name(frequent, lang), frequent)
            combo.insertSeparator(combo.count())
            for other, name in other_countries(lang):
                combo.addItem(name, other)
            line = combo.lineEdit()
            if line is not None:
                line.setPlaceholderText(tr("person_form.nationality_placeholder"))
            self.set_nationality(code)
            if typed:
                combo.setEditText(typed)
        finally:
            combo.blockSignals(False)

    def _fit_languages(self) -> None:
        """Languages in even columns filling the width, every one visible without scrolling."""
        view = self.languages_list
        if view.count() == 0:
            return
        metrics = view.fontMetrics()
        widest = max(metrics.horizontalAdvance(view.item(i).text()) for i in range(view.count()))
        indicator = view.style().pixelMetric(view.style().PixelMetric.PM_IndicatorWidth)
        cell = QSize(widest + indicator + 14, max(metrics.height(), indicator) + 6)
        if view.gridSize() != cell:
            view.setGridSize(cell)
            for index in range(view.count()):
                view.item(index).setSizeHint(cell)  # the whole cell: text centred, nothing cut
        frame = 2 * view.frameWidth()
        view.setMinimumWidth(2 * cell.width() + frame + 2)
        columns = max(1, view.viewport().width() // cell.width())  # as the list's own flow wraps
        rows = -(-view.count() // columns)
        height = rows * cell.height() + frame + 12
        if view.height() != height:
            view.setFixedHeight(height)
        view.scrollToTop()

    # -- reactions -----------------------------------------------------------------------------
    def _changed(self, *_args: object) -> None:
        if not self._loading:
            self.sig_changed.emit()

    def _birth_mode_changed(self, by_date: bool) -> None:
        self.birth_date_edit.setEnabled(by_date and not self._read_only)
        self.age_spin.setEnabled(not by_date and not self._read_only)
        self._changed()

    def _arrival_changed(self, _date: QDate) -> None:
        self.arrival_unknown_box.blockSignals(True)
        self.arrival_unknown_box.setChecked(self.arrival_date_edit.is_unknown())
        self.arrival_unknown_box.blockSignals(False)
        self._changed()

    def _arrival_unknown_toggled(self, unknown: bool) -> None:
        if unknown:
            self.arrival_date_edit.setDate(UNKNOWN_DATE)
        elif self.arrival_date_edit.is_unknown():
            self.arrival_date_edit.setDate(QDate.currentDate())
            self.arrival_date_edit.setFocus()

    def _office_loaded(self, info: object) -> None:
        """A fresh form starts in the office's own commune (most people live nearby)."""
        if not shiboken6.isValid(self) or self._person_loaded or self.commune_picker.commune_code():
            return
        code = str(getattr(info, "commune_code", "") or "")
        if not code:
            return
        self._loading = True
        try:
            self.commune_picker.set_commune(code)
        finally:
            self._loading = False
        self._baseline.commune_code = self.commune_picker.commune_code() or ""

    def _office_failed(self, _error: BaseException) -> None:
        """No default commune: the officer chooses one."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Resize and watched is self.languages_list.viewport():
            self._fit_languages()
        elif kind == QEvent.Type.Wheel and isinstance(watched, QComboBox | QAbstractSpinBox):
            if not watched.hasFocus():
                event.ignore()  # the page scrolls, the value does not change under the pointer
                return True
        elif kind == QEvent.Type.FocusOut and isinstance(event, QFocusEvent):
            name = self._field_of.get(watched)
            if name is not None and event.reason() not in SKIPPED_FOCUS_REASONS:
                self._field_left(name, watched)
        return super().eventFilter(watched, event)

    def _field_left(self, name: str, editor: QObject) -> None:
        if not shiboken6.isValid(self) or self._read_only:
            return
        if editor is self.nationality_combo:
            self._settle_nationality()
        self._touched.add(name)
        self._revalidate()

    def _settle_nationality(self) -> None:
        """Typed text that names a country selects it; the list shows the country's name."""
        combo = self.nationality_combo
        text = combo.currentText().strip()
        if not text:
            if combo.currentIndex() >= 0:
                combo.setCurrentIndex(-1)
            return
        index = self._country_index(text)
        if index >= 0 and index != combo.currentIndex():
            combo.setCurrentIndex(index)

    def _revalidate(self) -> None:
        """Check the person again; show the messages of the fields already gone through."""
        errors = check_person(self.person(), date.today())
        self._errors = [e for e in errors if self._is_touched(e)]
        self._render_errors()

    def _is_touched(self, error: FieldError) -> bool:
        if error.key == "error.name_required":
            return self._touched >= NAME_FIELDS
        return self._row_name(error.field) in self._touched

    # -- messages ------------------------------------------------------------------------------
    @staticmethod
    def _row_name(field_name: str) -> str:
        if field_name == "estimated_age":
            return "birth_date"
        return field_name.split(".", 1)[0]

    def _editor_for(self, field_name: str) -> QWidget | None:
        parts = field_name.split(".")
        if parts[0] in ("documents", "household") and len(parts) == 3 and parts[1].isdigit():
            rows = self._document_rows if parts[0] == "documents" else self._member_rows
            index = int(parts[1])
            if index < len(rows):
                widget = getattr(rows[index], parts[2], None)
                return widget if isinstance(widget, QWidget) else None
            return None
        simple: dict[str, QWidget] = {
            "family_name": self.family_edit,
            "given_name": self.given_edit,
            "family_name_ar": self.family_ar_edit,
            "given_name_ar": self.given_ar_edit,
            "sex": self.sex_combo,
            "birth_date": self.age_spin if self.age_radio.isChecked() else self.birth_date_edit,
            "estimated_age": self.age_spin,
            "nationality": self.nationality_combo,
            "category": self.category_combo,
            "languages": self.languages_list,
            "phone": self.phone_edit,
            "commune_code": self.commune_picker.commune_combo,
            "douar": self.douar_edit,
            "legal_status": self.legal_status_combo,
            "arrival_date": self.arrival_date_edit,
        }
        return simple.get(field_name)

    def _message(self, error: FieldError) -> str:
        text = tr(error.key, **error.params)
        parts = error.field.split(".")
        if parts[0] in COLUMN_KEYS and len(parts) == 3 and parts[1].isdigit():
            column = tr(COLUMN_KEYS[parts[0]].get(parts[2], ""))
            return tr("person_form.row_error", row=int(parts[1]) + 1, column=column, message=text)
        return text

    def _all_editors(self) -> list[QWidget]:
        editors: list[QWidget] = [
            self.family_edit, self.given_edit, self.family_ar_edit, self.given_ar_edit, self.sex_combo,
            self.birth_date_edit, self.age_spin, self.nationality_combo, self.category_combo, self.languages_list,
            self.phone_edit, self.commune_picker.commune_combo, self.douar_edit, self.legal_status_combo,
            self.arrival_date_edit,
        ]  # fmt: skip
        for row in self._all_rows():
            editors.extend(row.widgets())
        return editors

    def _render_errors(self) -> None:
        by_row: dict[str, list[str]] = {}
        invalid: set[int] = set()
        general: list[str] = []
        for error in self._errors:
            name = self._row_name(error.field)
            editor = self._editor_for(error.field)
            if editor is not None:
                invalid.add(id(editor))
            if name in self._rows:
                messages = by_row.setdefault(name, [])
                message = self._message(error)
                if message not in messages:
                    messages.append(message)
            else:
                general.append(tr(error.key, **error.params))
        for editor in self._all_editors():
            _set_invalid(editor, id(editor) in invalid)
        for name, row in self._rows.items():
            row.error_label.show_text("\n".join(by_row.get(name, [])))
        self.general_error.show_text("\n".join(general))
