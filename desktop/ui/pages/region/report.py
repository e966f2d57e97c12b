"""« Rapport PDF… » and « Classeur XLSX… »: the published regional report of the range on screen.

The report (:func:`desktop.services.region_reports.write_regional_report`) applies the
small-cell rules to everything it prints; it is built and written on the database
thread, in the interface language, then audited by the service.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from desktop import i18n
from desktop.domain.errors import InputRejected
from desktop.i18n import tr
from desktop.services.office import OfficeHandle
from desktop.ui.context import AppContext
from desktop.ui.pages.statistics.texts import isolate
from desktop.ui.widgets.common import StatusMessages

FORMATS = ("pdf", "xlsx")


def write_report(handle: OfficeHandle, first: str, last: str, lang: str, what: str, out: Path) -> Path:
    """Runs on the database thread (reportlab and openpyxl are imported there, when first asked)."""
    from desktop.services import region_reports

    if what == "pdf":
        region_reports.write_regional_report(handle, first, last, lang, pdf=out)
    else:
        region_reports.write_regional_report(handle, first, last, lang, xlsx=out)
    return out


class ReportButtons(QObject):
    """Two buttons; the months come from ``months()`` (it may raise InputRejected)."""

    def __init__(
        self,
        ctx: AppContext,
        page: QWidget,
        months: Callable[[], tuple[str, str]],
        messages: StatusMessages,
    ) -> None:
        super().__init__(page)
        self.ctx = ctx
        self.page = page
        self.months = months
        self.messages = messages
        self.folder = ""
        self.busy = False
        self.buttons = {what: QPushButton() for what in FORMATS}
        for what, button in self.buttons.items():
            button.clicked.connect(partial(self.export, what))
        self.retranslate()

    def ask_path(self, what: str, file_name: str) -> str:
        """Where to write the report ("" if the person gave up; tests replace this method)."""
        folder = self.folder or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(
            self.page, tr(f"region_ui.report.title_{what}"), str(Path(folder) / file_name),
            tr(f"region_ui.report.filter_{what}"),
        )  # fmt: skip
        return path

    def export(self, what: str) -> None:
        if self.busy or self.ctx.actor is None:
            return
        try:
            first, last = self.months()
        except InputRejected as error:  # a range running backwards
            self.messages.show_error(error)
            return
        lang = i18n.language()
        chosen = self.ask_path(what, f"BAOM-region-{first}_{last}-{lang}.{what}")
        if not chosen:
            return
        out = Path(chosen)
        if out.suffix.lower() != f".{what}":
            out = out.with_name(out.name + f".{what}")
        self.folder = str(out.parent)
        self.set_busy(True)
        self.messages.set_status("region_ui.report.writing")
        self.ctx.call(write_report, first, last, lang, what, out, on_done=self._written, on_error=self._failed)

    def _written(self, out: Path) -> None:
        if not shiboken6.isValid(self.page):
            return
        self.set_busy(False)
        self.messages.set_status("region_ui.report.written", path=isolate(str(out)))

    def _failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self.page):
            return
        self.set_busy(False)
        self.messages.show_error(error)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in self.buttons.values():
            button.setEnabled(not busy)

    def retranslate(self) -> None:
        for what, button in self.buttons.items():
            button.setText(tr(f"region_ui.report.button_{what}"))
