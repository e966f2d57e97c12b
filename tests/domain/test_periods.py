"""Reporting periods: parsing what is typed, keys, lengths, the periods compared with."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.domain.errors import InputRejected
from desktop.domain.periods import (
    Period,
    add_months,
    current_month,
    last_complete_month,
    month_end,
    month_key,
    month_range,
    month_start,
)


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "26-10", "", " ", "2026/10", "2026-1", "2026-10-01", "octobre", "1899-12"]
)
def test_bad_months_are_rejected(text: str) -> None:
    with pytest.raises(InputRejected) as caught:
        Period.parse_month(text)
    assert caught.value.key == "stats.error.month_format"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        (" 2026-02 ", date(2026, 2, 1), date(2026, 2, 28)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("2000-02", date(2000, 2, 1), date(2000, 2, 29)),  # divisible by 400: leap
        ("2100-02", date(2100, 2, 1), date(2100, 2, 28)),  # divisible by 100 only: not leap
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2026-04", date(2026, 4, 1), date(2026, 4, 30)),
    ],
)
def test_months_are_parsed_to_their_days(text: str, start: date, end: date) -> None:
    period = Period.parse_month(text)
    assert (period.start, period.end) == (start, end)
    assert period.is_month and period.whole_months and period.month_count == 1
    assert period.days == (end - start).days + 1
    assert period.key() == text.strip()


def test_end_before_start_is_rejected() -> None:
    with pytest.raises(InputRejected) as caught:
        Period(date(2026, 10, 2), date(2026, 10, 1))
    assert caught.value.key == "stats.error.period_order"
    assert Period(date(2026, 10, 1), date(2026, 10, 1)).days == 1


def test_keys() -> None:
    assert Period.month(2026, 10).key() == "2026-10"
    assert Period(date(2026, 1, 1), date(2026, 12, 31)).key() == "2026-01..2026-12"
    assert Period(date(2025, 11, 1), date(2026, 2, 28)).key() == "2025-11..2026-02"
    assert Period(date(2026, 1, 10), date(2026, 1, 20)).key() == "2026-01-10..2026-01-20"
    assert Period(date(2026, 1, 1), date(2026, 1, 30)).key() == "2026-01-01..2026-01-30"  # not the whole month


def test_month_count_and_whole_months() -> None:
    assert Period(date(2025, 11, 1), date(2026, 10, 31)).month_count == 12
    assert Period(date(2026, 1, 1), date(2026, 3, 31)).month_count == 3
    assert Period(date(2026, 1, 31), date(2026, 2, 1)).month_count == 2  # months touched
    assert not Period(date(2026, 1, 31), date(2026, 2, 1)).whole_months
    assert Period(date(2026, 1, 1), date(2026, 3, 31)).whole_months
    assert not Period(date(2026, 1, 1), date(2026, 3, 31)).is_month
    assert not Period(date(2026, 2, 1), date(2026, 2, 27)).whole_months


def test_previous_and_year_before_of_months() -> None:
    assert Period.month(2026, 1).previous() == Period.month(2025, 12)
    assert Period.month(2026, 3).previous() == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert Period.month(2028, 3).previous() == Period(date(2028, 2, 1), date(2028, 2, 29))
    assert Period.month(2028, 2).year_before() == Period(date(2027, 2, 1), date(2027, 2, 28))
    assert Period.month(2029, 2).year_before() == Period(date(2028, 2, 1), date(2028, 2, 29))
    assert Period.month(2026, 1).year_before() == Period.month(2025, 1)
    quarter = Period(date(2026, 1, 1), date(2026, 3, 31))
    assert quarter.previous() == Period(date(2025, 10, 1), date(2025, 12, 31))
    assert quarter.year_before() == Period(date(2025, 1, 1), date(2025, 3, 31))
    year = Period(date(2025, 11, 1), date(2026, 10, 31))
    assert year.previous() == Period(date(2024, 11, 1), date(2025, 10, 31))


def test_previous_and_year_before_of_days() -> None:
    ten_days = Period(date(2026, 1, 1), date(2026, 1, 10))
    assert ten_days.previous() == Period(date(2025, 12, 22), date(2025, 12, 31))
    assert ten_days.year_before() == Period(date(2025, 1, 1), date(2025, 1, 10))
    leap = Period(date(2028, 2, 10), date(2028, 2, 29))
    assert leap.year_before() == Period(date(2027, 2, 10), date(2027, 2, 28))
    assert leap.previous() == Period(date(2028, 1, 21), date(2028, 2, 9))
    assert leap.previous().days == leap.days == 20
    assert Period(date(2028, 2, 29), date(2028, 3, 5)).year_before() == Period(date(2027, 2, 28), date(2027, 3, 5))


def test_months_to_and_month_starts() -> None:
    span = Period.months_to(Period.month(2026, 10), 12)
    assert span == Period(date(2025, 11, 1), date(2026, 10, 31))
    starts = list(span.month_starts())
    assert len(starts) == 12 and starts[0] == date(2025, 11, 1) and starts[-1] == date(2026, 10, 1)
    assert Period.months_to(Period(date(2026, 1, 25), date(2026, 2, 3)), 2) == Period(
        date(2026, 1, 1), date(2026, 2, 28)
    )
    assert Period.months_to(Period.month(2028, 2), 1) == Period.month(2028, 2)


def test_helpers() -> None:
    assert add_months(2026, 1, -1) == (2025, 12)
    assert add_months(2026, 12, 1) == (2027, 1)
    assert add_months(2026, 10, -22) == (2024, 12)
    assert month_end(2028, 2) == date(2028, 2, 29) and month_end(2026, 2) == date(2026, 2, 28)
    assert current_month(date(2026, 1, 1)) == Period.month(2026, 1)
    assert last_complete_month(date(2026, 1, 1)) == Period.month(2025, 12)
    assert last_complete_month(date(2028, 3, 31)) == Period.month(2028, 2)


def test_month_keys_and_ranges() -> None:
    assert month_key(2026, 3) == "2026-03" and Period.month(2026, 3).key() == month_key(2026, 3)
    assert Period(date(2025, 11, 20), date(2026, 2, 3)).month_keys() == ("2025-11", "2025-12", "2026-01", "2026-02")
    assert month_start("2026-03") == date(2026, 3, 1)
    assert month_range("2025-12", "2026-02") == ("2025-12", "2026-01", "2026-02")
    assert month_range(" 2026-02", "2026-02") == ("2026-02",)  # as typed on the command line
    with pytest.raises(InputRejected) as backwards:
        month_range("2026-02", "2025-12")
    assert backwards.value.key == "region.error.months_order"
    for first, last in (("2026-13", "2026-12"), ("2026-01", "26-02")):
        with pytest.raises(InputRejected) as malformed:
            month_range(first, last)
        assert malformed.value.key == "stats.error.month_format"
    with pytest.raises(InputRejected):
        month_start("2026-3")
