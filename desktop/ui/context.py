"""What every screen shares: the task runner, the unlocked office, the language.

Screens never hold a Session: they call ``ctx.call(service_fn, ...)``, which runs
``service_fn(handle, ...)`` on the database thread and delivers the result on the
GUI thread. When the office locks, ``sig_locked`` tells every screen to forget
what it shows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.config import Settings
from desktop.services.office import Actor, OfficeHandle
from desktop.ui.language import LanguageManager, languages
from desktop.ui.tasks import TaskRunner


class AppContext(QObject):
    sig_unlocked = Signal()
    """An office is open: screens may load their data."""
    sig_locked = Signal()
    """The office closed (lock, quit, restore): screens clear personal data now."""

    def __init__(self, runner: TaskRunner | None = None, settings: Settings | None = None) -> None:
        super().__init__()
        self.runner = runner or TaskRunner(self)
        self.settings = settings or Settings.load()
        self.handle: OfficeHandle | None = None
        self.db_path: Path | None = None

    @property
    def languages(self) -> LanguageManager:
        return languages()

    def languages_code(self) -> str:
        from desktop import i18n

        return i18n.language()

    def save_settings(self) -> None:
        """Best effort: preferences are not worth an error dialog."""
        with contextlib.suppress(OSError):
            self.settings.save()

    @property
    def actor(self) -> Actor | None:
        return self.handle.actor if self.handle is not None and not self.handle.closed else None

    @property
    def is_unlocked(self) -> bool:
        return self.actor is not None

    def set_handle(self, handle: OfficeHandle) -> None:
        self.handle = handle
        self.db_path = handle.path
        self.sig_unlocked.emit()

    def call(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``fn(handle, *args)`` on the database thread (ignored when locked)."""
        handle = self.handle
        if handle is None or handle.closed:
            return
        self.runner.run(fn, handle, *args, on_done=on_done, on_error=on_error)

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``fn(*args)`` on the database thread (unlock, create, restore)."""
        self.runner.run(fn, *args, on_done=on_done, on_error=on_error)

    def close_office(self) -> None:
        """Lock: audit, close the connection, forget the key, clear the screens."""
        handle = self.handle
        self.handle = None
        if handle is not None and not handle.closed:
            from desktop.services.office import lock

            self.runner.run_sync(lock, handle)
        self.sig_locked.emit()
