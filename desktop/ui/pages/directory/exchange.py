"""Exchanging the directory with the regional secretariat as a file (.xlsx or .csv), both ways.

Export writes the whole directory to a file. Import is two steps, as in the service:
``preview_directory_import`` reads the file and compares it with the office, writing
nothing; the dialog shows what it would do — providers added, changed (which fields,
old → new), unchanged, those only this office has (never deleted), and the problems
with their line numbers — and only "Appliquer" calls ``apply_directory_import``. A
file with a problem is refused whole, so "Appliquer" waits for a corrected file.

The exchange service is loaded when first needed: the buttons hide while
``desktop.services.directory_exchange`` is not part of the application.
"""

from __future__ import annotations

import importlib
import importlib.util
from datetime import date
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from desktop.domain.users import Role, role_at_least
from desktop.i18n import messages, tr
from desktop.ui.context import AppContext
from desktop.ui.widgets.common import BusyDialog, ErrorLabel, StatusMessages, error_colour, ok_cancel_buttons

MODULE = "desktop.services.directory_exchange"
FORMATS = {".xlsx": "directory.exchange.filter_xlsx", ".csv": "directory.exchange.filter_csv"}
COLUMN_KEYS = {
    "nom": "directory.field.name_fr", "nom_ar": "directory.field.name_ar", "type": "directory.field.kind",
    "domaines": "directory.field.domains", "adresse": "directory.field.address", "commune": "directory.field.commune",
    "couverture": "directory.field.coverage", "point_focal": "directory.field.focal_point",
    "telephone": "directory.field.phone", "email": "directory.field.email", "langues": "directory.field.languages",
    "cout": "directory.field.cost", "documents_requis": "directory.field.documents",
    "publics": "directory.field.publics", "notes": "directory.field.notes",
    "verifie_le": "directory.field.verified_on", "actif": "directory.column.active",
    "services": "directory.tab.services", "uid": "directory.column.uid",
}  # fmt: skip
"""The file's columns, named as on screen."""
DAYS = {"lun": "mon", "mar": "tue", "mer": "wed", "jeu": "thu", "ven": "fri", "sam": "sat", "dim": "sun"}
GROUPS = ("added", "changed", "unchanged", "local_only", "problems")


def exchange_module() -> ModuleType | None:
    """The exchange service, or None while it is not part of the application."""
    if importlib.util.find_spec(MODULE) is None:
        return None
    return importlib.import_module(MODULE)


def column_label(column: str) -> str:
    """A column of the exchange file as the form names it ("telephone" → "Téléphone")."""
    if column.startswith("horaires_") and column[9:] in DAYS:
        return tr("directory.exchange.hours_of", day=tr(f"weekday.{DAYS[column[9:]]}"))
    key = COLUMN_KEYS.get(column, "")
    return tr(key).rstrip(" :\u00a0") if key in messages() else column


def problem_text(problem: Any) -> str:
    """Say "Ligne 4, colonne « email » : …" in the interface language."""
    key = str(getattr(problem, "key", "") or problem)
    params = getattr(problem, "params", None) or {}
    message = tr(key, **params) if key in messages() else key
    line, column = getattr(problem, "line", 0), getattr(problem, "column", "")
    sheet = getattr(problem, "sheet", "")
    if not line:
        return message
    where = (
        tr("directory.exchange.at_cell", line=line, column=column)
        if column
        else tr("directory.exchange.at_line", line=line)
    )
    if sheet:
        where = tr("directory.exchange.in_sheet", sheet=sheet, where=where)
    return tr("directory.exchange.problem", where=where, message=message)


def _entries(preview: Any, group: str) -> list[Any]:
    return list(getattr(preview, group, None) or [])


class ImportPreviewDialog(BusyDialog):
    """What the import would change, and "Appliquer"."""

    sig_applied = Signal(object)
    """What ``apply_directory_import`` returned, once the directory is updated."""

    def __init__(self, ctx: AppContext, module: ModuleType, preview: Any, path: Path,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx, self.module, self.preview, self.path = ctx, module, preview, path
        self._error: BaseException | None = None
        self.setSizeGripEnabled(True)
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet("font-weight: 600;")
        self.blocked_label = QLabel()
        self.blocked_label.setWordWrap(True)
        self.blocked_label.setStyleSheet(f"color: {error_colour()}; font-weight: 600;")
        self.kept_label = QLabel()
        self.kept_label.setWordWrap(True)
        self.ignored_label = QLabel()
        self.ignored_label.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.error_label = ErrorLabel()
        self.buttons, self.apply_button, self.cancel_button = ok_cancel_buttons(self.apply, self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.file_label, self.summary_label, self.blocked_label, self.kept_label, self.ignored_label):
            layout.addWidget(widget)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        ctx.languages.sig_language_changed.connect(self._language_changed)
        ctx.sig_locked.connect(self._locked)
        self._update_apply()
        self.retranslate()
        self.resize(QSize(820, 580))

    @property
    def has_problems(self) -> bool:
        return bool(_entries(self.preview, "problems"))

    def counts(self) -> dict[str, int]:
        return {group: len(_entries(self.preview, group)) for group in GROUPS}

    def _update_apply(self) -> None:
        counts = self.counts()
        something = counts["added"] + counts["changed"] > 0
        self.apply_button.setEnabled(something and not self.busy and not self.has_problems)

    def _fill(self) -> None:
        self.tree.clear()
        for group in GROUPS:
            entries = _entries(self.preview, group)
            top = QTreeWidgetItem([tr(f"directory.exchange.group.{group}", count=len(entries))])
            self.tree.addTopLevelItem(top)
            for entry in entries:
                item = self._entry_item(group, entry)
                top.addChild(item)
                item.setExpanded(True)  # a change shows old → new
            top.setExpanded(group in ("added", "changed", "problems"))

    @staticmethod
    def _entry_item(group: str, entry: Any) -> QTreeWidgetItem:
        if group == "problems":
            return QTreeWidgetItem([problem_text(entry)])
        name = str(getattr(entry, "name", "") or "")
        line = getattr(entry, "line", 0)
        text = tr("directory.exchange.entry", name=name, line=line) if line else name
        changes = list(getattr(entry, "changes", None) or [])
        if group != "changed" or not changes:
            return QTreeWidgetItem([text])
        fields = tr("directory.list_separator").join(column_label(c.column) for c in changes)
        key = "directory.exchange.kept_entry" if getattr(entry, "kept", False) else "directory.exchange.changed_entry"
        item = QTreeWidgetItem([tr(key, entry=text, fields=fields)])
        for change in changes:
            old = change.old or tr("directory.exchange.empty")
            new = change.new or tr("directory.exchange.empty")
            child = QTreeWidgetItem([tr("directory.exchange.change", field=column_label(change.column), old=old,
                                        new=new)])  # fmt: skip
            child.setToolTip(0, child.text(0))
            item.addChild(child)
        return item

    def lines(self) -> list[str]:
        """Every line of the tree, depth first (what a person can read)."""
        found: list[str] = []

        def walk(item: QTreeWidgetItem | None) -> None:
            if item is None:
                return
            found.append(item.text(0))
            for index in range(item.childCount()):
                walk(item.child(index))

        for index in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(index))
        return found

    def apply(self) -> None:
        if self.busy or not self.apply_button.isEnabled():
            return
        self._busy = True
        self._error = None
        self.error_label.clear_text()
        self.cancel_button.setEnabled(False)
        self._update_apply()
        self.apply_button.setText(tr("directory.exchange.applying"))
        self.ctx.call(self.module.apply_directory_import, self.preview, on_done=self._applied, on_error=self._failed)

    def _applied(self, result: object) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self.sig_applied.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self._error = error
        self.cancel_button.setEnabled(True)
        self._update_apply()
        self.retranslate()

    def _locked(self) -> None:
        if shiboken6.isValid(self):
            self._busy = False
            self.done(0)

    def _language_changed(self, _lang: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("directory.exchange.preview_title"))
        self.file_label.setText(tr("directory.exchange.file", name=self.path.name))
        self.summary_label.setText(tr("directory.exchange.summary", **self.counts()))
        self.blocked_label.setText(tr("directory.exchange.blocked") if self.has_problems else "")
        self.blocked_label.setVisible(self.has_problems)
        self.kept_label.setText(tr("directory.exchange.kept_note"))
        ignored = list(getattr(self.preview, "ignored_columns", None) or [])
        self.ignored_label.setText(tr("directory.exchange.ignored", columns=", ".join(ignored)) if ignored else "")
        self.ignored_label.setVisible(bool(ignored))
        self.apply_button.setText(tr("directory.exchange.applying") if self.busy else tr("directory.exchange.apply"))
        self.cancel_button.setText(tr("directory.cancel"))
        self._fill()
        if self._error is not None:
            self.error_label.show_error(self._error)


class DirectoryExchange(QObject):
    """The Export… and Import… buttons' work: file choice, the service call, the preview dialog."""

    sig_imported = Signal()
    """The directory changed: the list re-reads it."""

    def __init__(self, ctx: AppContext, parent: QWidget, status: StatusMessages) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.parent_widget = parent
        self.messages = status
        self.dialog: ImportPreviewDialog | None = None

    @staticmethod
    def available() -> bool:
        return exchange_module() is not None

    def may_import(self) -> bool:
        """Merging a file changes many providers at once: supervisors and admins (the service checks too)."""
        actor = self.ctx.actor
        return actor is not None and role_at_least(actor.role, Role.SUPERVISOR)

    def _filters(self) -> str:
        return ";;".join(tr(key) for key in FORMATS.values())

    def _ask_save_path(self) -> str:
        name = tr("directory.exchange.default_name", date=date.today().isoformat()) + ".xlsx"
        path, chosen = QFileDialog.getSaveFileName(self.parent_widget, tr("directory.export"), name, self._filters())
        if path and Path(path).suffix.lower() not in FORMATS:
            path += ".csv" if chosen == tr(FORMATS[".csv"]) else ".xlsx"
        return path

    def _ask_open_path(self) -> str:
        path, _chosen = QFileDialog.getOpenFileName(
            self.parent_widget, tr("directory.import"), "", tr("directory.exchange.filter_any")
        )
        return path

    def export(self) -> None:
        module = exchange_module()
        if module is None or self.ctx.actor is None:
            return
        path = self._ask_save_path()
        if not path:
            return
        done = partial(self._exported, Path(path).name)
        self.ctx.call(module.export_directory, Path(path), on_done=done, on_error=self._failed)

    def _exported(self, name: str, count: object) -> None:
        if shiboken6.isValid(self.parent_widget):
            shown = count if isinstance(count, int) else 0
            self.messages.set_status("directory.exchange.exported", name=name, count=shown)

    def import_file(self) -> None:
        module = exchange_module()
        if module is None or not self.may_import() or self.dialog is not None:
            return
        path = self._ask_open_path()
        if not path:
            return
        self.messages.set_status("directory.exchange.reading", name=Path(path).name)
        done = partial(self._show_preview, module, Path(path))
        self.ctx.call(module.preview_directory_import, Path(path), on_done=done, on_error=self._failed)

    def _show_preview(self, module: ModuleType, path: Path, preview: Any) -> None:
        if not shiboken6.isValid(self.parent_widget) or self.ctx.actor is None:
            return
        self.messages.clear()
        dialog = ImportPreviewDialog(self.ctx, module, preview, path, self.parent_widget)
        self.dialog = dialog
        dialog.sig_applied.connect(self._applied)
        dialog.finished.connect(self._dialog_finished)
        dialog.open()

    def _applied(self, result: object) -> None:
        added, changed = getattr(result, "added", 0), getattr(result, "changed", 0)
        self.messages.set_status("directory.exchange.imported", added=added, changed=changed)
        self.sig_imported.emit()

    def _dialog_finished(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.deleteLater()

    def _failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self.parent_widget):
            self.messages.show_error(error)

    def close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.finished.disconnect(self._dialog_finished)
            dialog.done(0)
            dialog.deleteLater()
