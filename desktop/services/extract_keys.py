"""The extract's keys (docs/extract-format.md §3 and §9): pseudonyms, and the office's signing key.

Both secrets live only in the encrypted database (``office_secret``); what leaves the
office is a keyed hash of an internal id, a signature, or the public half of the key, in
the public key file that :meth:`OfficePublicKey.text` writes and the secretariat reads
back with :meth:`OfficePublicKey.parse`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
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
from desktop.domain.errors import DatabaseDamaged, InputRejected
from desktop.domain.geography import geography
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


KEY_FILE_TITLE = "BAOM office public key"
KEY_FILE_FIELDS = ("format", "commune_code", "office_name", "algorithm", "public_key", "fingerprint", "created")


def normalise_fingerprint(text: str) -> str:
    """A fingerprint as typed or copied (spaces, line breaks, lower case) in one form, to compare."""
    return re.sub(r"\s+", "", text).upper()


def key_file_name(commune_code: str) -> str:
    """``BAOM-09.001.01.01-public-key.txt`` (Windows drops a trailing dot from file names)."""
    return f"BAOM-{commune_code.rstrip('.')}-public-key.txt"


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
        return key_file_name(self.commune_code)

    def text(self) -> str:
        """The public key file (UTF-8, CRLF, ``name: value``), also printed for the secretariat."""
        values = {
            "format": "1",
            "commune_code": self.commune_code,
            "office_name": self.office_name,
            "algorithm": "Ed25519",
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "fingerprint": self.fingerprint,
            "created": self.created.isoformat(),
        }
        lines = (KEY_FILE_TITLE, *(f"{name}: {values[name]}" for name in KEY_FILE_FIELDS))
        return "\r\n".join(lines) + "\r\n"

    @classmethod
    def parse(cls, text: str) -> OfficePublicKey:
        """A key file as :meth:`text` writes it, checked line by line; InputRejected says what is wrong."""
        text = text.removeprefix("\ufeff")  # Notepad adds one
        lines = text.replace("\r\n", "\n").split("\n")
        while lines and not lines[-1].strip():
            lines.pop()
        if not lines or lines[0].strip() != KEY_FILE_TITLE:
            raise InputRejected("region.key.title")
        values: dict[str, str] = {}
        for number, line in enumerate(lines[1:], start=2):
            name, sep, value = line.partition(":")
            name = name.strip()
            if not sep or name not in KEY_FILE_FIELDS:
                raise InputRejected("region.key.line", line=number)
            if name in values:
                raise InputRejected("region.key.twice", field=name)
            values[name] = value.strip()
        for name in KEY_FILE_FIELDS:
            if not values.get(name):
                raise InputRejected("region.key.missing", field=name)
        if values["format"] != "1":
            raise InputRejected("region.key.format", found=values["format"][:20])
        if values["algorithm"] != "Ed25519":
            raise InputRejected("region.key.algorithm", found=values["algorithm"][:20])
        try:
            public_key = base64.b64decode(values["public_key"], validate=True)
        except (binascii.Error, ValueError):
            raise InputRejected("region.key.not_base64") from None
        if len(public_key) != 32:
            raise InputRejected("region.key.length", found=len(public_key))
        expected = fingerprint(public_key)
        if normalise_fingerprint(values["fingerprint"]) != normalise_fingerprint(expected):
            raise InputRejected("region.key.fingerprint", found=values["fingerprint"][:60], expected=expected)
        commune_code = values["commune_code"]
        try:
            geography().commune(commune_code)
        except KeyError:
            raise InputRejected("region.key.commune_unknown", code=commune_code[:20]) from None
        try:
            created = date.fromisoformat(values["created"])
        except ValueError:
            raise InputRejected("region.key.created", found=values["created"][:20]) from None
        return cls(commune_code, values["office_name"][:200], public_key, created)


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
