"""Editors and small helpers of the person form: dates that may be unknown, code lists, rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from desktop.i18n import tr
from desktop.services.case_types import FieldError
from desktop.ui.models.case_list_model import country_name
from desktop.ui.widgets.common import ErrorLabel
from desktop.ui.widgets.commune_picker import fold

DATE_FORMAT = "dd/MM/yyyy"
"""Day first in every language, as on Moroccan forms."""
UNKNOWN_DATE = QDate(1900, 1, 1)
"""A date edit at this value means "unknown" (shown as a word, never saved)."""
FREQUENT_NATIONALITIES: tuple[str, ...] = ("MA", "SN", "CI", "GN", "ML", "CM", "NG", "CD", "SY", "YE", "SD", "FR", "ES")
"""The nationalities BAOM offices receive most, first in the list."""
ERROR_COLOUR = "#c62828"
INVALID_STYLE = (
    f'QLineEdit[invalid="true"], QComboBox[invalid="true"], QDateEdit[invalid="true"], QSpinBox[invalid="true"],'
    f' QListWidget[invalid="true"], QTableWidget[invalid="true"] {{ border: 2px solid {ERROR_COLOUR}; }}'
)
NAME_FIELDS = frozenset({"family_name", "given_name", "family_name_ar", "given_name_ar"})
SKIPPED_FOCUS_REASONS = (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason)


# -- countries ---------------------------------------------------------------------------------
@cache
def other_countries(lang: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of every country but the frequent ones, sorted by name in ``lang``."""
    import pycountry

    rows = [(c.alpha_2, country_name(c.alpha_2, lang)) for c in pycountry.countries]
    rows = [row for row in rows if row[0] not in FREQUENT_NATIONALITIES]
    return tuple(sorted(rows, key=lambda row: (fold(row[1]), row[0])))


def codelist_label(codelist: str, code: str) -> str:
    return tr(f"{codelist}.{code}") if code else ""


# -- small editors -----------------------------------------------------------------------------
def _is_digit_key(event: QKeyEvent) -> bool:
    text = event.text()
    return len(text) == 1 and text.isdigit()


class DateEdit(QDateEdit):
    """A day-first date with a calendar, that may be *unknown* (its minimum, shown as a word).

    Typing digits on an unknown date starts a date (Qt cannot edit the word itself);
    Delete or Backspace on the whole text makes it unknown again; the calendar of an
    unknown date opens on ``page_date`` rather than on January 1900.
    """

    def __init__(self, page_date: QDate | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._page_date = page_date
        self.setCalendarPopup(True)
        self.setDisplayFormat(DATE_FORMAT)
        self.setMinimumDate(UNKNOWN_DATE)
        self.setMaximumDate(QDate.currentDate())
        self.setSpecialValueText(tr("person_form.date_unknown"))
        self.setDate(UNKNOWN_DATE)
        self.calendarWidget().installEventFilter(self)

    def is_unknown(self) -> bool:
        return self.date() == UNKNOWN_DATE

    def value(self) -> date | None:
        if self.is_unknown():
            return None
        qdate = self.date()
        return date(qdate.year(), qdate.month(), qdate.day())

    def set_value(self, value: date | None) -> None:
        self.setDate(UNKNOWN_DATE if value is None else QDate(value.year, value.month, value.day))

    def retranslate(self) -> None:
        self.setSpecialValueText(tr("person_form.date_unknown"))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.is_unknown() and _is_digit_key(event):
            start = self._page_date or QDate.currentDate()
            self.setDate(QDate(start.year(), 1, 1))  # January: any day typed first is valid
            self.setCurrentSectionIndex(0)
            self.setSelectedSection(self.sectionAt(0))
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self._all_selected():
            self.setDate(UNKNOWN_DATE)
            return
        super().keyPressEvent(event)

    def _all_selected(self) -> bool:
        line = self.lineEdit()
        return bool(line.text()) and line.selectedText() == line.text()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self.is_unknown() and watched is self.calendarWidget():
            page = self._page_date or QDate.currentDate()
            self.calendarWidget().setCurrentPage(page.year(), page.month())
        return super().eventFilter(watched, event)


class OptionalSpinBox(QSpinBox):
    """A number that may be left blank (its minimum, shown as a dash); typing replaces the dash."""

    def __init__(self, maximum: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(-1, maximum)
        self.setSpecialValueText("—")
        self.setValue(-1)

    def value_or_none(self) -> int | None:
        return None if self.value() < 0 else self.value()

    def set_value_or_none(self, value: int | None) -> None:
        self.setValue(-1 if value is None else value)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.value() < 0 and _is_digit_key(event):
            self.selectAll()
        super().keyPressEvent(event)


def _combo(parent: QWidget | None = None) -> QComboBox:
    combo = QComboBox(parent)
    combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


def _fill_codes(combo: QComboBox, codelist: str, codes: tuple[str, ...], placeholder: bool) -> None:
    combo.clear()
    for code in codes:
        combo.addItem(codelist_label(codelist, code), code)
    if placeholder:
        combo.setPlaceholderText(tr("person_form.choose"))
        combo.setCurrentIndex(-1)


def _retranslate_codes(combo: QComboBox, codelist: str) -> None:
    for index in range(combo.count()):
        code = combo.itemData(index)
        if code:
            combo.setItemText(index, codelist_label(codelist, str(code)))
        else:
            combo.setItemText(index, "—")
    if combo.placeholderText():
        combo.setPlaceholderText(tr("person_form.choose"))


def _select_code(combo: QComboBox, code: str | None) -> None:
    combo.setCurrentIndex(combo.findData(code) if code else -1)


def _code(combo: QComboBox) -> str:
    data = combo.currentData()
    return str(data) if data else ""


def _set_invalid(widget: QWidget, invalid: bool) -> None:
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


def _latin(edit: QLineEdit) -> QLineEdit:
    edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    return edit


def _arabic(edit: QLineEdit) -> QLineEdit:
    edit.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    return edit


# -- table rows --------------------------------------------------------------------------------
@dataclass
class _DocumentRow:
    kind: QComboBox
    number: QLineEdit

    def widgets(self) -> list[QWidget]:
        return [self.kind, self.number]


@dataclass
class _MemberRow:
    relation: QComboBox
    name: QLineEdit
    sex: QComboBox
    birth_year: QLineEdit
    schooling: QComboBox
    birth_registration: QComboBox
    lives_with: QCheckBox
    lives_with_cell: QWidget

    def widgets(self) -> list[QWidget]:
        return [self.relation, self.name, self.sex, self.birth_year, self.schooling, self.birth_registration,
                self.lives_with]  # fmt: skip


DOCUMENT_COLUMNS = ("kind", "number")
MEMBER_COLUMNS = ("relation", "name", "sex", "birth_year", "schooling", "birth_registration", "lives_with")
COLUMN_KEYS = {
    "documents": {"kind": "person_form.document.kind", "number": "person_form.document.number"},
    "household": {column: f"person_form.member.{column}" for column in MEMBER_COLUMNS},
}


@dataclass
class _Row:
    """One field of the form: its label, where its message goes, what turns red."""

    label_key: str
    label: QLabel | None
    error_label: ErrorLabel
    errors: list[FieldError] = field(default_factory=list)
