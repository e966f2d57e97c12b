"""Fictitious providers and helpers shared by the directory UI tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from desktop.services.referral_types import ProviderInput, ServiceInput

TODAY = date.today()
AGADIR, AMSKROUD, AOURIR, AIT_AMIRA, AFOURAR = (
    "09.001.01.01.", "09.001.05.01.", "09.001.07.03.", "09.163.07.01.", "05.081.11.01.",
)  # fmt: skip
EXAMPLE = "Association Exemple Fictive"
STALE_FR = "non vérifié depuis 6 mois"


def on_db(ctx: Any, fn: Any, *args: Any) -> Any:
    return ctx.runner.run_sync(fn, ctx.handle, *args)


def wait_idle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: ctx.runner.pending == 0, timeout=15000)


def has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def fictitious_providers() -> list[ProviderInput]:
    """Five obviously fictitious providers spread over communes, coverages, publics and check dates."""
    return [
        ProviderInput(
            name_fr=EXAMPLE, name_ar="جمعية مثال وهمية", kind="associative", domains=["housing", "psychosocial"],
            commune_code=AGADIR, coverage="commune", focal_point="Point focal fictif", phone="0528 00 00 01",
            email="contact@exemple.invalid", languages=["fr", "ar"], publics=["rpt_irregular", "asylum_seeker"],
            verified_on=TODAY - timedelta(days=10),
            services=[ServiceInput("Permanence juridique fictive", "legal_aid")],
        ),
        ProviderInput(
            name_fr="Centre de santé fictif d'Aourir", name_ar="المركز الصحي الوهمي", kind="public",
            domains=["health_physical"], commune_code=AOURIR, coverage="province", phone="0528 00 00 02",
            languages=["ary", "fr"], verified_on=TODAY - timedelta(days=240),
        ),
        ProviderInput(
            name_fr="Délégation fictive de l'entraide", kind="public", domains=["social_aid"],
            commune_code=AIT_AMIRA, coverage="region", phone="0528 00 00 03", languages=["ar"],
        ),
        ProviderInput(
            name_fr="Organisation internationale fictive", name_ar="منظمة دولية وهمية", kind="international",
            domains=["legal_aid"], coverage="national", phone="0537 00 00 04", languages=["en", "fr"],
            publics=["refugee", "asylum_seeker"], verified_on=TODAY - timedelta(days=30),
        ),
        ProviderInput(
            name_fr="Clinique privée fictive", kind="private", domains=["health_physical"], commune_code=AFOURAR,
            coverage="commune", phone="0523 00 00 05", cost="paid", verified_on=TODAY - timedelta(days=5),
        ),
    ]  # fmt: skip
