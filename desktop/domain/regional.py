"""How the secretariat combines communes' monthly extracts (docs/regional.md).

- Counts of events (contacts, referrals, cases opened, closures…) add up over communes
  and months.
- Counts of persons add up over communes (an office keys its own persons) but not over
  months: a person received in March and April is two person-months. Over several months
  they are shown as person-months.
- Stocks (cases active, referrals overdue at the month end) are taken at the last month.
- Rates add their numerators and their bases; medians are recomputed from the delays of
  the referrals themselves, never averaged.

The barometer of access to basic services groups the referral domains into the seven
services the region follows. Pure: no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from desktop.domain.indicators import BY_CODE, Unit

# An extract is due by this day of the month after its own (completeness: received or late).
LATE_DAY = 10


class Combine(StrEnum):
    SUM = "sum"  # events: add communes and months
    PERSON_MONTHS = "person_months"  # persons: add communes; over months, person-months
    LAST_MONTH = "last_month"  # stocks at the month end: the range's last month
    RATIO = "ratio"  # add numerators and bases
    MEDIAN = "median"  # from the delays themselves


_PERSONS = frozenset({"people_received", "needs", "vulnerable_people"})
_STOCKS = frozenset({"cases_active_end", "overdue_at_end"})


def combine_rule(code: str) -> Combine:
    unit = BY_CODE[code].unit
    if unit is Unit.RATE:
        return Combine.RATIO
    if unit is Unit.DAYS:
        return Combine.MEDIAN
    if code in _STOCKS:
        return Combine.LAST_MONTH
    if code in _PERSONS:
        return Combine.PERSON_MONTHS
    return Combine.SUM


# The seven basic services of the barometer and the referral domains each one covers.
BAROMETER_SERVICES: dict[str, tuple[str, ...]] = {
    "health": ("health_physical", "health_mental", "health_srh", "psychosocial"),
    "education": ("education",),
    "justice": ("legal_aid", "protection_gbv"),
    "civil_status": ("civil_status", "administrative"),
    "employment": ("employment_training", "income_generating"),
    "social_aid": ("social_aid", "pension_rights"),
    "housing": ("housing",),
}
SERVICE_OF_DOMAIN: dict[str, str] = {d: s for s, domains in BAROMETER_SERVICES.items() for d in domains}


def median(histogram: Mapping[int, int]) -> float | None:
    """Median of values given as {value: how many}; the mean of the two middle ones when even."""
    n = sum(histogram.values())
    if n == 0:
        return None
    low_rank, high_rank = (n + 1) // 2, n // 2 + 1
    low = high = None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if low is None and seen >= low_rank:
            low = value
        if seen >= high_rank:
            high = value
            break
    assert low is not None and high is not None
    return (low + high) / 2


def merge(histograms: Iterable[Mapping[int, int]]) -> dict[int, int]:
    out: dict[int, int] = {}
    for histogram in histograms:
        for value, count in histogram.items():
            out[value] = out.get(value, 0) + count
    return out


@dataclass
class Access:
    """Access to one service (a commune or the region, a month or a range)."""

    sent: int = 0  # outgoing referrals sent in the month(s)
    answered: int = 0  # of those, answered by a counter-referral by the month's end
    counters: int = 0  # counter-referrals received in the month(s)
    served: int = 0  # of those, served (fully)
    partly_served: int = 0
    delays: dict[int, int] | None = None  # days to counter-referral: {days: how many}

    def add(self, other: Access) -> None:
        self.sent += other.sent
        self.answered += other.answered
        self.counters += other.counters
        self.served += other.served
        self.partly_served += other.partly_served
        self.delays = merge([self.delays or {}, other.delays or {}])

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None

    @property
    def served_share(self) -> float | None:
        return self.served / self.counters if self.counters else None

    @property
    def median_days(self) -> float | None:
        return median(self.delays or {})
