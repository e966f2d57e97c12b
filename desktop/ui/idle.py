"""Auto-lock after inactivity: watches keyboard and mouse input application-wide."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    sig_idle = Signal()
    """No input for the configured time: lock now."""

    def __init__(self, parent: QObject | None = None, check_interval_ms: int = 5000) -> None:
        super().__init__(parent)
        self.timeout_seconds = 10 * 60
        self._last_input = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(check_interval_ms)
        self._timer.timeout.connect(self._check)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: float) -> None:
        self.timeout_seconds = max(1.0, minutes * 60)

    def start(self) -> None:
        self.touch()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def touch(self) -> None:
        self._last_input = time.monotonic()

    def idle_seconds(self) -> float:
        return time.monotonic() - self._last_input

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self._last_input = time.monotonic()
        return False

    def _check(self) -> None:
        if self.idle_seconds() >= self.timeout_seconds:
            self._timer.stop()
            self.sig_idle.emit()
