"""Importer un registre: an office's Excel or CSV register becomes cases, all or nothing.

Two steps, as in the service: the file is read and checked on the database thread
(``preview_import``: every problem with its line and column, every line that looks
like a person already known), nothing written; then, once there is no problem left
and every look-alike line has a decision, ``import_register`` writes all the lines in
one transaction (audited).

Progress crosses threads without Qt: the database thread writes into a plain
:class:`TaskProgress` that a GUI timer reads. Closing the dialog while the file is
being read cancels that reading (the next progress call raises) and any late answer
is dropped. While the import writes, the dialog cannot be closed.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import InputRejected
from desktop.i18n import tr
from desktop.services.register_import import ImportPreview, ImportResult, import_register, preview_import
from desktop.ui.context import AppContext
from desktop.ui.dialogs.register_import_pages import DecisionsPage, ProblemsPage
from desktop.ui.dialogs.register_template_button import TemplateButton, documents_folder
from desktop.ui.widgets.common import (
    BusyDialog,
    ErrorLabel,
    StatusMessages,
    error_colour,
    format_datetime,
    ok_cancel_buttons,
)

POLL_MS = 100


class ImportCancelled(Exception):
    """The dialog closed while the file was being read: stop looking for duplicates."""


class TaskProgress:
    """Written by the database thread (``progress(done, total)``), read by the GUI timer."""

    def __init__(self) -> None:
        self.done = 0
        self.total = 0
        self.cancelled = False

    def __call__(self, done: int, total: int) -> None:
        if self.cancelled:
            raise ImportCancelled
        self.done, self.total = done, total


class RegisterImportDialog(BusyDialog):
    """Choose a register, read it, fix or decide, import."""

    sig_imported = Signal(object)
    """The :class:`ImportResult`, once the cases are written."""

    PAGE_EMPTY, PAGE_PROBLEMS, PAGE_DECISIONS = range(3)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.path: Path | None = None
        self.preview: ImportPreview | None = None
        self.import_result: ImportResult | None = None
        self.result_text = ""
        self._job: TaskProgress | None = None
        self._job_kind = ""  # "preview" | "import"
        self._closed = False
        self.setSizeGripEnabled(True)

        self.intro_label = _label()
        self.file_label = QLabel()
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choose_button, self.reread_button = QPushButton(), QPushButton()
        self.choose_button.clicked.connect(self.choose_file)
        self.reread_button.clicked.connect(self.reread)
        self.template_button = TemplateButton(ctx)
        self.template_button.sig_written.connect(self._template_written)
        self.template_button.sig_failed.connect(self._template_failed)
        file_row = QHBoxLayout()
        for widget in (self.file_label, self.choose_button, self.reread_button, self.template_button):
            file_row.addWidget(widget, 1 if widget is self.file_label else 0)

        self.progress_bar = QProgressBar()
        self.progress_bar.hide()
        self.status_label = _label()
        self.summary_label = _label("font-weight: 600;")
        self.before_label = _label(f"color: {error_colour()}; font-weight: 600;")
        self.ignored_label = _label()

        self.problems_page = ProblemsPage()
        self.problems_page.copy_button.clicked.connect(self.copy_report)
        self.decisions_page = DecisionsPage()
        self.decisions_table = self.decisions_page.table
        self.decisions_table.sig_changed.connect(self._decisions_changed)

        self.stack = QStackedWidget()
        self.stack.addWidget(QWidget())
        self.stack.addWidget(self.problems_page)
        self.stack.addWidget(self.decisions_page)

        self.error_label = ErrorLabel()
        self.messages = StatusMessages(self.status_label, self.error_label)
        self.buttons, self.import_button, self.close_button = ok_cancel_buttons(self.import_now, self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addLayout(file_row)
        for widget in (self.status_label, self.progress_bar, self.summary_label, self.before_label, self.ignored_label):
            layout.addWidget(widget)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._show_progress)
        self.finished.connect(self._finished)
        ctx.languages.sig_language_changed.connect(self._language_changed)
        ctx.sig_locked.connect(self._locked)

        self.retranslate()
        self.resize(self._initial_size())

    def _initial_size(self) -> QSize:
        screen = self.screen()
        available = screen.availableGeometry().size() if screen is not None else QSize(1100, 740)
        return QSize(min(1040, available.width() - 40), min(680, available.height() - 60))

    # -- choosing the file ---------------------------------------------------------------------
    def _ask_open_path(self) -> Path | None:
        """The register to read (None if the officer cancels); tests replace this."""
        folder = str(self.path.parent) if self.path else documents_folder()
        chosen, _filter = QFileDialog.getOpenFileName(
            self, tr("import_dialog.choose_title"), folder, tr("import_dialog.file_filter")
        )
        return Path(chosen) if chosen else None

    def choose_file(self) -> None:
        if self._job is not None and self._job_kind == "import":
            return
        path = self._ask_open_path()
        if path is not None:
            self.start(path)

    def start(self, path: Path) -> None:
        """Read ``path`` (the entry point when the file is already known)."""
        self.path = path
        self.reread()

    def reread(self) -> None:
        """Read the file again (after the officer fixed it); an earlier reading is abandoned."""
        if self.path is None or self.busy or self.ctx.actor is None:
            return
        if self._job is not None:
            self._job.cancelled = True
        self.preview = None
        job = self._begin("preview")
        self.messages.set_status("import_dialog.reading")
        self._show_preview()
        self.ctx.call(
            preview_import,
            self.path,
            None,
            job,
            on_done=partial(self._previewed, job),
            on_error=partial(self._preview_failed, job),
        )

    def _current(self, job: TaskProgress) -> bool:
        """The answer belongs to the task still awaited by a dialog still open."""
        return shiboken6.isValid(self) and not self._closed and job is self._job

    def _previewed(self, job: TaskProgress, preview: ImportPreview) -> None:
        if not self._current(job):
            return
        self._end()
        self.preview = preview
        self.messages.clear()
        self._show_preview()
        if preview.ok and not preview.to_decide:
            self.messages.set_status("import_dialog.ready")

    def _preview_failed(self, job: TaskProgress, error: BaseException) -> None:
        if isinstance(error, ImportCancelled) or not self._current(job):
            return
        self._end()
        self.messages.show_error(error)
        self._show_preview()

    # -- the template ----------------------------------------------------------------------------
    def _template_written(self, path: Path) -> None:
        self.messages.set_status("import_dialog.template_saved", path=str(path))

    def _template_failed(self, error: BaseException) -> None:
        self.messages.show_error(error)

    # -- problems and decisions --------------------------------------------------------------------
    def copy_report(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.problems_page.model.report_text())
        self.messages.set_status("import_dialog.report_copied")

    def _decisions_changed(self) -> None:
        self.messages.clear()
        self._update_state()

    def can_import(self) -> bool:
        preview = self.preview
        return (
            preview is not None
            and preview.ok
            and self._job is None
            and not self.decisions_table.undecided()
            and not self.decisions_table.skipped_targets()
        )

    # -- importing -------------------------------------------------------------------------------
    def import_now(self) -> None:
        if not self.can_import() or self.ctx.actor is None:
            return
        assert self.preview is not None
        job = self._begin("import")
        self._busy = True
        self.messages.set_status("import_dialog.importing")
        self._update_state()
        self.ctx.call(
            import_register,
            self.preview,
            self.decisions_table.decisions(),
            job,
            on_done=partial(self._imported, job),
            on_error=partial(self._import_failed, job),
        )

    def _imported(self, job: TaskProgress, result: ImportResult) -> None:
        if not self._current(job):
            return
        self._busy = False
        self._end()
        self.import_result = result
        self.messages.set_status("import_dialog.done", cases=len(result.case_ids), new=result.new_persons,
                                 linked=result.linked, skipped=result.skipped)  # fmt: skip
        self.result_text = self.status_label.text()
        self.sig_imported.emit(result)
        self._tell(self.result_text)
        if shiboken6.isValid(self) and not self._closed:
            self.accept()

    def _tell(self, text: str) -> None:
        """The outcome, in a message box (tests replace this)."""
        QMessageBox.information(self, tr("import_dialog.title"), text)

    def _import_failed(self, job: TaskProgress, error: BaseException) -> None:
        if not self._current(job):
            return
        self._busy = False
        self._end()
        self.messages.show_error(error)
        self._update_state()

    # -- tasks and progress ----------------------------------------------------------------------
    def _begin(self, kind: str) -> TaskProgress:
        self._job = TaskProgress()
        self._job_kind = kind
        self.error_label.clear_text()
        self.progress_bar.setRange(0, 0)  # moving until the first line is counted
        self.progress_bar.show()
        self._timer.start()
        return self._job

    def _end(self) -> None:
        self._job = None
        self._job_kind = ""
        self._timer.stop()
        self.progress_bar.hide()

    def _show_progress(self) -> None:
        job = self._job
        if job is None or job.total <= 0:
            return
        if self.progress_bar.maximum() != job.total:
            self.progress_bar.setRange(0, job.total)
        if self.progress_bar.value() != job.done:
            self.progress_bar.setValue(job.done)
            key = "import_dialog.searching" if self._job_kind == "preview" else "import_dialog.importing_line"
            self.messages.set_status(key, done=job.done, total=job.total)

    # -- showing the preview -----------------------------------------------------------------------
    def _show_preview(self) -> None:
        """Summary, warnings and the page that fits: problems, lines to decide, or ready."""
        preview = self.preview
        self.file_label.setText(tr("import_dialog.file", name=self.path.name) if self.path
                                else tr("import_dialog.no_file"))  # fmt: skip
        self.file_label.setToolTip(str(self.path) if self.path else "")
        if preview is None:
            for label in (self.summary_label, self.before_label, self.ignored_label):
                label.hide()
            self.problems_page.set_problems([])
            self.decisions_table.set_lines([], date.today().year)
            self.stack.setCurrentIndex(self.PAGE_EMPTY)
            self._update_state()
            return
        to_decide = preview.to_decide
        self.summary_label.setText(tr("import_dialog.summary", lines=len(preview.lines),
                                      problems=len(preview.problems), duplicates=len(to_decide)))  # fmt: skip
        self.summary_label.show()
        if preview.imported_before is not None:
            self.before_label.setText(
                tr("import_dialog.imported_before", date=format_datetime(preview.imported_before))
            )
        self.before_label.setVisible(preview.imported_before is not None)
        self.ignored_label.setText(tr("import_dialog.ignored_columns", columns=", ".join(preview.ignored_columns)))
        self.ignored_label.setVisible(bool(preview.ignored_columns))
        self.problems_page.set_problems(preview.problems)
        if self.decisions_table.lines() != to_decide:
            self.decisions_table.set_lines(to_decide, preview.today.year)
        if not preview.ok:
            self.stack.setCurrentIndex(self.PAGE_PROBLEMS)
            self.problems_page.table.resizeRowsToContents()
        elif to_decide:
            self.stack.setCurrentIndex(self.PAGE_DECISIONS)
        else:
            self.stack.setCurrentIndex(self.PAGE_EMPTY)
        self._update_state()

    def _update_state(self) -> None:
        running = self._job is not None
        importing = running and self._job_kind == "import"
        self.choose_button.setEnabled(not importing)
        self.template_button.setEnabled(not importing)
        self.reread_button.setEnabled(self.path is not None and not importing)
        self.close_button.setEnabled(not importing)
        self.decisions_page.update_state(running)
        self.import_button.setEnabled(self.can_import())
        skipped = self.decisions_table.skipped_targets()
        if skipped and not running:
            self.error_label.show_error(InputRejected("import.link_target_missing", line=skipped[0]))

    # -- language ----------------------------------------------------------------------------------
    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("import_dialog.title"))
        self.intro_label.setText(tr("import_dialog.intro"))
        self.choose_button.setText(tr("import_dialog.choose"))
        self.reread_button.setText(tr("import_dialog.reread"))
        self.reread_button.setToolTip(tr("import_dialog.reread_tip"))
        self.template_button.retranslate()
        self.import_button.setText(tr("import_dialog.import"))
        self.close_button.setText(tr("import_dialog.close"))
        self.problems_page.retranslate()
        self.decisions_page.retranslate()
        self.messages.retranslate()
        self._show_preview()

    # -- leaving -----------------------------------------------------------------------------------
    def _locked(self) -> None:
        """The office locked: forget the file's people and close."""
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self._cancel()
        self.preview = None
        self._show_preview()
        if self.isVisible():
            self.done(QDialog.DialogCode.Rejected)

    def _cancel(self) -> None:
        if self._job is not None and self._job_kind == "preview":
            self._job.cancelled = True
        self._end()

    def _finished(self, _result: int) -> None:
        self._closed = True
        self._cancel()


def _label(style: str = "") -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(style)
    return label
