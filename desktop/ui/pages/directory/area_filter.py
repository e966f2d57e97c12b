"""The directory's area filter: "who serves people living in this commune?".

A provider serves a commune when it is there (commune coverage), in its province or
region (province or region coverage) or anywhere (national): the service applies that
rule, the filter only names the commune. The full commune picker does not fit in the
filter bar, so a button shows the commune chosen and opens the picker in a small dialog.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from desktop.i18n import tr
from desktop.ui.models.provider_list_model import commune_label
from desktop.ui.widgets.common import ok_cancel_buttons
from desktop.ui.widgets.commune_picker import CommunePicker


class AreaDialog(QDialog):
    """The commune picker and what the filter means, OK / Cancel."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.picker = CommunePicker(self)
        self.picker.set_commune(code or None)
        self.buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(self.accept, self.reject, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.picker)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("directory.area.title"))
        self.hint.setText(tr("directory.area.hint"))
        self.ok_button.setText(tr("directory.area.choose"))
        self.cancel_button.setText(tr("directory.cancel"))
        self.picker.retranslate()

    def commune_code(self) -> str:
        return self.picker.commune_code() or ""


class AreaFilter(QWidget):
    """A button naming the commune chosen ("every area" when none) and a clear button."""

    sig_changed = Signal(str)
    """The commune code chosen, or "" for every area."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._code = ""
        self.dialog: AreaDialog | None = None
        self.button = QPushButton()
        self.button.clicked.connect(self.choose)
        self.clear_button = QToolButton()
        self.clear_button.setText("×")
        self.clear_button.clicked.connect(self.clear)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.button)
        row.addWidget(self.clear_button)
        self.retranslate()

    def commune_code(self) -> str:
        return self._code

    def set_commune(self, code: str) -> None:
        if code == self._code:
            return
        self._code = code
        self.retranslate()
        self.sig_changed.emit(code)

    def clear(self) -> None:
        self.set_commune("")

    def choose(self) -> None:
        """Open the picker (window-modal, no nested event loop; tests reach it as ``self.dialog``)."""
        dialog = AreaDialog(self._code, self)
        self.dialog = dialog
        dialog.finished.connect(self._dialog_finished)
        dialog.open()

    def _dialog_finished(self, result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None or not shiboken6.isValid(dialog):
            return
        if result == QDialog.DialogCode.Accepted:
            self.set_commune(dialog.commune_code())
        dialog.deleteLater()

    def retranslate(self) -> None:
        name = commune_label(self._code)
        self.button.setText(name or tr("directory.area.all"))
        self.button.setToolTip(tr("directory.area.tip"))
        self.clear_button.setToolTip(tr("directory.area.clear"))
        self.clear_button.setVisible(bool(self._code))
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.retranslate()
