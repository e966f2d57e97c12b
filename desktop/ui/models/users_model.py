"""The staff accounts as a table: a small list, loaded whole and replaced on reload."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication, QPalette

from desktop.i18n import tr
from desktop.services.users import UserInfo
from desktop.ui.models.base import ModelIndex, TranslatedTableModel
from desktop.ui.widgets.common import format_datetime

COLUMN_KEYS = (
    "users_page.column.login",
    "users_page.column.name",
    "users_page.column.role",
    "users_page.column.state",
    "users_page.column.password_changed",
)
LOGIN, NAME, ROLE, STATE, PASSWORD_CHANGED = range(len(COLUMN_KEYS))


class UsersModel(TranslatedTableModel):
    """Rows are :class:`UserInfo` DTOs; role and state are translated when shown."""

    column_keys = COLUMN_KEYS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._users: list[UserInfo] = []

    def set_users(self, users: list[UserInfo]) -> None:
        self.beginResetModel()
        self._users = list(users)
        self.endResetModel()

    def clear(self) -> None:
        self.set_users([])

    def user_at(self, row: int) -> UserInfo | None:
        return self._users[row] if 0 <= row < len(self._users) else None

    def row_of(self, login: str) -> int:
        for row, user in enumerate(self._users):
            if user.login == login:
                return row
        return -1

    def row_count(self) -> int:
        return len(self._users)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        user = self.user_at(index.row())
        if user is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == LOGIN:
                return user.login
            if column == NAME:
                return user.display_name
            if column == ROLE:
                return tr(f"role.{user.role}")
            if column == STATE:
                return tr("users.active") if user.active else tr("users.disabled")
            if column == PASSWORD_CHANGED:
                return format_datetime(user.password_changed_at)
        elif role == Qt.ItemDataRole.ForegroundRole and not user.active:
            return QGuiApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        elif role == Qt.ItemDataRole.UserRole:
            return user.login
        return None
