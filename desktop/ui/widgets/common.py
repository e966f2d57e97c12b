"""Small shared pieces: error text, message boxes, formatting, language picker."""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QDateTime, QLocale, QTimeZone
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QWidget

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


class ErrorLabel(QLabel):
    """An inline message under a form, in the palette's error colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setObjectName("errorLabel")
        self.setStyleSheet("color: #c62828; font-weight: 600;")
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
