"""Referral rules: transitions, due dates, overdue, reference codes, publics."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from desktop.domain import codelists
from desktop.domain import referrals as rules

ALLOWED = {
    ("draft", "sent"), ("draft", "cancelled"),
    ("sent", "acknowledged"), ("sent", "closed"), ("sent", "cancelled"),
    ("acknowledged", "closed"), ("acknowledged", "cancelled"),
}  # fmt: skip


@pytest.mark.parametrize("state", codelists.REFERRAL_STATES)
@pytest.mark.parametrize("to", codelists.REFERRAL_STATES)
def test_every_transition_allowed_or_forbidden(state, to):
    assert rules.can_move(state, to) == ((state, to) in ALLOWED)


@pytest.mark.parametrize(
    ("sent", "urgency", "due"),
    [
        (date(2026, 1, 31), "h24", date(2026, 2, 1)),  # month end
        (date(2026, 2, 27), "h72", date(2026, 3, 2)),  # February
        (date(2024, 2, 27), "h72", date(2024, 3, 1)),  # leap year
        (date(2026, 12, 25), "weeks2", date(2027, 1, 8)),  # year end
    ],
)
def test_due_dates_cross_month_and_year_ends(sent, urgency, due):
    assert rules.due_on(sent, urgency) == due


def test_overdue_only_while_waiting_and_past_the_due_day():
    due = date(2026, 3, 31)
    assert not rules.is_overdue("sent", due, None, date(2026, 3, 31))  # the due day itself is still on time
    assert rules.is_overdue("sent", due, None, date(2026, 4, 1))
    assert rules.is_overdue("acknowledged", due, None, date(2026, 4, 1))
    assert not rules.is_overdue("closed", due, None, date(2026, 4, 1))
    assert not rules.is_overdue("draft", due, None, date(2026, 4, 1))
    assert not rules.is_overdue("sent", due, date(2026, 3, 30), date(2026, 4, 1))
    assert rules.days_late(due, date(2026, 4, 3)) == 3


def test_today_is_the_office_day_in_morocco_whatever_the_computer_clock():
    # 23:30 UTC on 31 March is already 1 April in Morocco (UTC+1)
    assert rules.office_today(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == date(2026, 4, 1)
    assert rules.office_today(datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) == date(2026, 3, 31)
    with pytest.raises(ValueError):
        rules.office_today(datetime(2026, 3, 31, 22, 30))


def test_codes_are_unambiguous_and_checked():
    codes = {rules.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 8 and rules.is_valid_code(code)
        assert not set(code) & set("ILOU")


def test_every_single_typo_and_neighbour_swap_is_caught():
    code = "K7M4X2Q" + rules.ALPHABET[rules._check_value([rules._VALUE[c] for c in "K7M4X2Q"])]
    assert rules.is_valid_code(code)
    for i in range(8):
        for ch in rules.ALPHABET:
            if ch != code[i]:
                assert not rules.is_valid_code(code[:i] + ch + code[i + 1 :])
    for i in range(6):  # swaps within the payload
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert not rules.is_valid_code(swapped)


def test_codes_are_read_as_people_type_them():
    code = rules.new_code()
    shown = rules.display_code(code)
    assert shown[4] == "-" and shown.replace("-", "") == code
    assert rules.normalise_code(f" {shown.lower()} ") == code
    assert rules.normalise_code("k7m4-x2qo") == "K7M4X2Q0"
    assert rules.normalise_code("il") == "11"


@pytest.mark.parametrize(
    ("category", "legal", "public"),
    [
        ("mre", "moroccan_national", "mre"),
        ("returnee_forced", "moroccan_national", "returnee"),
        ("rpt_asylum_seeker", "asylum_seeker", "asylum_seeker"),
        ("rpt_refugee", "refugee", "refugee"),
        ("rpt_student", "student_visa", "rpt_regular"),
        ("rpt_migrant", "irregular", "rpt_irregular"),
        ("rpt_transit", "unknown", "rpt_irregular"),
    ],
)
def test_the_public_a_person_belongs_to(category, legal, public):
    assert rules.public_of(category, legal) == public
    assert public in codelists.PUBLICS


def test_every_assessment_need_maps_to_directory_domains():
    assert set(rules.ASSESSMENT_TO_SERVICE) == set(codelists.ASSESSMENT_DOMAINS)
    for domains in rules.ASSESSMENT_TO_SERVICE.values():
        assert set(domains) <= set(codelists.SERVICE_DOMAINS)
