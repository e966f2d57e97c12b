"""Reporting periods: a month or any run of days, and the periods they are compared with."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from desktop.domain.errors import InputRejected

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month_key(year: int, month: int) -> str:
    """``2026-03``: a month as extracts, the regional store and the command line write it."""
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True, order=True)
class Period:
    """Days from ``start`` to ``end``, both included (office dates, Africa/Casablanca)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InputRejected("stats.error.period_order")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), month_end(year, month))

    @classmethod
    def parse_month(cls, text: str) -> Period:
        """``YYYY-MM`` as typed on the command line."""
        found = _MONTH.match(text.strip())
        if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
            raise InputRejected("stats.error.month_format", value=text[:20])
        return cls.month(int(found.group(1)), int(found.group(2)))

    @classmethod
    def months_to(cls, last: Period, count: int) -> Period:
        """The ``count`` whole months ending with the month of ``last.end``."""
        year, month = add_months(last.end.year, last.end.month, -(count - 1))
        return cls(date(year, month, 1), month_end(last.end.year, last.end.month))

    @property
    def whole_months(self) -> bool:
        return self.start.day == 1 and self.end == month_end(self.end.year, self.end.month)

    @property
    def month_count(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def is_month(self) -> bool:
        return self.whole_months and self.month_count == 1

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before, of the same length (in months when whole months)."""
        if self.whole_months:
            year, month = add_months(self.start.year, self.start.month, -self.month_count)
            last_year, last_month = add_months(self.start.year, self.start.month, -1)
            return Period(date(year, month, 1), month_end(last_year, last_month))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def year_before(self) -> Period:
        """The same days one year earlier (29 February becomes the 28th)."""
        if self.whole_months:
            return Period(
                date(self.start.year - 1, self.start.month, 1), month_end(self.end.year - 1, self.end.month)
            )
        return Period(_minus_year(self.start), _minus_year(self.end))

    def month_starts(self) -> Iterator[date]:
        year, month = self.start.year, self.start.month
        while date(year, month, 1) <= self.end:
            yield date(year, month, 1)
            year, month = add_months(year, month, 1)

    def month_keys(self) -> tuple[str, ...]:
        """The months it touches, ``YYYY-MM``, oldest first."""
        return tuple(month_key(day.year, day.month) for day in self.month_starts())

    def key(self) -> str:
        """``2026-11`` for a month, ``2026-01..2026-12`` for whole months, else ISO dates."""
        first, last = month_key(self.start.year, self.start.month), month_key(self.end.year, self.end.month)
        if self.is_month:
            return first
        if self.whole_months:
            return f"{first}..{last}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _minus_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def month_start(key: str) -> date:
    """The first day of the month ``YYYY-MM`` (InputRejected ``stats.error.month_format`` if it is not one)."""
    return Period.parse_month(key).start


def month_range(first: str, last: str) -> tuple[str, ...]:
    """The months ``first``..``last`` (``YYYY-MM``, both included), oldest first.

    InputRejected: ``stats.error.month_format`` for a month badly written,
    ``region.error.months_order`` when ``last`` comes before ``first``.
    """
    start, end = Period.parse_month(first), Period.parse_month(last)
    if end.start < start.start:
        raise InputRejected("region.error.months_order")
    return Period(start.start, end.end).month_keys()


def current_month(today: date) -> Period:
    return Period.month(today.year, today.month)


def last_complete_month(today: date) -> Period:
    """The month a monthly report is usually about: the one before today's."""
    return current_month(today).previous()
