"""The extract's keys (docs/extract-format.md §3 and §9): pseudonyms, and the office's signing key.

Both secrets live only in the encrypted database (``office_secret``); what leaves the
office is a keyed hash of an internal id, a signature, or the public half of the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db.files import atomic_write_text
from desktop.db.models import Office, OfficeSecret
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.errors import DatabaseDamaged
from desktop.domain.users import Role
from desktop.services.office import OfficeHandle

PSEUDONYM, SIGNING = "pseudonym", "signing"
MANIFEST_TAG = b"BAOM-EXTRACT-MANIFEST\n"  # signed before the manifest's bytes


def pseudonym(secret: bytes, kind: str, internal_id: int) -> str:
    """``person_key`` / ``referral_key``: HMAC-SHA-256 of "kind:id", 64 lowercase hex characters."""
    return hmac.new(secret, f"{kind}:{internal_id}".encode("ascii"), hashlib.sha256).hexdigest()


def pseudonymiser(secret: bytes, kind: str) -> Callable[[int], str]:
    """:func:`pseudonym` for many ids (the keyed state is computed once)."""
    keyed = hmac.new(secret, digestmod=hashlib.sha256)
    prefix = f"{kind}:".encode("ascii")

    def key(internal_id: int) -> str:
        h = keyed.copy()
        h.update(prefix + str(internal_id).encode("ascii"))
        return h.hexdigest()

    return key


def key_series(secret: bytes) -> str:
    """Tells the region whether two extracts' keys come from the same secret."""
    return hmac.new(secret, b"series", hashlib.sha256).hexdigest()[:16]


def fingerprint(public_key: bytes) -> str:
    """First 16 bytes of SHA-256 of the raw key, upper-case hex in 8 groups of 4."""
    digest = hashlib.sha256(public_key).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def public_key_of(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign(seed: bytes, manifest: bytes) -> bytes:
    """The 64-byte Ed25519 signature of a manifest (with its tag)."""
    return Ed25519PrivateKey.from_private_bytes(seed).sign(MANIFEST_TAG + manifest)


@dataclass(frozen=True)
class OfficePublicKey:
    commune_code: str
    office_name: str
    public_key: bytes
    created: date

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def file_name(self) -> str:
        return f"BAOM-{self.commune_code.rstrip('.')}-public-key.txt"

    def text(self) -> str:
        """The public key file (UTF-8, CRLF, ``name: value``), also printed for the secretariat."""
        lines = (
            "BAOM office public key",
            "format: 1",
            f"commune_code: {self.commune_code}",
            f"office_name: {self.office_name}",
            "algorithm: Ed25519",
            f"public_key: {base64.b64encode(self.public_key).decode('ascii')}",
            f"fingerprint: {self.fingerprint}",
            f"created: {self.created.isoformat()}",
        )
        return "\r\n".join(lines) + "\r\n"


def secret_in(session: Session, purpose: str) -> OfficeSecret:
    found = session.get(OfficeSecret, purpose)
    if found is None or len(found.value) != 32:
        raise DatabaseDamaged("error.db_damaged")
    return found


def office_public_key(handle: OfficeHandle) -> OfficePublicKey:
    """The public half of the office's signing key (supervisors and admins; audited)."""
    handle.require(Role.SUPERVISOR)
    with handle.transaction() as session:
        office = session.scalars(select(Office)).one()
        signing = secret_in(session, SIGNING)
        key = OfficePublicKey(office.commune_code, office.name, public_key_of(signing.value), signing.created_at.date())
        handle.audit(session, AuditAction.EXPORTED, RecordType.OFFICE, 1, "public key")
    return key


def write_office_public_key(handle: OfficeHandle, out: Path) -> tuple[OfficePublicKey, Path]:
    """Write the key file to ``out`` (a folder: under its usual name); returns the key and the file."""
    key = office_public_key(handle)
    if out.is_dir():
        out = out / key.file_name()
    atomic_write_text(out, key.text())
    return key, out
