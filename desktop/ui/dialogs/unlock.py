"""Unlocking an office: login + password, or the recovery code.

The password is checked on the database thread (Argon2id takes ~0.4 s), so the
window stays responsive. Wrong password, lock-out delay and a damaged file each
get their own sentence; never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import LockedOut
from desktop.i18n import tr
from desktop.services import office as office_service
from desktop.services.office import OfficeHandle
from desktop.ui.context import AppContext
from desktop.ui.widgets.common import ErrorLabel, LanguageCombo


class UnlockForm(QWidget):
    """The login form, shared by the unlock dialog and the lock screen."""

    sig_unlocked = Signal(object)
    """The open :class:`OfficeHandle`."""

    def __init__(self, ctx: AppContext, db_path: Path, login: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.db_path = db_path
        self._wait_left = 0
        self.file_label = QLabel()
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.login_label = QLabel()
        self.login_edit = QLineEdit(login)
        self.password_label = QLabel()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.recovery_check = QCheckBox()
        self.recovery_check.toggled.connect(self._recovery_toggled)
        self.error = ErrorLabel()
        self.busy_label = QLabel()
        self.busy_label.hide()
        self.unlock_button = QPushButton()
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.login_edit.returnPressed.connect(self.password_edit.setFocus)
        self.password_edit.returnPressed.connect(self.submit)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

        form = QFormLayout()
        form.addRow(self.login_label, self.login_edit)
        form.addRow(self.password_label, self.password_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_label)
        layout.addLayout(form)
        layout.addWidget(self.recovery_check)
        layout.addWidget(self.error)
        layout.addWidget(self.busy_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        layout.addLayout(buttons)
        self.login_label.setBuddy(self.login_edit)
        self.password_label.setBuddy(self.password_edit)
        ctx.languages.sig_language_changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self) -> None:
        self.file_label.setText(tr("unlock.file", name=self.db_path.name))
        self.file_label.setToolTip(str(self.db_path))
        self.login_label.setText(tr("unlock.login"))
        recovery = self.recovery_check.isChecked()
        self.password_label.setText(tr("unlock.recovery_code") if recovery else tr("unlock.password"))
        self.recovery_check.setText(tr("unlock.use_recovery"))
        self.unlock_button.setText(tr("unlock.button"))
        self.busy_label.setText(tr("unlock.busy"))
        if self._wait_left:
            self.error.show_text(tr("error.locked_out", seconds=self._wait_left))

    def focus_first(self) -> None:
        (self.password_edit if self.login_edit.text() else self.login_edit).setFocus()

    def _recovery_toggled(self, on: bool) -> None:
        self.login_edit.setEnabled(not on)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        self.password_edit.clear()
        self.retranslate()

    def submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        secret = self.password_edit.text()
        login = self.login_edit.text().strip()
        if not secret or (not login and not self.recovery_check.isChecked()):
            self.error.show_text(tr("unlock.fill_both"))
            return
        self.error.clear_text()
        self._set_busy(True)
        if self.recovery_check.isChecked():
            self.ctx.run(
                office_service.unlock_with_recovery, self.db_path, secret, on_done=self._done, on_error=self._failed
            )
        else:
            self.ctx.run(office_service.unlock, self.db_path, login, secret, on_done=self._done, on_error=self._failed)

    def _set_busy(self, busy: bool) -> None:
        self.busy_label.setVisible(busy)
        for widget in (self.unlock_button, self.login_edit, self.password_edit, self.recovery_check):
            widget.setEnabled(not busy and not (widget is self.login_edit and self.recovery_check.isChecked()))

    def _done(self, handle: OfficeHandle) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        self.sig_unlocked.emit(handle)

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        self.password_edit.setFocus()
        if isinstance(error, LockedOut):
            self._wait_left = error.seconds
            self.unlock_button.setEnabled(False)
            self._timer.start()
        self.error.show_error(error)

    def _tick(self) -> None:
        self._wait_left = max(0, self._wait_left - 1)
        if self._wait_left == 0:
            self._timer.stop()
            self.unlock_button.setEnabled(True)
            self.error.clear_text()
        else:
            self.error.show_text(tr("error.locked_out", seconds=self._wait_left))

    def clear(self) -> None:
        self.password_edit.clear()
        self.error.clear_text()


class UnlockDialog(QDialog):
    """First window when an office exists: language, login, password."""

    OTHER_OFFICE = 2  # done() code: the person wants another office (welcome dialog)

    def __init__(self, ctx: AppContext, db_path: Path, login: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.handle: OfficeHandle | None = None
        self.language_combo = LanguageCombo()
        self.language_combo.currentIndexChanged.connect(self._language_chosen)
        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.form = UnlockForm(ctx, db_path, login)
        self.form.sig_unlocked.connect(self._unlocked)
        self.other_button = QPushButton()
        self.other_button.setAutoDefault(False)
        self.other_button.clicked.connect(lambda: self.done(self.OTHER_OFFICE))
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.language_combo)
        bottom = QHBoxLayout()
        bottom.addWidget(self.other_button)
        bottom.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.form)
        layout.addLayout(bottom)
        self.setMinimumWidth(460)
        ctx.languages.sig_language_changed.connect(self.retranslate)
        self.retranslate()
        self.form.focus_first()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("unlock.window_title"))
        self.title.setText(tr("unlock.title"))
        self.other_button.setText(tr("unlock.other_office"))
        self.language_combo.blockSignals(True)
        self.language_combo.set_language(self.ctx.languages_code())
        self.language_combo.blockSignals(False)

    def _language_chosen(self) -> None:
        lang = self.language_combo.language()
        self.ctx.languages.apply(lang)
        self.ctx.settings.language = lang
        self.ctx.save_settings()

    def _unlocked(self, handle: OfficeHandle) -> None:
        self.handle = handle
        self.accept()
