"""The audit log as a table: an id list, with rows fetched page by page as they are shown.

The log grows without bound (every view of a record is in it), so the model never
loads it whole. Filtering re-runs the query for the matching ids (newest first);
``data()`` for a row not yet fetched asks the database thread for the page of
:data:`PAGE_SIZE` ids around it and shows a placeholder until the rows arrive.
Every answer carries the generation it was asked for, so a late page from an old
filter (or from before the office locked) is dropped.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from desktop.domain.audit import RECOVERY_ACTOR, SYSTEM_ACTOR, UNKNOWN_ACTOR
from desktop.i18n import messages, tr
from desktop.services import audit
from desktop.services.audit import AuditFilter, AuditRow
from desktop.ui.context import AppContext
from desktop.ui.models.base import ModelIndex, TranslatedTableModel
from desktop.ui.widgets.common import format_datetime

PAGE_SIZE = 200
PLACEHOLDER = "…"

COLUMN_KEYS = (
    "audit_page.column.id",
    "audit_page.column.at",
    "audit_page.column.actor",
    "audit_page.column.action",
    "audit_page.column.record_type",
    "audit_page.column.record_id",
    "audit_page.column.detail",
)
ID, AT, ACTOR, ACTION, RECORD_TYPE, RECORD_ID, DETAIL = range(len(COLUMN_KEYS))

_SPECIAL_ACTORS = {
    SYSTEM_ACTOR: "audit_page.actor.system",
    RECOVERY_ACTOR: "audit_page.actor.recovery",
    UNKNOWN_ACTOR: "audit_page.actor.unknown",
}


def _translated_or_raw(key: str, raw: str) -> str:
    """A value a newer BAOM wrote (unknown to this catalogue) is shown as stored."""
    return tr(key) if key in messages() else raw


def action_label(action: str) -> str:
    return _translated_or_raw(f"audit_page.action.{action}", action)


def record_type_label(record_type: str) -> str:
    if not record_type:
        return ""
    return _translated_or_raw(f"audit_page.record.{record_type}", record_type)


_DETAILS = {
    "enabled": "audit_page.detail.enabled",
    "disabled": "audit_page.detail.disabled",
    "password reset": "audit_page.detail.password_reset",
    "password changed": "audit_page.detail.password_changed",
}


def detail_label(detail: str) -> str:
    """The services write a few fixed details in English: shown in the interface language."""
    key = _DETAILS.get(detail)
    if key:
        return tr(key)
    if detail.startswith("role="):
        role = detail.removeprefix("role=")
        return tr("audit_page.detail.role", role=_translated_or_raw(f"role.{role}", role))
    return detail


def actor_label(actor: str) -> str:
    key = _SPECIAL_ACTORS.get(actor)
    return tr(key) if key else actor


class AuditModel(TranslatedTableModel):
    column_keys = COLUMN_KEYS

    sig_count_changed = Signal(int)
    """The number of entries matching the filter (after each filter, 0 on clear)."""
    sig_error = Signal(object)
    """A service call failed (the exception); the tab shows it inline."""
    sig_rows_loaded = Signal()
    """A page of rows arrived and was cached."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._ids: list[int] = []
        self._rows: dict[int, AuditRow] = {}
        self._requested_pages: set[int] = set()
        self._generation = 0
        self._filter = AuditFilter()

    @property
    def current_filter(self) -> AuditFilter:
        return self._filter

    @property
    def cached_rows(self) -> int:
        return len(self._rows)

    def set_filter(self, flt: AuditFilter) -> None:
        """Ask for the ids matching ``flt``; the table is replaced when they arrive."""
        self._filter = flt
        self._generation += 1
        generation = self._generation
        self.ctx.call(
            audit.entry_ids,
            flt,
            on_done=lambda ids: self._ids_arrived(generation, ids),
            on_error=self._failed,
        )

    def refresh(self) -> None:
        self.set_filter(self._filter)

    def clear(self) -> None:
        """Forget every id and row (the office locked)."""
        self._generation += 1
        self.beginResetModel()
        self._ids = []
        self._rows.clear()
        self._requested_pages.clear()
        self.endResetModel()
        self.sig_count_changed.emit(0)

    def entry_at(self, row: int) -> AuditRow | None:
        if 0 <= row < len(self._ids):
            return self._rows.get(self._ids[row])
        return None

    def row_count(self) -> int:
        return len(self._ids)

    def _ids_arrived(self, generation: int, ids: list[int]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._ids = list(ids)
        self._rows.clear()
        self._requested_pages.clear()
        self.endResetModel()
        self.sig_count_changed.emit(len(self._ids))

    def _request_page(self, page: int) -> None:
        if page in self._requested_pages:
            return
        self._requested_pages.add(page)
        ids = self._ids[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        generation = self._generation
        self.ctx.call(
            audit.entries,
            ids,
            on_done=lambda rows: self._rows_arrived(generation, page, rows),
            on_error=self._failed,
        )

    def _rows_arrived(self, generation: int, page: int, rows: list[AuditRow]) -> None:
        if generation != self._generation:
            return
        for row in rows:
            self._rows[row.id] = row
        first = page * PAGE_SIZE
        self.rows_changed(first, min(first + PAGE_SIZE, len(self._ids)) - 1)
        self.sig_rows_loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.sig_error.emit(error)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (ID, RECORD_ID):
            return int(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        entry_id = self._ids[index.row()]
        if column == ID:
            return str(entry_id)
        entry = self._rows.get(entry_id)
        if entry is None:
            self._request_page(index.row() // PAGE_SIZE)
            return PLACEHOLDER if role == Qt.ItemDataRole.DisplayRole else None
        if column == AT:
            return format_datetime(entry.at)
        if column == ACTOR:
            return actor_label(entry.actor)
        if column == ACTION:
            return action_label(entry.action)
        if column == RECORD_TYPE:
            return record_type_label(entry.record_type)
        if column == RECORD_ID:
            return entry.record_id
        if column == DETAIL:
            return detail_label(entry.detail)
        return None
