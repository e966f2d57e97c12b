"""Switching the interface language at run time (French, Arabic, English).

One :class:`LanguageManager` per application: it sets the domain-side language
(:mod:`desktop.i18n`), Qt's own translations, the Moroccan locale for numbers and
dates, and the layout direction (Arabic: the whole application right to left),
then emits ``sig_language_changed`` so each widget re-runs ``retranslate()``.
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, Qt, QTranslator, Signal
from PySide6.QtWidgets import QApplication

from desktop import i18n


class LanguageManager(QObject):
    sig_language_changed = Signal(str)
    """The new language code; widgets connect ``retranslate`` to it."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._qt_translator: QTranslator | None = None

    def apply(self, lang: str) -> None:
        lang = i18n.normalise_language(lang)
        i18n.set_language(lang)
        QLocale.setDefault(locale_for(lang))
        self._install_qt_translations(lang)
        self._app.setLayoutDirection(
            Qt.LayoutDirection.RightToLeft if i18n.is_rtl(lang) else Qt.LayoutDirection.LeftToRight
        )
        self.sig_language_changed.emit(lang)

    def _install_qt_translations(self, lang: str) -> None:
        if self._qt_translator is not None:
            self._app.removeTranslator(self._qt_translator)
            self._qt_translator = None
        translator = QTranslator(self)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(f"qtbase_{lang}", folder):
            self._app.installTranslator(translator)
            self._qt_translator = translator


def locale_for(lang: str) -> QLocale:
    """fr_MA / ar_MA (Western digits, as in Morocco) / en_MA."""
    return QLocale(i18n.LOCALE_NAMES.get(lang, "fr_MA"))


_manager: dict[str, LanguageManager] = {}


def languages() -> LanguageManager:
    """The application's language manager (created on first use)."""
    manager = _manager.get("m")
    app = QApplication.instance()
    if manager is None or manager.parent() is not app:
        assert isinstance(app, QApplication)
        manager = LanguageManager(app)
        _manager["m"] = manager
    return manager
