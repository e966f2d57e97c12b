"""What the regional sections share: the page frame, ranges of months, names, numbers, tables.

Each regional page loads lazily: ``reload()`` (unlock, an import, a key registered) only
marks it stale, and it asks the database when it is shown. Numbers, codes and dates are
isolated left to right (:func:`desktop.ui.pages.statistics.texts.ltr`) so that "12 %"
or "09.001.01.01." keep their order in an Arabic cell.
"""

from __future__ import annotations

from datetime import date, datetime

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop import i18n
from desktop.domain.geography import commune_name
from desktop.domain.indicators import BY_CODE, Unit
from desktop.domain.periods import add_months, last_complete_month, month_key, month_range, month_start
from desktop.domain.referrals import OFFICE_TIME_ZONE, office_today
from desktop.domain.regional import Access
from desktop.i18n import tr
from desktop.reports.stats_tables import format_value
from desktop.services.region_stats import RegionalStatistics
from desktop.ui.context import AppContext
from desktop.ui.pages.base import Page
from desktop.ui.pages.statistics.period_picker import MonthField
from desktop.ui.pages.statistics.texts import ltr, month_label
from desktop.ui.widgets.common import ErrorLabel, StatusMessages

DASH = "—"
"""Nothing reported: unknown, never zero."""
RANGE_DELAY_MS = 250
"""Months clicked through are computed once the clicks pause."""
MEASURES: tuple[str, ...] = ("sent", "answer_rate", "served_share", "median_days")
"""The barometer's four measures, in the order of docs/regional.md."""


class RegionEvents(QObject):
    """Tells every regional page that the store changed (an import, a key registered or revoked)."""

    sig_store_changed = Signal()


_events: dict[str, RegionEvents] = {}


def region_events() -> RegionEvents:
    events = _events.get("e")
    if events is None or not shiboken6.isValid(events):
        events = RegionEvents()
        _events["e"] = events
    return events


# -- names and months ------------------------------------------------------------------------


def commune_label(code: str, lang: str | None = None) -> str:
    """ "Agadir (09.001.01.01.)", the code kept left to right in Arabic."""
    name = commune_name(code, lang or i18n.language())
    return ltr(code) if name == code else f"{name} ({ltr(code)})"


def date_text(value: date) -> str:
    """ "23/11/2026", kept in that order in Arabic."""
    return ltr(f"{value:%d/%m/%Y}")


def datetime_text(value: datetime) -> str:
    """A moment (aware), in the office's time zone: "23/11/2026 14:05"."""
    return ltr(f"{value.astimezone(OFFICE_TIME_ZONE):%d/%m/%Y %H:%M}")


def month_text(month: str, lang: str | None = None) -> str:
    """ "mars 2025" / "مارس 2025" """
    return month_label(month_start(month), lang or i18n.language())


def month_header(month: str, lang: str | None = None) -> str:
    """A column title on two lines: the month, then the year."""
    day = month_start(month)
    return f"{i18n.tr_in(lang or i18n.language(), f'stats.month.{day.month}')}\n{day.year}"


def default_range(count: int, today: date | None = None) -> tuple[str, str]:
    """The last ``count`` complete months at the office (the month being lived is not over)."""
    last = last_complete_month(today or office_today()).start
    first = add_months(last.year, last.month, 1 - count)
    return month_key(*first), month_key(last.year, last.month)


# -- numbers -----------------------------------------------------------------------------------


def figure_number(code: str, pair: tuple[float | None, int | None]) -> float | None:
    """A figure as a plain number: a rate in percent, a median in days, else the count."""
    value, base = pair
    if value is None:
        return None
    if BY_CODE[code].unit is Unit.RATE:
        return 100 * value / base if base else None
    return float(value)


def figure_text(code: str, pair: tuple[float | None, int | None], lang: str | None = None) -> str:
    """A combined figure as shown: "12", "45 %", "6,5"; "—" when nothing was reported."""
    value, base = pair
    lang = lang or i18n.language()
    unit = BY_CODE[code].unit
    if value is None or (unit is Unit.RATE and not base):
        return DASH
    return ltr(format_value(value / base if unit is Unit.RATE and base else value, unit, lang))


def measure_number(measure: str, access: Access) -> float | None:
    """One barometer measure: referrals made, or a share in percent, or a median in days."""
    if measure == "sent":
        return float(access.sent)
    if measure == "median_days":
        return access.median_days
    share = access.answer_rate if measure == "answer_rate" else access.served_share
    return None if share is None else 100 * share


def measure_text(measure: str, access: Access | None, lang: str | None = None) -> str:
    if access is None:
        return DASH
    lang = lang or i18n.language()
    if measure == "sent":
        return ltr(str(access.sent))
    if measure == "median_days":
        return ltr(format_value(access.median_days, Unit.DAYS, lang)) if access.median_days is not None else DASH
    share = access.answer_rate if measure == "answer_rate" else access.served_share
    return ltr(format_value(share, Unit.RATE, lang)) if share is not None else DASH


def reported(stats: RegionalStatistics, commune: str | None = None, month: str | None = None) -> bool:
    """Whether any extract (of this commune, in this month, or at all) is behind a figure."""
    for m in stats.months if month is None else (month,):
        communes = stats.reported.get(m, frozenset())
        if (commune is None and communes) or (commune is not None and commune in communes):
            return True
    return False


def access_tip(access: Access) -> str:
    """Everything behind a barometer cell, for its tooltip."""
    return tr(
        "region_ui.barometer.tip",
        sent=access.sent,
        answered=access.answered,
        counters=access.counters,
        served=access.served,
        partly=access.partly_served,
        delays=sum((access.delays or {}).values()),
    )


# -- widgets -----------------------------------------------------------------------------------


class MonthRange(QWidget):
    """From one month to another (both included); ``sig_changed`` once the clicks pause."""

    sig_changed = Signal()

    def __init__(self, months: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.default_months = months
        self.from_label = QLabel()
        self.from_field = MonthField()
        self.to_label = QLabel()
        self.to_field = MonthField()
        self.from_label.setBuddy(self.from_field.month_combo)
        self.to_label.setBuddy(self.to_field.month_combo)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RANGE_DELAY_MS)
        self.timer.timeout.connect(self.sig_changed)
        for field in (self.from_field, self.to_field):
            field.sig_changed.connect(self.timer.start)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.from_label, self.from_field, self.to_label, self.to_field):
            row.addWidget(widget)
        self.reset()
        self.retranslate()

    def reset(self) -> None:
        self.set_range(*default_range(self.default_months), notify=False)

    def set_range(self, first: str, last: str, notify: bool = True) -> None:
        for field, month in ((self.from_field, first), (self.to_field, last)):
            start = month_start(month)
            field.set_value(start.year, start.month)
        if notify:
            self.timer.stop()
            self.sig_changed.emit()

    def months(self) -> tuple[str, str]:
        """The first and last month (``YYYY-MM``); InputRejected when the range runs backwards."""
        months = month_range(month_key(*self.from_field.value()), month_key(*self.to_field.value()))
        return months[0], months[-1]

    def retranslate(self) -> None:
        self.from_label.setText(tr("region_ui.range.from"))
        self.to_label.setText(tr("region_ui.range.to"))
        self.from_field.retranslate()
        self.to_field.retranslate()


def heading_label() -> QLabel:
    label = QLabel()
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    return label


def note_label() -> QLabel:
    """A grey explanatory line that wraps."""
    label = QLabel()
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def read_only_table(parent: QWidget | None = None) -> QTableWidget:
    """A table of figures: read only, whole rows, columns fitted to their content."""
    table = QTableWidget(parent)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.AlignmentFlag.AlignVCenter)
    return table


class SortableItem(QTableWidgetItem):
    """Sorted by the value kept in ``UserRole`` when it has one (a month, a number), else by its text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(Qt.ItemDataRole.UserRole), other.data(Qt.ItemDataRole.UserRole)
        if mine is not None and theirs is not None and type(mine) is type(theirs):
            return bool(mine < theirs)
        return super().__lt__(other)


def fit_columns(table: QTableWidget, first: int, last: int, minimum: int = 62) -> None:
    """Columns ``first``..``last`` (months) fitted to their content, none narrower than ``minimum``."""
    header = table.horizontalHeader()
    for column in range(first, last + 1):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setMinimumSectionSize(minimum)


def share_splitter(splitter: QSplitter, first_share: float) -> None:
    """Give the splitter's first widget this share of its width (a chart added later gets its room)."""
    total = max(splitter.width(), 800)
    first = int(total * first_share)
    splitter.setSizes([first, total - first])


def text_item(text: str, tip: str = "", sort_value: object = None) -> QTableWidgetItem:
    item = SortableItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
    if sort_value is not None:
        item.setData(Qt.ItemDataRole.UserRole, sort_value)
    if tip:
        item.setToolTip(tip)
    return item


def number_item(text: str, sort_value: float | None = None, tip: str = "") -> QTableWidgetItem:
    """A number: at the end of its cell; sorted by ``sort_value`` when given."""
    item = SortableItem(text)
    if sort_value is not None:
        item.setData(Qt.ItemDataRole.UserRole, float(sort_value))
    item.setTextAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
    if tip:
        item.setToolTip(tip)
    return item


def bold(item: QTableWidgetItem) -> QTableWidgetItem:
    font = item.font()
    font.setBold(True)
    item.setFont(font)
    return item


class RegionPage(Page):
    """A regional section: a heading, an intro, an inline error and status; loads when shown."""

    heading_key = ""
    intro_key = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._stale = True
        self._generation = 0
        """Bumped by each load and by a lock: which answer is wanted."""
        self.heading = heading_label()
        self.intro = note_label()
        self.error_label = ErrorLabel()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.messages = StatusMessages(self.status_label, self.error_label)
        region_events().sig_store_changed.connect(self.reload)

    def disconnect_signals(self) -> None:
        super().disconnect_signals()
        region_events().sig_store_changed.disconnect(self.reload)

    # -- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """The data may have changed: load now if shown, else when shown."""
        self._stale = True
        if self.isVisible() and self.ctx.actor is not None:
            self.load()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.ctx.actor is not None:
            self.load()

    def load(self) -> None:
        """Ask the database (subclasses); call :meth:`started` first and check :meth:`wanted` in answers."""

    def started(self) -> int:
        self._stale = False
        self._generation += 1
        return self._generation

    def wanted(self, generation: int) -> bool:
        """An answer still wanted: the page exists, the office is open, no newer question."""
        return shiboken6.isValid(self) and self.ctx.actor is not None and generation == self._generation

    def failed(self, generation: int, error: BaseException) -> None:
        if self.wanted(generation):
            self.messages.show_error(error)

    def clear(self) -> None:
        self._generation += 1
        self._stale = True
        self.messages.clear()

    def retranslate(self) -> None:
        if self.heading_key:
            self.heading.setText(tr(self.heading_key))
        if self.intro_key:
            self.intro.setText(tr(self.intro_key))
        self.messages.retranslate()
