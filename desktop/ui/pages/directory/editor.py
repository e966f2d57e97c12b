"""Adding or editing a provider of the service directory.

The provider is read on the database thread, edited on three tabs and saved in one
call to ``save_provider``, which checks everything first: its message (the first
problem, in the interface language) shows at the top and the field it is about is
framed in red. Closing with unsaved changes asks first; locking the office closes
the dialog without asking.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from desktop.i18n import tr
from desktop.services import directory
from desktop.services.office import OfficeInfo, office_info
from desktop.services.referral_types import ProviderInput
from desktop.ui.context import AppContext
from desktop.ui.models.provider_list_model import display_name
from desktop.ui.pages.directory.provider_fields import ProviderFields
from desktop.ui.widgets.common import BusyDialog, ErrorLabel, confirm, ok_cancel_buttons


def new_provider() -> ProviderInput:
    """What a new provider starts as: no type chosen, free, serving its commune."""
    return ProviderInput(name_fr="", kind="", coverage="commune", cost="free")


class ProviderEditorDialog(BusyDialog):
    """Nouvelle structure / Modifier la structure."""

    sig_saved = Signal(int)
    """The provider's id, once saved."""

    def __init__(self, ctx: AppContext, provider_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.provider_id = provider_id
        self._error: BaseException | None = None
        self._baseline: ProviderInput | None = None
        self._loading = provider_id is not None
        self.setSizeGripEnabled(True)

        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.heading.setFont(font)
        self.error_label = ErrorLabel()
        self.fields = ProviderFields()
        self.buttons, self.save_button, self.cancel_button = ok_cancel_buttons(self.save, self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.error_label)
        layout.addWidget(self.fields, 1)
        layout.addWidget(self.buttons)

        ctx.languages.sig_language_changed.connect(self._language_changed)
        ctx.sig_locked.connect(self._locked)
        if provider_id is None:
            self.fields.set_value(new_provider())
            self.mark_clean()
            ctx.call(office_info, on_done=self._office_known)
        else:
            self.fields.setEnabled(False)
            self.save_button.setEnabled(False)
            ctx.call(directory.get_provider, provider_id, on_done=self._loaded, on_error=self._load_failed)
        self.retranslate()
        self.resize(self._initial_size())

    def _initial_size(self) -> QSize:
        wanted = QSize(1100, 690)
        screen = self.screen()
        if screen is None:
            return wanted
        available = screen.availableGeometry().size()
        return QSize(min(wanted.width(), available.width() - 40), min(wanted.height(), available.height() - 60))

    # -- loading -------------------------------------------------------------------------
    def _office_known(self, info: OfficeInfo) -> None:
        """A new provider is most often in the office's own commune."""
        if not shiboken6.isValid(self) or self.is_dirty():
            return
        self.fields.commune_picker.set_commune(info.commune_code or None)
        self.mark_clean()

    def _loaded(self, data: ProviderInput) -> None:
        if not shiboken6.isValid(self):
            return
        self._loading = False
        self.fields.set_value(data)
        self.fields.setEnabled(True)
        self.save_button.setEnabled(True)
        self.mark_clean()
        self.retranslate()
        self.fields.name_fr_edit.setFocus()

    def _load_failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self):
            self._loading = False
            self.show_error(error)

    # -- state ---------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        return not self._loading and self._baseline is not None and self.fields.value() != self._baseline

    def mark_clean(self) -> None:
        self._baseline = self.fields.value()

    def show_error(self, error: BaseException) -> None:
        self._error = error
        self.error_label.show_error(error)

    def clear_error(self) -> None:
        self._error = None
        self.error_label.clear_text()
        self.fields.clear_problem()

    # -- saving --------------------------------------------------------------------------
    def save(self) -> None:
        if self.busy or self._loading:
            return
        self.clear_error()
        self._set_busy(True)
        self.ctx.call(
            directory.save_provider,
            self.fields.value(),
            self.provider_id,
            on_done=self._saved,
            on_error=self._save_failed,
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.save_button.setText(tr("directory.editor.saving") if busy else tr("directory.editor.save"))

    def _saved(self, provider_id: int) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        self.provider_id = provider_id
        self.mark_clean()
        self.sig_saved.emit(provider_id)
        self.accept()

    def _save_failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        self.show_error(error)
        self.fields.show_problem(error)

    # -- leaving -------------------------------------------------------------------------
    def _confirm_discard(self) -> bool:
        """Ask before losing what was typed (tests replace this)."""
        return confirm(self, tr("directory.editor.confirm_discard"))

    def reject(self) -> None:
        """Cancel, Escape or the window's close button: ask first if something changed."""
        if self.busy:
            return
        if self.is_dirty() and not self._confirm_discard():
            return
        super().reject()

    def _locked(self) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self._baseline = None
        if self.isVisible():
            self.done(QDialog.DialogCode.Rejected)

    # -- language ------------------------------------------------------------------------
    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    def retranslate(self) -> None:
        name = display_name(self.fields.name_fr_edit.text(), self.fields.name_ar_edit.text())
        if self.provider_id is None:
            title = tr("directory.editor.new_title")
        else:
            title = tr("directory.editor.edit_title", name=name) if name else tr("directory.editor.loading")
        self.setWindowTitle(title)
        self.heading.setText(title)
        self.save_button.setText(tr("directory.editor.saving") if self.busy else tr("directory.editor.save"))
        self.cancel_button.setText(tr("directory.cancel"))
        self.fields.retranslate()
        if self._error is not None:
            self.error_label.show_error(self._error)
