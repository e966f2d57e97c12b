"""The referral log on a real encrypted office: consent gating, states, counter-referrals, overdue."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from desktop.db.models import AuditEntry
from desktop.domain import referrals as rules
from desktop.domain.errors import InputRejected, PermissionDenied
from desktop.services import cases, directory, referrals, users
from desktop.services import office as office_service
from desktop.services.referral_types import CounterReferralInput, ProviderInput, ReferralFilter, ReferralInput
from tests.fictitious import fictitious

SENT_ON = date(2026, 1, 5)


def provider(handle, **changes) -> int:
    data = ProviderInput(
        name_fr="Association Exemple Fictive",
        name_ar="جمعية مثال وهمية",
        kind="associative",
        domains=["housing", "social_aid"],
        commune_code="09.001.01.01.",
        coverage="province",
        focal_point="Point focal fictif",
        phone="0528 00 00 01",
        email="contact@exemple.invalid",
        verified_on=date(2026, 1, 2),
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return directory.save_provider(handle, data)


@pytest.fixture
def case(office):
    handle, _, _ = office
    person_id, case_id = cases.register(handle, fictitious(), opened_on=date(2025, 12, 1))
    return handle, person_id, case_id


def consent(handle, person_id):
    cases.give_consent(handle, person_id, "referral_sharing", date(2025, 12, 1))


def audit_details(handle, record_id):
    with handle.transaction() as session:
        return [
            (e.action, e.detail)
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.record_type == "referral", AuditEntry.record_id == str(record_id))
            )
        ]


def test_refer_send_acknowledge_and_record_the_counter_referral(case):
    handle, person_id, case_id = case
    consent(handle, person_id)
    pid = provider(handle)
    rid = referrals.create_referral(
        handle, case_id, ReferralInput("housing", pid, urgency="h72", reason="Hébergement d'urgence"), on=SENT_ON
    )
    (row,) = referrals.case_referrals(handle, case_id, today=SENT_ON)
    assert (row.state, row.sent_on, row.due_on) == ("draft", None, None)
    assert rules.is_valid_code(row.code)

    referrals.send(handle, rid, on=SENT_ON)
    referrals.acknowledge(handle, rid, on=date(2026, 1, 6))
    referrals.record_counter_referral(
        handle, rid, CounterReferralInput(date(2026, 1, 9), "served", date(2026, 1, 7), "Hébergée trois nuits")
    )
    detail = referrals.get_referral(handle, rid)
    assert detail.row.state == "closed" and detail.row.outcome == "served"
    assert detail.row.due_on == date(2026, 1, 8)
    assert detail.row.counter_received_on == date(2026, 1, 9) and detail.service_date == date(2026, 1, 7)
    assert [e.kind for e in detail.events] == ["draft", "sent", "acknowledged", "counter", "closed"]
    actions = audit_details(handle, rid)
    assert ("created", f"case {case_id}") in actions
    assert ("changed", "sent") in actions and ("changed", "closed") in actions
    assert ("viewed", f"case {case_id}") in actions  # reading it is audited


def test_forbidden_transitions_are_refused_in_plain_words(case):
    handle, person_id, case_id = case
    consent(handle, person_id)
    rid = referrals.create_referral(handle, case_id, ReferralInput("housing", provider(handle)), on=SENT_ON)
    with pytest.raises(InputRejected) as refused:
        referrals.acknowledge(handle, rid, on=SENT_ON)  # a draft was never sent
    assert refused.value.key == "referral.error.transition"
    assert refused.value.params == {"state": "referral_state.draft", "to": "referral_state.acknowledged"}
    referrals.cancel(handle, rid, on=SENT_ON, reason="Doublon")
    for action in (referrals.send, referrals.acknowledge, referrals.cancel):
        with pytest.raises(InputRejected):
            action(handle, rid, SENT_ON)
    with pytest.raises(InputRejected):
        referrals.record_counter_referral(handle, rid, CounterReferralInput(SENT_ON, "served"))
    with pytest.raises(InputRejected) as not_waiting:
        referrals.record_follow_up(handle, rid, SENT_ON)
    assert not_waiting.value.key == "referral.error.not_waiting"


def test_sharing_needs_consent_and_a_supervisor_may_override_with_a_reason(case):
    handle, _person_id, case_id = case
    pid = provider(handle)
    with pytest.raises(InputRejected) as refused:
        referrals.create_referral(handle, case_id, ReferralInput("housing", pid), on=SENT_ON, send=True)
    assert refused.value.key == "referral.error.consent_missing"
    assert referrals.case_referrals(handle, case_id) == []
    # sharing nothing needs no consent (the person goes with the slip alone)
    referrals.create_referral(handle, case_id, ReferralInput("housing", pid, shared=[]), on=SENT_ON, send=True)

    users.add_user(handle, "agent", "Agent Fictif", "officer", "mot-de-passe-agent")
    path = handle.path
    handle.close()
    with office_service.unlock(path, "agent", "mot-de-passe-agent") as officer, pytest.raises(PermissionDenied):
        referrals.create_referral(officer, case_id, ReferralInput("housing", pid), override_reason="Urgence")
    with office_service.unlock(path, "admin", "mot-de-passe-admin") as admin:
        rid = referrals.create_referral(
            admin, case_id, ReferralInput("housing", pid), on=SENT_ON, send=True, override_reason="Mise à l'abri"
        )
        detail = referrals.get_referral(admin, rid)
        assert detail.consent_override == "Mise à l'abri"
        assert [e.kind for e in detail.events][:2] == ["override", "draft"]
        assert ("changed", "consent override") in audit_details(admin, rid)


def test_a_consent_withdrawn_after_the_draft_blocks_sending(case):
    handle, person_id, case_id = case
    consent(handle, person_id)
    rid = referrals.create_referral(handle, case_id, ReferralInput("housing", provider(handle)), on=SENT_ON)
    (active,) = [c for c in cases.get_case(handle, case_id).consents if c.purpose == "referral_sharing"]
    cases.withdraw_consent(handle, active.id, SENT_ON)
    with pytest.raises(InputRejected) as refused:
        referrals.send(handle, rid, on=SENT_ON)
    assert refused.value.key == "referral.error.consent_missing"


def test_overdue_follow_up_and_the_counts(case):
    handle, person_id, case_id = case
    consent(handle, person_id)
    pid = provider(handle)
    late = referrals.create_referral(handle, case_id, ReferralInput("housing", pid, urgency="h24"), SENT_ON, send=True)
    later = referrals.create_referral(
        handle, case_id, ReferralInput("social_aid", pid, urgency="weeks2"), date(2026, 1, 10), send=True
    )
    answered = referrals.create_referral(handle, case_id, ReferralInput("housing", pid), SENT_ON, send=True)
    referrals.record_counter_referral(handle, answered, CounterReferralInput(date(2026, 1, 8), "did_not_come"))
    incoming = referrals.create_referral(
        handle, case_id, ReferralInput("housing", pid, direction="incoming"), date(2025, 12, 20)
    )
    today = date(2026, 2, 1)
    rows = referrals.overdue(handle, today)
    assert [r.id for r in rows] == [late, later]  # most late first
    assert [r.days_late for r in rows] == [(today - date(2026, 1, 6)).days, (today - date(2026, 1, 24)).days]
    assert rows[0].provider_phone == "0528 00 00 01" and rows[0].provider_focal_point == "Point focal fictif"
    assert referrals.overdue_count(handle, today) == {"h24": 1, "weeks2": 1, "total": 2}
    assert referrals.overdue(handle, date(2026, 1, 6)) == []  # due on the 6th: not late that day
    referrals.record_follow_up(handle, late, date(2026, 1, 20), "Appel, rappeler lundi")
    referrals.record_follow_up(handle, late, date(2026, 1, 27))
    (first, _) = referrals.overdue(handle, today)
    assert (first.follow_ups, first.last_follow_up_on) == (2, date(2026, 1, 27))
    in_row = referrals.get_referral(handle, incoming).row
    assert (in_row.state, in_row.due_on, in_row.overdue) == ("sent", None, False)
    log = referrals.referral_rows(handle, ReferralFilter(overdue_only=True), today)
    assert {r.id for r in log} == {late, later}
    assert {r.id for r in referrals.referral_rows(handle, ReferralFilter(direction="incoming"), today)} == {incoming}


def test_the_slip_code_finds_the_referral_however_it_is_typed(case):
    handle, person_id, case_id = case
    consent(handle, person_id)
    rid = referrals.create_referral(handle, case_id, ReferralInput("housing", provider(handle)), SENT_ON, send=True)
    code = referrals.get_referral(handle, rid).row.code
    typed = f"{code[:4].lower()} - {code[4:]}".replace("0", "o").replace("1", "l")
    assert referrals.find_by_code(handle, typed) == rid
    wrong = code[:3] + ("A" if code[3] != "A" else "B") + code[4:]
    with pytest.raises(InputRejected) as typo:
        referrals.find_by_code(handle, wrong)
    assert typo.value.key == "referral.error.code_invalid"
    other = rules.new_code()
    while other == code:
        other = rules.new_code()
    with pytest.raises(InputRejected) as unknown:
        referrals.find_by_code(handle, other)
    assert unknown.value.key == "referral.error.code_unknown"


def test_the_slip_carries_only_what_is_shared(case):
    handle, person_id, case_id = case
    consent(handle, person_id)
    pid = provider(handle)
    rid = referrals.create_referral(
        handle, case_id, ReferralInput("housing", pid, reason="Besoin d'un abri", shared=["identity"]), SENT_ON
    )
    data = referrals.slip(handle, rid)
    assert data.family_name == "Fictivi" and data.given_name_ar == "محمد"
    assert data.phone == "" and data.documents == [] and data.reason == ""
    assert data.code[4] == "-" and data.provider_phone == "0528 00 00 01"
    assert ("exported", "referral slip") in audit_details(handle, rid)
    full = referrals.create_referral(
        handle, case_id, ReferralInput("housing", pid, reason="Besoin", shared=["phone", "documents", "need_summary"]),
        SENT_ON,
    )  # fmt: skip
    data = referrals.slip(handle, full)
    assert data.family_name == "" and data.phone == "0600 00 12 34"
    assert data.documents == [("passport", "ZZ-123 456")] and data.reason == "Besoin"


def test_bad_referrals_are_refused(case):
    handle, person_id, case_id = case
    consent(handle, person_id)
    pid = provider(handle)
    other = provider(handle, name_fr="Autre structure fictive")
    for bad, key in [
        (ReferralInput("banana", pid), "referral.error.domain"),
        (ReferralInput("housing", None), "referral.error.provider_required"),
        (ReferralInput("housing", pid, urgency="now"), "referral.error.urgency"),
        (ReferralInput("housing", pid, shared=["everything"]), "referral.error.shared"),
    ]:
        with pytest.raises(InputRejected) as refused:
            referrals.create_referral(handle, case_id, bad, SENT_ON)
        assert refused.value.key == key
    service_of_other = directory.get_provider(handle, other)
    assert service_of_other.services == []
    with pytest.raises(InputRejected) as future:
        referrals.create_referral(handle, case_id, ReferralInput("housing", pid), date(2099, 1, 1))
    assert future.value.key == "error.date_future"
    assert referrals.case_referrals(handle, case_id) == []


def test_provider_statistics_count_answers_delays_and_outcomes(case):
    handle, person_id, case_id = case
    consent(handle, person_id)
    fast, slow = provider(handle), provider(handle, name_fr="Structure lente fictive")
    for sent, received, outcome in [(date(2026, 1, 5), date(2026, 1, 7), "served"),
                                    (date(2026, 1, 10), date(2026, 1, 14), "partly_served"),
                                    (date(2026, 1, 12), date(2026, 1, 22), "did_not_come")]:  # fmt: skip
        rid = referrals.create_referral(handle, case_id, ReferralInput("housing", fast), sent, send=True)
        referrals.record_counter_referral(handle, rid, CounterReferralInput(received, outcome))
    referrals.create_referral(handle, case_id, ReferralInput("housing", fast), date(2026, 1, 20), send=True)
    referrals.create_referral(handle, case_id, ReferralInput("housing", slow), date(2026, 1, 3), send=True)
    referrals.create_referral(handle, case_id, ReferralInput("housing", slow), date(2026, 1, 3))  # a draft
    referrals.create_referral(handle, case_id, ReferralInput("housing", slow), date(2025, 12, 1), send=True)
    first, second = referrals.provider_stats(handle, since=date(2026, 1, 1), until=date(2026, 1, 31))
    assert (first.provider_id, first.sent, first.answered, first.median_days_to_answer) == (fast, 4, 3, 4.0)
    assert first.outcomes == {"served": 1, "partly_served": 1, "did_not_come": 1}
    assert (second.provider_id, second.sent, second.answered, second.median_days_to_answer) == (slow, 1, 0, None)


def test_the_overdue_queries_use_the_partial_index(case):
    """SQLite uses ix_referral_waiting only if the query repeats its condition literally."""
    from sqlalchemy import event

    handle, _, _ = case
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "FROM referral" in statement and "due_on <" in statement:
            seen.append((statement, parameters))

    event.listen(handle.engine, "before_cursor_execute", record)
    try:
        referrals.overdue(handle, date(2026, 2, 1))
        referrals.overdue_count(handle, date(2026, 2, 1))
        referrals.referral_rows(handle, ReferralFilter(overdue_only=True), date(2026, 2, 1))
    finally:
        event.remove(handle.engine, "before_cursor_execute", record)
    assert len(seen) == 3
    with handle.engine.connect() as conn:
        for statement, parameters in seen:
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
            assert "ix_referral_waiting" in plan, plan
