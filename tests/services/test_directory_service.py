"""The service directory: saving providers and services, filters, coverage, verification."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from desktop.db.models import AuditEntry
from desktop.domain.errors import InputRejected
from desktop.services import directory
from desktop.services.referral_types import DirectoryFilter, ProviderInput, ServiceInput

TODAY = date(2026, 6, 1)
AGADIR = "09.001.01.01."


def fictive(name: str, **changes) -> ProviderInput:
    data = ProviderInput(
        name_fr=name,
        name_ar="جهة وهمية",
        kind="associative",
        domains=["housing"],
        commune_code=AGADIR,
        coverage="commune",
        phone="0528 00 00 01",
        email="contact@exemple.invalid",
        languages=["fr", "ar"],
        verified_on=date(2026, 5, 1),
        hours={"mon": "08:30-12:00, 14:00-16:30", "fri": "08:30-11:30"},
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def names(rows) -> list[str]:
    return [r.name_fr for r in rows]


def test_a_provider_and_its_services_round_trip_and_are_audited(office):
    handle, _, _ = office
    data = fictive(
        "Association Exemple Fictive",
        publics=["rpt_irregular", "asylum_seeker"],
        documents_required="Aucun",
        services=[ServiceInput("Hébergement d'urgence", "housing", "إيواء مستعجل", contact="Point focal fictif")],
    )
    pid = directory.save_provider(handle, data)
    back = directory.get_provider(handle, pid)
    assert back.uid and back.hours == data.hours and back.publics == ["rpt_irregular", "asylum_seeker"]
    (service,) = back.services
    assert (service.name_ar, service.domain, service.contact) == ("إيواء مستعجل", "housing", "Point focal fictif")
    # removing a service deactivates it (referrals may point to it), adding one creates it
    back.services = [ServiceInput("Aide alimentaire", "social_aid")]
    directory.save_provider(handle, back, pid)
    again = directory.get_provider(handle, pid)
    states = [(s.name_fr, s.active) for s in again.services]
    assert states == [("Hébergement d'urgence", False), ("Aide alimentaire", True)]
    # a provider offering a domain through a service is found under that domain
    assert names(directory.list_providers(handle, DirectoryFilter(domain="social_aid"), TODAY)) == [data.name_fr]
    with handle.transaction() as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.record_type == "provider")))
    assert actions == ["created", "changed"]


def test_filters_by_domain_area_public_language_and_staleness(office):
    handle, _, _ = office
    directory.save_provider(handle, fictive("Commune Agadir fictive"))
    directory.save_provider(handle, fictive("Province fictive", commune_code="09.001.05.01.", coverage="province"))
    directory.save_provider(handle, fictive("Région fictive", commune_code="09.273.01.15.", coverage="region"))
    directory.save_provider(handle, fictive("National fictif", commune_code="", coverage="national", languages=["en"]))
    directory.save_provider(handle, fictive("Ailleurs fictif", commune_code="01.051.01.01.", coverage="region"))
    directory.save_provider(
        handle, fictive("Santé fictive", domains=["health_physical"], publics=["mre"], verified_on=date(2025, 11, 1))
    )
    directory.save_provider(handle, fictive("Jamais vérifié fictif", verified_on=None, kind="public"))

    at_agadir = directory.list_providers(handle, DirectoryFilter(domain="housing", area=AGADIR), TODAY)
    assert names(at_agadir) == ["Commune Agadir fictive", "Jamais vérifié fictif", "National fictif",
                                "Province fictive", "Région fictive"]  # fmt: skip
    elsewhere = directory.list_providers(handle, DirectoryFilter(area="09.001.05.01."), TODAY)
    assert "Commune Agadir fictive" not in names(elsewhere) and "Province fictive" in names(elsewhere)
    for_mre = directory.list_providers(handle, DirectoryFilter(public="mre", domain="health_physical"), TODAY)
    assert names(for_mre) == ["Santé fictive"]
    assert names(directory.list_providers(handle, DirectoryFilter(public="refugee", domain="health_physical"))) == []
    assert names(directory.list_providers(handle, DirectoryFilter(language="en"), TODAY)) == ["National fictif"]
    stale = directory.list_providers(handle, DirectoryFilter(stale_only=True), TODAY)
    assert names(stale) == ["Jamais vérifié fictif", "Santé fictive"]
    assert all(r.stale for r in stale)
    assert names(directory.list_providers(handle, DirectoryFilter(kind="public"), TODAY)) == ["Jamais vérifié fictif"]
    assert names(directory.list_providers(handle, DirectoryFilter(text="vérifié fictif"), TODAY)) == [
        "Jamais vérifié fictif"
    ]


def test_mark_verified_clears_the_stale_flag(office):
    handle, _, _ = office
    pid = directory.save_provider(handle, fictive("Ancien fictif", verified_on=date(2024, 1, 1)))
    (row,) = directory.list_providers(handle, DirectoryFilter(), TODAY)
    assert row.stale
    directory.mark_verified(handle, pid, date(2026, 5, 30))
    (row,) = directory.list_providers(handle, DirectoryFilter(), TODAY)
    assert not row.stale and row.verified_on == date(2026, 5, 30)


def test_inactive_providers_are_hidden_unless_asked(office):
    handle, _, _ = office
    directory.save_provider(handle, fictive("Fermé fictif", active=False))
    assert directory.list_providers(handle, DirectoryFilter(), TODAY) == []
    assert names(directory.list_providers(handle, DirectoryFilter(include_inactive=True), TODAY)) == ["Fermé fictif"]


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"name_fr": "", "name_ar": ""}, "directory.error.name_required"),
        ({"kind": "secret"}, "directory.error.kind"),
        ({"domains": []}, "directory.error.domains"),
        ({"domains": ["banana"]}, "directory.error.domains"),
        ({"coverage": "planet"}, "directory.error.coverage"),
        ({"commune_code": "", "coverage": "commune"}, "directory.error.commune_required"),
        ({"commune_code": "99.999.99.99."}, "error.commune_unknown"),
        ({"email": "pas-une-adresse"}, "directory.error.email"),
        ({"hours": {"mon": "le matin"}}, "directory.error.hours"),
        ({"cost": "cher"}, "directory.error.cost"),
        ({"verified_on": date(2099, 1, 1)}, "error.date_future"),
        ({"publics": ["everyone"]}, "directory.error.publics"),
        ({"services": [ServiceInput("", "housing")]}, "directory.error.service_name"),
    ],
)
def test_bad_providers_are_refused_and_nothing_is_saved(office, changes, key):
    handle, _, _ = office
    with pytest.raises(InputRejected) as refused:
        directory.save_provider(handle, fictive("Mauvais fictif", **changes))
    assert refused.value.key == key
    assert directory.list_providers(handle, DirectoryFilter(include_inactive=True)) == []


def test_coverage_rule():
    assert directory.covers(AGADIR, "commune", AGADIR)
    assert not directory.covers(AGADIR, "commune", "09.001.05.01.")
    assert directory.covers(AGADIR, "province", "09.001.05.01.")
    assert not directory.covers(AGADIR, "province", "09.273.01.15.")
    assert directory.covers(AGADIR, "region", "09.273.01.15.")
    assert not directory.covers(AGADIR, "region", "01.051.01.01.")
    assert directory.covers("", "national", "01.051.01.01.")
