"""The welcome screen: choose the language, then create, try, open or restore an office.

Shown at first start, and reachable later to switch office, so it never assumes
that no office exists. Each choice runs to its end here (the wizard, the demo
dialog, the file dialog, the restore) and the dialog is accepted only once an
office file is ready:

- ``choice``: ``"create"``, ``"demo"``, ``"open"`` or ``"restore"``;
- ``chosen_path``: the office database to open;
- ``handle``: for ``"create"`` only, the new office already unlocked as its admin
  (the caller owns it: ``ctx.set_handle(dialog.handle)``). Other choices still need
  the unlock screen.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop import config
from desktop.i18n import tr
from desktop.services import office as office_service
from desktop.services.maintenance import restore_office
from desktop.services.office import OfficeHandle
from desktop.ui.context import AppContext
from desktop.ui.dialogs.demo_office import DemoOfficeDialog
from desktop.ui.dialogs.office_wizard import (
    OfficeWizard,
    align_to_ui,
    error_text,
    free_office_path,
    isolate_ltr,
    make_parent_folder,
)
from desktop.ui.widgets.common import BusyDialog, ErrorLabel, LanguageCombo, busy_bar, ok_cancel_buttons

CHOICES = ("create", "demo", "open", "restore")
RECOVERY_LOGIN = "recovery"
"""What :func:`restore_office` takes as login to use the recovery code."""


def restore_into(backup: Path, target: Path, login: str, password: str) -> Path:
    """Runs on the database thread: make the folder if needed, then restore."""
    make_parent_folder(target)
    restore_office(backup, target, login, password)
    return target


class RestoreDialog(BusyDialog):
    """Who restores: a login and password (or the recovery code) valid in the backup."""

    def __init__(self, ctx: AppContext, backup: Path, target: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.backup = backup
        self.target = target
        self.restored_path: Path | None = None
        self.setMinimumWidth(520)

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.backup_label, self.target_label = QLabel(self), QLabel(self)
        self.backup_value = QLabel(str(backup), self)
        self.target_value = QLabel(str(target), self)
        for value in (self.backup_value, self.target_value):
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.login_label, self.password_label = QLabel(self), QLabel(self)
        self.login_edit = QLineEdit(ctx.settings.last_login or "", self)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        for edit in (self.login_edit, self.password_edit):
            edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.login_label.setBuddy(self.login_edit)
        self.password_label.setBuddy(self.password_edit)
        self.recovery_check = QCheckBox(self)
        self.error_label = ErrorLabel(self)
        self.busy_label = QLabel(self)
        self.busy_bar = busy_bar(self)
        self.busy_label.hide()

        self.form_widget = QWidget(self)
        form = QFormLayout(self.form_widget)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.backup_label, self.backup_value)
        form.addRow(self.target_label, self.target_value)
        form.addRow(self.login_label, self.login_edit)
        form.addRow(self.password_label, self.password_edit)
        form.addRow("", self.recovery_check)

        self.buttons, self.restore_button, self.cancel_button = ok_cancel_buttons(self.start_restore, self.reject, self)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.form_widget)
        layout.addWidget(self.error_label)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.busy_bar)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.recovery_check.toggled.connect(self._on_recovery_toggled)
        self.login_edit.textChanged.connect(self._on_edited)
        self.password_edit.textChanged.connect(self._on_edited)
        ctx.languages.sig_language_changed.connect(self._on_language_changed)
        self.retranslate()
        (self.password_edit if self.login_edit.text() else self.login_edit).setFocus()

    def _on_language_changed(self, _lang: str) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("welcome.restore_title"))
        align_to_ui(self.backup_value)
        align_to_ui(self.target_value)
        self.intro.setText(tr("welcome.restore_intro"))
        self.backup_label.setText(tr("welcome.restore_backup"))
        self.target_label.setText(tr("welcome.restore_target"))
        self.login_label.setText(tr("welcome.restore_login"))
        recovery = self.recovery_check.isChecked()
        self.password_label.setText(tr("welcome.restore_code") if recovery else tr("welcome.restore_password"))
        self.recovery_check.setText(tr("welcome.restore_use_recovery"))
        self.busy_label.setText(tr("welcome.restoring"))
        self.restore_button.setText(tr("welcome.restore_button"))
        self.cancel_button.setText(tr("welcome.cancel"))

    def _on_edited(self, _text: str) -> None:
        self.error_label.clear_text()

    def _on_recovery_toggled(self, checked: bool) -> None:
        self.login_edit.setEnabled(not checked)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Normal if checked else QLineEdit.EchoMode.Password)
        self.password_edit.clear()
        self.retranslate()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.form_widget.setEnabled(not busy)
        self.restore_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.busy_label.setVisible(busy)
        self.busy_bar.setVisible(busy)

    def start_restore(self) -> None:
        if self._busy:
            return
        recovery = self.recovery_check.isChecked()
        login = RECOVERY_LOGIN if recovery else self.login_edit.text().strip()
        password = self.password_edit.text()
        if not login or not password:
            self.error_label.show_text(tr("welcome.restore_missing"))
            return
        self.error_label.clear_text()
        self._set_busy(True)
        self.ctx.run(
            restore_into, self.backup, self.target, login, password, on_done=self._on_done, on_error=self._on_error
        )

    def _on_done(self, path: Path) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        self.restored_path = path
        if not self.recovery_check.isChecked():
            self.ctx.settings.last_login = self.login_edit.text().strip().lower()
        self.accept()

    def _on_error(self, error: BaseException) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        self.error_label.show_text(error_text(error))
        self.password_edit.setFocus()


class ChoiceButton(QPushButton):
    """A big button: icon, title and a line of explanation, mirrored in right-to-left."""

    def __init__(self, icon: QIcon, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeChoice")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.icon_label = QLabel(self)
        self.icon_label.setPixmap(icon.pixmap(QSize(32, 32)))
        self.title_label = QLabel(self)
        title_font = self.title_label.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.25)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.description_label = QLabel(self)
        for label in (self.icon_label, self.title_label, self.description_label):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.title_label)
        texts.addWidget(self.description_label)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 10, 14, 10)
        row.setSpacing(14)
        row.addWidget(self.icon_label)
        row.addLayout(texts, 1)

    def text(self) -> str:
        return self.title_label.text()

    def setText(self, text: str) -> None:
        self.title_label.setText(text)
        self.setAccessibleName(text)

    def description(self) -> str:
        return self.description_label.text()

    def setDescription(self, text: str) -> None:
        self.description_label.setText(text)
        self.setAccessibleDescription(text)

    def sizeHint(self) -> QSize:
        layout = self.layout()
        return layout.sizeHint() if layout is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        layout = self.layout()
        return layout.minimumSize() if layout is not None else super().minimumSizeHint()


class WelcomeDialog(QDialog):
    """First screen: the language, then one of four ways to get an office."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.choice: str | None = None
        self.chosen_path: Path | None = None
        self.handle: OfficeHandle | None = None
        self.active_dialog: QDialog | None = None
        """The wizard or sub-dialog currently open over this one (tests drive it)."""
        self.setMinimumWidth(640)

        self.language_label = QLabel(self)
        self.language_combo = LanguageCombo(self)
        self.language_label.setBuddy(self.language_combo)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.language_label)
        top.addWidget(self.language_combo)

        self.title = QLabel(self)
        self.title.setObjectName("welcomeTitle")
        self.title.setStyleSheet("font-size: 20pt; font-weight: 600;")
        self.title.setWordWrap(True)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)

        style = self.style()
        self.create_button = self._choice_button(style.standardIcon(QStyle.StandardPixmap.SP_FileDialogNewFolder))
        self.demo_button = self._choice_button(style.standardIcon(QStyle.StandardPixmap.SP_FileDialogInfoView))
        self.open_button = self._choice_button(style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton))
        self.restore_button = self._choice_button(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.create_button.clicked.connect(self.start_create)
        self.demo_button.clicked.connect(self.start_demo)
        self.open_button.clicked.connect(self.start_open)
        self.restore_button.clicked.connect(self.start_restore)
        self.error_label = ErrorLabel(self)

        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addSpacing(6)
        for button in (self.create_button, self.demo_button, self.open_button, self.restore_button):
            layout.addWidget(button)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addLayout(bottom)

        self.language_combo.currentIndexChanged.connect(self._on_language_picked)
        ctx.languages.sig_language_changed.connect(self._on_language_changed)
        self.retranslate()
        self.create_button.setFocus()

    def _choice_button(self, icon: QIcon) -> ChoiceButton:
        return ChoiceButton(icon, self)

    # -- language -------------------------------------------------------------------
    def _on_language_picked(self, _index: int) -> None:
        lang = self.language_combo.language()
        self.ctx.languages.apply(lang)
        self.ctx.settings.language = lang
        with contextlib.suppress(OSError):
            self.ctx.settings.save()

    def _on_language_changed(self, lang: str) -> None:
        self.language_combo.blockSignals(True)
        self.language_combo.set_language(lang)
        self.language_combo.blockSignals(False)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("welcome.window_title"))
        self.language_label.setText(tr("welcome.language"))
        self.title.setText(tr("welcome.title"))
        self.intro.setText(tr("welcome.intro"))
        self.create_button.setText(tr("welcome.create"))
        self.create_button.setDescription(tr("welcome.create_description"))
        self.demo_button.setText(tr("welcome.demo"))
        self.demo_button.setDescription(tr("welcome.demo_description"))
        self.open_button.setText(tr("welcome.open"))
        self.open_button.setDescription(tr("welcome.open_description"))
        self.restore_button.setText(tr("welcome.restore"))
        self.restore_button.setDescription(tr("welcome.restore_description"))
        self.close_button.setText(tr("welcome.close"))

    # -- the four choices -------------------------------------------------------------
    def _finish(self, choice: str, path: Path, handle: OfficeHandle | None = None) -> None:
        self.choice = choice
        self.chosen_path = path
        self.handle = handle
        self.accept()

    def _open_sub_dialog(self, dialog: QDialog) -> None:
        self.error_label.clear_text()
        self.active_dialog = dialog
        dialog.finished.connect(self._on_sub_dialog_finished)
        dialog.open()

    def _on_sub_dialog_finished(self, result: int) -> None:
        dialog, self.active_dialog = self.active_dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted:
            return
        if isinstance(dialog, OfficeWizard) and dialog.db_path is not None:
            self._finish("create", dialog.db_path, dialog.handle)
        elif isinstance(dialog, DemoOfficeDialog) and dialog.db_path is not None:
            self._finish("demo", dialog.db_path)
        elif isinstance(dialog, RestoreDialog) and dialog.restored_path is not None:
            self._finish("restore", dialog.restored_path)

    def start_create(self) -> None:
        self._open_sub_dialog(OfficeWizard(self.ctx, config.default_office_path(), self))

    def start_demo(self) -> None:
        self._open_sub_dialog(DemoOfficeDialog(self.ctx, self))

    def _ask_open_path(self) -> Path | None:
        """The file dialog for an office (tests replace this method)."""
        start = self.ctx.settings.last_database or str(config.data_dir())
        chosen, _filter = QFileDialog.getOpenFileName(self, tr("welcome.open_title"), start, tr("welcome.open_filter"))
        return Path(chosen) if chosen else None

    def start_open(self) -> None:
        self.error_label.clear_text()
        path = self._ask_open_path()
        if path is None:
            return
        if not path.is_file():
            self.error_label.show_text(tr("error.db_missing", path=isolate_ltr(str(path))))
            return
        if not office_service.office_exists(path):
            self.error_label.show_text(tr("error.keys_missing"))
            return
        self._finish("open", path)

    def _ask_backup_path(self) -> Path | None:
        """The file dialog for a backup (tests replace this method)."""
        chosen, _filter = QFileDialog.getOpenFileName(
            self, tr("welcome.backup_title"), str(config.data_dir()), tr("welcome.backup_filter")
        )
        return Path(chosen) if chosen else None

    def restore_target(self) -> Path:
        """The usual office place, or a free name beside it (nothing is overwritten)."""
        return free_office_path(config.default_office_path())

    def start_restore(self) -> None:
        self.error_label.clear_text()
        backup = self._ask_backup_path()
        if backup is None:
            return
        if not backup.is_file():
            self.error_label.show_text(tr("error.backup_missing", path=isolate_ltr(str(backup))))
            return
        self._open_sub_dialog(RestoreDialog(self.ctx, backup, self.restore_target(), self))

    def reject(self) -> None:
        if self.active_dialog is not None:
            return
        super().reject()
