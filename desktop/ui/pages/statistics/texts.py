"""Texts the statistics screens share: months, periods, and numbers kept left to right in Arabic."""

from __future__ import annotations

from datetime import date

from desktop import i18n
from desktop.domain.periods import Period

LRI, PDI = "\u2066", "\u2069"
NBSP = "\u00a0"


def isolate(text: str) -> str:
    """A left-to-right isolate around ``text``, spaces kept: a path may wrap, and be copied as it is."""
    return f"{LRI}{text}{PDI}" if text else text


def ltr(text: str) -> str:
    """A number, a change or a date as one left-to-right block that never wraps.

    In an Arabic sentence (or a right-to-left table cell) "+12 %" would read "% 12+" and
    "23/11/2026 14:34" would swap its date and time: the isolate keeps the order.
    """
    return isolate(text.replace(" ", NBSP))


def plain(text: str) -> str:
    """What :func:`ltr` wrapped, as typed (for tests and tooltips)."""
    return text.replace(LRI, "").replace(PDI, "").replace(NBSP, " ")


def month_label(day: date, lang: str) -> str:
    """The month and year: "octobre 2026" / "أكتوبر 2026" / "October 2026"."""
    return f"{i18n.tr_in(lang, f'stats.month.{day.month}')} {day.year}"


def period_text(period: Period, lang: str) -> str:
    """A period in words: "octobre 2026", "janvier 2026 – mars 2026", "du 01/01/2026 au 15/01/2026"."""
    if period.is_month:
        return month_label(period.start, lang)
    if period.whole_months:
        return f"{month_label(period.start, lang)} – {month_label(period.end, lang)}"
    return i18n.tr_in(lang, "stats.period_range", start=f"{period.start:%d/%m/%Y}", end=f"{period.end:%d/%m/%Y}")
