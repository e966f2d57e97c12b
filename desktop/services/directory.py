"""The service directory (cartographie): providers, their services, filtering, verification.

The directory is small (hundreds of providers): the list reads every provider once and
filters in Python, which keeps the area rule (commune ⊂ province ⊂ region, codes that
share their prefixes) plain and quick.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db.models import Provider, ProviderService, utcnow
from desktop.domain import codelists
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.errors import InputRejected
from desktop.services.office import OfficeHandle
from desktop.services.referral_types import DirectoryFilter, ProviderInput, ProviderRow, ServiceInput

STALE_AFTER = timedelta(days=182)  # "not verified for six months"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HOURS = re.compile(r"^\d{1,2}[:h]\d{2}\s*-\s*\d{1,2}[:h]\d{2}(\s*[,;]\s*\d{1,2}[:h]\d{2}\s*-\s*\d{1,2}[:h]\d{2})*$")


def join(codes: list[str]) -> str:
    return "|".join(codes)


def split(joined: str) -> list[str]:
    return [code for code in joined.split("|") if code]


def hours_text(hours: dict[str, str]) -> str:
    return "|".join(f"{day}={hours[day].strip()}" for day in codelists.WEEKDAYS if hours.get(day, "").strip())


def hours_of(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in text.split("|"):
        day, _, span = part.partition("=")
        if day in codelists.WEEKDAYS and span:
            found[day] = span
    return found


def is_stale(verified_on: date | None, today: date) -> bool:
    return verified_on is None or verified_on < today - STALE_AFTER


def covers(provider_commune: str, coverage: str, area: str) -> bool:
    """Does a provider at ``provider_commune`` with this coverage serve the commune ``area``?

    Ministry codes nest: region ``09.``, province ``09.001.``, commune ``09.001.01.01.``.
    """
    if coverage == "national" or not area:
        return True
    if not provider_commune:
        return False
    parts = provider_commune.split(".")
    prefix = {"region": ".".join(parts[:1]) + ".", "province": ".".join(parts[:2]) + "."}.get(coverage)
    return area.startswith(prefix) if prefix else area == provider_commune


# -- checking ----------------------------------------------------------------------------
def check_provider(data: ProviderInput) -> None:
    """All or nothing: the first problem, as a message key naming the field."""
    if not data.name_fr.strip() and not data.name_ar.strip():
        raise InputRejected("directory.error.name_required")
    if data.kind not in codelists.PROVIDER_KINDS:
        raise InputRejected("directory.error.kind")
    if not data.domains or any(d not in codelists.SERVICE_DOMAINS for d in data.domains):
        raise InputRejected("directory.error.domains")
    if data.coverage not in codelists.COVERAGE_LEVELS:
        raise InputRejected("directory.error.coverage")
    if data.coverage != "national" and not data.commune_code:
        raise InputRejected("directory.error.commune_required")
    if data.commune_code:
        from desktop.domain.geography import geography

        try:
            geography().commune(data.commune_code)
        except KeyError:
            raise InputRejected("error.commune_unknown", code=data.commune_code) from None
    if data.email.strip() and not EMAIL.match(data.email.strip()):
        raise InputRejected("directory.error.email")
    if any(day not in codelists.WEEKDAYS or (span.strip() and not HOURS.match(span.strip()))
           for day, span in data.hours.items()):  # fmt: skip
        raise InputRejected("directory.error.hours")
    if any(code not in codelists.LANGUAGES for code in data.languages):
        raise InputRejected("error.language_invalid")
    if data.verified_on is not None and data.verified_on > date.today():
        raise InputRejected("error.date_future", field="verified_on")
    if data.cost not in codelists.COSTS:
        raise InputRejected("directory.error.cost")
    if any(p not in codelists.PUBLICS for p in data.publics):
        raise InputRejected("directory.error.publics")
    for service in data.services:
        if not service.name_fr.strip() and not service.name_ar.strip():
            raise InputRejected("directory.error.service_name")
        if service.domain not in codelists.SERVICE_DOMAINS:
            raise InputRejected("directory.error.domains")


# -- reading -----------------------------------------------------------------------------
def _row(p: Provider, today: date) -> ProviderRow:
    return ProviderRow(
        id=p.id,
        uid=p.uid,
        name_fr=p.name_fr,
        name_ar=p.name_ar,
        kind=p.kind,
        domains=split(p.domains),
        commune_code=p.commune_code,
        coverage=p.coverage,
        focal_point=p.focal_point,
        phone=p.phone,
        email=p.email,
        languages=split(p.languages),
        publics=split(p.publics),
        verified_on=p.verified_on,
        stale=is_stale(p.verified_on, today),
        active=p.active,
    )


def _matches(p: Provider, services: dict[int, set[str]], flt: DirectoryFilter, today: date) -> bool:
    if not flt.include_inactive and not p.active:
        return False
    if flt.domain and flt.domain not in split(p.domains) and flt.domain not in services.get(p.id, set()):
        return False
    if flt.kind and p.kind != flt.kind:
        return False
    if flt.area and not covers(p.commune_code, p.coverage, flt.area):
        return False
    if flt.public and p.publics and flt.public not in split(p.publics):
        return False
    if flt.language and flt.language not in split(p.languages):
        return False
    if flt.stale_only and not is_stale(p.verified_on, today):
        return False
    if flt.text.strip():
        haystack = " ".join((p.name_fr, p.name_ar, p.focal_point, p.address)).casefold()
        if not all(word in haystack for word in flt.text.casefold().split()):
            return False
    return True


def list_providers(handle: OfficeHandle, flt: DirectoryFilter, today: date | None = None) -> list[ProviderRow]:
    """Providers matching the filter, by French name."""
    today = today or date.today()
    with handle.transaction() as session:
        services: dict[int, set[str]] = {}
        for provider_id, domain in session.execute(
            select(ProviderService.provider_id, ProviderService.domain).where(ProviderService.active)
        ):
            services.setdefault(provider_id, set()).add(domain)
        providers = session.scalars(select(Provider)).all()
        rows = [_row(p, today) for p in providers if _matches(p, services, flt, today)]
    return sorted(rows, key=lambda r: (r.name_fr or r.name_ar).casefold())


def get_provider(handle: OfficeHandle, provider_id: int) -> ProviderInput:
    with handle.transaction() as session:
        p = session.get(Provider, provider_id)
        if p is None:
            raise InputRejected("directory.error.unknown")
        return provider_input(session, p)


def provider_input(session: Session, p: Provider) -> ProviderInput:
    services = session.scalars(
        select(ProviderService).where(ProviderService.provider_id == p.id).order_by(ProviderService.id)
    )
    return ProviderInput(
        name_fr=p.name_fr,
        name_ar=p.name_ar,
        kind=p.kind,
        domains=split(p.domains),
        address=p.address,
        commune_code=p.commune_code,
        coverage=p.coverage,
        focal_point=p.focal_point,
        phone=p.phone,
        email=p.email,
        hours=hours_of(p.hours),
        languages=split(p.languages),
        cost=p.cost,
        documents_required=p.documents_required,
        publics=split(p.publics),
        notes=p.notes,
        verified_on=p.verified_on,
        active=p.active,
        services=[
            ServiceInput(s.name_fr, s.domain, s.name_ar, s.conditions, s.contact, s.active, s.id) for s in services
        ],
        uid=p.uid,
    )


# -- writing -----------------------------------------------------------------------------
def save_provider(handle: OfficeHandle, data: ProviderInput, provider_id: int | None = None) -> int:
    """Create (``provider_id`` None) or update a provider and its services; audited."""
    check_provider(data)
    with handle.transaction() as session:
        return save_provider_in(session, handle, data, provider_id)


def save_provider_in(session: Session, handle: OfficeHandle, data: ProviderInput, provider_id: int | None) -> int:
    if provider_id is None:
        p = Provider(uid=data.uid or str(uuid.uuid4()), name_fr="", kind=data.kind)
        session.add(p)
        action = AuditAction.CREATED
    else:
        found = session.get(Provider, provider_id)
        if found is None:
            raise InputRejected("directory.error.unknown")
        p, action = found, AuditAction.CHANGED
    p.name_fr = data.name_fr.strip()
    p.name_ar = data.name_ar.strip()
    p.kind = data.kind
    p.domains = join(data.domains)
    p.address = data.address.strip()
    p.commune_code = data.commune_code
    p.coverage = data.coverage
    p.focal_point = data.focal_point.strip()
    p.phone = data.phone.strip()
    p.email = data.email.strip()
    p.hours = hours_text(data.hours)
    p.languages = join(data.languages)
    p.cost = data.cost
    p.documents_required = data.documents_required.strip()
    p.publics = join(data.publics)
    p.notes = data.notes.strip()
    p.verified_on = data.verified_on
    p.active = data.active
    p.updated_at = utcnow()
    session.flush()
    kept = {s.id for s in data.services if s.id is not None}
    # a service referrals point to is deactivated, never deleted
    for old in session.scalars(select(ProviderService).where(ProviderService.provider_id == p.id)):
        if old.id not in kept:
            old.active = False
    for s in data.services:
        row = session.get(ProviderService, s.id) if s.id is not None else None
        if row is None or row.provider_id != p.id:
            row = ProviderService(provider_id=p.id, name_fr="", domain=s.domain)
            session.add(row)
        row.name_fr, row.name_ar, row.domain = s.name_fr.strip(), s.name_ar.strip(), s.domain
        row.conditions, row.contact, row.active = s.conditions.strip(), s.contact.strip(), s.active
    handle.audit(session, action, RecordType.PROVIDER, p.id)
    return p.id


def mark_verified(handle: OfficeHandle, provider_id: int, on: date) -> None:
    if on > date.today():
        raise InputRejected("error.date_future", field="verified_on")
    with handle.transaction() as session:
        p = session.get(Provider, provider_id)
        if p is None:
            raise InputRejected("directory.error.unknown")
        p.verified_on = on
        p.updated_at = utcnow()
        handle.audit(session, AuditAction.CHANGED, RecordType.PROVIDER, provider_id, "verified")

