"""The demo office's directory (Souss-Massa, fictitious contacts) and referrals (~1.5 per case),
checked against the rules of domain.referrals on a small demo office."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.db.models import Case, Consent, Provider, ProviderService, Referral, ReferralEvent
from desktop.domain import codelists
from desktop.domain import referrals as rules
from desktop.domain.geography import geography
from desktop.services import demo, demo_directory, directory, referrals
from desktop.services.office import OfficeHandle, unlock
from desktop.services.referral_types import DirectoryFilter

CASES = 300
SEED = 8  # a seed whose 300 cases leave a few referrals overdue today (~1.4 expected)
PASSWORD = "mot-de-passe-demo"
SOUSS_MASSA = "09."


@pytest.fixture(scope="module")
def demo_office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OfficeHandle, date]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
        path = tmp_path_factory.mktemp("demo") / "demo.baomdb"
        today = date.today()
        demo.create_demo_office(path, PASSWORD, CASES, seed=SEED)
        with unlock(path, "admin", PASSWORD) as handle:
            yield handle, today


def _referrals(handle: OfficeHandle) -> list[Referral]:
    with handle.transaction() as session:
        found = list(session.scalars(select(Referral).order_by(Referral.id)))
        session.expunge_all()
    return found


def test_directory_is_the_souss_massa_region_with_fictitious_contacts(demo_office) -> None:  # type: ignore[no-untyped-def]
    handle, today = demo_office
    rows = directory.list_providers(handle, DirectoryFilter(include_inactive=True), today)
    assert 40 <= len(rows) <= 60
    names = geography()
    provinces = set()
    for row in rows:
        assert row.name_fr and row.name_ar
        if row.coverage == "national":
            assert row.commune_code == ""
        else:
            assert row.commune_code.startswith(SOUSS_MASSA)
            provinces.add(names.commune(row.commune_code).province_code)
        assert row.phone.startswith("0528 00 00 ")
        assert row.email.endswith("@exemple.invalid")
        assert row.focal_point.startswith("Point focal fictif ")
        assert row.verified_on is not None and today - timedelta(days=366) <= row.verified_on <= today
        if row.kind in ("associative", "international") or "partenaire" in row.name_fr.casefold():
            assert "fictif" in row.name_fr or "fictive" in row.name_fr
    assert len(provinces) >= 5  # Agadir, Inezgane, Chtouka, Taroudannt, Tiznit, Tata
    stale = [r for r in rows if r.stale]
    assert 0.15 * len(rows) <= len(stale) <= 0.5 * len(rows)
    every = " | ".join(r.name_fr for r in rows)
    for kind in ("ANAPEC", "Entraide Nationale", "Centre de santé", "état civil", "AREF", "Tribunal de première",
                 "Association", "Partenaire HCR (fictif)", "Partenaire OIM (fictif)"):  # fmt: skip
        assert kind in every
    with handle.transaction() as session:
        per_provider = Counter(session.scalars(select(ProviderService.provider_id)))
    assert set(per_provider) == {r.id for r in rows}
    assert all(1 <= n <= 3 for n in per_provider.values())
    for row in rows[:3]:
        data = directory.get_provider(handle, row.id)
        assert data.hours and data.languages and data.documents_required and data.address.startswith("Adresse fictive")
        assert data.cost in codelists.COSTS and data.notes.startswith(demo_directory.NOTE)


def test_every_need_finds_a_provider_where_demo_people_live(demo_office) -> None:  # type: ignore[no-untyped-def]
    handle, today = demo_office
    for commune in set(demo.DEMO_COMMUNES):
        for domain in codelists.SERVICE_DOMAINS:
            if domain != "other":
                found = directory.list_providers(handle, DirectoryFilter(domain=domain, area=commune), today)
                assert found, (domain, commune)


def test_about_one_and_a_half_referrals_per_case_with_valid_unique_codes(demo_office) -> None:  # type: ignore[no-untyped-def]
    handle, _today = demo_office
    found = _referrals(handle)
    assert 1.3 * CASES <= len(found) <= 1.7 * CASES
    codes = [r.code for r in found]
    assert len(set(codes)) == len(codes)
    assert all(rules.is_valid_code(code) for code in codes)
    assert all(referrals.find_by_code(handle, rules.display_code(r.code)) == r.id for r in found[:20])
    directions = Counter(r.direction for r in found)
    assert 0.02 <= directions["incoming"] / len(found) <= 0.09
    assert Counter(r.urgency for r in found).most_common(1)[0][0] == "weeks2"


def test_states_dates_and_outcomes_follow_the_rules(demo_office) -> None:  # type: ignore[no-untyped-def]
    handle, today = demo_office
    found = _referrals(handle)
    with handle.transaction() as session:
        opened = dict(session.execute(select(Case.id, Case.opened_on)).all())
        offered: dict[int, set[str]] = {
            pid: set(directory.split(domains))
            for pid, domains in session.execute(select(Provider.id, Provider.domains))
        }
        service_of = dict(session.execute(select(ProviderService.id, ProviderService.provider_id)).all())
    for r in found:
        assert r.state in codelists.REFERRAL_STATES and r.domain in codelists.SERVICE_DOMAINS
        assert opened[r.case_id] <= r.created_on <= today
        assert r.provider_id is not None and r.domain in offered[r.provider_id]
        assert r.service_id is None or service_of[r.service_id] == r.provider_id
        if r.state == rules.DRAFT:
            assert r.sent_on is None and r.due_on is None
        if r.sent_on is not None:
            assert r.created_on <= r.sent_on <= today
            expected_due = rules.due_on(r.sent_on, r.urgency) if r.direction == "outgoing" else None
            assert r.due_on == expected_due
        if r.state == rules.CLOSED:
            assert r.outcome in codelists.REFERRAL_OUTCOMES
            assert r.sent_on is not None and r.counter_received_on is not None
            assert 2 <= (r.counter_received_on - r.sent_on).days <= 40
            assert r.closed_on == r.counter_received_on <= today
            assert r.service_date is None or r.sent_on <= r.service_date <= r.counter_received_on
        else:
            assert r.outcome == "" and r.counter_received_on is None
        if r.state == rules.CANCELLED:
            assert r.closed_on is not None and r.created_on <= r.closed_on <= today
        if r.acknowledged_on is not None:
            assert r.sent_on is not None and r.sent_on < r.acknowledged_on <= (r.counter_received_on or today)
        if r.follow_ups:
            assert r.last_follow_up_on is not None and r.due_on is not None and r.due_on < r.last_follow_up_on
    states = Counter(r.state for r in found)
    assert states[rules.CLOSED] / len(found) >= 0.8
    assert states[rules.SENT] + states[rules.ACKNOWLEDGED] > 0
    assert states[rules.CANCELLED] > 0 and states[rules.DRAFT] >= 0
    outcomes = Counter(r.outcome for r in found if r.outcome)
    assert 0.45 <= outcomes["served"] / len(found) <= 0.65
    assert set(outcomes) == set(codelists.REFERRAL_OUTCOMES)
    assert any(r.follow_ups for r in found)


def test_one_event_per_state_change_in_date_order(demo_office) -> None:  # type: ignore[no-untyped-def]
    handle, _today = demo_office
    found = {r.id: r for r in _referrals(handle)}
    with handle.transaction() as session:
        events: dict[int, list[tuple[date, str]]] = {}
        for rid, on, kind in session.execute(
            select(ReferralEvent.referral_id, ReferralEvent.on_date, ReferralEvent.kind).order_by(ReferralEvent.id)
        ):
            events.setdefault(rid, []).append((on, kind))
    assert set(events) == set(found)
    for rid, history in events.items():
        r = found[rid]
        kinds = [kind for _on, kind in history if kind not in ("override", "follow_up")]
        path = ["draft"]
        if r.sent_on is not None:
            path.append("sent")
        if r.acknowledged_on is not None:
            path.append("acknowledged")
        if r.state == rules.CLOSED:
            path += ["counter", "closed"]
        if r.state == rules.CANCELLED:
            path.append("cancelled")
        assert kinds == path, (r.code, history)
        dates = [on for on, _kind in history]
        assert dates == sorted(dates)
        assert sum(kind == "follow_up" for _on, kind in history) == r.follow_ups
        assert (("override", r.created_on) in {(k, on) for on, k in history}) == bool(r.consent_override)


def test_sharing_rests_on_consent_or_a_recorded_override(demo_office) -> None:  # type: ignore[no-untyped-def]
    handle, _today = demo_office
    found = _referrals(handle)
    with handle.transaction() as session:
        person_of = dict(session.execute(select(Case.id, Case.person_id)).all())
        consents: dict[int, list[tuple[date, date | None]]] = {}
        for person_id, given, withdrawn in session.execute(
            select(Consent.person_id, Consent.given_on, Consent.withdrawn_on).where(
                Consent.purpose == "referral_sharing"
            )
        ):
            consents.setdefault(person_id, []).append((given, withdrawn))
    sharing = [r for r in found if r.direction == "outgoing" and r.shared]
    assert len(sharing) > 0.7 * len(found)
    overridden = 0
    for r in sharing:
        assert set(directory.split(r.shared)) <= set(codelists.SHARED_ITEMS)
        if r.consent_override:
            overridden += 1
            continue
        until = r.sent_on or r.created_on
        windows = consents.get(person_of[r.case_id], [])
        assert any(given <= r.created_on and (withdrawn is None or withdrawn > until) for given, withdrawn in windows)
    assert overridden < 0.05 * len(sharing)


def test_some_referrals_are_overdue_today(demo_office) -> None:  # type: ignore[no-untyped-def]
    handle, today = demo_office
    late = referrals.overdue(handle, today)
    assert late
    expected = {
        r.id
        for r in _referrals(handle)
        if r.direction == "outgoing" and rules.is_overdue(r.state, r.due_on, r.counter_received_on, today)
    }
    assert {row.id for row in late} == expected
    assert all(row.overdue and row.days_late > 0 and row.provider_phone.startswith("0528 00 00") for row in late)
    assert referrals.overdue_count(handle, today)["total"] == len(late)
    # two weeks on, the referrals still waiting today are late too
    assert len(referrals.overdue(handle, today + timedelta(days=15))) > len(late)


def test_topping_up_keeps_the_directory_and_codes_unique(tmp_path: Path) -> None:
    path = tmp_path / "demo.baomdb"
    demo.create_demo_office(path, PASSWORD, 60, seed=2)
    with unlock(path, "admin", PASSWORD) as handle:
        with handle.transaction() as session:
            providers = session.scalar(select(func.count()).select_from(Provider))
            before = session.scalar(select(func.count()).select_from(Referral))
        demo.fill_demo(handle, 120, seed=2)  # the same seed again, as `baom demo` does
        with handle.transaction() as session:
            assert session.scalar(select(func.count()).select_from(Provider)) == providers
            codes = list(session.scalars(select(Referral.code)))
            last_case = session.scalar(select(func.max(Case.id)))
            late_cases = session.scalar(select(func.count()).where(Referral.case_id > 60))
    assert len(codes) > before and len(set(codes)) == len(codes)
    assert last_case == 120 and late_cases
