"""Cartographie — the service directory: who offers what, where, to whom, and when last checked.

The list and its filters fill the section; a provider opens in an editor dialog
(new or existing), one at a time. Export… and Import… exchange the directory with
the regional secretariat when the exchange service is present. Locking closes the
editor (unsaved edits are lost) and empties the list.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from desktop.ui.context import AppContext
from desktop.ui.pages.base import Page
from desktop.ui.pages.directory.editor import ProviderEditorDialog
from desktop.ui.pages.directory.exchange import DirectoryExchange
from desktop.ui.pages.directory.list_page import DirectoryListPage


class DirectorySection(Page):
    title_key = "directory.title"
    icon_name = "directory"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.list_page = DirectoryListPage(ctx)
        self.editor: ProviderEditorDialog | None = None
        self.list_page.sig_open_provider.connect(self.open_provider)
        self.list_page.sig_new_provider.connect(self.new_provider)
        self.exchange = DirectoryExchange(ctx, self, self.list_page.messages)
        self.exchange.sig_imported.connect(self._imported)
        self._update_exchange_buttons()
        self.list_page.export_button.clicked.connect(self.exchange.export)
        self.list_page.import_button.clicked.connect(self.exchange.import_file)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list_page)
        self.retranslate()

    def _update_exchange_buttons(self) -> None:
        """Export for everyone; import (a merge of many providers) for supervisors and admins."""
        available = self.exchange.available()
        self.list_page.export_button.setVisible(available)
        self.list_page.import_button.setVisible(available and self.exchange.may_import())

    # -- editor ----------------------------------------------------------------------
    def new_provider(self) -> None:
        self._open_editor(None)

    def open_provider(self, provider_id: int) -> None:
        self._open_editor(provider_id)

    def _open_editor(self, provider_id: int | None) -> None:
        """One editor at a time: asking for another brings the open one back."""
        if self.ctx.actor is None:
            return
        if self.editor is not None and shiboken6.isValid(self.editor):
            self.editor.raise_()
            self.editor.activateWindow()
            return
        dialog = ProviderEditorDialog(self.ctx, provider_id, self)
        self.editor = dialog
        dialog.sig_saved.connect(self._saved)
        dialog.finished.connect(self._editor_finished)
        dialog.open()

    def _saved(self, provider_id: int) -> None:
        if shiboken6.isValid(self):
            self.list_page.messages.set_status("directory.saved")
            self.list_page.refresh(provider_id)

    def _editor_finished(self, _result: int) -> None:
        dialog, self.editor = self.editor, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.deleteLater()

    def _imported(self) -> None:
        if shiboken6.isValid(self):
            self.list_page.refresh()

    # -- page contract ---------------------------------------------------------------
    def retranslate(self) -> None:
        if not shiboken6.isValid(self):  # the base class connects a lambda that outlives us
            return
        self.list_page.retranslate()

    def reload(self) -> None:
        if shiboken6.isValid(self):
            self._update_exchange_buttons()
            self.list_page.reload()

    def clear(self) -> None:
        if not shiboken6.isValid(self):
            return
        dialog, self.editor = self.editor, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.finished.disconnect(self._editor_finished)
            dialog.done(QDialog.DialogCode.Rejected)
            dialog.deleteLater()
        self.exchange.close_dialog()
        self.list_page.clear()
