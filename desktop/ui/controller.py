"""The application's journey: welcome or unlock, then the main window.

No office yet → welcome (create / demo / open / restore). An office → unlock.
Dialogs are opened non-modally (``open()``) and chained by their ``finished``
signal, so tests can drive each step.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from desktop import config
from desktop.services.office import OfficeHandle
from desktop.ui.context import AppContext
from desktop.ui.dialogs.unlock import UnlockDialog
from desktop.ui.main_window import MainWindow


class AppController:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.window: QWidget | None = None
        self.main_window: MainWindow | None = None

    def current_window(self) -> QWidget | None:
        return self.window

    def start(self, db_path: Path | None = None) -> None:
        path = db_path or self._remembered_office()
        if path is not None and path.is_file():  # a missing .keys is reported at unlock
            self.show_unlock(path)
        else:
            self.show_welcome()

    def _remembered_office(self) -> Path | None:
        last = self.ctx.settings.last_database
        if last and Path(last).is_file():
            return Path(last)
        default = config.default_office_path()
        return default if default.is_file() else None

    # -- steps --------------------------------------------------------------------------
    def show_unlock(self, path: Path, login: str | None = None) -> UnlockDialog:
        remembered = self.ctx.settings.last_login if path == Path(self.ctx.settings.last_database or "") else ""
        dialog = UnlockDialog(self.ctx, path, login if login is not None else remembered)
        dialog.finished.connect(lambda code: self._unlock_finished(dialog, code))
        self._show(dialog)
        return dialog

    def _unlock_finished(self, dialog: UnlockDialog, code: int) -> None:
        if code == QDialog.DialogCode.Accepted and dialog.handle is not None:
            self.open_main(dialog.handle)
        elif code == UnlockDialog.OTHER_OFFICE:
            self.show_welcome()
        else:
            self._quit()

    def show_welcome(self) -> QDialog:
        from desktop.ui.dialogs.welcome import WelcomeDialog

        dialog = WelcomeDialog(self.ctx)
        dialog.finished.connect(lambda code: self._welcome_finished(dialog, code))
        self._show(dialog)
        return dialog

    def _welcome_finished(self, dialog: QDialog, code: int) -> None:
        """The welcome dialog runs its choice to the end: a new office comes back
        unlocked; a demo, opened or restored office comes back as a path to unlock."""
        if code != QDialog.DialogCode.Accepted:
            self._quit()
            return
        handle = getattr(dialog, "handle", None)
        chosen = getattr(dialog, "chosen_path", None)
        if isinstance(handle, OfficeHandle) and not handle.closed:
            self.open_main(handle)
        elif chosen is not None:
            demo = getattr(dialog, "choice", "") == "demo"
            self.show_unlock(Path(chosen), login="admin" if demo else None)
        else:
            self.show_welcome()

    def open_main(self, handle: OfficeHandle) -> MainWindow:
        settings = self.ctx.settings
        if handle.path.name != config.DEMO_FILE_NAME:  # tomorrow morning opens the real office
            settings.remember_database(handle.path)
            if not handle.actor.is_recovery:
                settings.last_login = handle.actor.login
            self.ctx.save_settings()
        self.ctx.set_handle(handle)
        if self.main_window is not None:
            self.main_window.close()
            self.main_window.deleteLater()
        window = MainWindow(self.ctx)
        window.sig_switch_office.connect(self._switch_office)
        self.main_window = window
        self._show(window)
        return window

    def _switch_office(self) -> None:
        window = self.main_window
        self.main_window = None
        if window is not None:
            window.hide()
            window.deleteLater()
        self.show_welcome()

    # -- helpers --------------------------------------------------------------------------
    def _show(self, widget: QWidget) -> None:
        self.window = widget
        if isinstance(widget, QDialog):
            widget.open()
        else:
            widget.show()

    def _quit(self) -> None:
        self.window = None
        app = QApplication.instance()
        if app is not None and self.main_window is None:
            app.quit()
