"""Referral rules without a database: states, due dates, overdue, reference codes, publics.

States: draft → sent → acknowledged → closed (with an outcome) | cancelled. A counter-
referral closes a sent or acknowledged referral. Overdue: sent or acknowledged, past the
due date, no counter-referral yet.

Reference codes are printed on the slip and typed back from it: eight characters of
Crockford's base 32 (no I, L, O, U), the last a check character (Damm's algorithm over
GF(32)) that catches every single wrong character and every swap of two neighbours.
Typed codes are read leniently: case, spaces, dashes, O for 0, I and L for 1.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DRAFT, SENT, ACKNOWLEDGED, CLOSED, CANCELLED = "draft", "sent", "acknowledged", "closed", "cancelled"
OPEN_STATES = frozenset({SENT, ACKNOWLEDGED})  # waiting for a counter-referral

TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({SENT, CANCELLED}),
    SENT: frozenset({ACKNOWLEDGED, CLOSED, CANCELLED}),
    ACKNOWLEDGED: frozenset({CLOSED, CANCELLED}),
    CLOSED: frozenset(),
    CANCELLED: frozenset(),
}

URGENCY_DAYS = {"h24": 1, "h72": 3, "weeks2": 14}

OFFICE_TIME_ZONE = ZoneInfo("Africa/Casablanca")


def can_move(state: str, to: str) -> bool:
    return to in TRANSITIONS.get(state, frozenset())


def due_on(sent_on: date, urgency: str) -> date:
    """The day by which the provider should have answered."""
    return sent_on + timedelta(days=URGENCY_DAYS[urgency])


def office_wall_clock(moment: datetime) -> datetime:
    """The office's time of an aware timestamp, without a zone, to the second (what reports print)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(OFFICE_TIME_ZONE).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def office_today(now: datetime | None = None) -> date:
    """Today at the office (Morocco's clock), whatever the computer's time zone says."""
    moment = now if now is not None else datetime.now(OFFICE_TIME_ZONE)
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(OFFICE_TIME_ZONE).date()


def is_overdue(state: str, due: date | None, counter_received_on: date | None, today: date) -> bool:
    return state in OPEN_STATES and due is not None and counter_received_on is None and due < today


def days_late(due: date, today: date) -> int:
    return max(0, (today - due).days)


# -- reference codes ---------------------------------------------------------------------
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_LENIENT = {"O": "0", "I": "1", "L": "1", "U": "V"}
CODE_LENGTH = 8  # 7 random characters + 1 check character: 32^7 ≈ 34 billion codes


def _gf_times_two(x: int) -> int:
    """x · 2 in GF(32) (polynomial x^5 + x^2 + 1)."""
    x <<= 1
    return x ^ 0b100101 if x & 0b100000 else x


def _check_value(values: list[int]) -> int:
    interim = 0
    for value in values:  # Damm: interim ∘ value = 2·interim + value, a totally anti-symmetric quasigroup
        interim = _gf_times_two(interim) ^ value
    return interim


def new_code() -> str:
    payload = [secrets.randbelow(32) for _ in range(CODE_LENGTH - 1)]
    return "".join(ALPHABET[v] for v in [*payload, _check_value(payload)])


def normalise_code(typed: str) -> str:
    """What was typed, as a code's characters (may still be invalid)."""
    chars = [_LENIENT.get(ch, ch) for ch in typed.upper() if ch.isalnum()]
    return "".join(chars)


def is_valid_code(code: str) -> bool:
    if len(code) != CODE_LENGTH or any(ch not in _VALUE for ch in code):
        return False
    values = [_VALUE[ch] for ch in code]
    return _check_value(values[:-1]) == values[-1]


def display_code(code: str) -> str:
    """As printed: two groups of four (``K7M4-X2QB``)."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


# -- who a person is, for access conditions ----------------------------------------------
REGULAR_STATUSES = frozenset({"regular_resident", "student_visa", "moroccan_national"})


def public_of(category: str, legal_status: str) -> str:
    """The public (codelists.PUBLICS) a provider's access conditions speak of."""
    if category == "mre":
        return "mre"
    if category.startswith("returnee"):
        return "returnee"
    if category == "rpt_asylum_seeker" or legal_status == "asylum_seeker":
        return "asylum_seeker"
    if category == "rpt_refugee" or legal_status == "refugee":
        return "refugee"
    return "rpt_regular" if legal_status in REGULAR_STATUSES else "rpt_irregular"


# Needs of the bilan social -> the directory's domains that answer them.
ASSESSMENT_TO_SERVICE: dict[str, tuple[str, ...]] = {
    "administrative": ("administrative",),
    "civil_status": ("civil_status",),
    "health_physical": ("health_physical",),
    "health_mental": ("health_mental", "psychosocial"),
    "health_srh": ("health_srh",),
    "psychosocial": ("psychosocial", "health_mental"),
    "housing": ("housing", "social_aid"),
    "income_employment": ("employment_training", "income_generating"),
    "education_training": ("education", "employment_training"),
    "family_social": ("social_aid", "protection_gbv"),
    "legal": ("legal_aid",),
    "pension_rights": ("pension_rights",),
}
