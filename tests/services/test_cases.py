"""Registration, consent, bilan social, vulnerability, contacts, parcours, list and search."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop.domain.errors import InputRejected, PermissionDenied
from desktop.services import audit, case_list, cases, users
from desktop.services.case_types import (
    ActionInput,
    AssessmentInput,
    AssessmentItemInput,
    CaseFilter,
    ContactInput,
    DocumentInput,
    VulnerabilityInput,
)
from desktop.services.office import unlock
from desktop.services.validation import ValidationFailed
from tests.conftest import ADMIN_PASSWORD
from tests.fictitious import fictitious

TODAY = date.today()


def test_register_then_read_back_everything(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    person_id, case_id = cases.register(handle, fictitious(), consents=("processing", "statistics"))
    detail = cases.get_case(handle, case_id)
    assert detail.person_id == person_id
    assert detail.number == f"B-{TODAY.year}-00001"
    assert detail.person.family_name_ar == "فيكتيفي"
    assert detail.person.documents[0].number == "ZZ-123 456"
    assert detail.person.household[0].schooling == "enrolled"
    assert detail.person.languages == ["wo", "fr"]
    assert sorted(c.purpose for c in detail.consents) == ["processing", "statistics"]
    assert [s.stage for s in detail.stages] == ["accueil"]
    viewed = audit.entries(handle, audit.entry_ids(handle, audit.AuditFilter(action="viewed", record_type="case")))
    assert [v.record_id for v in viewed] == [str(case_id)]
    _p2, second = cases.register(handle, fictitious(family_name="Exemplaire"))
    assert cases.get_case(handle, second).number == f"B-{TODAY.year}-00002"


def test_validation_reports_every_field_at_once(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    bad = fictitious(
        family_name="",
        given_name="",
        family_name_ar="",
        given_name_ar="",
        sex="",
        birth_date=None,
        estimated_age=None,
        nationality="QQ",
        phone="abc",
    )
    with pytest.raises(ValidationFailed) as caught:
        cases.register(handle, bad)
    fields = {e.field for e in caught.value.errors}
    assert {"family_name", "sex", "birth_date", "nationality", "phone"} <= fields
    assert caught.value.exit_code == 4
    assert case_list.count_cases(handle) == 0  # all or nothing


def test_names_must_be_in_their_script(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    with pytest.raises(ValidationFailed) as caught:
        cases.register(handle, fictitious(family_name="فيكتيفي", given_name_ar="Mohamed"))
    assert {e.key for e in caught.value.errors} == {"error.name_latin_expected", "error.name_arabic_expected"}
    arabic_only = fictitious(family_name="", given_name="")
    cases.register(handle, arabic_only)


def test_consent_give_withdraw_and_history(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    person_id, case_id = cases.register(handle, fictitious(), consents=("processing",))
    consent_id = cases.give_consent(handle, person_id, "referral_sharing", TODAY, form_signed=True)
    with pytest.raises(InputRejected):
        cases.give_consent(handle, person_id, "referral_sharing", TODAY)
    cases.withdraw_consent(handle, consent_id, TODAY)
    with pytest.raises(InputRejected):
        cases.withdraw_consent(handle, consent_id, TODAY)
    again = cases.give_consent(handle, person_id, "referral_sharing", TODAY)
    rows = cases.get_case(handle, case_id).consents
    sharing = [c for c in rows if c.purpose == "referral_sharing"]
    assert [(c.id, c.active) for c in sharing] == [(consent_id, False), (again, True)]
    with handle.transaction() as session:
        assert cases.has_consent(session, person_id, "referral_sharing")
        assert not cases.has_consent(session, person_id, "statistics")


def test_assessment_saved_updated_and_reviewed(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    _pid, case_id = cases.register(handle, fictitious())
    data = AssessmentInput(
        assessed_on=TODAY,
        items=[
            AssessmentItemInput("housing", "Hébergé chez un tiers", "Logement stable", "high"),
            AssessmentItemInput("civil_status", "Enfant non inscrit", "Inscription à l'état civil", "medium"),
        ],
        actions=[ActionInput("Orienter vers l'état civil", "civil_status", "Agent", TODAY + timedelta(days=10))],
    )
    assessment_id = cases.save_assessment(handle, case_id, data)
    detail = cases.get_case(handle, case_id)
    assert [i.domain for i in detail.assessments[0].items] == ["housing", "civil_status"]
    assert detail.next_follow_up == TODAY + timedelta(days=10)
    users.add_user(handle, "resp.fictif", "Responsable Fictif", "supervisor", "mot-de-passe-resp")
    users.add_user(handle, "agent.fictif", "Agent Fictif", "officer", "mot-de-passe-agent")
    handle.close()
    with unlock(path, "agent.fictif", "mot-de-passe-agent") as officer, pytest.raises(PermissionDenied):
        cases.review_assessment(officer, assessment_id)
    supervisor = unlock(path, "resp.fictif", "mot-de-passe-resp")
    with supervisor:
        cases.review_assessment(supervisor, assessment_id)
        assert cases.get_case(supervisor, case_id).assessments[0].reviewed_by == "Responsable Fictif"
        data.id = assessment_id
        data.items = data.items[:1]
        cases.save_assessment(supervisor, case_id, data)
        again = cases.get_case(supervisor, case_id).assessments[0]
        assert len(again.items) == 1 and again.reviewed_by == ""  # a change needs a new review


def test_vulnerability_history_and_current_level(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    _pid, case_id = cases.register(handle, fictitious())
    cases.add_vulnerability_sheet(
        handle, case_id, VulnerabilityInput(TODAY - timedelta(days=30), "high", ["no_shelter"])
    )
    cases.add_vulnerability_sheet(
        handle, case_id, VulnerabilityInput(TODAY, "medium", ["no_documents", "single_parent"])
    )
    detail = cases.get_case(handle, case_id)
    assert detail.vulnerability_level == "medium"
    assert [v.level for v in detail.vulnerabilities] == ["medium", "high"]
    assert detail.vulnerabilities[0].criteria == ["single_parent", "no_documents"]  # codelist order
    with pytest.raises(InputRejected):
        cases.add_vulnerability_sheet(handle, case_id, VulnerabilityInput(TODAY, "extreme", []))


def test_contacts_parcours_close_reopen(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    _pid, case_id = cases.register(handle, fictitious(), opened_on=TODAY - timedelta(days=40))
    cases.add_contact(
        handle, case_id, ContactInput(TODAY - timedelta(days=3), "ecoute", "phone", ["housing"], "Appel fictif")
    )
    cases.set_stage(handle, case_id, "orientation", TODAY - timedelta(days=2))
    cases.close_case(handle, case_id, "autonomy", TODAY)
    with pytest.raises(InputRejected):
        cases.set_stage(handle, case_id, "suivi", TODAY)
    cases.reopen_case(handle, case_id, TODAY)
    detail = cases.get_case(handle, case_id)
    assert [(s.stage, s.reason) for s in detail.stages] == [
        ("accueil", ""),
        ("orientation", ""),
        ("cloture", "autonomy"),
        ("suivi", "reopened"),
    ]
    assert detail.closed_on is None and detail.stage == "suivi"
    assert detail.contacts[0].needs == ["housing"]


def test_list_filters_sort_and_search_in_both_scripts(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    _a, first = cases.register(handle, fictitious(), opened_on=TODAY - timedelta(days=5))
    _b, second = cases.register(
        handle,
        fictitious(
            family_name="Exemplaire",
            given_name="Aminata",
            family_name_ar="",
            given_name_ar="",
            sex="F",
            phone="0600 99 88 77",
            documents=[DocumentInput("unhcr_card", "ZZU-777")],
            category="rpt_refugee",
        ),
    )
    _c, third = cases.register(
        handle, fictitious(family_name="", given_name="", family_name_ar="تجريبي", given_name_ar="خديجة", sex="F")
    )
    cases.set_follow_up(handle, first, TODAY - timedelta(days=1))
    cases.add_vulnerability_sheet(handle, second, VulnerabilityInput(TODAY, "urgent", ["violence_survivor"]))

    def ids(**kw: object) -> list[int]:
        return case_list.case_ids(handle, CaseFilter(**kw))  # type: ignore[arg-type]

    assert ids() == [third, second, first]  # newest first
    assert ids(category="rpt_refugee") == [second]
    assert ids(overdue_only=True) == [first]
    assert ids(vulnerability_level="urgent") == [second]
    assert ids(search="Exempl") == [second]
    assert ids(search="exempl") == [second]
    assert ids(search="خديجة") == [third]
    assert ids(search="فيكتيفي") == [first]
    assert ids(search="998877") == [second]  # phone digits
    assert ids(search="ZZU777") == [second]  # document number without dash
    assert ids(search=f"B-{TODAY.year}-00002") == [second]
    assert ids(search="Exempl Aminata") == [second]
    assert ids(search="nobody-at-all") == []
    rows = case_list.case_rows(handle, [second, first])
    assert [r.case_id for r in rows] == [second, first]
    assert rows[0].name == "EXEMPLAIRE Aminata" and rows[0].vulnerability_level == "urgent"
    assert case_list.case_ids(handle, CaseFilter(), sort="vulnerability_level")[0] == second
    cases.update_person(handle, _a, fictitious(family_name="Renomme"))
    assert ids(search="Renomme") == [first]
    assert ids(search="Fictivi") == []


def test_returning_person_gets_a_second_case(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    person_id, first = cases.register(handle, fictitious())
    cases.close_case(handle, first, "autonomy", TODAY)
    same, second = cases.register(handle, fictitious(phone="0600 00 00 01"), existing_person_id=person_id)
    assert same == person_id
    detail = cases.get_case(handle, second)
    assert detail.other_cases == [(first, f"B-{TODAY.year}-00001")]
    assert detail.person.phone == "0600 00 00 01"
    assert ADMIN_PASSWORD  # the fixture's office
