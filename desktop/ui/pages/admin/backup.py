"""Back up the office now, check the database; restoring is the main window's job."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import config
from desktop.domain.users import Role, role_at_least
from desktop.i18n import tr
from desktop.services import maintenance
from desktop.services.maintenance import CheckReport
from desktop.ui.context import AppContext
from desktop.ui.widgets.common import ErrorLabel

BACKUP_SUFFIX = ".baom"


def backups_dir() -> Path:
    """Where backups are proposed by default (created on first use)."""
    folder = config.data_dir() / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_backup_name(day: date | None = None) -> str:
    return f"baom-{(day or date.today()).isoformat()}{BACKUP_SUFFIX}"


class BackupTab(QWidget):
    """Back up (supervisor or admin), check the database and ask for a restore (admin)."""

    sig_restore_requested = Signal()
    """The person asked to restore a backup. The main window owns restoring: it locks
    the office, asks for the file and the credentials, and reopens the restored office."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._backup_status: tuple[str, dict[str, Any]] | None = None
        self._backup_error: BaseException | None = None
        self._report: CheckReport | None = None
        self._check_error: BaseException | None = None
        self._checking = False

        self.backup_box = QGroupBox()
        self.backup_intro = QLabel()
        self.backup_intro.setWordWrap(True)
        self.backup_button = QPushButton()
        self.backup_button.clicked.connect(self.back_up)
        self.backup_status = QLabel()
        self.backup_status.setWordWrap(True)
        self.backup_error = ErrorLabel()
        backup_buttons = QHBoxLayout()
        backup_buttons.addWidget(self.backup_button)
        backup_buttons.addStretch(1)
        box = QVBoxLayout(self.backup_box)
        box.addWidget(self.backup_intro)
        box.addLayout(backup_buttons)
        box.addWidget(self.backup_status)
        box.addWidget(self.backup_error)

        self.check_box = QGroupBox()
        self.check_intro = QLabel()
        self.check_intro.setWordWrap(True)
        self.check_button = QPushButton()
        self.check_button.clicked.connect(self.check)
        self.check_result = QLabel()
        self.check_result.setWordWrap(True)
        self.check_error = ErrorLabel()
        check_buttons = QHBoxLayout()
        check_buttons.addWidget(self.check_button)
        check_buttons.addStretch(1)
        box = QVBoxLayout(self.check_box)
        box.addWidget(self.check_intro)
        box.addLayout(check_buttons)
        box.addWidget(self.check_result)
        box.addWidget(self.check_error)

        self.restore_box = QGroupBox()
        self.restore_intro = QLabel()
        self.restore_intro.setWordWrap(True)
        self.restore_button = QPushButton()
        self.restore_button.clicked.connect(self.sig_restore_requested)
        restore_buttons = QHBoxLayout()
        restore_buttons.addWidget(self.restore_button)
        restore_buttons.addStretch(1)
        box = QVBoxLayout(self.restore_box)
        box.addWidget(self.restore_intro)
        box.addLayout(restore_buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.backup_box)
        layout.addWidget(self.check_box)
        layout.addWidget(self.restore_box)
        layout.addStretch(1)
        self._update_buttons()
        self.retranslate()

    def _is_admin(self) -> bool:
        actor = self.ctx.actor
        return actor is not None and role_at_least(actor.role, Role.ADMIN)

    def _update_buttons(self, busy: bool = False) -> None:
        unlocked = self.ctx.actor is not None
        self.backup_button.setEnabled(unlocked and not busy)
        self.check_button.setEnabled(self._is_admin() and not busy)
        self.restore_button.setEnabled(self._is_admin() and not busy)  # the main window restores for admins only

    def retranslate(self) -> None:
        self.backup_box.setTitle(tr("backup_page.backup_title"))
        self.backup_intro.setText(tr("backup_page.backup_intro"))
        self.backup_button.setText(tr("backup_page.backup_now"))
        self.check_box.setTitle(tr("backup_page.check_title"))
        self.check_intro.setText(tr("backup_page.check_intro"))
        self.check_button.setText(tr("backup_page.check_now"))
        self.check_button.setToolTip("" if self._is_admin() else tr("backup_page.admin_only"))
        self.restore_box.setTitle(tr("backup_page.restore_title"))
        self.restore_intro.setText(tr("backup_page.restore_intro"))
        self.restore_button.setText(tr("backup_page.restore"))
        self.restore_button.setToolTip("" if self._is_admin() else tr("backup_page.admin_only"))
        self._show_backup_status()
        self._show_check_result()

    def reload(self) -> None:
        self._update_buttons()
        self.retranslate()

    def clear(self) -> None:
        self._backup_status = None
        self._backup_error = None
        self._report = None
        self._check_error = None
        self._checking = False
        self._update_buttons()
        self.retranslate()

    # -- backup ----------------------------------------------------------------

    def _ask_backup_path(self) -> Path | None:
        """The file to write, chosen by the person (tests replace this method)."""
        suggested = backups_dir() / default_backup_name()
        chosen, _filter = QFileDialog.getSaveFileName(
            self, tr("backup_page.save_dialog_title"), str(suggested), tr("backup_page.file_filter")
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == BACKUP_SUFFIX else path.with_name(path.name + BACKUP_SUFFIX)

    def back_up(self) -> None:
        path = self._ask_backup_path()
        if path is None:
            return
        self._backup_status = ("backup_page.running", {})
        self._backup_error = None
        self._show_backup_status()
        self._update_buttons(busy=True)
        self.ctx.call(
            maintenance.backup_office,
            path,
            on_done=lambda _r: self._backed_up(path),
            on_error=self._backup_failed,
        )

    def _backed_up(self, path: Path) -> None:
        if not shiboken6.isValid(self):
            return
        self._backup_status = ("backup_page.done", {"path": str(path)})
        self._update_buttons()
        self._show_backup_status()

    def _backup_failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._backup_status = None
        self._backup_error = error
        self._update_buttons()
        self._show_backup_status()

    def _show_backup_status(self) -> None:
        if self._backup_status is None:
            self.backup_status.clear()
        else:
            key, params = self._backup_status
            self.backup_status.setText(tr(key, **params))
        self.backup_status.setVisible(bool(self.backup_status.text()))
        if self._backup_error is None:
            self.backup_error.clear_text()
        else:
            self.backup_error.show_error(self._backup_error)

    # -- check -----------------------------------------------------------------

    def check(self) -> None:
        self._report = None
        self._check_error = None
        self._checking = True
        self._show_check_result()
        self._update_buttons(busy=True)
        self.ctx.call(maintenance.check_office, on_done=self._checked, on_error=self._check_failed)

    def _checked(self, report: CheckReport) -> None:
        if not shiboken6.isValid(self):
            return
        self._report = report
        self._checking = False
        self._update_buttons()
        self._show_check_result()

    def _check_failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._check_error = error
        self._checking = False
        self._update_buttons()
        self._show_check_result()

    def check_text(self) -> str:
        report = self._report
        if report is None:
            return ""
        if report.ok:
            return tr("check.ok", entries=report.audit_entries)
        lines = [tr("backup_page.problems", count=len(report.problems))]
        lines += [f"• {tr(problem.key, **problem.params)}" for problem in report.problems]
        return "\n".join(lines)

    def _show_check_result(self) -> None:
        self.check_result.setText(tr("backup_page.checking") if self._checking else self.check_text())
        self.check_result.setVisible(bool(self.check_result.text()))
        if self._report is not None and not self._report.ok:
            self.check_result.setStyleSheet("color: #c62828;")
        else:
            self.check_result.setStyleSheet("")
        if self._check_error is None:
            self.check_error.clear_text()
        else:
            self.check_error.show_error(self._check_error)
