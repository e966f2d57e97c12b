"""Dossiers: the case list in a first, fixed tab, and each opened case in a closable tab.

An officer often has a few cases open at once (the person at the counter, the one who
just phoned); tabs keep them one click apart without losing the list and its search.
Locking closes every case tab and empties the list: nothing personal stays on screen.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QTabBar, QTabWidget, QVBoxLayout, QWidget

from desktop.domain.users import Role, role_at_least
from desktop.i18n import tr
from desktop.ui.context import AppContext
from desktop.ui.pages.base import Page
from desktop.ui.pages.cases.list_page import CaseListPage


def case_window_factory(ctx: AppContext, case_id: int, parent: QWidget | None = None) -> QWidget:
    """The case window, imported when first needed (tests replace this function)."""
    from desktop.ui.pages.cases.case_window import CaseWindow  # type: ignore[import-not-found,unused-ignore]

    window: QWidget = CaseWindow(ctx, case_id, parent)
    return window


def registration_dialog_factory(ctx: AppContext, parent: QWidget | None = None) -> QDialog:
    """The registration dialog, imported when first needed (tests replace this function)."""
    from desktop.ui.dialogs.registration import RegistrationDialog  # type: ignore[import-not-found,unused-ignore]

    dialog: QDialog = RegistrationDialog(ctx, parent)
    return dialog


def import_dialog_factory(ctx: AppContext, parent: QWidget | None = None) -> QDialog:
    """The register import dialog, imported when first needed (tests replace this function)."""
    from desktop.ui.dialogs.register_import import RegisterImportDialog

    return RegisterImportDialog(ctx, parent)


class CasesSection(Page):
    title_key = "cases.title"
    icon_name = "cases"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.list_page = CaseListPage(ctx)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(False)
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.tabs.setUsesScrollButtons(True)
        self.tabs.addTab(self.list_page, "")
        for side in (QTabBar.ButtonPosition.LeftSide, QTabBar.ButtonPosition.RightSide):
            self.tabs.tabBar().setTabButton(0, side, None)  # the list never closes
        self.tabs.tabCloseRequested.connect(self._close_requested)
        self._case_tabs: dict[int, QWidget] = {}
        self.registration_dialog: QDialog | None = None
        self.list_page.sig_open_case.connect(self.open_case)
        self.list_page.sig_new_case.connect(self.new_case)
        self.list_page.sig_import_register.connect(self.import_register)
        self.import_dialog: QDialog | None = None
        self.close_tab_action = QAction(self)
        self.close_tab_action.setShortcuts(QKeySequence.StandardKey.Close)
        self.close_tab_action.triggered.connect(self.close_current_case)
        self.addAction(self.close_tab_action)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.retranslate()

    # -- cases -----------------------------------------------------------------------

    def open_case_ids(self) -> list[int]:
        """The cases open in tabs, in tab order."""
        by_widget = {id(widget): case_id for case_id, widget in self._case_tabs.items()}
        found = (by_widget.get(id(self.tabs.widget(i))) for i in range(1, self.tabs.count()))
        return [case_id for case_id in found if case_id is not None]

    def case_window(self, case_id: int) -> QWidget | None:
        return self._case_tabs.get(case_id)

    def open_case(self, case_id: int) -> None:
        """Show the case in its tab, opening the tab the first time."""
        if self.ctx.actor is None:
            return
        window = self._case_tabs.get(case_id)
        if window is None:
            window = case_window_factory(self.ctx, case_id, None)
            self._case_tabs[case_id] = window
            index = self.tabs.addTab(window, self._tab_title(window))
            self.tabs.setTabToolTip(index, self._tab_title(window))
            signals: Any = window  # a CaseWindow: sig_changed, sig_closed, title()
            signals.sig_changed.connect(self._case_changed)
            signals.sig_closed.connect(self._case_window_closed)
            if hasattr(signals, "sig_title_changed"):  # the title arrives once the case is read
                signals.sig_title_changed.connect(self._case_title_changed)
        self.tabs.setCurrentWidget(window)

    def show_list(self) -> None:
        self.tabs.setCurrentWidget(self.list_page)

    def close_case(self, case_id: int) -> None:
        """Close the case's tab without asking (the window itself decided, or the office locked)."""
        window = self._case_tabs.pop(case_id, None)
        if window is None:
            return
        index = self.tabs.indexOf(window)
        if index >= 0:
            self.tabs.removeTab(index)
        window.hide()
        window.deleteLater()

    def close_current_case(self) -> None:
        """Ctrl+W: close the case shown (asking first if it has unsaved changes)."""
        index = self.tabs.currentIndex()
        if index > 0:
            self._close_requested(index)

    def _case_of(self, window: object) -> int | None:
        for case_id, candidate in self._case_tabs.items():
            if candidate is window:
                return case_id
        return None

    def _close_requested(self, index: int) -> None:
        window = self.tabs.widget(index)
        case_id = self._case_of(window)
        if case_id is None:
            return
        can_close = getattr(window, "can_close", None)
        if callable(can_close) and not can_close():
            return  # unsaved changes the person chose to keep
        self.close_case(case_id)

    def _case_window_closed(self, *_args: object) -> None:
        case_id = self._case_of(self.sender())
        if case_id is not None:
            self.close_case(case_id)

    def _case_changed(self, *_args: object) -> None:
        """A case was saved: its tab title may read differently, the list re-queries."""
        self._case_title_changed()
        self.list_page.refresh()

    def _case_title_changed(self, *_args: object) -> None:
        window = self.sender()
        if isinstance(window, QWidget):
            index = self.tabs.indexOf(window)
            if index > 0:
                title = self._tab_title(window)
                self.tabs.setTabText(index, title)
                self.tabs.setTabToolTip(index, title)

    @staticmethod
    def _tab_title(window: QWidget) -> str:
        title = getattr(window, "title", None)
        return str(title()) if callable(title) else ""

    # -- registration ----------------------------------------------------------------

    def new_case(self) -> None:
        """Open the registration dialog (or bring back the one already open)."""
        if self.ctx.actor is None:
            return
        if self.registration_dialog is not None:
            self.registration_dialog.raise_()
            self.registration_dialog.activateWindow()
            return
        dialog = registration_dialog_factory(self.ctx, self)
        self.registration_dialog = dialog
        dialog.sig_registered.connect(self._registered)  # type: ignore[attr-defined]
        open_case = getattr(dialog, "sig_open_case", None)
        if open_case is not None:  # "open the existing case" from the duplicates panel
            open_case.connect(self.open_case)
        dialog.finished.connect(self._registration_finished)
        dialog.open()

    def _registered(self, case_id: int) -> None:
        if not shiboken6.isValid(self):
            return
        self.list_page.refresh(select_case=case_id)
        self.open_case(case_id)

    def _registration_finished(self, *_args: object) -> None:
        dialog = self.registration_dialog
        self.registration_dialog = None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.deleteLater()

    # -- register import -------------------------------------------------------------

    def import_register(self) -> None:
        """Open the register import dialog (or bring back the one already open)."""
        if not self._may_import():
            return
        if self.import_dialog is not None:
            self.import_dialog.raise_()
            self.import_dialog.activateWindow()
            return
        dialog = import_dialog_factory(self.ctx, self)
        self.import_dialog = dialog
        dialog.sig_imported.connect(self._register_imported)  # type: ignore[attr-defined]
        dialog.finished.connect(self._import_finished)
        dialog.open()

    def _register_imported(self, *_args: object) -> None:
        if shiboken6.isValid(self):
            self.list_page.refresh()

    def _import_finished(self, *_args: object) -> None:
        dialog, self.import_dialog = self.import_dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.deleteLater()

    # -- page contract ---------------------------------------------------------------

    def retranslate(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.tabs.setTabText(0, tr("cases.tab.list"))
        self.list_page.retranslate()
        for index in range(1, self.tabs.count()):
            window = self.tabs.widget(index)
            title = self._tab_title(window)
            self.tabs.setTabText(index, title)
            self.tabs.setTabToolTip(index, title)

    def reload(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.list_page.import_button.setVisible(self._may_import())
        self.list_page.reload()

    def _may_import(self) -> bool:
        """Importing a register creates cases in bulk: supervisors and admins."""
        actor = self.ctx.actor
        return actor is not None and role_at_least(actor.role, Role.SUPERVISOR)

    def clear(self) -> None:
        """The office locked: every case tab closes (unsaved edits are lost) and the list empties."""
        if not shiboken6.isValid(self):
            return
        dialog = self.registration_dialog
        self.registration_dialog = None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.finished.disconnect(self._registration_finished)
            dialog.done(QDialog.DialogCode.Rejected)
            dialog.deleteLater()
        dialog, self.import_dialog = self.import_dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.finished.disconnect(self._import_finished)
            dialog.done(QDialog.DialogCode.Rejected)
            dialog.deleteLater()
        for case_id in list(self._case_tabs):
            self.close_case(case_id)
        self.list_page.clear()
        self.show_list()
