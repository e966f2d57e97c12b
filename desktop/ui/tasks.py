"""The one database worker thread, and delivery of results back on the GUI thread.

Every service call from a widget goes through :meth:`TaskRunner.run`: the function
runs on the worker (one connection, one thread), then ``on_done(result)`` or
``on_error(exc)`` runs on the GUI thread. The window never waits on SQL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

BUSY_INDICATOR_DELAY_MS = 300


class TaskRunner(QObject):
    """Runs callables one at a time on the database thread."""

    sig_busy = Signal(bool)
    """Emitted True when work has run longer than 300 ms, False when idle again."""
    sig_unhandled_error = Signal(object)
    """An error no caller handled; the main window shows it."""
    _sig_finished = Signal(object, object, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="baom-db")
        self._pending = 0
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_INDICATOR_DELAY_MS)
        self._busy_timer.timeout.connect(lambda: self.sig_busy.emit(True))
        self._sig_finished.connect(self._deliver)

    @property
    def pending(self) -> int:
        return self._pending

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> Future[Any]:
        self._pending += 1
        if self._pending == 1:
            self._busy_timer.start()

        def job() -> Any:
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # delivered to the GUI thread, never lost
                self._sig_finished.emit(on_done, on_error, None, exc)
                raise
            self._sig_finished.emit(on_done, on_error, result, None)
            return result

        return self._executor.submit(job)

    def run_sync(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run on the DB thread and wait (only for quitting or locking)."""
        return self._executor.submit(fn, *args, **kwargs).result()

    def _deliver(
        self,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        result: Any,
        error: BaseException | None,
    ) -> None:
        self._pending -= 1
        if self._pending == 0:
            self._busy_timer.stop()
            self.sig_busy.emit(False)
        if error is not None:
            if on_error is not None:
                on_error(error)
            else:
                self.sig_unhandled_error.emit(error)
        elif on_done is not None:
            on_done(result)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
