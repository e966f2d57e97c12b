"""Codelists of the domain. Labels are i18n keys ``<list>.<code>`` in every language."""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "mre",
    "returnee_voluntary",
    "returnee_forced",
    "returnee_avrr",
    "rpt_migrant",
    "rpt_student",
    "rpt_worker",
    "rpt_asylum_seeker",
    "rpt_refugee",
    "rpt_transit",
)

STAGES: tuple[str, ...] = ("accueil", "evaluation", "orientation", "accompagnement", "suivi", "autonomie", "cloture")

CONTACT_KINDS: tuple[str, ...] = ("accueil", "ecoute", "information", "orientation", "accompagnement", "suivi")

SEXES: tuple[str, ...] = ("F", "M")

ROLES: tuple[str, ...] = ("officer", "supervisor", "admin")


def label_key(codelist: str, code: str) -> str:
    return f"{codelist}.{code}"
