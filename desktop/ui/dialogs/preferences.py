"""Preferences of the person on this PC: the interface language."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from desktop.i18n import tr
from desktop.ui.context import AppContext
from desktop.ui.widgets.common import LanguageCombo


class PreferencesDialog(QDialog):
    """Switching language keeps everything open and typed (no restart)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.language_label = QLabel()
        self.language_combo = LanguageCombo()
        self.language_label.setBuddy(self.language_combo)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.apply_and_close)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.language_label, self.language_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        ctx.languages.sig_language_changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("prefs.title"))
        self.language_label.setText(tr("prefs.language"))
        self.note.setText(tr("prefs.language_note"))

    def apply_and_close(self) -> None:
        lang = self.language_combo.language()
        self.ctx.settings.language = lang
        self.ctx.save_settings()
        self.ctx.languages.apply(lang)
        self.accept()
