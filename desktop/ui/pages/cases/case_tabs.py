"""What the tabs of the case window share, and the tabs themselves.

Each tab shows one part of a :class:`CaseDetail` (``set_detail``), forgets it
(``clear``), follows the language (``retranslate``) and asks its host — the
:class:`~desktop.ui.pages.cases.case_window.CaseWindow` — to run every action on the
database thread (``host.perform``): the host shows the outcome in the tab, tells the
list the case changed and reloads the whole detail.

The tabs themselves live in ``case_tab_identity.py`` (Identité, Consentements),
``case_tab_assessment.py`` (Bilan social), ``case_tab_followup.py``
(Vulnérabilité, Contacts, Parcours) and ``case_tab_referrals.py`` (Référencements).
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain.audit import RecordType
from desktop.i18n import tr
from desktop.services import audit as audit_service
from desktop.services.case_types import CaseDetail
from desktop.services.office import OfficeHandle
from desktop.ui.context import AppContext
from desktop.ui.models.base import ModelIndex, TranslatedTableModel
from desktop.ui.models.case_list_model import codelist_label, format_date
from desktop.ui.widgets.common import ErrorLabel, StatusMessages, records_table

DATE_FORMAT = "dd/MM/yyyy"
"""Day first in every language, as on Moroccan forms."""

# -- dates -----------------------------------------------------------------------------


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def date_edit(value: date | None = None, *, not_after_today: bool = True) -> QDateEdit:
    """A date field with its calendar, shown dd/MM/yyyy; most case dates cannot be in the future."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setMinimumDate(QDate(1900, 1, 1))
    if not_after_today:
        edit.setMaximumDate(QDate.currentDate())
    edit.setDate(to_qdate(value or date.today()))
    return edit


def reset_date(edit: QDateEdit) -> None:
    """Back to today (the day the office works on), keeping the field's limits fresh."""
    today = QDate.currentDate()
    if edit.maximumDate().year() < 9999:  # "not after today": the office may have worked past midnight
        edit.setMaximumDate(today)
    edit.setDate(today)


class OptionalDateEdit(QWidget):
    """A date that may be left out: a check box turns the date field on."""

    changed = Signal()

    def __init__(self, *, not_after_today: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox()
        self.edit = date_edit(not_after_today=not_after_today)
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        self.check.toggled.connect(self.changed)
        self.edit.dateChanged.connect(self.changed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, 1)

    def value(self) -> date | None:
        return from_qdate(self.edit.date()) if self.check.isChecked() else None

    def set_value(self, value: date | None) -> None:
        self.check.setChecked(value is not None)
        self.edit.setDate(to_qdate(value or date.today()))

    def set_text(self, text: str) -> None:
        self.check.setText(text)


# -- codes -----------------------------------------------------------------------------


class CodeCombo(QComboBox):
    """A codelist as a combo box: data is the code, text its label in the interface language."""

    def __init__(
        self, codelist: str, codes: Sequence[str], empty_key: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.codelist = codelist
        self.empty_key = empty_key
        if empty_key is not None:
            self.addItem("", "")
        for code in codes:
            self.addItem("", code)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.retranslate()

    def code(self) -> str:
        return str(self.currentData() or "")

    def set_code(self, code: str) -> None:
        index = self.findData(code)
        self.setCurrentIndex(max(index, 0))

    def retranslate(self) -> None:
        for index in range(self.count()):
            code = str(self.itemData(index) or "")
            text = codelist_label(self.codelist, code) if code else tr(self.empty_key or "case.none")
            self.setItemText(index, text)


class CheckList(QWidget):
    """Codes as check boxes in a grid (criteria of vulnerability, needs of a contact)."""

    changed = Signal()

    def __init__(self, codelist: str, codes: Sequence[str], columns: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.codelist = codelist
        self.codes = tuple(codes)
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        rows = (len(self.codes) + columns - 1) // columns
        for number, code in enumerate(self.codes):
            box = QCheckBox()
            box.toggled.connect(self.changed)
            self.boxes[code] = box
            grid.addWidget(box, number % rows, number // rows)
        self.retranslate()

    def checked(self) -> list[str]:
        return [code for code in self.codes if self.boxes[code].isChecked()]

    def set_checked(self, codes: Sequence[str]) -> None:
        wanted = set(codes)
        for code, box in self.boxes.items():
            box.setChecked(code in wanted)

    def retranslate(self) -> None:
        for code, box in self.boxes.items():
            box.setText(codelist_label(self.codelist, code))


def codes_text(codelist: str, codes: Sequence[str]) -> str:
    """Several codes' labels in one cell, with the language's comma."""
    return tr("case.list_separator").join(codelist_label(codelist, code) for code in codes)


def first_strong_direction(text: str) -> str:
    """The direction the text starts in: "L", "R", or "" when it has no letter."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return ""


def bidi_text(text: str) -> str:
    """Text typed in the other script keeps its punctuation in place.

    A French note shown in the Arabic interface (and the reverse) is laid out in the
    interface's direction; a trailing full stop would jump to the wrong end. Marks of
    the text's own direction at both ends keep it whole.
    """
    direction = first_strong_direction(text)
    if not direction:
        return text
    rtl_ui = i18n.is_rtl()
    if direction == "L" and rtl_ui:
        return f"\u200e{text}\u200e"
    if direction == "R" and not rtl_ui:
        return f"\u200f{text}\u200f"
    return text


def short_text(text: str, limit: int = 120) -> str:
    """One line of a note for a table cell (the whole note is the tooltip)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class LimitedTextEdit(QPlainTextEdit):
    """A multi-line note that stops at ``limit`` characters."""

    def __init__(self, limit: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.limit = limit
        self.setTabChangesFocus(True)
        self.textChanged.connect(self._enforce)

    def text(self) -> str:
        return self.toPlainText()

    def _enforce(self) -> None:
        text = self.toPlainText()
        if len(text) > self.limit:
            cursor = self.textCursor()
            position = min(cursor.position(), self.limit)
            self.blockSignals(True)
            self.setPlainText(text[: self.limit])
            self.blockSignals(False)
            cursor = self.textCursor()
            cursor.setPosition(position)
            self.setTextCursor(cursor)
            self.textChanged.emit()


def multi_line(lines: float = 2.5, parent: QWidget | None = None) -> QPlainTextEdit:
    """A short multi-line field about ``lines`` lines high; Tab moves on."""
    edit = QPlainTextEdit(parent)
    edit.setTabChangesFocus(True)
    height = int(edit.fontMetrics().lineSpacing() * lines) + 12
    edit.setFixedHeight(height)
    edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return edit


def caption(parent: QWidget | None = None) -> QLabel:
    """A field's caption (text set by retranslate)."""
    label = QLabel(parent)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


def dark_palette() -> bool:
    return QGuiApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128


def warning_colour() -> QColor:
    """Red that stays readable on a light and on a dark window."""
    return QColor("#ef9a9a") if dark_palette() else QColor("#c62828")


def good_colour() -> QColor:
    return QColor("#a5d6a7") if dark_palette() else QColor("#2e7d32")


LEVEL_COLOURS: dict[str, tuple[str, str]] = {
    "low": ("#2e7d32", "#ffffff"),
    "medium": ("#f9a825", "#212121"),
    "high": ("#ef6c00", "#ffffff"),
    "urgent": ("#c62828", "#ffffff"),
}
"""Background and text colour of each vulnerability level's badge."""


def level_badge_style(level: str) -> str:
    """A rounded badge in the level's colour (a grey outline when not assessed)."""
    colours = LEVEL_COLOURS.get(level)
    if colours is None:
        return "QLabel { border: 1px solid #9e9e9e; border-radius: 8px; padding: 2px 10px; }"
    background, text = colours
    return (
        f"QLabel {{ background-color: {background}; color: {text}; border-radius: 8px;"
        " padding: 2px 10px; font-weight: 600; }"
    )


def level_text_colour(level: str) -> QColor | None:
    """The level's colour for text in a table (readable on light and dark rows)."""
    if level not in LEVEL_COLOURS:
        return None
    if level == "medium":
        return QColor("#ffd54f") if dark_palette() else QColor("#a86b00")
    return QColor(LEVEL_COLOURS[level][0]).lighter(160) if dark_palette() else QColor(LEVEL_COLOURS[level][0])


# -- tables ----------------------------------------------------------------------------


class RowsModel(TranslatedTableModel):
    """Rows of any record, rendered cell by cell when shown (so a language switch re-renders)."""

    def __init__(
        self,
        column_keys: Sequence[str],
        cell: Callable[[Any, int], str],
        parent: QObject | None = None,
        *,
        foreground: Callable[[Any, int], QColor | None] | None = None,
        tooltip: Callable[[Any, int], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.column_keys = tuple(column_keys)
        self._cell = cell
        self._foreground = foreground
        self._tooltip = tooltip
        self._rows: list[Any] = []

    def row_count(self) -> int:
        return len(self._rows)

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return bidi_text(self._cell(row, index.column()))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, index.column()) if self._tooltip else self._cell(row, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and self._foreground is not None:
            return self._foreground(row, index.column())
        return None


def rows_table(model: RowsModel, stretch_column: int, parent: QWidget | None = None) -> QTableView:
    """A read-only table of history rows, one line a row."""
    table = records_table(model, stretch_column, parent)
    table.setWordWrap(False)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    return table


def selected_row(table: QTableView) -> int:
    rows = table.selectionModel().selectedRows()
    return rows[0].row() if rows else -1


# -- printing --------------------------------------------------------------------------


def reports_module(name: str) -> ModuleType | None:
    """``desktop.reports.<name>``, or None while that report is not available."""
    try:
        return importlib.import_module(f"desktop.reports.{name}")
    except ImportError:
        return None


def office_header(handle: OfficeHandle, lang: str) -> tuple[str, str]:
    """The office name and its commune's name in ``lang``, for a printed page."""
    from desktop.domain.geography import geography
    from desktop.services.office import office_info

    info = office_info(handle)
    try:
        commune = geography().name(geography().commune(info.commune_code), lang)
    except KeyError:
        commune = ""
    return info.name, commune


def record_export(handle: OfficeHandle, record_type: str, record_id: int, detail: str) -> None:
    """A printed copy of a person's data left the database: leave a trace in the audit log."""
    recorder = getattr(audit_service, "record_export", None)
    if recorder is not None:
        recorder(handle, record_type, record_id, detail)


def print_assessment(handle: OfficeHandle, detail: CaseDetail, assessment_id: int, lang: str, out: Path) -> Path:
    from desktop.reports.case_pdf import render_assessment_pdf

    office_name, commune = office_header(handle, lang)
    render_assessment_pdf(detail, assessment_id, office_name, commune, lang, out)
    record_export(handle, RecordType.CASE, detail.case_id, f"assessment {assessment_id} pdf")
    return out


def print_case_file(handle: OfficeHandle, detail: CaseDetail, lang: str, out: Path) -> Path:
    from desktop.reports.case_pdf import render_case_file_pdf

    office_name, commune = office_header(handle, lang)
    render_case_file_pdf(detail, office_name, commune, lang, out)
    record_export(handle, RecordType.CASE, detail.case_id, "case file pdf")
    return out


def print_consent_form(handle: OfficeHandle, detail: CaseDetail, lang: str, out: Path) -> Path:
    from desktop.reports.consent_pdf import render_consent_form_pdf

    office_name, commune = office_header(handle, lang)
    render_consent_form_pdf(detail.person, detail.number, office_name, commune, lang, out, bilingual=True)
    record_export(handle, RecordType.PERSON, detail.person_id, "consent form pdf")
    return out


# -- the tab contract ------------------------------------------------------------------


class CaseHost(Protocol):
    """What a tab needs of the case window."""

    ctx: AppContext
    case_id: int
    detail: CaseDetail | None

    def perform(
        self,
        tab: CaseTab,
        fn: Callable[..., Any],
        *args: Any,
        status_key: str,
        status_params: dict[str, Any] | None = None,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        changed: bool = True,
    ) -> None: ...

    def confirm_action(self, text: str) -> bool: ...

    def print_pdf(self, tab: CaseTab, report: str, default_name: str, job: Callable[..., Path], *args: Any) -> None: ...

    def can_review(self) -> bool: ...


class CaseTab(QWidget):
    """One tab of the case window: its detail, its messages, its actions."""

    title_key = ""

    def __init__(self, host: CaseHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.ctx = host.ctx
        self.detail: CaseDetail | None = None
        self.busy = False
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.error_label = ErrorLabel()
        self.messages = StatusMessages(self.status_label, self.error_label)

    def message_box(self) -> QVBoxLayout:
        """The inline error and status lines, for the bottom of the tab."""
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.error_label)
        box.addWidget(self.status_label)
        return box

    def set_detail(self, detail: CaseDetail) -> None:
        self.detail = detail
        self.show_detail(detail)
        self.update_actions()

    def show_detail(self, detail: CaseDetail) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        """Forget the case: every field, table and message."""
        self.detail = None
        self.busy = False
        self.messages.clear()
        self.clear_fields()
        self.update_actions()

    def clear_fields(self) -> None:
        raise NotImplementedError

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.update_actions()

    def update_actions(self) -> None:
        """Enable the buttons that make sense now (override)."""

    def is_dirty(self) -> bool:
        """Typed but not saved (override)."""
        return False

    def retranslate(self) -> None:
        self.messages.retranslate()

    def show_error(self, error: BaseException) -> None:
        self.messages.show_error(error)


def date_text(value: date | None) -> str:
    return format_date(value) if value is not None else ""
