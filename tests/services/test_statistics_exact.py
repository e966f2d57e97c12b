"""Every indicator of October 2026 against values counted by hand on a small office.

The office is built only through the services (register, contacts, consent, parcours,
vulnerability sheets, directory, referrals), with explicit dates around the target month.
Each expected figure says how it was counted; the indicators' written definitions
(desktop/domain/indicators.py) are the contract.

Cast (case ids are the variables C1, C2, …; "P" is the person):

P1  F 1990-05-10 SN (west_africa) rpt_migrant, statistics consent. C1 opened 2026-08-15,
    evaluation 09-01, orientation 10-06. Contacts 09-20 (accueil, no need), 10-05 (ecoute,
    housing + health_physical), 10-20 (information, phone, housing again). Sheets 09-01 medium
    [single_parent, no_resources] and 11-05 urgent [violence_survivor] (after the month).
    R1 housing → PB (associative) h72 sent 10-06, acknowledged 10-07, answered 10-12 served.
    R2 health_physical → PA (public) weeks2 sent 10-10 (due 10-24), answered 11-03 partly_served.
P2  M 2008-10-31 ML (west_africa) rpt_transit, no statistics consent. C2 opened 2026-10-31,
    no contact at all (18 on the period's last day, his birthday).
P3  F estimated age 40 MA (morocco) returnee_voluntary; statistics consent WITHDRAWN 2026-06-01.
    C3 opened 2025-10-10 (contact 2025-10-10 administrative, sheet 2025-10-10 high
    [no_documents]), contact 2026-10-15 (suivi, home visit, civil_status), closed 2026-10-25
    autonomy. R12 legal_aid → PC (international) weeks2 sent 2026-09-01, never answered.
    R13 housing → PB h72 sent 10-01, answered 10-09 redirected. R3 administrative → PC h24
    sent 10-16 (due 10-17), cancelled 10-20.
P4  M 1975-02-28 CM (central_africa) rpt_asylum_seeker; statistics consent given 10-02,
    withdrawn 10-03 and GIVEN AGAIN 10-10. C4 opened 2026-10-02, evaluation 10-10. Contacts
    10-02 (accueil; legal, administrative, housing) and 10-31 (orientation; legal).
    R4 legal_aid → PC weeks2 sent 10-03 (due 10-17), cancelled 11-02. R5 incoming
    protection_gbv from PC on 10-08.
P5  F 1958-03-15 CN (asia_oceania) rpt_worker, no statistics consent. Two cases: C5a opened
    2025-03-01 (contact that day, sheet medium [serious_illness]), closed 2025-06-30
    lost_contact; C5b opened 2026-10-12, contacts 10-12 (accueil; health_physical) and 10-22
    (accompagnement, message; health_physical + health_mental), sheet 10-12 low [elderly].
    R6 health_mental → PA h72 sent 10-31 (due 11-03), answered 11-05 refused.
P6  M 2015-11-01 SY (north_africa_middle_east) rpt_refugee, statistics consent. C6 opened
    2026-09-05 (contact that day, education_training), accompagnement 09-20, contact 11-01
    (phone, psychosocial), sheet 11-02 urgent, closed 2026-11-10 moved_away. R7 education →
    PB weeks2 sent 09-10, answered 10-04 served. R8 housing → PB: a draft of 10-14.
P7  F 2000-02-29 FR (europe) mre, statistics consent. C7 opened 2026-06-01 (contact that day),
    contacts 09-30 (information, phone, pension_rights) and 10-01 (suivi, no need); closed
    10-10 referred_elsewhere, reopened 10-20. R9 pension_rights → PB h72 sent 09-25 (due
    09-28), acknowledged 09-26, never answered.
P8  F 2024-06-01 CD (central_africa) rpt_migrant, statistics consent. C8 opened 2026-07-01,
    one contact 10-18 (ecoute, phone, no need).
P9  F 1995-07-07 NG (west_africa) rpt_migrant. C9 opened 2026-11-03, contact 11-03 (after).
P10 M 1985-01-15 DZ (north_africa_middle_east) rpt_migrant, statistics consent. C10 opened
    2026-10-20 (contact that day, income_employment), closed 10-22 other, reopened 10-24,
    closed 10-28 returned_to_country, reopened 2026-11-10. R11 employment_training → PB
    weeks2 sent 10-21, answered 10-27 not_eligible. R10 incoming "other", no provider, 10-25.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from desktop.domain.indicators import BY_CODE, INDICATORS, MULTI_VALUED, TREND_FIGURES, Audience, Figure
from desktop.domain.periods import Period
from desktop.services import cases, demo, directory, referrals, statistics
from desktop.services import office as office_service
from desktop.services.case_types import ContactInput, PersonInput, VulnerabilityInput
from desktop.services.office import OfficeHandle, unlock
from desktop.services.referral_types import CounterReferralInput, ProviderInput, ReferralInput

OCTOBER = Period.month(2026, 10)
SEPTEMBER = Period.month(2026, 9)
OCTOBER_2025 = Period.month(2025, 10)


@dataclass
class Office:
    handle: OfficeHandle
    case: dict[str, int]  # "C1" -> case id
    provider: dict[str, int]  # "PA" -> provider id


def _person(family: str, given: str, sex: str, nationality: str, category: str, **more: Any) -> PersonInput:
    return PersonInput(
        family_name=family, given_name=given, sex=sex, nationality=nationality, category=category, **more
    )


def _contact(handle: OfficeHandle, case_id: int, on: date, kind: str, channel: str = "in_person", *needs: str) -> None:
    cases.add_contact(handle, case_id, ContactInput(on, kind, channel, list(needs)))


def _sheet(handle: OfficeHandle, case_id: int, on: date, level: str, *criteria: str) -> None:
    cases.add_vulnerability_sheet(handle, case_id, VulnerabilityInput(on, level, list(criteria)))


def _provider(handle: OfficeHandle, name: str, kind: str, domains: list[str]) -> int:
    return directory.save_provider(
        handle,
        ProviderInput(
            name_fr=name, kind=kind, domains=domains, coverage="national", phone="0528 00 00 09",
            verified_on=date(2026, 1, 2),
        ),
    )  # fmt: skip


def _out(
    handle: OfficeHandle, case_id: int, domain: str, provider_id: int, urgency: str, sent: date | None,
    created: date | None = None,
) -> int:  # fmt: skip
    data = ReferralInput(domain, provider_id, urgency=urgency, shared=[])
    return referrals.create_referral(handle, case_id, data, on=created or sent, send=sent is not None)


def _answer(handle: OfficeHandle, referral_id: int, on: date, outcome: str) -> None:
    referrals.record_counter_referral(handle, referral_id, CounterReferralInput(on, outcome))


def _statistics_consent(handle: OfficeHandle, case_id: int) -> int:
    (consent,) = [c for c in cases.get_case(handle, case_id).consents if c.purpose == "statistics" and c.active]
    return consent.id


def build(handle: OfficeHandle) -> Office:
    d = date
    h = handle
    stats = ("processing", "statistics")
    c: dict[str, int] = {}
    pa = _provider(h, "Centre de santé fictif", "public", ["health_physical", "health_mental"])
    pb = _provider(h, "Association fictive", "associative", ["housing", "education", "pension_rights"])
    pc = _provider(h, "Partenaire international (fictif)", "international", ["legal_aid", "administrative"])

    # P1
    _, c["C1"] = cases.register(
        h,
        _person("Fictive", "Awa", "F", "SN", "rpt_migrant", birth_date=d(1990, 5, 10)),
        opened_on=d(2026, 8, 15),
        consents=stats,
    )
    cases.set_stage(h, c["C1"], "evaluation", d(2026, 9, 1))
    cases.set_stage(h, c["C1"], "orientation", d(2026, 10, 6))
    _contact(h, c["C1"], d(2026, 9, 20), "accueil")
    _contact(h, c["C1"], d(2026, 10, 5), "ecoute", "in_person", "housing", "health_physical")
    _contact(h, c["C1"], d(2026, 10, 20), "information", "phone", "housing")
    _sheet(h, c["C1"], d(2026, 9, 1), "medium", "single_parent", "no_resources")
    _sheet(h, c["C1"], d(2026, 11, 5), "urgent", "violence_survivor")
    r1 = _out(h, c["C1"], "housing", pb, "h72", d(2026, 10, 6))
    referrals.acknowledge(h, r1, d(2026, 10, 7))
    _answer(h, r1, d(2026, 10, 12), "served")
    r2 = _out(h, c["C1"], "health_physical", pa, "weeks2", d(2026, 10, 10))
    _answer(h, r2, d(2026, 11, 3), "partly_served")

    # P2
    _, c["C2"] = cases.register(
        h, _person("Fictif", "Moussa", "M", "ML", "rpt_transit", birth_date=d(2008, 10, 31)), opened_on=d(2026, 10, 31)
    )

    # P3 (withdrew statistics consent)
    _, c["C3"] = cases.register(
        h,
        _person("Fictive", "Fatima", "F", "MA", "returnee_voluntary", estimated_age=40),
        opened_on=d(2025, 10, 10),
        consents=stats,
    )
    cases.withdraw_consent(h, _statistics_consent(h, c["C3"]), d(2026, 6, 1))
    _contact(h, c["C3"], d(2025, 10, 10), "accueil", "in_person", "administrative")
    _sheet(h, c["C3"], d(2025, 10, 10), "high", "no_documents")
    _contact(h, c["C3"], d(2026, 10, 15), "suivi", "home_visit", "civil_status")
    cases.close_case(h, c["C3"], "autonomy", d(2026, 10, 25))
    _out(h, c["C3"], "legal_aid", pc, "weeks2", d(2026, 9, 1))  # R12
    r13 = _out(h, c["C3"], "housing", pb, "h72", d(2026, 10, 1))
    _answer(h, r13, d(2026, 10, 9), "redirected")
    r3 = _out(h, c["C3"], "administrative", pc, "h24", d(2026, 10, 16))
    referrals.cancel(h, r3, d(2026, 10, 20))

    # P4 (withdrew, then gave statistics consent again)
    p4, c["C4"] = cases.register(
        h,
        _person("Fictif", "Jean", "M", "CM", "rpt_asylum_seeker", birth_date=d(1975, 2, 28)),
        opened_on=d(2026, 10, 2),
        consents=stats,
    )
    cases.withdraw_consent(h, _statistics_consent(h, c["C4"]), d(2026, 10, 3))
    cases.give_consent(h, p4, "statistics", d(2026, 10, 10))
    cases.set_stage(h, c["C4"], "evaluation", d(2026, 10, 10))
    _contact(h, c["C4"], d(2026, 10, 2), "accueil", "in_person", "legal", "administrative", "housing")
    _contact(h, c["C4"], d(2026, 10, 31), "orientation", "in_person", "legal")
    r4 = _out(h, c["C4"], "legal_aid", pc, "weeks2", d(2026, 10, 3))
    referrals.cancel(h, r4, d(2026, 11, 2))
    referrals.create_referral(
        h, c["C4"], ReferralInput("protection_gbv", pc, direction="incoming", shared=[]), on=d(2026, 10, 8)
    )  # R5

    # P5: two cases
    p5 = _person("Fictive", "Li", "F", "CN", "rpt_worker", birth_date=d(1958, 3, 15))
    p5_id, c["C5a"] = cases.register(h, p5, opened_on=d(2025, 3, 1))
    _contact(h, c["C5a"], d(2025, 3, 1), "accueil")
    _sheet(h, c["C5a"], d(2025, 3, 1), "medium", "serious_illness")
    cases.close_case(h, c["C5a"], "lost_contact", d(2025, 6, 30))
    _, c["C5b"] = cases.register(h, p5, opened_on=d(2026, 10, 12), existing_person_id=p5_id)
    _contact(h, c["C5b"], d(2026, 10, 12), "accueil", "in_person", "health_physical")
    _contact(h, c["C5b"], d(2026, 10, 22), "accompagnement", "message", "health_physical", "health_mental")
    _sheet(h, c["C5b"], d(2026, 10, 12), "low", "elderly")
    r6 = _out(h, c["C5b"], "health_mental", pa, "h72", d(2026, 10, 31))
    _answer(h, r6, d(2026, 11, 5), "refused")

    # P6
    _, c["C6"] = cases.register(
        h,
        _person("Fictif", "Omar", "M", "SY", "rpt_refugee", birth_date=d(2015, 11, 1)),
        opened_on=d(2026, 9, 5),
        consents=stats,
    )
    _contact(h, c["C6"], d(2026, 9, 5), "accueil", "in_person", "education_training")
    cases.set_stage(h, c["C6"], "accompagnement", d(2026, 9, 20))
    _contact(h, c["C6"], d(2026, 11, 1), "suivi", "phone", "psychosocial")
    _sheet(h, c["C6"], d(2026, 11, 2), "urgent", "unaccompanied_child")
    cases.close_case(h, c["C6"], "moved_away", d(2026, 11, 10))
    r7 = _out(h, c["C6"], "education", pb, "weeks2", d(2026, 9, 10))
    _answer(h, r7, d(2026, 10, 4), "served")
    _out(h, c["C6"], "housing", pb, "h24", None, created=d(2026, 10, 14))  # R8, a draft

    # P7
    _, c["C7"] = cases.register(
        h,
        _person("Fictive", "Sara", "F", "FR", "mre", birth_date=d(2000, 2, 29)),
        opened_on=d(2026, 6, 1),
        consents=stats,
    )
    _contact(h, c["C7"], d(2026, 6, 1), "accueil")
    _contact(h, c["C7"], d(2026, 9, 30), "information", "phone", "pension_rights")
    _contact(h, c["C7"], d(2026, 10, 1), "suivi")
    cases.close_case(h, c["C7"], "referred_elsewhere", d(2026, 10, 10))
    cases.reopen_case(h, c["C7"], d(2026, 10, 20))
    r9 = _out(h, c["C7"], "pension_rights", pb, "h72", d(2026, 9, 25))
    referrals.acknowledge(h, r9, d(2026, 9, 26))

    # P8
    _, c["C8"] = cases.register(
        h,
        _person("Fictive", "Grace", "F", "CD", "rpt_migrant", birth_date=d(2024, 6, 1)),
        opened_on=d(2026, 7, 1),
        consents=stats,
    )
    _contact(h, c["C8"], d(2026, 10, 18), "ecoute", "phone")

    # P9
    _, c["C9"] = cases.register(
        h, _person("Fictive", "Blessing", "F", "NG", "rpt_migrant", birth_date=d(1995, 7, 7)), opened_on=d(2026, 11, 3)
    )
    _contact(h, c["C9"], d(2026, 11, 3), "accueil", "in_person", "housing")

    # P10
    _, c["C10"] = cases.register(
        h,
        _person("Fictif", "Karim", "M", "DZ", "rpt_migrant", birth_date=d(1985, 1, 15)),
        opened_on=d(2026, 10, 20),
        consents=stats,
    )
    _contact(h, c["C10"], d(2026, 10, 20), "accueil", "in_person", "income_employment")
    cases.close_case(h, c["C10"], "other", d(2026, 10, 22))
    cases.reopen_case(h, c["C10"], d(2026, 10, 24))
    cases.close_case(h, c["C10"], "returned_to_country", d(2026, 10, 28))
    cases.reopen_case(h, c["C10"], d(2026, 11, 10))
    r11 = _out(h, c["C10"], "employment_training", pb, "weeks2", d(2026, 10, 21))
    _answer(h, r11, d(2026, 10, 27), "not_eligible")
    referrals.create_referral(
        h, c["C10"], ReferralInput("other", None, direction="incoming", shared=[]), on=d(2026, 10, 25)
    )  # R10
    return Office(handle, c, {"PA": pa, "PB": pb, "PC": pc})


@pytest.fixture(scope="module")
def office_built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
        handle, _ = office_service.create_office(
            tmp_path_factory.mktemp("stats") / "office.baomdb",
            commune_code="09.541.01.11.", office_name="BAOM Fictif", admin_login="admin",
            admin_name="Admin Fictif", admin_password="mot-de-passe-admin",
        )  # fmt: skip
        with handle:
            yield build(handle)


# -- expected counts, October 2026, internal audience --------------------------------------
# code -> (total, {dimension: {key: count}}); zero cells are left out.
# fmt: off
EXPECTED_COUNTS: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    # Contact in October or case opened in October: P1 (contacts), P2 (C2 on the 31st), P3 (contact
    # 10-15), P4, P5 (C5b), P7 (contact on the 1st), P8 (contact), P10. Not P6 (Sept and 1 Nov), not P9.
    "people_received": (8, {
        # new = nothing before 1 October: P2, P4, P10; the others had a case before (P5: C5a in 2025).
        "status": {"new": 3, "returning": 5},
        # rpt_migrant: P1, P8, P10.
        "category": {"rpt_migrant": 3, "rpt_transit": 1, "returnee_voluntary": 1, "rpt_asylum_seeker": 1,
                     "rpt_worker": 1, "mre": 1},
        "sex": {"F": 5, "M": 3},  # F: P1 P3 P5 P7 P8
        # on 2026-10-31: P1 36, P3 40 (estimated), P4 51, P7 26, P10 41 -> 25-59; P2 18 that very day;
        # P5 68; P8 2.
        "age_band": {"25-59": 5, "18-24": 1, "60+": 1, "0-4": 1},
        # SN ML | MA | CM CD | CN | FR | DZ
        "nationality_group": {"west_africa": 2, "morocco": 1, "central_africa": 2, "asia_oceania": 1,
                              "europe": 1, "north_africa_middle_east": 1},
    }),
    # P1 ×2, P3, P4 ×2 (2nd and 31st), P5 ×2, P7 (1st), P8, P10 = 10.
    "contacts": (10, {
        "contact_kind": {"accueil": 3, "ecoute": 2, "information": 1, "suivi": 2, "orientation": 1,
                         "accompagnement": 1},
        "channel": {"in_person": 6, "phone": 2, "home_visit": 1, "message": 1},
    }),
    # People with a need in an October contact: P1 (housing twice, health_physical), P3 (civil_status),
    # P4 (legal twice, administrative, housing), P5 (health_physical twice, health_mental), P10.
    # P7's pension_rights was on 30 September, P9's housing in November.
    "needs": (5, {
        "need_domain": {"housing": 2, "health_physical": 2, "civil_status": 1, "legal": 1,
                        "administrative": 1, "health_mental": 1, "income_employment": 1},
    }),
    # Received in October with a sheet by 31 October, the latest one: P1 (09-01 medium; the
    # 11-05 sheet is after the end), P3 (2025 high), P5 (C5b 10-12 low, newer than C5a's medium).
    "vulnerable_people": (3, {
        "level": {"medium": 1, "high": 1, "low": 1},
        "criterion": {"single_parent": 1, "no_resources": 1, "no_documents": 1, "elderly": 1},
    }),
    # Outgoing sent in October: R1, R2, R3, R4, R6 (31st), R11, R13. Not R7 R9 R12 (September),
    # not the draft R8, not the incoming R5 R10.
    "referrals_sent": (7, {
        "referral_domain": {"housing": 2, "health_physical": 1, "administrative": 1, "legal_aid": 1,
                            "health_mental": 1, "employment_training": 1},
        # PB: R1 R11 R13; PA: R2 R6; PC: R3 R4
        "provider_kind": {"associative": 3, "public": 2, "international": 2},
        "urgency": {"h72": 3, "weeks2": 3, "h24": 1},  # h72: R1 R6 R13; weeks2: R2 R4 R11; h24: R3
    }),
    "referrals_incoming": (2, {"referral_domain": {"protection_gbv": 1, "other": 1}}),  # R5, R10
    # Received in October: R1 10-12, R7 10-04 (sent in Sept), R11 10-27, R13 10-09. R2 and R6 in Nov.
    "counter_referrals": (4, {
        "outcome": {"served": 2, "redirected": 1, "not_eligible": 1},
        "referral_domain": {"housing": 2, "education": 1, "employment_training": 1},
    }),
    # Sent by 31/10, due before it, no answer by then, not cancelled by then: R2 (due 10-24,
    # answered 11-03), R4 (due 10-17, cancelled 11-02), R9 (due 09-28), R12 (due 09-15).
    # Not R3 (cancelled 10-20), not R6 (due 11-03).
    "overdue_at_end": (4, {
        "referral_domain": {"health_physical": 1, "legal_aid": 2, "pension_rights": 1},
        "provider_kind": {"public": 1, "international": 2, "associative": 1},
    }),
    # C2 (31st), C4, C5b, C10
    "cases_opened": (4, {
        "category": {"rpt_transit": 1, "rpt_asylum_seeker": 1, "rpt_worker": 1, "rpt_migrant": 1},
    }),
    # Open on 31/10: C1 (orientation), C2, C5b, C8 (accueil), C4 (evaluation), C6 (accompagnement,
    # closed only on 11-10), C7 (closed 10-10, reopened 10-20: suivi). Not C3 (closed 10-25), C5a,
    # C9 (opened 11-03), C10 (closed 10-28, reopened only on 11-10).
    "cases_active_end": (7, {
        "stage": {"orientation": 1, "accueil": 3, "evaluation": 1, "accompagnement": 1, "suivi": 1},
    }),
    # C3 10-25, C7 10-10, C10 10-22 and 10-28 (closed twice).
    "cases_closed": (4, {
        "closure_reason": {"autonomy": 1, "referred_elsewhere": 1, "other": 1, "returned_to_country": 1},
    }),
}

# P3's part of October (her statistics consent is withdrawn): what OUTSIDE leaves out.
WITHDRAWN_SHARE: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    "people_received": (1, {"status": {"returning": 1}, "category": {"returnee_voluntary": 1}, "sex": {"F": 1},
                            "age_band": {"25-59": 1}, "nationality_group": {"morocco": 1}}),
    "contacts": (1, {"contact_kind": {"suivi": 1}, "channel": {"home_visit": 1}}),
    "needs": (1, {"need_domain": {"civil_status": 1}}),
    "vulnerable_people": (1, {"level": {"high": 1}, "criterion": {"no_documents": 1}}),
    "referrals_sent": (2, {"referral_domain": {"administrative": 1, "housing": 1},  # R3, R13
                           "provider_kind": {"international": 1, "associative": 1}, "urgency": {"h24": 1, "h72": 1}}),
    "referrals_incoming": (0, {}),
    "counter_referrals": (1, {"outcome": {"redirected": 1}, "referral_domain": {"housing": 1}}),  # R13
    "overdue_at_end": (1, {"referral_domain": {"legal_aid": 1}, "provider_kind": {"international": 1}}),  # R12
    "cases_opened": (0, {}),
    "cases_active_end": (0, {}),
    "cases_closed": (1, {"closure_reason": {"autonomy": 1}}),
}
# fmt: on


def _minus(
    whole: dict[str, tuple[int, dict[str, dict[str, int]]]], part: dict[str, tuple[int, dict[str, dict[str, int]]]]
) -> dict[str, tuple[int, dict[str, dict[str, int]]]]:
    result = {}
    for code, (total, dims) in whole.items():
        less_total, less = part[code]
        cells = {
            dim: {k: v - less.get(dim, {}).get(k, 0) for k, v in values.items() if v - less.get(dim, {}).get(k, 0)}
            for dim, values in dims.items()
        }
        result[code] = (total - less_total, cells)
    return result


def _nonzero(figure: Figure, dim: str) -> dict[str, float | None]:
    return {k: v for k, v in figure.breakdowns.get(dim, {}).items() if v}


def _check_counts(snapshot: statistics.Snapshot, expected: dict[str, tuple[int, dict[str, dict[str, int]]]]) -> None:
    problems = []
    for code, (total, dims) in expected.items():
        figure = snapshot.figures[code]
        if figure.value != total:
            problems.append(f"{code}: total expected {total}, got {figure.value}")
        for dim in BY_CODE[code].breakdowns:
            got = _nonzero(figure, dim)
            if got != dims.get(dim, {}):
                problems.append(f"{code} by {dim}: expected {dims.get(dim, {})}, got {got}")
    assert not problems, "\n".join(problems)


def test_expected_tables_cover_the_whole_catalogue() -> None:
    counts = {i.code for i in INDICATORS if i.is_count}
    assert set(EXPECTED_COUNTS) == counts == set(WITHDRAWN_SHARE)
    for code, (_, dims) in EXPECTED_COUNTS.items():
        assert set(dims) == set(BY_CODE[code].breakdowns), code


def test_every_count_and_breakdown_of_october(office_built: Office) -> None:
    stats = statistics.compute(office_built.handle, OCTOBER)
    assert stats.period == OCTOBER and stats.audience is Audience.INTERNAL
    assert set(stats.current.figures) == set(BY_CODE)
    _check_counts(stats.current, EXPECTED_COUNTS)


def test_rates_and_medians_of_october(office_built: Office) -> None:
    figures = statistics.compute(office_built.handle, OCTOBER, compare=False, trend_months=0).current.figures
    pa, pb, pc = (str(office_built.provider[k]) for k in ("PA", "PB", "PC"))
    # Of the 7 sent in October, answered by 31/10: R1, R11, R13 (R2 and R6 in November).
    rate = figures["counter_referral_rate"]
    assert (rate.value, rate.base) == (pytest.approx(3 / 7), 7)
    assert rate.breakdowns["referral_domain"] == {
        "housing": 1.0, "health_physical": 0.0, "administrative": 0.0, "legal_aid": 0.0, "health_mental": 0.0,
        "employment_training": 1.0,
    }  # fmt: skip
    assert rate.bases["referral_domain"] == {
        "housing": 2, "health_physical": 1, "administrative": 1, "legal_aid": 1, "health_mental": 1,
        "employment_training": 1,
    }  # fmt: skip
    # Answers received in October: R1 6 days, R13 8, R7 24, R11 6 -> 6 6 8 24 -> median 7.
    median = figures["median_days_to_counter"]
    assert (median.value, median.base) == (7.0, 4)
    assert median.breakdowns["referral_domain"] == {"housing": 7.0, "education": 24.0, "employment_training": 6.0}
    assert median.bases["referral_domain"] == {"housing": 2, "education": 1, "employment_training": 1}
    # PA: R2 R6 none answered; PB: R1 R11 R13 all answered; PC: R3 R4 none.
    answer = figures["provider_answer_rate"]
    assert (answer.value, answer.base) == (pytest.approx(3 / 7), 7)
    assert answer.breakdowns["provider"] == {pa: 0.0, pb: 1.0, pc: 0.0}
    assert answer.bases["provider"] == {pa: 2, pb: 3, pc: 2}


def test_previous_month_and_last_year(office_built: Office) -> None:
    stats = statistics.compute(office_built.handle, OCTOBER)
    assert stats.previous is not None and stats.last_year is not None
    assert (stats.previous.period, stats.last_year.period) == (SEPTEMBER, OCTOBER_2025)
    september = {code: f.value for code, f in stats.previous.figures.items()}
    # September: P1 (contact 09-20), P6 (C6 opened 09-05), P7 (contact on the 30th).
    assert september["people_received"] == 3
    assert september["contacts"] == 3  # 09-20, 09-05, 09-30
    assert september["needs"] == 2  # P6 education_training, P7 pension_rights
    assert september["vulnerable_people"] == 1  # P1's 09-01 sheet; P6's is of November
    assert september["referrals_sent"] == 3  # R7, R9, R12
    assert september["counter_referrals"] == 0
    assert september["counter_referral_rate"] == 0.0  # none of the three answered by 30/09
    assert september["median_days_to_counter"] is None
    # 30/09: R12 (due 09-15), R9 (due 09-28), R7 (due 09-24, answered only 10-04).
    assert september["overdue_at_end"] == 3
    assert september["cases_opened"] == 1  # C6
    assert september["cases_active_end"] == 5  # C1 C3 C6 C7 C8
    assert _nonzero(stats.previous.figures["cases_active_end"], "stage") == {
        "evaluation": 1, "accueil": 3, "accompagnement": 1,
    }  # fmt: skip
    assert september["cases_closed"] == 0
    year = stats.last_year.figures
    # October 2025: only P3 (C3 opened 10-10 with a contact); new then; 39 on 2025-10-31 (estimated).
    assert year["people_received"].value == 1
    assert _nonzero(year["people_received"], "status") == {"new": 1}
    assert _nonzero(year["people_received"], "age_band") == {"25-59": 1}
    assert (year["contacts"].value, year["needs"].value, year["vulnerable_people"].value) == (1, 1, 1)
    assert _nonzero(year["needs"], "need_domain") == {"administrative": 1}
    assert (year["cases_opened"].value, year["cases_active_end"].value) == (1, 1)  # C5a closed in June
    assert year["referrals_sent"].value == 0 and year["counter_referral_rate"].value is None


def test_completing_a_period_computed_alone_gives_the_same_statistics(office_built: Office) -> None:
    """The dashboard shows the period first, then adds its comparisons without redoing it."""
    handle = office_built.handle
    alone = statistics.compute(handle, OCTOBER, Audience.OUTSIDE, compare=False, trend_months=0)
    assert alone.previous is None and alone.last_year is None and alone.trend is None
    completed = statistics.complete(handle, alone)
    whole = statistics.compute(handle, OCTOBER, Audience.OUTSIDE)
    assert completed.current is alone.current
    assert completed.previous == whole.previous and completed.last_year == whole.last_year
    assert completed.trend == whole.trend


def test_twelve_month_trend(office_built: Office) -> None:
    trend = statistics.compute(office_built.handle, OCTOBER).trend
    assert trend is not None
    assert trend.months == tuple(date(y, m, 1) for y, m in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)])
    assert set(trend.values) == set(TREND_FIGURES)
    zeros = (0,) * 7  # November 2025 to May 2026
    # June: C7 opened with a contact; July: C8 opened (no contact); August: C1 opened (no contact).
    assert trend.values["people_received"] == (*zeros, 1, 1, 1, 3, 8)
    assert trend.values["contacts"] == (*zeros, 1, 0, 0, 3, 10)
    assert trend.values["referrals_sent"] == (*zeros, 0, 0, 0, 3, 7)
    assert trend.values["counter_referrals"] == (*zeros, 0, 0, 0, 0, 4)
    assert trend.values["cases_opened"] == (*zeros, 1, 1, 1, 1, 4)


def test_trend_agrees_with_the_monthly_snapshots(office_built: Office) -> None:
    stats = statistics.compute(office_built.handle, OCTOBER)
    assert stats.trend is not None
    with office_built.handle.transaction() as session:
        for i, start in enumerate(stats.trend.months):
            month = statistics.snapshot_in(session, Period.month(start.year, start.month))
            for code in TREND_FIGURES:
                assert stats.trend.values[code][i] == month.figures[code].value, (code, start)


def test_drill_down_gives_the_cases_behind_a_cell(office_built: Office) -> None:
    c = office_built.case
    h = office_built.handle

    def behind(code: str, dim: str | None = None, key: str | None = None, audience: Audience = Audience.INTERNAL):
        return statistics.cases_behind(h, OCTOBER, code, dim, key, audience)

    def ids(*names: str) -> list[int]:
        return sorted((c[n] for n in names), reverse=True)

    assert behind("people_received") == ids("C1", "C2", "C3", "C4", "C5b", "C7", "C8", "C10")
    assert behind("people_received", "status", "new") == ids("C2", "C4", "C10")
    assert behind("people_received", "age_band", "18-24") == ids("C2")
    assert behind("people_received", "nationality_group", "central_africa") == ids("C4", "C8")
    assert behind("needs", "need_domain", "housing") == ids("C1", "C4")
    assert behind("vulnerable_people", "criterion", "elderly") == ids("C5b")
    assert behind("vulnerable_people", "level", "high") == ids("C3")
    assert behind("overdue_at_end", "referral_domain", "legal_aid") == ids("C3", "C4")
    assert behind("overdue_at_end") == ids("C1", "C3", "C4", "C7")
    assert behind("cases_closed") == ids("C3", "C7", "C10")
    assert behind("cases_active_end", "stage", "accueil") == ids("C2", "C5b", "C8")
    assert behind("counter_referrals", "outcome", "served") == ids("C1", "C6")
    assert behind("provider_answer_rate", "provider", str(office_built.provider["PB"])) == ids("C1", "C3", "C10")
    assert behind("referrals_incoming") == ids("C4", "C10")
    assert behind("people_received", audience=Audience.OUTSIDE) == ids("C1", "C2", "C4", "C5b", "C7", "C8", "C10")


# -- consent ------------------------------------------------------------------------------
def test_withdrawn_statistics_consent_counts_inside_only(office_built: Office) -> None:
    """P3 withdrew: out of every OUTSIDE figure; P4 withdrew and consented again: in both."""
    outside = statistics.compute(office_built.handle, OCTOBER, Audience.OUTSIDE)
    assert outside.audience is Audience.OUTSIDE
    _check_counts(outside.current, _minus(EXPECTED_COUNTS, WITHDRAWN_SHARE))
    figures = outside.current.figures
    # without R3 and R13: 5 sent, answered by 31/10 R1 and R11
    assert (figures["counter_referral_rate"].value, figures["counter_referral_rate"].base) == (pytest.approx(2 / 5), 5)
    assert figures["counter_referral_rate"].breakdowns["referral_domain"]["housing"] == 1.0
    assert figures["counter_referral_rate"].bases["referral_domain"]["housing"] == 1
    assert "administrative" not in figures["counter_referral_rate"].breakdowns["referral_domain"]
    # without R13 (8 days): 6 6 24
    assert (figures["median_days_to_counter"].value, figures["median_days_to_counter"].base) == (6.0, 3)
    assert figures["median_days_to_counter"].breakdowns["referral_domain"]["housing"] == 6.0
    pb, pc = str(office_built.provider["PB"]), str(office_built.provider["PC"])
    assert figures["provider_answer_rate"].bases["provider"][pb] == 2
    assert figures["provider_answer_rate"].bases["provider"][pc] == 1
    assert outside.previous is not None and outside.last_year is not None
    assert outside.previous.figures["referrals_sent"].value == 2  # R12 left out
    assert outside.previous.figures["overdue_at_end"].value == 2
    assert outside.previous.figures["cases_active_end"].value == 4  # C3 left out
    assert all(f.value in (0, None) for f in outside.last_year.figures.values())  # only P3 then
    assert outside.trend is not None
    assert outside.trend.values["people_received"][-1] == 7
    assert outside.trend.values["contacts"][-1] == 9
    assert outside.trend.values["referrals_sent"][-2:] == (2, 5)
    assert outside.trend.values["counter_referrals"][-1] == 3


@pytest.mark.parametrize("code", [i.code for i in INDICATORS])
def test_drill_down_leaves_out_the_withdrawn_person_outside_only(office_built: Office, code: str) -> None:
    c, h = office_built.case, office_built.handle
    inside = statistics.cases_behind(h, OCTOBER, code)
    outside = statistics.cases_behind(h, OCTOBER, code, audience=Audience.OUTSIDE)
    assert c["C3"] not in outside
    assert outside == [case_id for case_id in inside if case_id != c["C3"]]
    involves_p4 = code in ("people_received", "contacts", "needs", "referrals_sent", "referrals_incoming",
                           "overdue_at_end", "cases_opened", "cases_active_end", "counter_referral_rate",
                           "provider_answer_rate")  # fmt: skip
    assert (c["C4"] in outside) is involves_p4
    assert (c["C4"] in inside) is involves_p4


# -- breakdowns add up --------------------------------------------------------------------
def check_breakdowns_add_up(snapshot: statistics.Snapshot) -> None:
    problems = []
    for indicator in INDICATORS:
        if not indicator.is_count:
            continue
        figure = snapshot.figures[indicator.code]
        total = figure.value
        assert isinstance(total, int)
        for dim in indicator.breakdowns:
            cells = figure.breakdowns.get(dim, {})
            summed = sum(v or 0 for v in cells.values())
            if dim in MULTI_VALUED:
                if any((v or 0) > total for v in cells.values()) or (total and summed < total):
                    problems.append(f"{indicator.code} by {dim}: total {total}, cells {dict(cells)}")
            elif summed != total:
                problems.append(f"{indicator.code} by {dim}: total {total}, sum {summed} ({dict(cells)})")
    assert not problems, f"{snapshot.period.key()} {snapshot.audience}: " + "\n".join(problems)


@pytest.mark.parametrize("audience", list(Audience))
def test_breakdowns_add_up_on_the_hand_built_office(office_built: Office, audience: Audience) -> None:
    stats = statistics.compute(office_built.handle, OCTOBER, audience)
    for snapshot in (stats.current, stats.previous, stats.last_year):
        assert snapshot is not None
        check_breakdowns_add_up(snapshot)
    with office_built.handle.transaction() as session:
        statistics.prepare(session, audience)
        check_breakdowns_add_up(statistics.snapshot_in(session, Period(date(2025, 1, 1), date(2026, 11, 20)), audience))


DEMO_CASES = 300
DEMO_PASSWORD = "mot-de-passe-demo"


@pytest.fixture(scope="module")
def demo_handle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OfficeHandle]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
        path: Path = tmp_path_factory.mktemp("stats_demo") / "demo.baomdb"
        demo.create_demo_office(path, DEMO_PASSWORD, DEMO_CASES, seed=8)
        with unlock(path, "admin", DEMO_PASSWORD) as handle:
            yield handle


def _demo_periods() -> list[Period]:
    from desktop.domain.periods import current_month, last_complete_month
    from desktop.domain.referrals import office_today

    last = last_complete_month(office_today())
    return [last, last.previous(), last.year_before(), current_month(office_today()), Period.months_to(last, 12)]


@pytest.mark.parametrize("audience", list(Audience))
def test_breakdowns_add_up_on_a_demo_office(demo_handle: OfficeHandle, audience: Audience) -> None:
    with demo_handle.transaction() as session:
        statistics.prepare(session, audience)
        for period in _demo_periods():
            check_breakdowns_add_up(statistics.snapshot_in(session, period, audience))


def test_demo_office_has_figures_and_outside_never_exceeds_inside(demo_handle: OfficeHandle) -> None:
    year = Period.months_to(_demo_periods()[0], 12)
    with demo_handle.transaction() as session:
        inside = statistics.snapshot_in(session, year, Audience.INTERNAL)
        statistics.prepare(session, Audience.OUTSIDE)
        outside = statistics.snapshot_in(session, year, Audience.OUTSIDE)
    for code in ("people_received", "contacts", "referrals_sent", "counter_referrals", "cases_opened"):
        assert (inside.value(code) or 0) > 0, code  # the check above is not vacuous
    for indicator in INDICATORS:
        if indicator.is_count:
            assert (outside.value(indicator.code) or 0) <= (inside.value(indicator.code) or 0), indicator.code
