"""The demonstration office: fictitious people to learn and to show BAOM safely.

It lives at ``<data folder>/demo.baomdb``, never at the real office's place. If it
already exists the dialog only offers to open it. Creation runs on the database
thread; its progress callback (called on that thread) is carried to the progress
bar by a Qt signal, which Qt queues onto the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from desktop import config
from desktop.i18n import tr
from desktop.services.demo import create_demo_office
from desktop.ui.context import AppContext
from desktop.ui.dialogs.office_wizard import align_to_ui, error_text, make_parent_folder
from desktop.ui.widgets.common import BusyDialog, ErrorLabel, ok_cancel_buttons

DEMO_PASSWORD = "demo-baom-2026"
"""Password of every demo account; shown on screen, the data are fictitious."""
DEMO_LOGIN = "admin"
DEMO_CASES = 500
DEMO_SEED = 1
DEMO_FILE_NAME = config.DEMO_FILE_NAME


def demo_office_path() -> Path:
    return config.data_dir() / DEMO_FILE_NAME


def build_demo_office(path: Path, cases: int, seed: int, progress: Callable[[int], None]) -> None:
    """Runs on the database thread; the recovery code of a demo office is not kept."""
    make_parent_folder(path)
    create_demo_office(path, DEMO_PASSWORD, cases, seed, progress, batch=50)


class DemoOfficeDialog(BusyDialog):
    """Explains the demo office, creates it (or finds it), then ``db_path`` says where."""

    sig_progress = Signal(int)
    """Cases written so far (emitted from the database thread, delivered queued)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.db_path: Path | None = None
        self._path = path or demo_office_path()
        self._cases = DEMO_CASES
        self.setMinimumWidth(560)

        self.title = QLabel(self)
        self.title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.title.setWordWrap(True)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.exists_label = QLabel(self)
        self.exists_label.setWordWrap(True)
        self.exists_label.setStyleSheet("font-weight: 600;")
        self.login_label, self.password_label = QLabel(self), QLabel(self)
        self.login_value = QLabel(DEMO_LOGIN, self)
        self.password_value = QLabel(DEMO_PASSWORD, self)
        for value in (self.login_value, self.password_value):
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setStyleSheet("font-family: monospace; font-weight: 600;")
        credentials = QFormLayout()
        credentials.addRow(self.login_label, self.login_value)
        credentials.addRow(self.password_label, self.password_value)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, self._cases)
        self.progress_bar.hide()
        self.status_label.hide()
        self.error_label = ErrorLabel(self)

        self.buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(self._on_ok, self.reject, self)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addWidget(self.exists_label)
        layout.addLayout(credentials)
        layout.addSpacing(6)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.sig_progress.connect(self._on_progress)
        ctx.languages.sig_language_changed.connect(self._on_language_changed)
        self.retranslate()

    @property
    def path(self) -> Path:
        return self._path

    @property
    def exists(self) -> bool:
        return self._path.exists()

    def _on_language_changed(self, _lang: str) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("demo_dialog.window_title"))
        self.title.setText(tr("demo_dialog.title"))
        self.intro.setText(tr("demo_dialog.intro", cases=DEMO_CASES))
        self.exists_label.setText(tr("demo_dialog.exists"))
        self.exists_label.setVisible(self.exists and not self._busy and self.db_path is None)
        self.login_label.setText(tr("demo_dialog.login"))
        align_to_ui(self.login_value)
        align_to_ui(self.password_value)
        self.password_label.setText(tr("demo_dialog.password"))
        self.ok_button.setText(tr("demo_dialog.open") if self.exists else tr("demo_dialog.create"))
        self.cancel_button.setText(tr("demo_dialog.cancel"))
        self._show_status()

    def _show_status(self) -> None:
        value = self.progress_bar.value()
        if self.progress_bar.maximum() == 0 or value <= 0:
            self.status_label.setText(tr("demo_dialog.creating"))
        else:
            self.status_label.setText(tr("demo_dialog.progress", done=value, total=self._cases))

    def _on_ok(self) -> None:
        if self._busy:
            return
        if self.exists:
            self.db_path = self._path
            self.accept()
            return
        self._start()

    def _start(self) -> None:
        self._busy = True
        self._cases = DEMO_CASES
        self.error_label.clear_text()
        self.ok_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        # Indeterminate until the first batch of cases is written (the key derivation comes first).
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self.status_label.show()
        self._show_status()
        self.ctx.run(
            build_demo_office,
            self._path,
            self._cases,
            DEMO_SEED,
            self.sig_progress.emit,
            on_done=self._on_done,
            on_error=self._on_error,
        )

    def _on_progress(self, done: int) -> None:
        if self.progress_bar.maximum() == 0:
            self.progress_bar.setRange(0, self._cases)
        self.progress_bar.setValue(done)
        self._show_status()

    def _on_done(self, _result: object) -> None:
        self._busy = False
        self.db_path = self._path
        self.progress_bar.setRange(0, self._cases)
        self.progress_bar.setValue(self._cases)
        self.accept()

    def _on_error(self, error: BaseException) -> None:
        self._busy = False
        self.progress_bar.hide()
        self.status_label.hide()
        self.ok_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.error_label.show_text(error_text(error))
        self.retranslate()
