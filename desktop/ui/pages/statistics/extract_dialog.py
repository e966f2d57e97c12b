"""Extrait régional: the month's anonymised extract for the regional secretariat, previewed then saved.

Two steps, as in the service. "Préparer l'aperçu" runs ``extract.build_extract`` on the
database thread (nothing written; a moving bar after 300 ms, the window answers
meanwhile) and shows exactly what will leave: a privacy summary, the three CSV files
read back from their bytes, the manifest. "Enregistrer en .zip…" and "Enregistrer dans
un dossier…" then hand that very :class:`Extract` to ``extract.write_extract``: nothing
is built again between the preview and the file, so the file holds what was seen
(same ``generated_at``, same SHA-256). Choosing another month drops the preview.

Only months that are over are offered (the last complete month first); supervisors
and administrators only (the service checks too). The dialog's footer also saves the
office's public key for the secretariat and shows its fingerprint to read out.
"""

from __future__ import annotations

import errno
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QSize, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import i18n
from desktop.domain import extract_format as fmt
from desktop.domain.periods import Period, last_complete_month
from desktop.domain.referrals import office_today
from desktop.domain.users import Role, role_at_least
from desktop.i18n import tr
from desktop.services import extract, extract_keys
from desktop.services.extract_keys import OfficePublicKey
from desktop.services.extract_reader import MAX_AGE_MONTHS
from desktop.services.office import OfficeInfo, office_info
from desktop.ui.context import AppContext
from desktop.ui.pages.statistics.extract_preview import CsvPage, ManifestPage, Preview, PrivacySummary, build_preview
from desktop.ui.pages.statistics.texts import ltr, month_label
from desktop.ui.tasks import BUSY_INDICATOR_DELAY_MS
from desktop.ui.widgets.common import BusyDialog, ErrorLabel, StatusMessages, busy_bar, format_number

MONTHS_OFFERED = MAX_AGE_MONTHS - 1
"""The secretariat refuses months older than MAX_AGE_MONTHS when it imports them, a little later."""
TAB_KEYS = {fmt.PERSONS: "persons", fmt.REFERRALS: "referrals", fmt.INDICATORS: "indicators"}


def may_extract(ctx: AppContext) -> bool:
    actor = ctx.actor
    return actor is not None and role_at_least(actor.role, Role.SUPERVISOR)


def months_offered() -> list[Period]:
    """The months that are over, newest first (the last complete month at the office first)."""
    month = last_complete_month(office_today())
    months = []
    for _ in range(MONTHS_OFFERED):
        months.append(month)
        month = month.previous()
    return months


class WriteFailed(Exception):
    """A file error said in words (permission, read-only medium, missing folder)."""

    def __init__(self, key: str, path: Path) -> None:
        super().__init__(key)
        self.key = key
        self.path = path

    def text(self) -> str:
        return tr(self.key, path=str(self.path))


def _write_error(error: BaseException, out: Path) -> BaseException:
    """An OSError as a translated message; anything else as it came (BaomError: already words)."""
    if not isinstance(error, OSError):
        return error
    if error.errno in (errno.EACCES, errno.EPERM):
        return WriteFailed("extract_ui.error.permission", out)
    if error.errno == errno.EROFS:
        return WriteFailed("extract_ui.error.read_only", out)
    return WriteFailed("extract_ui.error.write_failed", out)


class ExtractDialog(BusyDialog):
    """Choose a month, prepare the preview, save it as a .zip or in a folder."""

    sig_written = Signal(object)
    """The path written (a .zip, or the extract's own folder)."""

    PAGE_EMPTY, PAGE_PREVIEW = range(2)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.preview: Preview | None = None
        self.info: OfficeInfo | None = None
        self.written: list[Path] = []
        self.public_key: OfficePublicKey | None = None
        self._generation = 0
        self._building = False
        self._closed = False
        self._save_dir = ""
        self._error: BaseException | None = None
        self.setSizeGripEnabled(True)

        self.office_label = QLabel()
        self.office_label.setStyleSheet("font-weight: 600;")
        self.month_label = QLabel()
        self.month_combo = QComboBox()
        self.month_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.month_label.setBuddy(self.month_combo)
        self.month_combo.currentIndexChanged.connect(self._month_changed)
        self.prepare_button = QPushButton()
        self.prepare_button.setDefault(True)
        self.prepare_button.clicked.connect(self.prepare)
        self.labels_check = QCheckBox()
        self.labels_check.toggled.connect(self._labels_toggled)
        month_row = QHBoxLayout()
        month_row.addWidget(self.month_label)
        month_row.addWidget(self.month_combo)
        month_row.addWidget(self.prepare_button)
        month_row.addStretch(1)
        month_row.addWidget(self.labels_check)

        self.busy_bar = busy_bar()
        self.busy_timer = QTimer(self)
        self.busy_timer.setSingleShot(True)
        self.busy_timer.setInterval(BUSY_INDICATOR_DELAY_MS)
        self.busy_timer.timeout.connect(self.busy_bar.show)

        self.intro_label = QLabel()
        self.intro_label.setWordWrap(True)
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        empty_page = QWidget()
        empty_box = QVBoxLayout(empty_page)
        empty_box.addWidget(self.intro_label)
        empty_box.addSpacing(8)
        empty_box.addWidget(self.empty_label)
        empty_box.addStretch(1)

        self.summary = PrivacySummary()
        self.csv_pages = {name: CsvPage(name) for name in fmt.CSV_FILES}
        self.manifest_page = ManifestPage()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for page in self.csv_pages.values():
            self.tabs.addTab(page, "")
        self.tabs.addTab(self.manifest_page, "")
        preview_page = QWidget()
        preview_box = QVBoxLayout(preview_page)
        preview_box.setContentsMargins(0, 0, 0, 0)
        preview_box.addWidget(self.summary)
        preview_box.addWidget(self.tabs, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(empty_page)
        self.stack.addWidget(preview_page)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.error_label = ErrorLabel()
        self.messages = StatusMessages(self.status_label, self.error_label)

        self.key_button = QPushButton()
        self.key_button.clicked.connect(self.save_public_key)
        self.zip_button = QPushButton()
        self.zip_button.clicked.connect(self.save_zip)
        self.folder_button = QPushButton()
        self.folder_button.clicked.connect(self.save_folder)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.reject)
        footer = QHBoxLayout()
        footer.addWidget(self.key_button)
        footer.addStretch(1)
        for button in (self.zip_button, self.folder_button, self.close_button):
            footer.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.office_label)
        layout.addLayout(month_row)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addLayout(footer)

        self.finished.connect(self._finished)
        ctx.languages.sig_language_changed.connect(self._language_changed)
        ctx.sig_locked.connect(self._locked)
        self._fill_months()
        self._show_preview()
        self.retranslate()
        self._update_state()
        self.resize(self._initial_size())
        ctx.call(office_info, on_done=self._office_known, on_error=lambda _error: None)

    def _initial_size(self) -> QSize:
        screen = self.screen()
        available = screen.availableGeometry().size() if screen is not None else QSize(1100, 760)
        return QSize(min(1060, available.width() - 40), min(720, available.height() - 60))

    # -- the month ----------------------------------------------------------------------------------
    def _fill_months(self) -> None:
        chosen = self.period()
        self.month_combo.blockSignals(True)
        try:
            self.month_combo.clear()
            lang = i18n.language()
            for month in months_offered():
                self.month_combo.addItem(month_label(month.start, lang), month.key())
            index = self.month_combo.findData(chosen.key()) if chosen is not None else 0
            self.month_combo.setCurrentIndex(max(index, 0))
        finally:
            self.month_combo.blockSignals(False)

    def period(self) -> Period | None:
        key = self.month_combo.currentData()
        return Period.parse_month(str(key)) if key else None

    def choose(self, period: Period) -> None:
        """Show ``period`` in the month list (tests; a month not offered is ignored)."""
        index = self.month_combo.findData(period.key())
        if index >= 0:
            self.month_combo.setCurrentIndex(index)

    def _month_changed(self, _index: int) -> None:
        if self.preview is not None and self.preview.period != self.period():
            self.preview = None
            self._show_preview()
            self.messages.set_status("extract_ui.month_changed")
        self._update_state()

    # -- preparing the preview ------------------------------------------------------------------------
    def prepare(self) -> None:
        """Build the chosen month's extract on the database thread (nothing is written)."""
        period = self.period()
        if period is None or self.busy or self._building or not may_extract(self.ctx):
            return
        self._generation += 1
        generation = self._generation
        self._building = True
        self.preview = None
        self._error = None
        self._show_preview()
        self.messages.set_status("extract_ui.preparing", month=month_label(period.start, i18n.language()))
        self.busy_timer.start()
        self._update_state()
        self.ctx.call(
            build_preview,
            period,
            on_done=partial(self._prepared, generation),
            on_error=partial(self._prepare_failed, generation),
        )

    def _wanted(self, generation: int) -> bool:
        return shiboken6.isValid(self) and not self._closed and generation == self._generation

    def _stop_busy(self) -> None:
        self._building = False
        self.busy_timer.stop()
        self.busy_bar.hide()

    def _prepared(self, generation: int, preview: Preview) -> None:
        if not self._wanted(generation):
            return
        self._stop_busy()
        self.preview = preview
        self._show_preview()
        self.messages.set_status("extract_ui.prepared", month=month_label(preview.period.start, i18n.language()))
        self._update_state()

    def _prepare_failed(self, generation: int, error: BaseException) -> None:
        if not self._wanted(generation):
            return
        self._stop_busy()
        self.messages.show_error(error)
        self._update_state()

    # -- showing it -------------------------------------------------------------------------------------
    def _show_preview(self) -> None:
        preview = self.preview
        built = preview.extract if preview is not None else None
        self.summary.show_extract(built)
        for name, page in self.csv_pages.items():
            page.set_table(preview.tables[name] if preview is not None else None)
        self.manifest_page.show_extract(built)
        self._title_tabs()
        self.stack.setCurrentIndex(self.PAGE_PREVIEW if preview is not None else self.PAGE_EMPTY)
        self.labels_check.setVisible(preview is not None)

    def _title_tabs(self) -> None:
        preview = self.preview
        for index, name in enumerate(fmt.CSV_FILES):
            title = tr(f"extract_ui.tab.{TAB_KEYS[name]}")
            rows = len(preview.tables[name].rows) if preview is not None else 0
            counted = tr("extract_ui.tab.rows", rows=format_number(rows))
            self.tabs.setTabText(index, f"{title} · {name} ({counted})")
            self.tabs.setTabToolTip(index, tr(f"extract_ui.note.{TAB_KEYS[name]}", k=fmt.K))
        self.tabs.setTabText(len(fmt.CSV_FILES), f"{tr('extract_ui.tab.manifest')} · {fmt.MANIFEST}")
        self.tabs.setTabToolTip(len(fmt.CSV_FILES), tr("extract_ui.note.manifest"))

    def _labels_toggled(self, on: bool) -> None:
        for page in self.csv_pages.values():
            page.model.set_labels(on)
            page.fit_columns()

    def _update_state(self) -> None:
        writing = self.busy
        ready = self.preview is not None and not writing and not self._building
        allowed = may_extract(self.ctx)
        self.month_combo.setEnabled(not writing and not self._building)
        self.prepare_button.setEnabled(allowed and not writing and not self._building and self.period() is not None)
        self.zip_button.setEnabled(allowed and ready)
        self.folder_button.setEnabled(allowed and ready)
        self.key_button.setEnabled(allowed and not writing)
        self.close_button.setEnabled(not writing)
        self.prepare_button.setDefault(self.preview is None)
        self.zip_button.setDefault(self.preview is not None)

    # -- saving ------------------------------------------------------------------------------------------
    def _start_folder(self) -> str:
        return self._save_dir or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)

    def _ask_zip_path(self, file_name: str) -> str:
        """Where to write the .zip ("" if the person gave up; tests replace this)."""
        path, _filter = QFileDialog.getSaveFileName(
            self, tr("extract_ui.choose_zip"), str(Path(self._start_folder()) / file_name), tr("extract_ui.zip_filter")
        )
        return path

    def _ask_folder(self) -> str:
        """The folder in which the extract's folder is made ("" if the person gave up; tests replace this)."""
        return QFileDialog.getExistingDirectory(self, tr("extract_ui.choose_folder"), self._start_folder())

    def save_zip(self) -> None:
        preview = self.preview
        if preview is None or self.busy or self._building:
            return
        chosen = self._ask_zip_path(preview.extract.stem + ".zip")
        if not chosen:
            return
        out = Path(chosen)
        if out.suffix.lower() != ".zip":
            out = out.with_name(out.name + ".zip")
        self._save_dir = str(out.parent)
        self._write(preview, out)

    def save_folder(self) -> None:
        preview = self.preview
        if preview is None or self.busy or self._building:
            return
        chosen = self._ask_folder()
        if not chosen:
            return
        self._save_dir = chosen
        self._write(preview, Path(chosen))

    def _write(self, preview: Preview, out: Path) -> None:
        """The previewed extract, as it is: never built again."""
        if not may_extract(self.ctx):
            return
        self._busy = True
        self._error = None
        self.messages.set_status("extract_ui.writing")
        self.busy_timer.start()
        self._update_state()
        self.ctx.call(
            extract.write_extract,
            preview.extract,
            out,
            on_done=partial(self._written, preview),
            on_error=partial(self._write_failed, out),
        )

    def _written(self, preview: Preview, path: Path) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self._stop_busy()
        self.written.append(path)
        month = month_label(preview.period.start, i18n.language())
        self.messages.set_status("extract_ui.written", month=month, path=str(path))
        self._update_state()
        self.sig_written.emit(path)
        if not self._closed:
            self._tell(tr("extract_ui.written", month=month, path=str(path)))

    def _write_failed(self, out: Path, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self._stop_busy()
        self._show_error(_write_error(error, out))
        self._update_state()

    def _show_error(self, error: BaseException) -> None:
        if isinstance(error, WriteFailed):
            self.messages.clear()
            self._error = error
            self.error_label.show_text(error.text())
        else:
            self.messages.show_error(error)

    def _tell(self, text: str) -> None:
        """The outcome, in a message box (tests replace this)."""
        QMessageBox.information(self, tr("extract_ui.title"), text)

    # -- the office's public key -----------------------------------------------------------------------------
    def _ask_key_path(self, file_name: str) -> str:
        """Where to write the public key file ("" if the person gave up; tests replace this)."""
        path, _filter = QFileDialog.getSaveFileName(
            self, tr("extract_ui.key.choose"), str(Path(self._start_folder()) / file_name), tr("extract_ui.key.filter")
        )
        return path

    def save_public_key(self) -> None:
        if self.busy or not may_extract(self.ctx):
            return
        commune = self.info.commune_code if self.info is not None else ""
        name = extract_keys.key_file_name(commune) if commune else "BAOM-public-key.txt"
        chosen = self._ask_key_path(name)
        if not chosen:
            return
        out = Path(chosen)
        self._save_dir = str(out.parent)
        self._busy = True
        self._update_state()
        self.ctx.call(
            extract_keys.write_office_public_key,
            out,
            on_done=self._key_written,
            on_error=partial(self._write_failed, out),
        )

    def _key_written(self, result: tuple[OfficePublicKey, Path]) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        key, path = result
        self.public_key = key
        self.messages.set_status("extract_ui.key.status", path=str(path), fingerprint=ltr(key.fingerprint))
        self._update_state()
        self._tell(tr("extract_ui.key.written", path=str(path), fingerprint=ltr(key.fingerprint)))

    # -- office, language, lock -------------------------------------------------------------------------------
    def _office_known(self, info: OfficeInfo) -> None:
        if shiboken6.isValid(self) and not self._closed:
            self.info = info
            self._show_office()

    def _show_office(self) -> None:
        info = self.info
        text = tr("extract_ui.office", name=info.name, commune=ltr(info.commune_code)) if info is not None else ""
        self.office_label.setText(text)
        self.office_label.setVisible(info is not None)

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self) and not self._closed:
            self._fill_months()
            self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("extract_ui.title"))
        self._show_office()
        self.month_label.setText(tr("extract_ui.month"))
        self.month_combo.setToolTip(tr("extract_ui.month_tip", count=MONTHS_OFFERED))
        self.prepare_button.setText(tr("extract_ui.prepare"))
        self.prepare_button.setToolTip(tr("extract_ui.prepare_tip"))
        self.labels_check.setText(tr("extract_ui.show_labels"))
        self.labels_check.setToolTip(tr("extract_ui.show_labels_tip"))
        self.intro_label.setText(tr("extract_ui.intro"))
        self.empty_label.setText(tr("extract_ui.empty"))
        self.key_button.setText(tr("extract_ui.key.button"))
        self.key_button.setToolTip(tr("extract_ui.key.tip"))
        self.zip_button.setText(tr("extract_ui.save_zip"))
        self.zip_button.setToolTip(tr("extract_ui.save_zip_tip"))
        self.folder_button.setText(tr("extract_ui.save_folder"))
        stem = self.preview.extract.stem if self.preview is not None else "BAOM-…"
        self.folder_button.setToolTip(tr("extract_ui.save_folder_tip", name=ltr(stem)))
        self.close_button.setText(tr("extract_ui.close"))
        self.summary.retranslate()
        for page in self.csv_pages.values():
            page.retranslate()
        self.manifest_page.retranslate()
        self._title_tabs()
        self.messages.retranslate()
        if isinstance(self._error, WriteFailed):
            self.error_label.show_text(self._error.text())

    def _locked(self) -> None:
        """The office locked: forget the preview and close (a write under way finishes on its own)."""
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self._generation += 1
        self._stop_busy()
        self.preview = None
        self._show_preview()
        if self.isVisible():
            self.done(QDialog.DialogCode.Rejected)

    def _finished(self, _result: int) -> None:
        self._closed = True
        self._generation += 1
        self._stop_busy()


class ExtractLauncher(QObject):
    """The Statistiques toolbar's "Extrait régional…" button and its one dialog.

    Supervisors and administrators: for an officer the button stays disabled and its
    tooltip says why.
    """

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.parent_widget = parent
        self.dialog: ExtractDialog | None = None
        self.button = QPushButton()
        self.button.clicked.connect(self.open)
        ctx.sig_unlocked.connect(self.update_state)
        ctx.sig_locked.connect(self.close)
        ctx.languages.sig_language_changed.connect(self._language_changed)
        self.retranslate()

    def allowed(self) -> bool:
        return may_extract(self.ctx)

    def update_state(self) -> None:
        if not shiboken6.isValid(self.button):
            return
        allowed = self.allowed()
        self.button.setEnabled(allowed)
        self.button.setToolTip(tr("extract_ui.button_tip") if allowed else tr("extract_ui.button_denied"))

    def open(self) -> ExtractDialog | None:
        """The dialog (one at a time: asking again brings it back); None for an officer."""
        if not self.allowed():
            return None
        dialog = self.dialog
        if dialog is not None and shiboken6.isValid(dialog) and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        dialog = ExtractDialog(self.ctx, self.parent_widget)
        dialog.finished.connect(self._dialog_finished)
        self.dialog = dialog
        dialog.show()
        return dialog

    def _dialog_finished(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.deleteLater()

    def close(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.finished.disconnect(self._dialog_finished)
            dialog.done(QDialog.DialogCode.Rejected)
            dialog.deleteLater()
        self.update_state()

    def _language_changed(self, _lang: str) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        if shiboken6.isValid(self.button):
            self.button.setText(tr("extract_ui.button"))
            self.update_state()
