"""Period edges of the statistics: month ends, 29 February, ages on the last day, periods
that are not months, and the office's time zone for the month a report is about."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from desktop.db.models import Person
from desktop.domain import referrals as rules
from desktop.domain.indicators import Figure
from desktop.domain.periods import Period, current_month, last_complete_month
from desktop.services import cases, directory, referrals, statistics
from desktop.services.case_types import ContactInput, PersonInput
from desktop.services.office import OfficeHandle
from desktop.services.referral_types import CounterReferralInput, ProviderInput, ReferralInput


def _register(handle: OfficeHandle, opened: date, birth: date | None = None, age: int | None = None) -> tuple[int, int]:
    person = PersonInput(
        family_name="Fictif", given_name="Bord", sex="M", birth_date=birth, estimated_age=age,
        nationality="SN", category="rpt_migrant",
    )  # fmt: skip
    return cases.register(handle, person, opened_on=opened)


def _contact(handle: OfficeHandle, case_id: int, on: date) -> None:
    cases.add_contact(handle, case_id, ContactInput(on, "suivi", "in_person", ["housing"]))


def _snapshot(handle: OfficeHandle, period: Period) -> dict[str, Figure]:
    return dict(statistics.compute(handle, period, compare=False, trend_months=0).current.figures)


def _value(handle: OfficeHandle, period: Period, code: str) -> float | None:
    return _snapshot(handle, period)[code].value


def _band(handle: OfficeHandle, period: Period) -> dict[str, float | None]:
    cells = _snapshot(handle, period)["people_received"].breakdowns["age_band"]
    return {k: v for k, v in cells.items() if v}


def _provider(handle: OfficeHandle) -> int:
    data = ProviderInput(
        name_fr="Association fictive", kind="associative", domains=["housing"], coverage="national",
        verified_on=date(2025, 1, 2),
    )  # fmt: skip
    return directory.save_provider(handle, data)


class _Clock:
    """Sets "today" for the services (cases use date.today(), referrals the office day)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def set(self, today: date) -> None:
        class FakeDate(date):
            @classmethod
            def today(cls) -> date:
                return today

        self.monkeypatch.setattr(cases, "date", FakeDate)
        self.monkeypatch.setattr(rules, "office_today", lambda now=None: today)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    return _Clock(monkeypatch)


# -- month ends --------------------------------------------------------------------------
def test_the_31st_counts_in_its_month_and_the_1st_in_the_next(office: Any) -> None:
    handle, _, _ = office
    _, case_id = _register(handle, date(2025, 12, 15), date(1990, 1, 1))
    _contact(handle, case_id, date(2026, 1, 31))
    _contact(handle, case_id, date(2026, 2, 1))
    january, february = Period.month(2026, 1), Period.month(2026, 2)
    assert _value(handle, january, "contacts") == 1
    assert _value(handle, february, "contacts") == 1
    assert _value(handle, Period.month(2025, 12), "contacts") == 0
    assert _value(handle, Period.month(2025, 12), "people_received") == 1  # the case opened then
    assert _value(handle, Period.month(2025, 12), "cases_opened") == 1
    assert _value(handle, january, "cases_opened") == 0
    assert statistics.cases_behind(handle, january, "contacts") == [case_id]
    assert _value(handle, Period(date(2026, 1, 1), date(2026, 1, 30)), "contacts") == 0  # the 31st is outside
    assert _value(handle, Period(date(2026, 2, 2), date(2026, 2, 28)), "contacts") == 0


def test_first_contact_on_the_first_of_the_month_is_new_in_that_month(office: Any) -> None:
    handle, _, _ = office
    _, case_id = _register(handle, date(2026, 3, 1), date(1990, 1, 1))  # opened on the 1st
    _contact(handle, case_id, date(2026, 3, 1))
    status = _snapshot(handle, Period.month(2026, 3))["people_received"].breakdowns["status"]
    assert {k: v for k, v in status.items() if v} == {"new": 1}
    _contact(handle, case_id, date(2026, 4, 1))
    status = _snapshot(handle, Period.month(2026, 4))["people_received"].breakdowns["status"]
    assert {k: v for k, v in status.items() if v} == {"returning": 1}  # seen on 1 March, before April


def test_closures_and_open_cases_on_the_last_day(office: Any) -> None:
    handle, _, _ = office
    _, closed_31 = _register(handle, date(2026, 1, 5), date(1990, 1, 1))
    _, closed_1st = _register(handle, date(2026, 1, 5), date(1991, 1, 1))
    cases.close_case(handle, closed_31, "autonomy", date(2026, 1, 31))
    cases.close_case(handle, closed_1st, "autonomy", date(2026, 2, 1))
    january = Period.month(2026, 1)
    assert statistics.cases_behind(handle, january, "cases_active_end") == [closed_1st]
    assert statistics.cases_behind(handle, january, "cases_closed") == [closed_31]
    assert statistics.cases_behind(handle, Period.month(2026, 2), "cases_closed") == [closed_1st]
    assert _value(handle, Period.month(2026, 2), "cases_active_end") == 0


def test_referral_dates_on_the_last_day(office: Any) -> None:
    handle, _, _ = office
    provider = _provider(handle)
    _, case_id = _register(handle, date(2026, 1, 5), date(1990, 1, 1))

    def send(on: date, urgency: str) -> int:
        return referrals.create_referral(
            handle, case_id, ReferralInput("housing", provider, urgency=urgency, shared=[]), on=on, send=True
        )

    due_on_31 = send(date(2026, 1, 30), "h24")  # due 31/01: on time that day, late the next
    answered_31 = send(date(2026, 1, 20), "weeks2")
    referrals.record_counter_referral(handle, answered_31, CounterReferralInput(date(2026, 1, 31), "served"))
    sent_1st = send(date(2026, 2, 1), "weeks2")
    january, february = Period.month(2026, 1), Period.month(2026, 2)
    figures = _snapshot(handle, january)
    assert figures["referrals_sent"].value == 2  # not the one of 1 February
    assert figures["overdue_at_end"].value == 0  # due on the last day is not late yet
    assert figures["counter_referrals"].value == 1
    assert (figures["counter_referral_rate"].value, figures["counter_referral_rate"].base) == (0.5, 2)
    assert figures["median_days_to_counter"].value == 11.0
    figures = _snapshot(handle, february)
    assert figures["referrals_sent"].value == 1 and figures["counter_referrals"].value == 0
    # 28/02: due_on_31 (due 31/01) and sent_1st (due 15/02), both unanswered
    assert figures["overdue_at_end"].value == 2
    assert statistics.cases_behind(handle, february, "overdue_at_end") == [case_id]
    assert (due_on_31, sent_1st) != (0, 0)


# -- 29 February and ages ----------------------------------------------------------------
def test_leap_day_2024_counts_in_february(office: Any) -> None:
    handle, _, _ = office
    _, case_id = _register(handle, date(2024, 1, 10), date(1990, 1, 1))
    _contact(handle, case_id, date(2024, 2, 29))
    _contact(handle, case_id, date(2024, 3, 1))
    february = Period.month(2024, 2)
    assert february.end == date(2024, 2, 29)
    assert _value(handle, february, "contacts") == 1
    assert _value(handle, Period.month(2024, 3), "contacts") == 1


def test_leap_day_2028_counts_in_february_2028(office: Any, clock: _Clock) -> None:
    handle, _, _ = office
    clock.set(date(2028, 3, 15))
    _, case_id = _register(handle, date(2028, 1, 10), date(2016, 2, 29))  # 12 on 29/02/2028
    _contact(handle, case_id, date(2028, 2, 29))
    _contact(handle, case_id, date(2028, 3, 1))
    february = Period.month(2028, 2)
    assert february == Period(date(2028, 2, 1), date(2028, 2, 29))
    assert _value(handle, february, "contacts") == 1
    assert _value(handle, Period.month(2028, 3), "contacts") == 1
    assert _value(handle, Period(date(2028, 2, 1), date(2028, 2, 28)), "contacts") == 0
    # born 29/02/2016: 11 on 31/01/2028 (case opened in January), 12 on 29/02/2028
    assert _band(handle, Period.month(2028, 1)) == {"5-11": 1}
    assert _band(handle, february) == {"12-17": 1}
    stats = statistics.compute(handle, february)
    assert stats.previous is not None and stats.last_year is not None
    assert stats.previous.period == Period(date(2028, 1, 1), date(2028, 1, 31))
    assert stats.last_year.period == Period(date(2027, 2, 1), date(2027, 2, 28))
    assert statistics.compute(handle, Period.month(2028, 3)).previous.period.end == date(2028, 2, 29)  # type: ignore[union-attr]


def test_age_is_taken_on_the_last_day_of_the_period(office: Any) -> None:
    handle, _, _ = office
    # birthday on the last day of January: 17 all month long but 18 on the 31st
    _, case_id = _register(handle, date(2025, 12, 10), date(2008, 1, 31))
    _contact(handle, case_id, date(2026, 1, 5))
    assert _band(handle, Period.month(2025, 12)) == {"12-17": 1}
    assert _band(handle, Period.month(2026, 1)) == {"18-24": 1}
    assert _band(handle, Period(date(2026, 1, 1), date(2026, 1, 30))) == {"12-17": 1}


def test_birthday_on_29_february_in_a_common_year(office: Any) -> None:
    """Born 29/02/2008: on 28/02/2026 the birthday has not come yet (18 from 1 March)."""
    handle, _, _ = office
    _, case_id = _register(handle, date(2026, 2, 2), date(2008, 2, 29))
    _contact(handle, case_id, date(2026, 3, 2))
    assert _band(handle, Period.month(2026, 2)) == {"12-17": 1}
    assert _band(handle, Period.month(2026, 3)) == {"18-24": 1}


def test_estimated_birth_year_and_unknown_age(office: Any, clock: _Clock) -> None:
    handle, _, _ = office
    clock.set(date(2027, 3, 1))
    _, case_id = _register(handle, date(2026, 12, 20), age=18)  # estimated birth year 2009
    _contact(handle, case_id, date(2027, 1, 5))
    assert _band(handle, Period.month(2026, 12)) == {"12-17": 1}  # 2026 - 2009
    assert _band(handle, Period.month(2027, 1)) == {"18-24": 1}  # 2027 - 2009
    with handle.transaction() as session:  # as an old register import may leave it
        session.execute(update(Person).values(birth_date=None, birth_year_estimated=None))
    assert _band(handle, Period.month(2027, 1)) == {"unknown": 1}


# -- periods that are not one month ------------------------------------------------------
def test_year_boundary_comparisons(office: Any) -> None:
    handle, _, _ = office
    _, case_id = _register(handle, date(2024, 12, 1), date(1990, 1, 1))
    for day in (date(2025, 1, 15), date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 2)):
        _contact(handle, case_id, day)
    stats = statistics.compute(handle, Period.month(2026, 1))
    assert stats.previous is not None and stats.last_year is not None
    assert stats.previous.period == Period.month(2025, 12)
    assert stats.last_year.period == Period.month(2025, 1)
    assert [s.value("contacts") for s in (stats.current, stats.previous, stats.last_year)] == [2, 1, 1]
    assert stats.trend is not None
    assert stats.trend.months[0] == date(2025, 2, 1) and stats.trend.months[-1] == date(2026, 1, 1)
    assert stats.trend.values["contacts"] == (0,) * 10 + (1, 2)


def test_arbitrary_period_and_its_comparisons(office: Any) -> None:
    handle, _, _ = office
    _, case_id = _register(handle, date(2024, 12, 1), date(1990, 1, 1))
    for day in (date(2025, 1, 24), date(2025, 1, 25), date(2026, 1, 14), date(2026, 1, 15), date(2026, 2, 3),
                date(2026, 2, 4)):  # fmt: skip
        _contact(handle, case_id, day)
    period = Period(date(2026, 1, 25), date(2026, 2, 3))  # ten days across a month end
    stats = statistics.compute(handle, period)
    assert stats.previous is not None and stats.last_year is not None
    assert stats.previous.period == Period(date(2026, 1, 15), date(2026, 1, 24))
    assert stats.last_year.period == Period(date(2025, 1, 25), date(2025, 2, 3))
    assert [s.value("contacts") for s in (stats.current, stats.previous, stats.last_year)] == [1, 1, 1]
    assert stats.trend is not None and stats.trend.months[-1] == date(2026, 2, 1)  # months up to the end's
    quarter = Period(date(2026, 1, 1), date(2026, 3, 31))
    assert _value(handle, quarter, "contacts") == 4
    assert statistics.compute(handle, quarter).previous.period == Period(date(2025, 10, 1), date(2025, 12, 31))  # type: ignore[union-attr]


# -- the office's time zone --------------------------------------------------------------
def test_last_complete_month_follows_the_office_clock() -> None:
    # 23:30 UTC on 30 November is already 1 December in Casablanca (UTC+1): November is complete
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert rules.office_today(late) == date(2026, 12, 1)
    assert last_complete_month(rules.office_today(late)) == Period.month(2026, 11)
    # an hour earlier it is still 30 November there: the last complete month is October
    assert last_complete_month(rules.office_today(late - timedelta(hours=1))) == Period.month(2026, 10)
    assert current_month(rules.office_today(late)) == Period.month(2026, 12)
    # across the year: 31 December 23:30 UTC is 1 January in Casablanca
    assert last_complete_month(rules.office_today(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))) == Period.month(2026, 12)


def test_last_complete_month_with_a_patched_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    moment = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)

    class FixedDateTime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    monkeypatch.setattr(rules, "datetime", FixedDateTime)
    assert rules.office_today() == date(2026, 12, 1)
    assert last_complete_month(rules.office_today()) == Period.month(2026, 11)
