"""The office's profile (printed on referral slips and reports) and the auto-lock delay."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain.geography import geography
from desktop.domain.users import Role, role_at_least
from desktop.i18n import tr
from desktop.services import office
from desktop.services.office import OfficeInfo
from desktop.ui.context import AppContext
from desktop.ui.widgets.common import ErrorLabel, StatusMessages

_SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse
AUTO_LOCK_MIN = 1
AUTO_LOCK_MAX = 240


def _load_profile(handle: office.OfficeHandle) -> tuple[OfficeInfo, int]:
    return office.office_info(handle), office.auto_lock_minutes(handle)


def _update_profile(handle: office.OfficeHandle, name: str, address: str, phone: str, email: str) -> None:
    office.update_office(handle, name=name, address=address, phone=phone, email=email)


def commune_label(code: str, lang: str) -> str:
    """The commune's name in the interface language (Arabic or French), with its code.

    The code is isolated left-to-right (LRI … PDI): inside Arabic text its dots and
    the closing parenthesis would otherwise be reordered.
    """
    isolated = f"\u2066{code}\u2069"
    try:
        name = geography().name(geography().commune(code), lang)
    except KeyError:
        return isolated
    return f"{name} ({isolated})"


class OfficeTab(QWidget):
    """Editable by an administrator; read-only for everyone else."""

    sig_auto_lock_changed = Signal(int)
    """The new auto-lock delay in minutes, after it was saved (the main window's timer)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._info: OfficeInfo | None = None
        self._saved_minutes: int | None = None

        self.name_edit = QLineEdit()
        self.address_edit = QLineEdit()
        self.phone_edit = QLineEdit()
        self.email_edit = QLineEdit()
        self.commune_value = QLabel()
        self.commune_value.setTextInteractionFlags(self.commune_value.textInteractionFlags() | _SELECTABLE)
        self.auto_lock_spin = QSpinBox()
        self.auto_lock_spin.setRange(AUTO_LOCK_MIN, AUTO_LOCK_MAX)
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.error_label = ErrorLabel()
        self.messages = StatusMessages(self.status_label, self.error_label)
        self.read_only_note = QLabel()
        self.read_only_note.setWordWrap(True)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self._labels: list[tuple[QLabel, str]] = []
        for key, field in (
            ("office_page.field.name", self.name_edit),
            ("office_page.field.commune", self.commune_value),
            ("office_page.field.address", self.address_edit),
            ("office_page.field.phone", self.phone_edit),
            ("office_page.field.email", self.email_edit),
            ("office_page.field.auto_lock", self.auto_lock_spin),
        ):
            label = QLabel()
            label.setBuddy(field)
            self._labels.append((label, key))
            self.form.addRow(label, field)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.read_only_note)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        self._apply_permissions()
        self.retranslate()

    def _can_edit(self) -> bool:
        actor = self.ctx.actor
        return actor is not None and role_at_least(actor.role, Role.ADMIN)

    def _apply_permissions(self) -> None:
        editable = self._can_edit()
        for edit in (self.name_edit, self.address_edit, self.phone_edit, self.email_edit):
            edit.setReadOnly(not editable)
        self.auto_lock_spin.setReadOnly(not editable)
        self.auto_lock_spin.setButtonSymbols(
            QSpinBox.ButtonSymbols.UpDownArrows if editable else QSpinBox.ButtonSymbols.NoButtons
        )
        self.save_button.setEnabled(editable and self._info is not None)
        self.save_button.setVisible(editable)
        self.read_only_note.setVisible(self.ctx.actor is not None and not editable)

    def _show_error(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.save_button.setEnabled(self._can_edit() and self._info is not None)
        self.messages.show_error(error)

    def retranslate(self) -> None:
        for label, key in self._labels:
            label.setText(tr(key))
        self.save_button.setText(tr("admin.save"))
        self.read_only_note.setText(tr("office_page.read_only"))
        self.commune_value.setText(commune_label(self._info.commune_code, i18n.language()) if self._info else "")
        self.messages.retranslate()

    def reload(self) -> None:
        if self.ctx.actor is None:
            return
        self.ctx.call(_load_profile, on_done=self._loaded, on_error=self._show_error)

    def _loaded(self, profile: tuple[OfficeInfo, int]) -> None:
        if not shiboken6.isValid(self) or self.ctx.actor is None:
            return
        info, minutes = profile
        self._info = info
        self._saved_minutes = minutes
        self.name_edit.setText(info.name)
        self.address_edit.setText(info.address)
        self.phone_edit.setText(info.phone)
        self.email_edit.setText(info.email)
        self.auto_lock_spin.setValue(minutes)
        self.commune_value.setText(commune_label(info.commune_code, i18n.language()))
        self._apply_permissions()

    def clear(self) -> None:
        self._info = None
        self._saved_minutes = None
        self.messages.clear()
        for edit in (self.name_edit, self.address_edit, self.phone_edit, self.email_edit):
            edit.clear()
        self.commune_value.clear()
        self.auto_lock_spin.setValue(AUTO_LOCK_MIN)
        self._apply_permissions()

    def save(self) -> None:
        """The profile, then the auto-lock delay if it changed; one status at the end."""
        if not self._can_edit() or self._info is None:
            return
        self.save_button.setEnabled(False)
        self.ctx.call(
            _update_profile,
            self.name_edit.text(),
            self.address_edit.text(),
            self.phone_edit.text(),
            self.email_edit.text(),
            on_done=lambda _r: self._profile_saved(),
            on_error=self._show_error,
        )

    def _profile_saved(self) -> None:
        if not shiboken6.isValid(self):
            return
        minutes = self.auto_lock_spin.value()
        if minutes == self._saved_minutes:
            self._saved()
            return
        self.ctx.call(
            office.set_auto_lock_minutes,
            minutes,
            on_done=lambda _r: self._lock_saved(minutes),
            on_error=self._show_error,
        )

    def _lock_saved(self, minutes: int) -> None:
        if not shiboken6.isValid(self):
            return
        self._saved_minutes = minutes
        self.sig_auto_lock_changed.emit(minutes)
        self._saved()

    def _saved(self) -> None:
        self.save_button.setEnabled(True)
        self.messages.set_status("office_page.saved")
        self.reload()
