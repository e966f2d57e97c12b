"""Staff accounts: who may open the office, with which role; passwords."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QItemSelection
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.users import Role, role_at_least
from desktop.i18n import tr
from desktop.services import users
from desktop.services.users import UserInfo
from desktop.ui.context import AppContext
from desktop.ui.dialogs.user_dialogs import AddUserDialog, ChangePasswordDialog, ResetPasswordDialog
from desktop.ui.models.users_model import NAME, UsersModel
from desktop.ui.widgets.common import ErrorLabel, StatusMessages, confirm, records_table, select_row


class UsersTab(QWidget):
    """The accounts table and the actions on it (admin), plus "change my password" (anyone)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = UsersModel(self)
        self.dialog: QDialog | None = None
        self._select_after_load = ""

        self.add_button = QPushButton()
        self.toggle_button = QPushButton()
        self.reset_button = QPushButton()
        self.change_own_button = QPushButton()
        self.add_button.clicked.connect(self.add_user)
        self.toggle_button.clicked.connect(self.toggle_active)
        self.reset_button.clicked.connect(self.reset_password)
        self.change_own_button.clicked.connect(self.change_own_password)

        self.table = records_table(self.model, NAME)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.reset_password())

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.error_label = ErrorLabel()
        self.messages = StatusMessages(self.status_label, self.error_label)

        actions = QHBoxLayout()
        actions.addWidget(self.add_button)
        actions.addWidget(self.toggle_button)
        actions.addWidget(self.reset_button)
        actions.addStretch(1)
        actions.addWidget(self.change_own_button)
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        self.retranslate()

    # -- state -----------------------------------------------------------------

    def _is_admin(self) -> bool:
        actor = self.ctx.actor
        return actor is not None and role_at_least(actor.role, Role.ADMIN)

    def selected_user(self) -> UserInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.user_at(rows[0].row()) if rows else None

    def select_login(self, login: str) -> None:
        row = self.model.row_of(login)
        if row >= 0:
            select_row(self.table, row)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        actor = self.ctx.actor
        admin = self._is_admin()
        user = self.selected_user()
        is_self = user is not None and actor is not None and user.id == actor.user_id
        self.add_button.setEnabled(admin)
        self.toggle_button.setEnabled(admin and user is not None and not is_self)
        self.reset_button.setEnabled(admin and user is not None)
        self.change_own_button.setEnabled(actor is not None and actor.user_id is not None)
        enable = user is not None and not user.active
        self.toggle_button.setText(tr("users_page.enable") if enable else tr("users_page.disable"))

    def _show_error(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.messages.show_error(error)

    # -- page contract ---------------------------------------------------------

    def retranslate(self) -> None:
        self.add_button.setText(tr("users_page.add"))
        self.reset_button.setText(tr("users_page.reset"))
        self.change_own_button.setText(tr("users_page.change_own"))
        self.model.retranslate()
        self._update_buttons()
        self.messages.retranslate()

    def reload(self) -> None:
        if self.ctx.actor is None:
            return
        self.ctx.call(users.list_users, on_done=self._loaded, on_error=self._show_error)

    def _loaded(self, infos: list[UserInfo]) -> None:
        if not shiboken6.isValid(self) or self.ctx.actor is None:
            return
        current = self.selected_user()
        selected = self._select_after_load or (current.login if current else "")
        self._select_after_load = ""
        self.model.set_users(infos)
        if selected:
            self.select_login(selected)
        self._update_buttons()

    def clear(self) -> None:
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.reject()
        self.dialog = None
        self.model.clear()
        self.messages.clear()
        self._update_buttons()

    # -- actions ---------------------------------------------------------------

    def _open(self, dialog: QDialog) -> None:
        """Window-modal without a nested event loop; tests reach it as ``self.dialog``."""
        self.dialog = dialog
        dialog.finished.connect(lambda _result: self._dialog_finished(dialog))
        dialog.open()

    def _dialog_finished(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def add_user(self) -> None:
        dialog = AddUserDialog(self.ctx, self)
        dialog.accepted.connect(lambda: self._user_added(dialog.created_login))
        self._open(dialog)

    def _user_added(self, login: str) -> None:
        self.messages.set_status("users_page.added", login=login)
        self._select_after_load = login
        self.reload()

    def toggle_active(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        if user.active:
            if confirm(self, tr("users_page.confirm_disable", login=user.login)):
                self._set_active(user.login, False)
        elif not user.has_key_slot:
            # A disabled account lost its key slot: only a new password brings it back.
            self.reset_password()
        elif confirm(self, tr("users_page.confirm_enable", login=user.login)):
            self._set_active(user.login, True)

    def _set_active(self, login: str, active: bool) -> None:
        def done(_result: object) -> None:
            self.messages.set_status("users_page.enabled" if active else "users_page.disabled", login=login)
            self.reload()

        self.ctx.call(users.set_active, login, active, on_done=done, on_error=self._show_error)

    def reset_password(self) -> None:
        user = self.selected_user()
        if user is None or not self._is_admin():
            return
        dialog = ResetPasswordDialog(self.ctx, user.login, self)
        dialog.accepted.connect(lambda: self._password_reset(user.login))
        self._open(dialog)

    def _password_reset(self, login: str) -> None:
        self.messages.set_status("users_page.reset_done", login=login)
        self.reload()

    def change_own_password(self) -> None:
        dialog = ChangePasswordDialog(self.ctx, self)
        dialog.accepted.connect(lambda: self.messages.set_status("users_page.change_done"))
        self._open(dialog)
