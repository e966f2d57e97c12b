"""The extract's keys: pseudonyms and the office key, against docs/extract-format.md's vectors."""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import text

from desktop.domain.errors import PermissionDenied
from desktop.domain.users import Role
from desktop.services import extract_keys, users
from desktop.services import office as office_service

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "extract_example"
DOC_SECRET = bytes(range(32))
DOC_SEED = bytes(range(32, 64))


def test_pseudonyms_follow_the_documented_vectors() -> None:
    assert extract_keys.pseudonym(DOC_SECRET, "person", 1) == (
        "48c4cabdce60f6053130fd9624e37d149eef378b37151dbfe008a204aefb41df"
    )
    assert extract_keys.pseudonym(DOC_SECRET, "person", 12) == (
        "c1d4301d2da81670856f4e31cd6df8fcae205334c6c61763749ee17e3058b1af"
    )
    assert extract_keys.pseudonym(DOC_SECRET, "referral", 31) == (
        "51147a640ce48a403d3ff2185c6825c5e6e329d9dd0f0d09d696cfb5f9db4566"
    )
    assert extract_keys.key_series(DOC_SECRET) == "7fb5cab4ed8698ca"
    assert extract_keys.pseudonym(bytes(32), "person", 1) != extract_keys.pseudonym(DOC_SECRET, "person", 1)


def test_the_documented_office_key_and_the_example_signature() -> None:
    public = extract_keys.public_key_of(DOC_SEED)
    assert base64.b64encode(public).decode() == "Kay64UG8yvCyLhqU000LxzYeUm0L/hLIl5S8kyKWbdc="
    assert extract_keys.fingerprint(public) == "24F6 ED6A CBFE 1009 C030 D7CA 567C 33CA"
    manifest = (FIXTURE / "manifest.json").read_bytes()
    signature = base64.b64decode((FIXTURE / "manifest.sig").read_bytes().strip())
    assert extract_keys.sign(DOC_SEED, manifest) == signature  # Ed25519 is deterministic
    Ed25519PublicKey.from_public_bytes(public).verify(signature, extract_keys.MANIFEST_TAG + manifest)
    with pytest.raises(InvalidSignature):
        Ed25519PublicKey.from_public_bytes(public).verify(signature, extract_keys.MANIFEST_TAG + manifest + b" ")


def test_an_office_is_created_with_its_own_keys_and_exports_only_the_public_half(office, tmp_path: Path) -> None:
    handle, _, _ = office
    with handle.engine.connect() as conn:
        secrets = dict(conn.execute(text("SELECT purpose, value FROM office_secret")).all())
    assert set(secrets) == {"pseudonym", "signing"} and secrets["pseudonym"] != secrets["signing"]
    key, written = extract_keys.write_office_public_key(handle, tmp_path)
    assert written == tmp_path / f"BAOM-{key.commune_code.rstrip('.')}-public-key.txt"
    content = written.read_bytes()
    assert content.endswith(b"\r\n") and content.count(b"\r\n") == 8
    fields = dict(line.split(": ", 1) for line in content.decode().splitlines()[1:])
    assert fields["algorithm"] == "Ed25519" and fields["commune_code"] == key.commune_code
    assert base64.b64decode(fields["public_key"]) == extract_keys.public_key_of(secrets["signing"])
    assert fields["fingerprint"] == key.fingerprint and fields["created"] == date.today().isoformat()
    for secret in secrets.values():  # neither secret, in any form, is in the file
        for form in (secret, secret.hex().encode(), base64.b64encode(secret)):
            assert form not in content
    with handle.engine.connect() as conn:
        details = [row[0] for row in conn.execute(text("SELECT detail FROM audit_entry WHERE action = 'exported'"))]
    assert "public key" in details


def test_officers_cannot_export_the_key(office, tmp_path: Path) -> None:
    handle, _, _ = office
    agent_id = users.add_user(handle, "agent", "Agent Fictif", Role.OFFICER, "mot-de-passe-agent")
    handle.actor = office_service.Actor("agent", "Agent Fictif", Role.OFFICER, agent_id)
    with pytest.raises(PermissionDenied):
        extract_keys.office_public_key(handle)
