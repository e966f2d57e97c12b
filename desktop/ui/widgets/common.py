"""Small shared pieces: error text, message boxes, formatting, language picker, dialog parts, tables."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QDateTime, QItemSelectionModel, QLocale, QTimeZone
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QWidget,
)

from desktop import i18n
from desktop.domain.errors import BaomError
from desktop.i18n import tr

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"fr": "Français", "ar": "العربية", "en": "English"}


def error_message(error: BaseException) -> str:
    """What a person reads: a translated sentence, never a traceback."""
    if isinstance(error, BaomError):
        return i18n.error_text(error)
    log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    return tr("error.unexpected")


def show_error(parent: QWidget | None, error: BaseException) -> None:
    QMessageBox.warning(parent, tr("app.title"), error_message(error))


def confirm(parent: QWidget | None, text: str) -> bool:
    answer = QMessageBox.question(parent, tr("app.title"), text)
    return answer == QMessageBox.StandardButton.Yes


def is_dark_palette() -> bool:
    """The system (or the person) chose a dark scheme: pick colours that read on it."""
    from PySide6.QtGui import QGuiApplication, QPalette

    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


def error_colour() -> str:
    return "#ff8a80" if is_dark_palette() else "#c62828"


class ErrorLabel(QLabel):
    """An inline message under a form, in the palette's error colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setObjectName("errorLabel")
        self.setStyleSheet(f"color: {error_colour()}; font-weight: 600;")
        self.hide()

    def show_text(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def show_error(self, error: BaseException) -> None:
        self.show_text(error_message(error))

    def clear_text(self) -> None:
        self.show_text("")


class LanguageCombo(QComboBox):
    """Each language written in itself, so anyone can find their own."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for code in i18n.LANGUAGES:
            self.addItem(LANGUAGE_NAMES[code], code)
        self.set_language(i18n.language())

    def set_language(self, lang: str) -> None:
        index = self.findData(lang)
        if index >= 0:
            self.setCurrentIndex(index)

    def language(self) -> str:
        return str(self.currentData())


def format_datetime(value: datetime) -> str:
    """Local time, in the Moroccan locale of the interface language."""
    qdt = QDateTime.fromSecsSinceEpoch(int(value.timestamp()), QTimeZone.systemTimeZone())
    return QLocale().toString(qdt, QLocale.FormatType.ShortFormat)


def format_number(value: int) -> str:
    return QLocale().toString(value)


def ok_cancel_buttons(
    on_ok: Callable[[], object], on_cancel: Callable[[], object], parent: QWidget | None = None
) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """A dialog's button box: a default OK button and a Cancel button, our own push buttons.

    Not the standard buttons: their texts come from our catalogue (``retranslate()``
    sets them), not from Qt's translations. Returns the box, the OK and the Cancel button.
    """
    box = QDialogButtonBox(parent)
    ok_button = QPushButton(parent)
    ok_button.setDefault(True)
    cancel_button = QPushButton(parent)
    box.addButton(ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
    box.addButton(cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
    ok_button.clicked.connect(on_ok)
    cancel_button.clicked.connect(on_cancel)
    return box, ok_button, cancel_button


def find_and_new_actions(
    widget: QWidget, on_find: Callable[[], object], on_new: Callable[[], object]
) -> tuple[QAction, QAction]:
    """Ctrl+F and Ctrl+N of a list page (search, then a new record)."""
    actions = []
    for key, slot in ((QKeySequence.StandardKey.Find, on_find), (QKeySequence.StandardKey.New, on_new)):
        action = QAction(widget)
        action.setShortcut(key)
        action.triggered.connect(slot)
        widget.addAction(action)
        actions.append(action)
    return actions[0], actions[1]


def select_row(table: QTableView, row: int) -> None:
    """Select and make current a whole row, from code.

    Not ``QTableView.selectRow``: right to left (Arabic) it finds no column at the
    viewport's far edge and clears the selection (Qt 6.9); on a row already selected
    it toggles the selection off.
    """
    index = table.model().index(row, 0)
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    table.selectionModel().setCurrentIndex(index, flags)


def busy_bar(parent: QWidget | None = None) -> QProgressBar:
    """A thin bar that moves while a long task runs (no percentage); hidden until shown."""
    bar = QProgressBar(parent)
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setMaximumHeight(8)
    bar.hide()
    return bar


class StatusMessages:
    """A page's status line and inline error, kept by key so a language switch re-says them.

    Showing one clears the other: the person reads the outcome of the last action.
    """

    def __init__(self, status_label: QLabel, error_label: ErrorLabel) -> None:
        self.status_label = status_label
        self.error_label = error_label
        self.status: tuple[str, dict[str, Any]] | None = None
        self.error: BaseException | None = None

    def set_status(self, key: str, **params: Any) -> None:
        self.error = None
        self.error_label.clear_text()
        self.status = (key, params)
        self.status_label.setText(tr(key, **params))

    def show_error(self, error: BaseException) -> None:
        self.status = None
        self.status_label.clear()
        self.error = error
        self.error_label.show_error(error)

    def clear(self) -> None:
        self.status = None
        self.error = None
        self.status_label.clear()
        self.error_label.clear_text()

    def retranslate(self) -> None:
        if self.status is not None:
            key, params = self.status
            self.status_label.setText(tr(key, **params))
        if self.error is not None:
            self.error_label.show_error(self.error)


def records_table(model: QAbstractItemModel, stretch_column: int, parent: QWidget | None = None) -> QTableView:
    """A read-only table of records: whole rows, one at a time, alternating colours.

    Columns fit their content but ``stretch_column``, which takes the width left.
    """
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    return table


class BusyDialog(QDialog):
    """A dialog that runs a task and cannot be closed (Escape, Cancel, window button) meanwhile.

    The subclass sets ``self._busy`` while its task runs.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._busy = False

    @property
    def busy(self) -> bool:
        return self._busy

    def reject(self) -> None:
        if not self._busy:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            event.ignore()
            return
        super().closeEvent(event)
