"""«Enregistrer le modèle…»: the register template an office fills in before importing.

The officer picks where (.xlsx with the list of accepted values, or .csv); the file
is written on the database thread like every other task, never on the GUI thread.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from desktop import i18n
from desktop.i18n import tr
from desktop.services.register_template import write_template
from desktop.ui.context import AppContext

TEMPLATE_NAME = "modele_registre_baom.xlsx"


def documents_folder() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)


class TemplateButton(QPushButton):
    """The button that asks where, then writes the .xlsx or .csv template off the GUI thread."""

    sig_written = Signal(object)
    """The template's path, once written."""
    sig_failed = Signal(object)
    """The error that stopped the writing."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clicked.connect(self.save_template)

    def ask_path(self) -> Path | None:
        """Where to write the template (None if cancelled); tests replace this."""
        chosen, chosen_filter = QFileDialog.getSaveFileName(
            self.window(),
            tr("import_dialog.template_title"),
            str(Path(documents_folder()) / TEMPLATE_NAME),
            tr("import_dialog.template_filter"),
        )
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() not in (".xlsx", ".csv"):
            path = path.with_name(path.name + (".csv" if "csv" in chosen_filter.lower() else ".xlsx"))
        return path

    def save_template(self) -> None:
        path = self.ask_path()
        if path is not None:
            self.ctx.run(write_template, path, i18n.language(), on_done=partial(self._written, path),
                         on_error=self._failed)  # fmt: skip

    def _written(self, path: Path, _result: object) -> None:
        if shiboken6.isValid(self):
            self.sig_written.emit(path)

    def _failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self):
            self.sig_failed.emit(error)

    def retranslate(self) -> None:
        self.setText(tr("import_dialog.save_template"))
        self.setToolTip(tr("import_dialog.save_template_tip"))
