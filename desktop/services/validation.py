"""Checking a person's identity before it is saved: every problem at once, by field."""

from __future__ import annotations

import re
from datetime import date

from desktop.domain import codelists
from desktop.domain.errors import InputRejected
from desktop.services.case_types import FieldError, PersonInput

ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F]")
LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
PHONE = re.compile(r"^\+?[0-9 .\-/()]{6,24}$")
DOCUMENT = re.compile(r"^[A-Za-z0-9 ./\-]{3,40}$")


class ValidationFailed(InputRejected):
    """Several field errors; ``key`` is the first one's, ``errors`` has them all."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors[0].key, **errors[0].params)
        self.errors = errors


def raise_if_errors(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors)


def _known_country(code: str) -> bool:
    import pycountry

    return pycountry.countries.get(alpha_2=code.upper()) is not None


def _known_commune(code: str) -> bool:
    from desktop.domain.geography import geography

    try:
        geography().commune(code)
    except KeyError:
        return False
    return True


def check_person(p: PersonInput, today: date) -> list[FieldError]:
    errors: list[FieldError] = []

    def bad(field: str, key: str, **params: str | int) -> None:
        errors.append(FieldError(field, key, dict(params)))

    latin = (p.family_name.strip(), p.given_name.strip())
    arabic = (p.family_name_ar.strip(), p.given_name_ar.strip())
    if not any(latin) and not any(arabic):
        bad("family_name", "error.name_required")
    for field, value in (("family_name", latin[0]), ("given_name", latin[1])):
        if ARABIC.search(value):
            bad(field, "error.name_latin_expected")
    for field, value in (("family_name_ar", arabic[0]), ("given_name_ar", arabic[1])):
        if LATIN.search(value):
            bad(field, "error.name_arabic_expected")
    if p.sex not in codelists.SEXES:
        bad("sex", "error.sex_required")
    if p.birth_date is not None:
        if p.birth_date > today:
            bad("birth_date", "error.date_future")
        elif p.birth_date.year < today.year - 120:
            bad("birth_date", "error.birth_too_old")
    elif p.estimated_age is None:
        bad("birth_date", "error.age_required")
    elif not 0 <= p.estimated_age <= 120:
        bad("estimated_age", "error.age_range")
    if not p.nationality or not _known_country(p.nationality):
        bad("nationality", "error.nationality_invalid")
    if p.category not in codelists.CATEGORIES:
        bad("category", "error.category_required")
    if any(code not in codelists.LANGUAGES for code in p.languages):
        bad("languages", "error.language_invalid")
    if p.phone.strip() and not PHONE.match(p.phone.strip()):
        bad("phone", "error.phone_invalid")
    if p.commune_code and not _known_commune(p.commune_code):
        bad("commune_code", "error.commune_unknown", code=p.commune_code)
    if p.legal_status and p.legal_status not in codelists.LEGAL_STATUSES:
        bad("legal_status", "error.legal_status_invalid")
    if p.arrival_date is not None:
        if p.arrival_date > today:
            bad("arrival_date", "error.date_future")
        elif p.birth_date is not None and p.arrival_date < p.birth_date:
            bad("arrival_date", "error.arrival_before_birth")
    seen: set[str] = set()
    for i, doc in enumerate(p.documents):
        if doc.kind not in codelists.DOCUMENT_TYPES:
            bad(f"documents.{i}.kind", "error.document_type_invalid")
        number = doc.number.strip()
        if not DOCUMENT.match(number):
            bad(f"documents.{i}.number", "error.document_number_invalid")
        key = "".join(ch for ch in number.upper() if ch.isalnum())
        if key in seen:
            bad(f"documents.{i}.number", "error.document_duplicate")
        seen.add(key)
    for i, member in enumerate(p.household):
        if member.relation not in codelists.HOUSEHOLD_RELATIONS:
            bad(f"household.{i}.relation", "error.relation_invalid")
        if member.birth_year is not None and not today.year - 120 <= member.birth_year <= today.year:
            bad(f"household.{i}.birth_year", "error.birth_year_range")
        if member.schooling not in codelists.SCHOOLING or member.birth_registration not in codelists.BIRTH_REGISTRATION:
            bad(f"household.{i}.schooling", "error.household_invalid")
    return errors
