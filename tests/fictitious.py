"""One obviously fictitious person, shared by the case tests (services, list, window)."""

from __future__ import annotations

from datetime import date

from desktop.services.case_types import DocumentInput, HouseholdInput, PersonInput


def fictitious(**changes: object) -> PersonInput:
    person = PersonInput(
        family_name="Fictivi",
        given_name="Mohamed",
        family_name_ar="فيكتيفي",
        given_name_ar="محمد",
        sex="M",
        birth_date=date(1990, 4, 12),
        nationality="SN",
        category="rpt_migrant",
        languages=["wo", "fr"],
        phone="0600 00 12 34",
        commune_code="09.001.01.01.",
        douar="Quartier Fictif",
        legal_status="irregular",
        arrival_date=date(2024, 1, 5),
        documents=[DocumentInput("passport", "ZZ-123 456")],
        household=[HouseholdInput("child", "Enfant Fictif", "F", 2018, "enrolled", "registered")],
    )
    for key, value in changes.items():
        setattr(person, key, value)
    return person
