"""The main window: navigation, the sections, the status bar, lock and unlock.

A shell only: each section is a :class:`Page` that loads its own data through
the context. Locking (Ctrl+L or inactivity) closes the database, clears every
section and shows the lock screen; unlocking returns to where the person was.

A regional secretariat's database (``OfficeInfo.kind == "region"``) gets the regional
sections (:attr:`MainWindow.REGION_PAGE_CLASSES`) instead of the office's: the kind is
read once, before the sections are built, and again after each unlock (a restored
backup may be of the other kind).
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.domain.office_kinds import OFFICE_KIND, REGION_KIND
from desktop.i18n import tr
from desktop.services import maintenance
from desktop.services.office import OfficeHandle, OfficeInfo, auto_lock_minutes, office_info
from desktop.ui.context import AppContext
from desktop.ui.dialogs.preferences import PreferencesDialog
from desktop.ui.dialogs.unlock import UnlockForm
from desktop.ui.idle import IdleWatcher
from desktop.ui.pages.base import Page
from desktop.ui.widgets.common import show_error


def _nothing() -> None:
    """An empty task: its answer comes back after every answer asked before it."""


class LockScreen(QWidget):
    """Shown while locked: nothing personal, just the unlock form."""

    def __init__(self, ctx: AppContext, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.form = UnlockForm(ctx, db_path)
        self.form.setMaximumWidth(520)
        box = QVBoxLayout(self)
        box.addStretch(1)
        box.addWidget(self.title)
        box.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.form, 2)
        row.addStretch(1)
        box.addLayout(row)
        box.addStretch(2)
        ctx.languages.sig_language_changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(tr("lock.title"))


class MainWindow(QMainWindow):
    sig_switch_office = Signal()
    """The person asked for another office (the controller shows the welcome dialog)."""

    PAGE_CLASSES: tuple[str, ...] = (
        "desktop.ui.pages.home:HomePage",
        "desktop.ui.pages.cases.section:CasesSection",
        "desktop.ui.pages.referrals.section:ReferralsSection",
        "desktop.ui.pages.directory.section:DirectorySection",
        "desktop.ui.pages.statistics.section:StatisticsSection",
        "desktop.ui.pages.admin.section:AdminSection",
    )
    REGION_PAGE_CLASSES: tuple[str, ...] = (
        "desktop.ui.pages.region.communes:CommunesPage",
        "desktop.ui.pages.region.extracts:ExtractsPage",
        "desktop.ui.pages.region.completeness:CompletenessPage",
        "desktop.ui.pages.region.indicators:IndicatorsPage",
        "desktop.ui.pages.region.barometer:BarometerPage",
        "desktop.ui.pages.directory.section:DirectorySection",
        "desktop.ui.pages.admin.section:AdminSection",
    )
    """A regional secretariat's database: its sections instead of the office's (no person, no case)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._office: OfficeInfo | None = None
        self._last_login = ""
        self._last_page = 0
        assert ctx.db_path is not None
        self.kind = self._database_kind()
        self.pages: list[Page] = [self._make_page(spec) for spec in self.page_classes(self.kind)]
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(200)
        self.nav.setStyleSheet("QListWidget#navigation::item { padding: 7px 10px; }")
        self.nav.currentRowChanged.connect(self._nav_changed)
        self.page_stack = QStackedWidget()
        for page in self.pages:
            self._add_page(page)
        workspace = QWidget()
        row = QHBoxLayout(workspace)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.nav)
        row.addWidget(self.page_stack, 1)
        self.lock_screen = LockScreen(ctx, ctx.db_path)
        self.lock_screen.form.sig_unlocked.connect(self._unlocked_from_lock_screen)
        self.stack = QStackedWidget()
        self.stack.addWidget(workspace)
        self.stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.stack)

        self.office_status = QLabel()
        self.user_status = QLabel()
        self.lock_status = QLabel()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        for widget in (self.office_status, self.user_status, self.lock_status):
            self.statusBar().addWidget(widget)
        self.statusBar().addPermanentWidget(self.busy)
        ctx.runner.sig_busy.connect(self.busy.setVisible)
        ctx.runner.sig_unhandled_error.connect(lambda error: show_error(self, error))

        self._build_actions()
        self.idle = IdleWatcher(self)
        self.idle.sig_idle.connect(self.lock)
        ctx.languages.sig_language_changed.connect(self.retranslate)
        ctx.sig_unlocked.connect(self._on_unlocked)
        self.resize(1100, 720)
        self.retranslate()
        if ctx.is_unlocked:
            self._on_unlocked()
            for page in self.pages:
                if page.is_allowed():
                    page.reload()

    @classmethod
    def page_classes(cls, kind: str) -> tuple[str, ...]:
        return cls.REGION_PAGE_CLASSES if kind == REGION_KIND else cls.PAGE_CLASSES

    def _database_kind(self) -> str:
        """The kind of the database open now ("office" or "region"), asked once, before building the sections."""
        handle = self.ctx.handle
        if handle is None or handle.closed:
            return OFFICE_KIND  # checked again when the office's details arrive after unlock
        try:
            return str(self.ctx.runner.run_sync(office_info, handle).kind)
        except Exception:  # noqa: BLE001 - a damaged file is told by the sections' own calls
            return OFFICE_KIND

    def _add_page(self, page: Page) -> None:
        self.page_stack.addWidget(page)
        restore = getattr(page, "sig_restore_requested", None)
        if restore is not None:
            restore.connect(self.restore_backup)
        auto_lock = getattr(page, "sig_auto_lock_changed", None)
        if auto_lock is not None:
            auto_lock.connect(self._start_idle)

    def _use_kind(self, kind: str) -> None:
        """Another kind of database is open here (a backup of the other kind restored): its sections."""
        for page in self.pages:
            self._retire(page)
        self.kind = kind
        self.pages = [self._make_page(spec) for spec in self.page_classes(kind)]
        for page in self.pages:
            self._add_page(page)
            if self.ctx.is_unlocked and page.is_allowed():
                page.reload()
        self._last_page = 0
        self.page_stack.setCurrentIndex(0)

    def _retire(self, page: Page) -> None:
        """Take a section out for good: hidden, deaf to the application's signals, then deleted.

        Answers it asked for may still be on their way: the database thread runs its work in
        order and the answers come back in that order, so the section is deleted once an
        empty task queued now has come back, after every answer asked before.
        """
        self.page_stack.removeWidget(page)
        page.hide()
        page.disconnect_signals()

        def delete(_result: object) -> None:
            if shiboken6.isValid(page):
                page.deleteLater()

        self.ctx.run(_nothing, on_done=delete)

    def _make_page(self, spec: str) -> Page:
        import importlib

        module_name, class_name = spec.split(":")
        page_class = getattr(importlib.import_module(module_name), class_name)
        page = page_class(self.ctx)
        assert isinstance(page, Page)
        return page

    def _build_actions(self) -> None:
        self.lock_action = QAction(self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.prefs_action = QAction(self)
        self.prefs_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.prefs_action.triggered.connect(self.show_preferences)
        self.password_action = QAction(self)
        self.password_action.triggered.connect(self.change_password)
        self.restore_action = QAction(self)
        self.restore_action.triggered.connect(self.restore_backup)
        self.switch_action = QAction(self)
        self.switch_action.triggered.connect(self._switch_office)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self._about)
        self.office_menu = self.menuBar().addMenu("")
        actions = (self.lock_action, self.password_action, self.prefs_action, self.restore_action, self.switch_action)
        for action in actions:
            self.office_menu.addAction(action)
        self.office_menu.addSeparator()
        self.office_menu.addAction(self.quit_action)
        self.help_menu = self.menuBar().addMenu("")
        self.help_menu.addAction(self.about_action)
        self.addAction(self.lock_action)

    # -- language ------------------------------------------------------------------
    def retranslate(self) -> None:
        office = self._office.name if self._office else ""
        self.setWindowTitle(tr("main.window_title", office=office) if office else tr("app.title"))
        self.office_menu.setTitle(tr("menu.office"))
        self.help_menu.setTitle(tr("menu.help"))
        self.lock_action.setText(tr("action.lock"))
        self.prefs_action.setText(tr("action.preferences"))
        self.password_action.setText(tr("action.change_password"))
        self.restore_action.setText(tr("action.restore"))
        self.switch_action.setText(tr("action.switch_office"))
        self.quit_action.setText(tr("action.quit"))
        self.about_action.setText(tr("action.about"))
        self._rebuild_nav()
        self._update_status()

    def _rebuild_nav(self) -> None:
        current = self.page_stack.currentIndex()
        self.nav.blockSignals(True)
        self.nav.clear()
        for index, page in enumerate(self.pages):
            item = QListWidgetItem(tr(page.title_key))
            item.setData(Qt.ItemDataRole.UserRole, index)
            allowed = self.ctx.is_unlocked and page.is_allowed()
            self.nav.addItem(item)
            item.setHidden(not allowed)
        self.nav.blockSignals(False)
        if 0 <= current < self.nav.count() and not self.nav.item(current).isHidden():
            self.nav.setCurrentRow(current)
        else:
            self.nav.setCurrentRow(0)

    def _update_status(self) -> None:
        actor = self.ctx.actor
        key = "region_ui.status.secretariat" if self.kind == REGION_KIND else "status.office"
        self.office_status.setText(tr(key, office=self._office.name) if self._office else "")
        if actor is not None:
            self.user_status.setText(tr("status.user", name=actor.display_name, role=tr("role." + actor.role)))
            self.lock_status.setText(tr("status.unlocked"))
        else:
            self.user_status.clear()
            self.lock_status.setText(tr("status.locked"))
        admin = actor is not None and actor.role == "admin"
        self.restore_action.setEnabled(admin)
        self.lock_action.setEnabled(actor is not None)
        self.password_action.setEnabled(actor is not None and not actor.is_recovery)

    # -- navigation ----------------------------------------------------------------
    def _nav_changed(self, row: int) -> None:
        if row < 0:
            return
        self.page_stack.setCurrentIndex(row)
        if self.ctx.is_unlocked:
            self._last_page = row

    def show_page(self, page_class: type[Page]) -> Page:
        for index, page in enumerate(self.pages):
            if isinstance(page, page_class):
                self.nav.setCurrentRow(index)
                return page
        raise KeyError(page_class.__name__)

    def current_page(self) -> Page:
        page = self.page_stack.currentWidget()
        assert isinstance(page, Page)
        return page

    # -- lock / unlock ---------------------------------------------------------------
    @property
    def is_locked(self) -> bool:
        return self.stack.currentWidget() is self.lock_screen

    def lock(self) -> None:
        """Close the database, clear every section, show the lock screen."""
        if self.is_locked:
            return
        actor = self.ctx.actor
        self._last_login = actor.login if actor and not actor.is_recovery else ""
        self._last_page = max(0, self.page_stack.currentIndex())
        self.idle.stop()
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        self.ctx.close_office()
        self.lock_screen.form.login_edit.setText(self._last_login)
        self.lock_screen.form.clear()
        self.lock_screen.message.clear()
        self.stack.setCurrentWidget(self.lock_screen)
        self.lock_screen.form.focus_first()
        self._rebuild_nav()
        self._update_status()

    def _unlocked_from_lock_screen(self, handle: OfficeHandle) -> None:
        same_person = handle.actor.login == self._last_login
        page = self._last_page if same_person else 0
        self.ctx.set_handle(handle)
        self.stack.setCurrentIndex(0)
        if not self.pages[page].is_allowed():
            page = 0
        self.nav.setCurrentRow(page)

    def _on_unlocked(self) -> None:
        self.stack.setCurrentIndex(0)
        self._rebuild_nav()
        self._update_status()
        self._start_idle(10)  # the default until the office's own setting arrives
        self.ctx.call(office_info, on_done=self._office_loaded)
        self.ctx.call(auto_lock_minutes, on_done=self._start_idle)

    def _office_loaded(self, info: OfficeInfo) -> None:
        if not shiboken6.isValid(self):
            return  # this window was closed (another office) while the answer was on its way
        self._office = info
        if info.kind != self.kind:
            self._use_kind(info.kind)
        self.retranslate()

    def _start_idle(self, minutes: int) -> None:
        self.idle.set_minutes(minutes)
        self.idle.start()

    # -- office actions --------------------------------------------------------------
    def show_preferences(self) -> None:
        PreferencesDialog(self.ctx, self).open()

    def change_password(self) -> None:
        from desktop.ui.dialogs.user_dialogs import ChangePasswordDialog

        ChangePasswordDialog(self.ctx, self).open()

    def _about(self) -> None:
        QMessageBox.about(self, tr("app.title"), tr("about.text", version=__version__))

    def _switch_office(self) -> None:
        self.lock()
        self.sig_switch_office.emit()

    def _ask_restore_path(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(self, tr("restore.choose"), "", tr("restore.filter"))
        return path

    def _ask_password(self) -> str | None:
        text, ok = QInputDialog.getText(self, tr("restore.title"), tr("restore.password"), QLineEdit.EchoMode.Password)
        return text if ok and text else None

    def restore_backup(self) -> None:
        """Replace this office by a backup: all or nothing, the old file kept beside it."""
        actor = self.ctx.actor
        if actor is None or actor.role != "admin" or self.ctx.db_path is None:
            return
        source = self._ask_restore_path()
        if not source:
            return
        answer = QMessageBox.question(self, tr("restore.title"), tr("restore.confirm"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        password = self._ask_password()
        if password is None:
            return
        login = "recovery" if actor.is_recovery else actor.login
        db_path = self.ctx.db_path
        self.lock()
        self.lock_screen.message.setText(tr("restore.running"))
        self.ctx.run(
            maintenance.restore_office,
            Path(source),
            db_path,
            login,
            password,
            on_done=lambda _r: self.lock_screen.message.setText(tr("restore.done")),
            on_error=lambda e: (self.lock_screen.message.clear(), self.lock_screen.form.error.show_error(e)),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle.stop()
        self.ctx.close_office()
        event.accept()
