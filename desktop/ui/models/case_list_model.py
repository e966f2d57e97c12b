"""The case list as a table: an id list from SQL, rows fetched a page at a time as they are shown.

An office may hold 100,000 cases, so the model never loads them whole (Anki's browser
table): filtering, searching and sorting re-run :func:`case_list.case_ids` in SQL and
replace the id list; ``data()`` for a row not yet fetched asks the database thread for
the page of :data:`PAGE_SIZE` ids around it and shows :data:`PLACEHOLDER` until the
rows arrive. At most :data:`MAX_CACHED_ROWS` rows are kept; the pages farthest from
the one just read are forgotten first.

A new filter or sort is asked in two steps. First :func:`first_screen`: the first
:data:`FIRST_IDS` ids (a ``LIMIT``: a search matching 74,000 of 100,000 cases shows in
20 ms instead of 60-110 ms) with the rows of their first page, so the table is painted
once, with rows, not first with placeholders. Then the whole id list, appended behind
them without a reset (the selection and the scroll stay). The count is told once the
list is whole; a list shorter than :data:`FIRST_IDS` is whole after the first step.
Asking the same list again (a refresh after a change) takes one step, the whole id
list, so the table does not jump to the top and back.

Every answer carries the request it belongs to, so a late id list (typing went on,
the office locked) or a late page (the list changed meanwhile) is dropped. Only one
id query runs at a time: while it runs, newer filters just replace the wanted one,
and the newest is asked for when it returns, so fast typing never queues up queries.
"""

from __future__ import annotations

import gettext
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QLocale, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from desktop import i18n
from desktop.i18n import messages, tr
from desktop.services import case_list
from desktop.services.case_types import CaseFilter, CaseListRow
from desktop.services.office import OfficeHandle
from desktop.ui.context import AppContext
from desktop.ui.models.base import ModelIndex, TranslatedTableModel
from desktop.ui.widgets.common import format_number

PAGE_SIZE = 100
FIRST_IDS = 2 * PAGE_SIZE
"""How many ids the first step of a new list asks for (whole pages, so no page is cut short)."""
MAX_CACHED_ROWS = 5_000
PLACEHOLDER = "…"
CASE_ID_ROLE = Qt.ItemDataRole.UserRole
"""``data(index, CASE_ID_ROLE)``: the case id of the row (known before the row is fetched)."""

COLUMN_KEYS = (
    "case_list.column.number",
    "case_list.column.name",
    "case_list.column.name_ar",
    "case_list.column.sex",
    "case_list.column.age",
    "case_list.column.nationality",
    "case_list.column.category",
    "case_list.column.stage",
    "case_list.column.vulnerability",
    "case_list.column.opened_on",
    "case_list.column.next_follow_up",
    "case_list.column.officer",
)
(
    NUMBER,
    NAME,
    NAME_AR,
    SEX,
    AGE,
    NATIONALITY,
    CATEGORY,
    STAGE,
    VULNERABILITY,
    OPENED_ON,
    NEXT_FOLLOW_UP,
    OFFICER,
) = range(len(COLUMN_KEYS))

SORT_COLUMNS: dict[int, str] = {
    NUMBER: "number",
    NAME: "name",
    STAGE: "stage",
    VULNERABILITY: "vulnerability_level",
    OPENED_ON: "opened_on",
    NEXT_FOLLOW_UP: "next_follow_up",
}
"""The columns SQL can sort by (a key of :data:`case_types.SORT_KEYS` each); the others do not sort."""

DEFAULT_SORT_COLUMN = OPENED_ON
DESCENDING_FIRST = frozenset({OPENED_ON, VULNERABILITY})
"""Newest and most vulnerable first on the first click; the other columns start ascending."""

DATE_FORMAT = "dd/MM/yyyy"
"""Day first in every language, as on Moroccan forms (``en_MA`` would be month first)."""


def codelist_label(codelist: str, code: str) -> str:
    """A code's label in the interface language, or the code itself if the catalogue lacks it."""
    if not code:
        return ""
    key = f"{codelist}.{code}"
    return tr(key) if key in messages() else code


@cache
def _country_translation(lang: str) -> gettext.NullTranslations:
    import pycountry

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


@cache
def country_name(code: str, lang: str) -> str:
    """An ISO 3166-1 alpha-2 code as a country name in ``lang`` (the short name when translated)."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code.upper()) if code else None
    if country is None:
        return code
    translation = _country_translation(lang)
    for name in (getattr(country, "common_name", None), country.name):
        if name:
            translated = translation.gettext(name)
            if translated != name or lang == "en":
                return translated
    return str(country.name)


def format_date(value: date | None) -> str:
    if value is None:
        return ""
    return QLocale().toString(QDate(value.year, value.month, value.day), DATE_FORMAT)


def _dark_palette() -> bool:
    return QGuiApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128


def overdue_colour() -> QColor:
    """Red that stays readable on a light and on a dark table."""
    return QColor("#ef9a9a") if _dark_palette() else QColor("#c62828")


def level_background(level: str) -> QBrush | None:
    """A translucent tint: it lays over light and dark rows alike and keeps the text readable."""
    if level == "urgent":
        return QBrush(QColor(229, 57, 53, 90))
    if level == "high":
        return QBrush(QColor(251, 140, 0, 80))
    return None


def first_screen(
    handle: OfficeHandle, flt: CaseFilter, sort: str, descending: bool
) -> tuple[list[int], list[CaseListRow]]:
    """On the database thread: the first :data:`FIRST_IDS` ids of a list and the rows of its first page."""
    ids = case_list.first_case_ids(handle, flt, sort, descending, FIRST_IDS)
    return ids, case_list.case_rows(handle, ids[:PAGE_SIZE])


class CaseListModel(TranslatedTableModel):
    """Rows are :class:`CaseListRow` DTOs, fetched by page; codes are translated when shown."""

    column_keys = COLUMN_KEYS

    sig_count_changed = Signal(int)
    """The number of cases matching the filter (each time a whole id list is shown; 0 on clear)."""
    sig_error = Signal(object)
    """A service call failed (the exception); the page shows it inline."""
    sig_rows_loaded = Signal()
    """A page of rows arrived and was cached."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._ids: list[int] = []
        self._rows: dict[int, CaseListRow] = {}
        self._loaded_pages: dict[int, list[int]] = {}
        self._pending_pages: set[int] = set()
        self._filter = CaseFilter()
        self._sort_column = DEFAULT_SORT_COLUMN
        self._descending = True
        self._generation = 0
        """Bumped by each filter, sort and clear: which id list is wanted."""
        self._in_flight: int | None = None
        """The generation of the id query running now, if any."""
        self._list_version = 0
        """Bumped each time the id list shown is replaced: which list a page belongs to."""
        self._shown: tuple[CaseFilter, int, bool] | None = None
        """The filter and sort of the id list shown (None: nothing asked since the last clear)."""
        self._partial = False
        """Only the first :data:`FIRST_IDS` ids are shown; the rest is being asked."""
        ctx.sig_locked.connect(self.clear)

    # -- what is asked -------------------------------------------------------------

    @property
    def current_filter(self) -> CaseFilter:
        return self._filter

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder

    @property
    def cached_rows(self) -> int:
        return len(self._rows)

    @property
    def loading(self) -> bool:
        """An id query is running (the list shown may be about to change or grow)."""
        return self._in_flight is not None

    def is_sortable(self, column: int) -> bool:
        return column in SORT_COLUMNS

    def set_filter(self, flt: CaseFilter) -> None:
        """Ask for the ids matching ``flt``; the table is replaced when they arrive.

        Search needs three characters (trigrams): while a search grows from one to two
        characters nothing changes, so those keystrokes cost no query.
        """
        previous = self._filter
        self._filter = flt
        if previous.search != flt.search and _same_but_short_search(previous, flt):
            return
        self._requery()

    def refresh(self) -> None:
        """Re-run the current filter and sort (a case changed, a case was added)."""
        self._requery()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL by ``column``; a column without an SQL sort is ignored."""
        key = SORT_COLUMNS.get(column)
        if key is None:
            return
        self._sort_column = column
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._requery()

    def clear(self) -> None:
        """Forget every id and row (the office locked); late answers are dropped."""
        self._generation += 1
        self._in_flight = None
        self._shown = None
        self._replace_ids([])

    # -- rows ----------------------------------------------------------------------

    def row_count(self) -> int:
        return len(self._ids)

    def case_id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, case_id: int) -> int:
        """The row showing ``case_id``, or -1 (a linear scan: fine for one lookup)."""
        try:
            return self._ids.index(case_id)
        except ValueError:
            return -1

    def row_at(self, row: int) -> CaseListRow | None:
        """The fetched row, or None while it is not (yet) cached."""
        case_id = self.case_id_at(row)
        return self._rows.get(case_id) if case_id is not None else None

    # -- queries -------------------------------------------------------------------

    def _requery(self) -> None:
        self._generation += 1
        if self._in_flight is None:
            self._ask_ids()

    def _ask_ids(self) -> None:
        if not self.ctx.is_unlocked:
            self._in_flight = None
            return
        generation = self._generation
        self._in_flight = generation
        query = (self._filter, self._sort_column, self._descending)
        sort = SORT_COLUMNS[self._sort_column]
        if query == self._shown and not self._partial:  # the same list again: keep the place
            self.ctx.call(
                case_list.case_ids,
                self._filter,
                sort,
                self._descending,
                on_done=lambda ids: self._ids_arrived(generation, query, ids),
                on_error=lambda error: self._ids_failed(generation, error),
            )
            return
        self.ctx.call(
            first_screen,
            self._filter,
            sort,
            self._descending,
            on_done=lambda answer: self._first_screen_arrived(generation, query, *answer),
            on_error=lambda error: self._ids_failed(generation, error),
        )

    def _answer_wanted(self, generation: int) -> bool:
        """The answer to ``generation`` is shown; False if it is dropped (the newest is asked instead)."""
        if not shiboken6.isValid(self) or self._in_flight != generation or not self.ctx.is_unlocked:
            return False  # from before a lock
        self._in_flight = None
        if generation != self._generation:
            self._ask_ids()  # the filter changed meanwhile: ask for the newest only
            return False
        return True

    def _ids_arrived(self, generation: int, query: tuple[CaseFilter, int, bool], ids: list[int]) -> None:
        if self._answer_wanted(generation):
            self._shown = query
            self._replace_ids(ids)

    def _first_screen_arrived(
        self, generation: int, query: tuple[CaseFilter, int, bool], ids: list[int], rows: list[CaseListRow]
    ) -> None:
        if not self._answer_wanted(generation):
            return
        self._shown = query
        whole = len(ids) < FIRST_IDS
        self._replace_ids(ids, whole, rows)
        if whole:
            return
        self._in_flight = generation
        self.ctx.call(
            case_list.case_ids,
            self._filter,
            SORT_COLUMNS[self._sort_column],
            self._descending,
            on_done=lambda all_ids: self._rest_arrived(generation, all_ids),
            on_error=lambda error: self._ids_failed(generation, error),
        )

    def _rest_arrived(self, generation: int, ids: list[int]) -> None:
        if not self._answer_wanted(generation):
            return
        shown = len(self._ids)
        if ids[:shown] != self._ids:  # a case changed between the two steps
            self._replace_ids(ids)
            return
        self._partial = False
        if len(ids) > shown:
            self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
            self._ids.extend(ids[shown:])
            self.endInsertRows()
            cut = self._loaded_pages.pop(shown // PAGE_SIZE, None)  # a last page cut short: fetched again
            for case_id in cut or ():
                self._rows.pop(case_id, None)
        self.sig_count_changed.emit(len(self._ids))

    def _ids_failed(self, generation: int, error: BaseException) -> None:
        if self._answer_wanted(generation):
            self.sig_error.emit(error)

    def _replace_ids(self, ids: list[int], whole: bool = True, first_rows: list[CaseListRow] | None = None) -> None:
        self._list_version += 1
        self.beginResetModel()
        self._ids = list(ids)
        self._partial = not whole
        self._rows.clear()
        self._loaded_pages.clear()
        self._pending_pages.clear()
        if first_rows is not None and ids:
            self._loaded_pages[0] = self._ids[:PAGE_SIZE]
            self._rows.update((row.case_id, row) for row in first_rows)
        self.endResetModel()
        if whole:
            self.sig_count_changed.emit(len(self._ids))
        if first_rows:
            self.sig_rows_loaded.emit()

    def _request_page(self, page: int) -> None:
        if page in self._pending_pages or page in self._loaded_pages:
            return
        ids = self._ids[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        if not ids or not self.ctx.is_unlocked:
            return
        self._pending_pages.add(page)
        version = self._list_version
        self.ctx.call(
            case_list.case_rows,
            ids,
            on_done=lambda rows: self._rows_arrived(version, page, ids, rows),
            on_error=lambda error: self._rows_failed(version, error),
        )

    def _rows_arrived(self, version: int, page: int, ids: list[int], rows: list[CaseListRow]) -> None:
        if not shiboken6.isValid(self) or version != self._list_version or not self.ctx.is_unlocked:
            return
        self._pending_pages.discard(page)
        first = page * PAGE_SIZE
        if ids == self._ids[first : first + PAGE_SIZE]:  # else a page cut short, grown since: asked again
            self._loaded_pages[page] = ids
            for row in rows:
                self._rows[row.case_id] = row
            self._evict_far_from(page)
        self.rows_changed(first, min(first + PAGE_SIZE, len(self._ids)) - 1)
        self.sig_rows_loaded.emit()

    def _rows_failed(self, version: int, error: BaseException) -> None:
        if not shiboken6.isValid(self) or version != self._list_version:
            return
        self.sig_error.emit(error)  # the page stays marked: no retry loop on every paint

    def _evict_far_from(self, page: int) -> None:
        max_pages = max(1, MAX_CACHED_ROWS // PAGE_SIZE)
        if len(self._loaded_pages) <= max_pages:
            return
        by_distance = sorted(self._loaded_pages, key=lambda p: abs(p - page), reverse=True)
        for old in by_distance[: len(self._loaded_pages) - max_pages]:
            for case_id in self._loaded_pages.pop(old):
                self._rows.pop(case_id, None)

    # -- display -------------------------------------------------------------------

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.InitialSortOrderRole:
            if section in DESCENDING_FIRST:
                return Qt.SortOrder.DescendingOrder
            return Qt.SortOrder.AscendingOrder
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            if 0 <= section < len(self.column_keys) and section not in SORT_COLUMNS:
                return tr("case_list.not_sortable")
            return None
        return super().headerData(section, orientation, role)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        case_id = self._ids[index.row()]
        if role == CASE_ID_ROLE:
            return case_id
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == AGE:
                return int(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
            if column in (SEX, OPENED_ON, NEXT_FOLLOW_UP):
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        row = self._rows.get(case_id)
        if row is None:
            page = index.row() // PAGE_SIZE
            if page not in self._loaded_pages:
                self._request_page(page)
                return PLACEHOLDER if role == Qt.ItemDataRole.DisplayRole else None
            return "" if role == Qt.ItemDataRole.DisplayRole else None  # the case is gone
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == NEXT_FOLLOW_UP and self._overdue(row):
                return QBrush(overdue_colour())
            if row.closed:
                return QBrush(QGuiApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            return None
        if role == Qt.ItemDataRole.BackgroundRole and column == VULNERABILITY:
            return level_background(row.vulnerability_level)
        if role == Qt.ItemDataRole.FontRole:
            bold = (column == VULNERABILITY and row.vulnerability_level == "urgent") or (
                column == NEXT_FOLLOW_UP and self._overdue(row)
            )
            if bold:
                font = QFont()
                font.setBold(True)
                return font
        return None

    @staticmethod
    def _overdue(row: CaseListRow) -> bool:
        return not row.closed and row.next_follow_up is not None and row.next_follow_up < date.today()

    def _text(self, row: CaseListRow, column: int) -> str:
        if column == NUMBER:
            return row.number
        if column == NAME:
            return row.name
        if column == NAME_AR:
            return row.name_ar
        if column == SEX:
            return codelist_label("case_list.sex", row.sex)
        if column == AGE:
            return format_number(row.age) if row.age is not None else ""
        if column == NATIONALITY:
            return country_name(row.nationality, i18n.language())
        if column == CATEGORY:
            return codelist_label("category", row.category)
        if column == STAGE:
            return codelist_label("stage", row.stage)
        if column == VULNERABILITY:
            return codelist_label("level", row.vulnerability_level)
        if column == OPENED_ON:
            return format_date(row.opened_on)
        if column == NEXT_FOLLOW_UP:
            return format_date(row.next_follow_up)
        if column == OFFICER:
            return row.officer
        return ""

    def _tooltip(self, row: CaseListRow, column: int) -> str | None:
        if column == NEXT_FOLLOW_UP and self._overdue(row):
            return tr("case_list.overdue_tip")
        if column in (NAME, NAME_AR, NATIONALITY, CATEGORY, OFFICER):
            return self._text(row, column) or None
        return None


def _effective_search(text: str) -> str:
    terms = [t for t in text.split() if len(t) >= 3]
    return " ".join(terms)


def _same_but_short_search(old: CaseFilter, new: CaseFilter) -> bool:
    """Both searches narrow the same way (only their short terms differ)."""
    return replace(old, search="") == replace(new, search="") and _effective_search(old.search) == _effective_search(
        new.search
    )
