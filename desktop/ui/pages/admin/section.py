"""Administration: accounts, office profile, backup and check, audit log.

Supervisors see the Backup and Audit tabs; administrators see everything; officers
do not see the section at all. Tabs a role may not see are hidden, not disabled,
and are never loaded.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop.domain.users import Role, role_at_least
from desktop.i18n import tr
from desktop.ui.context import AppContext
from desktop.ui.pages.admin.audit import AuditTab
from desktop.ui.pages.admin.backup import BackupTab
from desktop.ui.pages.admin.office import OfficeTab
from desktop.ui.pages.admin.users import UsersTab
from desktop.ui.pages.base import Page

AdminTab = UsersTab | OfficeTab | BackupTab | AuditTab
"""Each tab has ``retranslate``, ``reload`` and ``clear``, forwarded by the section."""


class AdminSection(Page):
    title_key = "admin.title"
    icon_name = "admin"

    sig_restore_requested = Signal()
    """Forwarded from the Backup tab: the main window runs the restore (it owns locking)."""
    sig_auto_lock_changed = Signal(int)
    """Forwarded from the Office tab: the new auto-lock delay in minutes."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.users_tab = UsersTab(ctx)
        self.office_tab = OfficeTab(ctx)
        self.backup_tab = BackupTab(ctx)
        self.audit_tab = AuditTab(ctx)
        self._tabs: list[tuple[AdminTab, str, Role]] = [
            (self.users_tab, "admin.tab.users", Role.ADMIN),
            (self.office_tab, "admin.tab.office", Role.ADMIN),
            (self.backup_tab, "admin.tab.backup", Role.SUPERVISOR),
            (self.audit_tab, "admin.tab.audit", Role.SUPERVISOR),
        ]
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for tab, key, _role in self._tabs:
            self.tabs.addTab(tab, tr(key))
        self.backup_tab.sig_restore_requested.connect(self.sig_restore_requested)
        self.office_tab.sig_auto_lock_changed.connect(self.sig_auto_lock_changed)
        self._reloading = False
        self.tabs.currentChanged.connect(self._tab_shown)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._update_tabs()
        self.retranslate()

    def is_allowed(self) -> bool:
        actor = self.ctx.actor
        return actor is not None and role_at_least(actor.role, Role.SUPERVISOR)

    def tab_allowed(self, tab: QWidget) -> bool:
        actor = self.ctx.actor
        for candidate, _key, needed in self._tabs:
            if candidate is tab:
                return actor is not None and role_at_least(actor.role, needed)
        return False

    def visible_tabs(self) -> list[AdminTab]:
        return [tab for tab, _key, _role in self._tabs if self.tab_allowed(tab)]

    def show_tab(self, tab: QWidget) -> None:
        if self.tab_allowed(tab):
            self.tabs.setCurrentWidget(tab)

    def _update_tabs(self) -> None:
        for index, (tab, _key, _role) in enumerate(self._tabs):
            self.tabs.setTabVisible(index, self.tab_allowed(tab))
        visible = self.visible_tabs()
        if visible and self.tabs.currentWidget() not in visible:
            self.tabs.setCurrentWidget(visible[0])

    def _tab_shown(self, _index: int) -> None:
        """The log grows with every action elsewhere: refresh it each time it is shown."""
        if not self._reloading and self.tabs.currentWidget() is self.audit_tab and self.tab_allowed(self.audit_tab):
            self.audit_tab.reload()

    def retranslate(self) -> None:
        if not shiboken6.isValid(self):  # the base class connects a lambda that outlives us
            return
        for index, (tab, key, _role) in enumerate(self._tabs):
            self.tabs.setTabText(index, tr(key))
            tab.retranslate()

    def reload(self) -> None:
        if not shiboken6.isValid(self):
            return
        self._reloading = True
        try:
            self._update_tabs()
        finally:
            self._reloading = False
        for tab in self.visible_tabs():
            tab.reload()

    def clear(self) -> None:
        if not shiboken6.isValid(self):
            return
        for tab, _key, _role in self._tabs:
            tab.clear()
        self._update_tabs()
