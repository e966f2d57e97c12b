"""Codelists of the domain (DOMAIN.md). Labels are i18n keys ``<list>.<code>``.

Codes are stable identifiers stored in the database and in extracts; never rename
one, add a new code instead.
"""

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

CLOSURE_REASONS: tuple[str, ...] = (
    "autonomy",
    "referred_elsewhere",
    "moved_away",
    "returned_to_country",
    "lost_contact",
    "deceased",
    "other",
)

CONTACT_KINDS: tuple[str, ...] = ("accueil", "ecoute", "information", "orientation", "accompagnement", "suivi")

CONTACT_CHANNELS: tuple[str, ...] = ("in_person", "phone", "home_visit", "message")

SEXES: tuple[str, ...] = ("F", "M")

ROLES: tuple[str, ...] = ("officer", "supervisor", "admin")

# Languages people speak at the counter (ISO 639-1/-3 codes).
LANGUAGES: tuple[str, ...] = (
    "ary",  # darija
    "ar",
    "zgh",  # amazigh (tamazight)
    "fr",
    "en",
    "es",
    "wo",  # wolof
    "ff",  # fula / pular
    "bm",  # bambara
    "ln",  # lingala
    "ha",  # hausa
    "pt",
    "it",
    "de",
    "other",
)

LEGAL_STATUSES: tuple[str, ...] = (
    "moroccan_national",
    "regular_resident",
    "irregular",
    "asylum_seeker",
    "refugee",
    "pending_regularisation",
    "student_visa",
    "unknown",
)

DOCUMENT_TYPES: tuple[str, ...] = (
    "cin",
    "passport",
    "residence_card",
    "unhcr_card",
    "unhcr_attestation",
    "consular_card",
    "birth_certificate",
    "other",
)

HOUSEHOLD_RELATIONS: tuple[str, ...] = ("spouse", "child", "parent", "sibling", "other")

SCHOOLING: tuple[str, ...] = ("enrolled", "not_enrolled", "not_applicable", "unknown")

BIRTH_REGISTRATION: tuple[str, ...] = ("registered", "not_registered", "unknown")

# Bilan social: the domains of the social assessment (also the needs of referrals).
ASSESSMENT_DOMAINS: tuple[str, ...] = (
    "administrative",
    "civil_status",
    "health_physical",
    "health_mental",
    "health_srh",
    "psychosocial",
    "housing",
    "income_employment",
    "education_training",
    "family_social",
    "legal",
    "pension_rights",
)

PRIORITIES: tuple[str, ...] = ("low", "medium", "high")

VULNERABILITY_CRITERIA: tuple[str, ...] = (
    "unaccompanied_child",
    "pregnant_lactating",
    "single_parent",
    "elderly",
    "disability",
    "serious_illness",
    "mental_health",
    "violence_survivor",
    "trafficking_victim",
    "torture_survivor",
    "no_shelter",
    "no_resources",
    "no_documents",
    "other",
)

VULNERABILITY_LEVELS: tuple[str, ...] = ("low", "medium", "high", "urgent")

CONSENT_PURPOSES: tuple[str, ...] = ("processing", "referral_sharing", "statistics")

# -- the service directory and referrals (issue 4) ----------------------------------------
PROVIDER_KINDS: tuple[str, ...] = ("public", "associative", "international", "private")

# What providers offer (a referral's need is one of these).
SERVICE_DOMAINS: tuple[str, ...] = (
    "administrative",
    "civil_status",
    "health_physical",
    "health_mental",
    "health_srh",
    "psychosocial",
    "legal_aid",
    "employment_training",
    "income_generating",
    "social_aid",
    "housing",
    "education",
    "protection_gbv",
    "pension_rights",
    "other",
)

# Who a provider serves (access conditions); a person's own public: see domain.referrals.
PUBLICS: tuple[str, ...] = ("mre", "returnee", "rpt_regular", "rpt_irregular", "asylum_seeker", "refugee")

COSTS: tuple[str, ...] = ("free", "reduced", "paid")

COVERAGE_LEVELS: tuple[str, ...] = ("commune", "province", "region", "national")

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# IASC urgency: 24 hours, 72 hours, two weeks.
URGENCIES: tuple[str, ...] = ("h24", "h72", "weeks2")

REFERRAL_DIRECTIONS: tuple[str, ...] = ("outgoing", "incoming")

REFERRAL_STATES: tuple[str, ...] = ("draft", "sent", "acknowledged", "closed", "cancelled")

REFERRAL_OUTCOMES: tuple[str, ...] = (
    "served",
    "partly_served",
    "refused",
    "not_eligible",
    "did_not_come",
    "redirected",
)

# What a referral shares with the provider (the minimum necessary, chosen per referral).
SHARED_ITEMS: tuple[str, ...] = ("identity", "phone", "documents", "need_summary", "vulnerability", "health")

CODELISTS: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "stage": STAGES,
    "closure_reason": CLOSURE_REASONS,
    "contact_kind": CONTACT_KINDS,
    "contact_channel": CONTACT_CHANNELS,
    "sex": SEXES,
    "language": LANGUAGES,
    "legal_status": LEGAL_STATUSES,
    "document_type": DOCUMENT_TYPES,
    "relation": HOUSEHOLD_RELATIONS,
    "schooling": SCHOOLING,
    "birth_registration": BIRTH_REGISTRATION,
    "domain": ASSESSMENT_DOMAINS,
    "priority": PRIORITIES,
    "criterion": VULNERABILITY_CRITERIA,
    "level": VULNERABILITY_LEVELS,
    "consent_purpose": CONSENT_PURPOSES,
    "provider_kind": PROVIDER_KINDS,
    "service_domain": SERVICE_DOMAINS,
    "public": PUBLICS,
    "cost": COSTS,
    "coverage": COVERAGE_LEVELS,
    "weekday": WEEKDAYS,
    "urgency": URGENCIES,
    "direction": REFERRAL_DIRECTIONS,
    "referral_state": REFERRAL_STATES,
    "outcome": REFERRAL_OUTCOMES,
    "shared_item": SHARED_ITEMS,
}


def label_key(codelist: str, code: str) -> str:
    return f"{codelist}.{code}"


def is_valid(codelist: str, code: str) -> bool:
    return code in CODELISTS[codelist]
