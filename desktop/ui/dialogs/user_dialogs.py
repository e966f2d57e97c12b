"""Account dialogs: add a user, reset someone's password, change one's own.

Each dialog sends its form to a service through ``ctx.call`` and stays open until
the service answers: a refusal (a :class:`BaomError` such as a short password or a
login already taken) is shown inline under the form, in the interface language,
and the person corrects it without retyping everything. The dialogs are opened
with ``open()`` (window-modal, no nested event loop); ``accepted`` means done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import InputRejected
from desktop.domain.users import MIN_PASSWORD_LENGTH, Role
from desktop.i18n import tr
from desktop.services import users
from desktop.ui.context import AppContext
from desktop.ui.widgets.common import ErrorLabel, ok_cancel_buttons


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class _AccountDialog(QDialog):
    """A form ending with a new password, an inline error, a primary button that calls a service."""

    title_key = ""
    submit_key = "admin.save"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._error: BaseException | None = None
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self._labels: list[tuple[QLabel, str]] = []
        self.error_label = ErrorLabel()
        self.buttons, self.submit_button, self.cancel_button = ok_cancel_buttons(self.submit, self.reject)
        self.password_edit = _password_edit()
        self.confirm_edit = _password_edit()
        self.password_hint = QLabel()
        self.password_hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 75)
        ctx.languages.sig_language_changed.connect(self._language_changed)
        ctx.sig_locked.connect(self.reject)

    def sizeHint(self) -> QSize:
        """Height computed at the width the dialog really gets (wrapped hint and error)."""
        hint = super().sizeHint()
        width = max(hint.width(), self.minimumWidth())
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            return QSize(width, layout.totalHeightForWidth(width))
        return QSize(width, hint.height())

    def add_row(self, key: str, field: QWidget) -> QLabel:
        label = QLabel()
        label.setBuddy(field)
        self._labels.append((label, key))
        self.form.addRow(label, field)
        return label

    def add_new_password_rows(self, password_key: str) -> None:
        """The new password, its confirmation and the rule it must follow, under the rows so far."""
        self.add_row(password_key, self.password_edit)
        self.add_row("users_page.field.confirm", self.confirm_edit)
        self.form.addRow(self.password_hint)

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr(self.title_key))
        for label, key in self._labels:
            label.setText(tr(key))
        self.submit_button.setText(tr(self.submit_key))
        self.cancel_button.setText(tr("admin.cancel"))
        self.password_hint.setText(tr("users_page.password_hint", minimum=MIN_PASSWORD_LENGTH))
        if self._error is not None:
            self.error_label.show_error(self._error)

    def show_error(self, error: BaseException) -> None:
        """Inline, kept so a language switch re-translates it."""
        self._error = error
        self.error_label.show_error(error)

    def clear_error(self) -> None:
        self._error = None
        self.error_label.clear_text()

    def submit(self) -> None:
        raise NotImplementedError

    def _send(self, fn: Callable[..., Any], *args: Any) -> None:
        self.clear_error()
        self.submit_button.setEnabled(False)
        self.ctx.call(fn, *args, on_done=self._succeeded, on_error=self._failed)

    def _succeeded(self, _result: object) -> None:
        if not shiboken6.isValid(self):
            return
        self.submit_button.setEnabled(True)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.submit_button.setEnabled(True)
        self.show_error(error)

    def _passwords_differ(self) -> bool:
        if self.password_edit.text() != self.confirm_edit.text():
            self.show_error(InputRejected("users_page.passwords_differ"))
            self.confirm_edit.setFocus()
            return True
        return False

    def done(self, result: int) -> None:
        """Passwords do not outlive the dialog."""
        for edit in self.findChildren(QLineEdit):
            if edit.echoMode() == QLineEdit.EchoMode.Password:
                edit.clear()
        super().done(result)


class AddUserDialog(_AccountDialog):
    """Create a staff account (admin only): login, name, role, first password."""

    title_key = "users_page.add_title"
    submit_key = "users_page.add_submit"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.login_edit = QLineEdit()
        self.name_edit = QLineEdit()
        self.role_combo = QComboBox()
        for role in (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN):
            self.role_combo.addItem("", role.value)
        self.add_row("users_page.field.login", self.login_edit)
        self.add_row("users_page.field.name", self.name_edit)
        self.add_row("users_page.field.role", self.role_combo)
        self.add_new_password_rows("users_page.field.password")
        self.created_login = ""
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        for index in range(self.role_combo.count()):
            self.role_combo.setItemText(index, tr(f"role.{self.role_combo.itemData(index)}"))
        self.login_edit.setPlaceholderText(tr("users_page.login_hint"))

    def set_role(self, role: str) -> None:
        index = self.role_combo.findData(role)
        if index >= 0:
            self.role_combo.setCurrentIndex(index)

    def submit(self) -> None:
        if self._passwords_differ():
            return
        self.created_login = self.login_edit.text().strip().lower()
        self._send(
            users.add_user,
            self.login_edit.text(),
            self.name_edit.text(),
            str(self.role_combo.currentData()),
            self.password_edit.text(),
        )


class ResetPasswordDialog(_AccountDialog):
    """An admin gives a user a new password (this also re-enables a disabled account)."""

    title_key = "users_page.reset_title"
    submit_key = "users_page.reset_submit"

    def __init__(self, ctx: AppContext, login: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.login = login
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.form.addRow(self.intro)
        self.add_new_password_rows("users_page.field.new_password")
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        self.intro.setText(tr("users_page.reset_intro", login=self.login))

    def submit(self) -> None:
        if self._passwords_differ():
            return
        self._send(users.reset_password, self.login, self.password_edit.text())


class ChangePasswordDialog(_AccountDialog):
    """Anyone changes their own password; only their key slot is rewritten."""

    title_key = "users_page.change_title"
    submit_key = "users_page.change_submit"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.old_edit = _password_edit()
        self.add_row("users_page.field.old_password", self.old_edit)
        self.add_new_password_rows("users_page.field.new_password")
        self.retranslate()

    def submit(self) -> None:
        if self._passwords_differ():
            return
        self._send(users.change_own_password, self.old_edit.text(), self.password_edit.text())
