"""Extraits: import the communes' monthly extracts, then what is stored.

Import several files, or a folder: each extract is verified whole and stored all or
nothing on the database thread (:func:`desktop.services.region_import.import_extracts`); the
progress bar advances extract by extract (a :class:`TaskProgress` written by the
database thread, read by a GUI timer, as in the register import). The summary counts
imported / replaced / already imported / rejected, and lists each rejection's reasons
(file, line, column, why). An extract refused because it is older than the one stored
for its month is imported in its place only if the person confirms.
"""

from __future__ import annotations

from functools import partial
from html import escape
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain.geography import commune_name
from desktop.i18n import tr
from desktop.services import region_import, region_status
from desktop.services.region_import import ExtractOutcome, ImportSummary, Outcome
from desktop.services.region_status import ImportStatus
from desktop.ui.context import AppContext
from desktop.ui.dialogs.register_import import TaskProgress
from desktop.ui.pages.region.common import (
    RegionPage,
    commune_label,
    datetime_text,
    month_text,
    note_label,
    number_item,
    read_only_table,
    region_events,
    text_item,
)
from desktop.ui.pages.region.communes import can_manage
from desktop.ui.pages.statistics.texts import ltr
from desktop.ui.widgets.common import is_dark_palette

POLL_MS = 100
STATUS_COLUMNS = ("commune", "period", "persons", "referrals", "indicators", "generated_at", "imported_at")
OLDER = "import.older"
SYMBOLS = {Outcome.IMPORTED: "✔", Outcome.REPLACED: "✔", Outcome.ALREADY: "=", Outcome.REJECTED: "✖"}


def outcome_colour(outcome: Outcome) -> str:
    dark = is_dark_palette()
    if outcome is Outcome.REJECTED:
        return "#ff8a80" if dark else "#c62828"
    if outcome is Outcome.ALREADY:
        return "#b0bec5" if dark else "#546e7a"
    return "#81c784" if dark else "#2e7d32"


def only_older(outcome: ExtractOutcome) -> bool:
    """Refused only because an extract generated later is stored for its month."""
    return (
        outcome.outcome is Outcome.REJECTED
        and bool(outcome.problems)
        and all(p.code == OLDER for p in outcome.problems)
    )


def outcome_heading(outcome: ExtractOutcome) -> str:
    file = escape(ltr(outcome.source.name))
    if outcome.outcome is Outcome.REJECTED:
        return tr("region_ui.extracts.outcome.rejected", file=file, count=len(outcome.problems))
    return tr(
        f"region_ui.extracts.outcome.{outcome.outcome.value}",
        file=file,
        commune=escape(commune_name(outcome.commune_code, i18n.language())),
        month=escape(month_text(outcome.period)),
        persons=outcome.persons,
        referrals=outcome.referrals,
        indicators=outcome.indicators,
    )


def summary_html(summary: ImportSummary) -> str:
    """Rejected extracts first with their reasons, then the others, each in the order imported."""
    ordered = [o for o in summary.outcomes if o.outcome is Outcome.REJECTED]
    ordered += [o for o in summary.outcomes if o.outcome is not Outcome.REJECTED]
    blocks = []
    for outcome in ordered:
        colour = outcome_colour(outcome.outcome)
        reasons = outcome.problems if outcome.outcome is Outcome.REJECTED else outcome.warnings
        block = (
            f"<p style='margin-top:8px; margin-bottom:2px'><span style='color:{colour}; font-weight:600'>"
            f"{SYMBOLS[outcome.outcome]}</span>&nbsp; <b>{outcome_heading(outcome)}</b></p>"
        )
        if reasons:
            items = "".join(f"<li>{escape(problem.message())}</li>" for problem in reasons)
            block += f"<ul style='margin-top:0; margin-bottom:4px'>{items}</ul>"
        blocks.append(block)
    direction = "rtl" if i18n.is_rtl() else "ltr"
    return f"<div dir='{direction}'>{''.join(blocks)}</div>"


class ExtractsPage(RegionPage):
    title_key = "region_ui.nav.extracts"
    heading_key = "region_ui.extracts.heading"
    intro_key = "region_ui.extracts.intro"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.rows: list[ImportStatus] = []
        self.summary: ImportSummary | None = None
        self.job: TaskProgress | None = None
        self._import_dir = ""
        self.files_button = QPushButton()
        self.files_button.clicked.connect(self.choose_files)
        self.folder_button = QPushButton()
        self.folder_button.clicked.connect(self.choose_folder)
        self.role_note = note_label()
        self.progress_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setFormat("%v / %m")
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._show_progress)

        self.summary_label = QLabel()
        font = self.summary_label.font()
        font.setBold(True)
        self.summary_label.setFont(font)
        self.summary_label.setWordWrap(True)
        self.result_view = QTextBrowser()
        self.result_view.setOpenLinks(False)
        self.result_box = QWidget()
        result_layout = QVBoxLayout(self.result_box)
        result_layout.setContentsMargins(0, 0, 0, 0)
        result_layout.addWidget(self.summary_label)
        result_layout.addWidget(self.result_view, 1)
        self.result_box.hide()

        self.status_heading = QLabel()
        heading_font = self.status_heading.font()
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.1)
        self.status_heading.setFont(heading_font)
        self.count_label = QLabel()
        self.table = read_only_table()
        self.table.setColumnCount(len(STATUS_COLUMNS))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.empty_label = note_label()
        status_box = QWidget()
        status_layout = QVBoxLayout(status_box)
        status_layout.setContentsMargins(0, 0, 0, 0)
        status_title = QHBoxLayout()
        status_title.addWidget(self.status_heading)
        status_title.addStretch(1)
        status_title.addWidget(self.count_label)
        status_layout.addLayout(status_title)
        status_layout.addWidget(self.table, 1)
        status_layout.addWidget(self.empty_label)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.result_box)
        self.splitter.addWidget(status_box)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)

        buttons = QHBoxLayout()
        buttons.addWidget(self.files_button)
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.role_note)
        buttons.addStretch(1)
        progress = QHBoxLayout()
        progress.addWidget(self.progress_label)
        progress.addWidget(self.progress_bar, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addLayout(buttons)
        layout.addLayout(progress)
        layout.addWidget(self.error_label)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.status_label)
        self._show_job(False)
        self.retranslate()

    # -- what is stored ------------------------------------------------------------------------
    def load(self) -> None:
        generation = self.started()
        self.ctx.call(
            region_status.status,
            on_done=lambda rows: self._loaded(generation, rows),
            on_error=lambda error: self.failed(generation, error),
        )

    def _loaded(self, generation: int, rows: list[ImportStatus]) -> None:
        if self.wanted(generation):
            self.rows = rows
            self._show_status()

    def _show_status(self) -> None:
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(self.rows))
        for row, status in enumerate(self.rows):
            cells = (
                text_item(commune_label(status.commune_code), status.office_name, sort_value=status.commune_code),
                text_item(month_text(status.period), sort_value=status.period),
                number_item(ltr(str(status.persons)), status.persons),
                number_item(ltr(str(status.referrals)), status.referrals),
                number_item(ltr(str(status.indicators)), status.indicators),
                text_item(datetime_text(status.generated_at), sort_value=status.generated_at.isoformat()),
                text_item(datetime_text(status.imported_at), sort_value=status.imported_at.isoformat()),
            )
            for column, item in enumerate(cells):
                self.table.setItem(row, column, item)
        self.table.setSortingEnabled(True)
        communes = len({status.commune_code for status in self.rows})
        self.count_label.setText(tr("region_ui.extracts.count", count=len(self.rows), communes=communes))
        self.empty_label.setText(tr("region_ui.extracts.empty"))
        self.empty_label.setVisible(not self.rows and not self._stale)

    # -- importing -----------------------------------------------------------------------------
    def ask_paths(self) -> list[Path]:
        """The file dialog for extracts, several at once (tests replace this method)."""
        chosen, _filter = QFileDialog.getOpenFileNames(
            self, tr("region_ui.extracts.choose_files"), self._import_dir, tr("region_ui.extracts.filter")
        )
        return [Path(path) for path in chosen]

    def ask_folder(self) -> Path | None:
        """The folder dialog (tests replace this method)."""
        chosen = QFileDialog.getExistingDirectory(self, tr("region_ui.extracts.choose_folder"), self._import_dir)
        return Path(chosen) if chosen else None

    def ask_confirm_older(self, older: list[ExtractOutcome]) -> bool:
        """Import these older extracts in place of the stored ones? (tests replace this method)."""
        files = "\n".join(f"• {o.source.name}: {o.problems[0].message()}" for o in older)
        answer = QMessageBox.question(
            self, tr("region_ui.extracts.older_title"), tr("region_ui.extracts.older_question", files=files)
        )
        return answer == QMessageBox.StandardButton.Yes

    def choose_files(self) -> None:
        paths = self.ask_paths()
        if paths:
            self._import_dir = str(paths[0].parent)
            self.import_sources(paths)

    def choose_folder(self) -> None:
        folder = self.ask_folder()
        if folder is not None:
            self._import_dir = str(folder)
            self.import_sources([folder])

    def import_sources(self, sources: list[Path], confirm_older: bool = False) -> None:
        if self.job is not None or not sources or not can_manage(self.ctx):
            return
        job = TaskProgress()
        self.job = job
        self.messages.clear()
        self._show_job(True)
        run = partial(region_import.import_extracts, progress=job, confirm_older=confirm_older)
        self.ctx.call(run, list(sources), on_done=partial(self._imported, job), on_error=partial(self._failed, job))

    def _current(self, job: TaskProgress) -> bool:
        return shiboken6.isValid(self) and job is self.job and self.ctx.actor is not None

    def _imported(self, job: TaskProgress, summary: ImportSummary) -> None:
        if not self._current(job):
            return
        older = [o for o in summary.outcomes if only_older(o)]
        if older and self.ask_confirm_older(older):
            run = partial(region_import.import_extracts, progress=job, confirm_older=True)
            self.ctx.call(
                run,
                [o.source for o in older],
                on_done=partial(self._imported_again, job, summary),
                on_error=partial(self._failed, job),
            )
            return
        self._finish(summary)

    def _imported_again(self, job: TaskProgress, first: ImportSummary, again: ImportSummary) -> None:
        if not self._current(job):
            return
        replaced = {o.source: o for o in again.outcomes}
        self._finish(ImportSummary(tuple(replaced.get(o.source, o) for o in first.outcomes)))

    def _finish(self, summary: ImportSummary) -> None:
        self.job = None
        self._show_job(False)
        self.summary = summary
        self._show_summary()
        if summary.imported or summary.replaced:
            region_events().sig_store_changed.emit()
        else:
            self.reload()

    def _failed(self, job: TaskProgress, error: BaseException) -> None:
        if not self._current(job):
            return
        self.job = None
        self._show_job(False)
        self.messages.show_error(error)
        self.reload()  # extracts before the failure may be stored

    def _show_job(self, running: bool) -> None:
        if running:
            self.progress_bar.setRange(0, 0)
            self.progress_label.setText(tr("region_ui.extracts.starting"))
            self.timer.start()
        else:
            self.timer.stop()
        self.progress_bar.setVisible(running)
        self.progress_label.setVisible(running)
        self._update_buttons()

    def _show_progress(self) -> None:
        job = self.job
        if job is None or job.total <= 0:
            return
        if self.progress_bar.maximum() != job.total:
            self.progress_bar.setRange(0, job.total)
        self.progress_bar.setValue(job.done)
        shown = min(job.done + 1, job.total)
        self.progress_label.setText(tr("region_ui.extracts.progress", done=shown, total=job.total))

    def _show_summary(self) -> None:
        summary = self.summary
        self.result_box.setVisible(summary is not None)
        if summary is None:
            self.summary_label.clear()
            self.result_view.clear()
            return
        self.summary_label.setText(
            tr(
                "region_ui.extracts.summary",
                imported=summary.imported,
                replaced=summary.replaced,
                already=summary.already,
                rejected=summary.rejected,
            )
        )
        self.result_view.setHtml(summary_html(summary))

    def _update_buttons(self) -> None:
        allowed = can_manage(self.ctx) and self.job is None
        self.files_button.setEnabled(allowed)
        self.folder_button.setEnabled(allowed)
        self.role_note.setVisible(self.ctx.actor is not None and not can_manage(self.ctx))

    def clear(self) -> None:
        super().clear()
        self.job = None
        self._show_job(False)
        self.rows = []
        self.summary = None
        self._show_summary()
        self._show_status()

    def retranslate(self) -> None:
        super().retranslate()
        self.files_button.setText(tr("region_ui.extracts.import_files"))
        self.folder_button.setText(tr("region_ui.extracts.import_folder"))
        self.role_note.setText(tr("region_ui.extracts.supervisors_only"))
        self.status_heading.setText(tr("region_ui.extracts.status_heading"))
        self.table.setHorizontalHeaderLabels([tr(f"region_ui.extracts.column.{name}") for name in STATUS_COLUMNS])
        self._show_status()
        self._show_summary()
        self._update_buttons()
