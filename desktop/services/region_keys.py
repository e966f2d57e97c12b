"""The offices a regional secretariat registers, each with the public key of its extracts.

The secretariat registers a commune's office with the public key file the office gave it
(docs/extract-format.md §9, read by :meth:`OfficePublicKey.parse`), after comparing the
fingerprint by another channel; an office may later bring a new key, and a key may be
revoked from a date. The import verifies each extract against these keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db.models import RegionOffice, RegionOfficeKey, utcnow
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.errors import InputRejected
from desktop.domain.referrals import OFFICE_TIME_ZONE
from desktop.domain.users import Role
from desktop.services.extract_keys import OfficePublicKey, normalise_fingerprint
from desktop.services.extract_reader import RegisteredKey
from desktop.services.office import OfficeHandle
from desktop.services.region import region_code

KEY_FILE_MAX_BYTES = 16 * 1024


def key_file_text(path: Path) -> str:
    """The text of a key file (UTF-8, small), for :meth:`OfficePublicKey.parse` and :func:`add_office`."""
    try:
        if path.stat().st_size > KEY_FILE_MAX_BYTES:
            raise InputRejected("region.key.too_large")
        data = path.read_bytes()
    except OSError:
        raise InputRejected("region.key.unreadable", path=str(path)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRejected("region.key.encoding") from None


class Registration(StrEnum):
    REGISTERED = "registered"  # a new office and its key
    KEY_ADDED = "key_added"  # a further key for an office already registered
    ALREADY = "already"  # this key was registered: nothing changed


@dataclass(frozen=True)
class AddOfficeResult:
    commune_code: str
    fingerprint: str
    outcome: Registration


@dataclass(frozen=True)
class KeyInfo:
    fingerprint: str
    created: date
    registered_at: datetime
    revoked_from: datetime | None


@dataclass(frozen=True)
class RegisteredOffice:
    commune_code: str
    name: str
    registered_at: datetime
    keys: tuple[KeyInfo, ...]


def add_office(handle: OfficeHandle, commune_code: str, key_text: str) -> AddOfficeResult:
    """Register a commune's office with its public key (or a new key of an office already known)."""
    region = region_code(handle)
    handle.require(Role.SUPERVISOR)
    key = OfficePublicKey.parse(key_text)
    commune_code = commune_code.strip()
    if key.commune_code != commune_code:
        raise InputRejected("region.error.commune_mismatch", code=commune_code[:20], found=key.commune_code)
    if not commune_code.startswith(region):
        raise InputRejected("region.error.outside_region", code=commune_code, region=region)
    now = utcnow()
    with handle.transaction() as session:
        elsewhere = session.scalar(
            select(RegionOfficeKey.commune_code).where(
                RegionOfficeKey.public_key == key.public_key, RegionOfficeKey.commune_code != commune_code
            )
        )
        if elsewhere is not None:
            raise InputRejected("region.error.key_elsewhere", code=elsewhere)
        office = session.get(RegionOffice, commune_code)
        known = session.scalar(
            select(RegionOfficeKey.id).where(
                RegionOfficeKey.commune_code == commune_code, RegionOfficeKey.public_key == key.public_key
            )
        )
        if known is not None:
            return AddOfficeResult(commune_code, key.fingerprint, Registration.ALREADY)
        if office is None:
            session.add(RegionOffice(commune_code=commune_code, name=key.office_name, registered_at=now))
            outcome = Registration.REGISTERED
        else:
            office.name = key.office_name
            outcome = Registration.KEY_ADDED
        session.flush()
        session.add(
            RegionOfficeKey(
                commune_code=commune_code,
                public_key=key.public_key,
                fingerprint=key.fingerprint,
                created=key.created,
                registered_at=now,
            )
        )
        action = AuditAction.CREATED if outcome is Registration.REGISTERED else AuditAction.CHANGED
        handle.audit(session, action, RecordType.REGION_OFFICE, commune_code, f"key {key.fingerprint}")
    return AddOfficeResult(commune_code, key.fingerprint, outcome)


def revoke_key(handle: OfficeHandle, commune_code: str, key_fingerprint: str, from_date: date | datetime) -> None:
    """The key no longer verifies extracts generated from ``from_date`` (a date: from its start, office time)."""
    region_code(handle)
    handle.require(Role.SUPERVISOR)
    if isinstance(from_date, datetime):
        if from_date.tzinfo is None:
            raise ValueError("naive datetime")
        revoked_from = from_date.astimezone(UTC)
    else:
        revoked_from = datetime.combine(from_date, time(), OFFICE_TIME_ZONE).astimezone(UTC)
    wanted = normalise_fingerprint(key_fingerprint)
    with handle.transaction() as session:
        keys = session.scalars(select(RegionOfficeKey).where(RegionOfficeKey.commune_code == commune_code.strip()))
        found = next((k for k in keys if normalise_fingerprint(k.fingerprint) == wanted), None)
        if found is None:
            raise InputRejected("region.error.key_not_found", code=commune_code.strip()[:20])
        found.revoked_from = revoked_from
        detail = f"key {found.fingerprint} revoked from {revoked_from.isoformat(timespec='seconds')}"
        handle.audit(session, AuditAction.CHANGED, RecordType.REGION_OFFICE, found.commune_code, detail)


def offices(handle: OfficeHandle) -> list[RegisteredOffice]:
    """The registered communes, by code, each with its keys (oldest first)."""
    region_code(handle)
    handle.require(Role.OFFICER)
    with handle.transaction() as session:
        keys: dict[str, list[KeyInfo]] = {}
        for k in session.scalars(select(RegionOfficeKey).order_by(RegionOfficeKey.registered_at, RegionOfficeKey.id)):
            keys.setdefault(k.commune_code, []).append(
                KeyInfo(k.fingerprint, k.created, k.registered_at, k.revoked_from)
            )
        return [
            RegisteredOffice(o.commune_code, o.name, o.registered_at, tuple(keys.get(o.commune_code, ())))
            for o in session.scalars(select(RegionOffice).order_by(RegionOffice.commune_code))
        ]


def registered_keys(session: Session) -> dict[str, list[RegisteredKey]]:
    """Every commune's keys, revoked ones included, as the extract reader wants them."""
    keys: dict[str, list[RegisteredKey]] = {}
    for commune, public_key, revoked_from in session.execute(
        select(RegionOfficeKey.commune_code, RegionOfficeKey.public_key, RegionOfficeKey.revoked_from)
    ):
        keys.setdefault(commune, []).append(RegisteredKey(bytes(public_key), revoked_from))
    return keys
