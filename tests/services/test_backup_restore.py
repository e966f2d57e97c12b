"""Backups (.baom zip) and restore: same data, old office kept, nothing changed on refusal."""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.db.keys import keys_path
from desktop.db.models import Person, utcnow
from desktop.domain.errors import (
    DatabaseDamaged,
    DatabaseInUse,
    InputRejected,
    PermissionDenied,
    WrongCredentials,
)
from desktop.services import audit, maintenance, users
from desktop.services.audit import AuditFilter
from desktop.services.maintenance import DB_MEMBER, KEYS_MEMBER, MANIFEST_MEMBER, restore_office
from desktop.services.office import OfficeHandle, unlock
from tests.conftest import ADMIN_PASSWORD


def _add_person(handle: OfficeHandle, family_name: str) -> None:
    with handle.transaction() as session:
        session.add(
            Person(
                family_name=family_name,
                given_name="Exemple",
                sex="F",
                nationality="ZZ",
                category="migrant",
                phone="0600000001",
                created_at=utcnow(),
            )
        )


def _people(path: Path, login: str = "admin", password: str = ADMIN_PASSWORD) -> list[str]:
    with unlock(path, login, password) as handle, handle.transaction() as session:
        return sorted(p.family_name for p in session.query(Person))


def _snapshot(folder: Path) -> dict[str, object]:
    """What a refused restore must leave alone: the same files, the office file not
    replaced (same inode), the same key slots. The attempt itself is audited in the
    live office, so its pages and the slots file's counters may change."""
    state: dict[str, object] = {}
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.name.endswith((".lock", "-wal", "-shm")):
            continue
        if p.name.endswith(".keys"):
            state[p.name] = json.dumps(json.loads(p.read_text(encoding="utf-8"))["slots"], sort_keys=True)
        elif p.name.endswith(".baomdb"):
            state[p.name] = p.stat().st_ino
        else:
            state[p.name] = p.read_bytes()
    return state


def _rewrite(backup: Path, out: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """Copy a backup zip, letting ``change`` alter its members (CRCs recomputed by zipfile)."""
    with zipfile.ZipFile(backup) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out


def _fix_manifest(members: dict[str, bytes]) -> None:
    manifest = json.loads(members[MANIFEST_MEMBER])
    manifest["files"] = {
        DB_MEMBER: hashlib.sha256(members[DB_MEMBER]).hexdigest(),
        KEYS_MEMBER: hashlib.sha256(members[KEYS_MEMBER]).hexdigest(),
    }
    members[MANIFEST_MEMBER] = json.dumps(manifest).encode()


@pytest.fixture
def backup(office, tmp_path: Path) -> tuple[OfficeHandle, Path, Path]:  # type: ignore[no-untyped-def]
    """The fixture office with one person, backed up; then a second person added."""
    handle, _code, path = office
    _add_person(handle, "Avant Fictif")
    out = tmp_path / "sauvegardes" / "office.baom"
    out.parent.mkdir()
    maintenance.backup_office(handle, out)
    _add_person(handle, "Apres Fictif")
    return handle, path, out


def test_backup_file_layout(backup) -> None:  # type: ignore[no-untyped-def]
    handle, _path, out = backup
    with zipfile.ZipFile(out) as archive:
        assert set(archive.namelist()) == {MANIFEST_MEMBER, KEYS_MEMBER, DB_MEMBER}
        manifest = json.loads(archive.read(MANIFEST_MEMBER))
        assert manifest["format"] == "baom-backup" and manifest["version"] == 1
        assert manifest["files"][DB_MEMBER] == hashlib.sha256(archive.read(DB_MEMBER)).hexdigest()
        assert manifest["files"][KEYS_MEMBER] == hashlib.sha256(archive.read(KEYS_MEMBER)).hexdigest()
        assert manifest["schema"]
    assert [p.name for p in out.parent.iterdir()] == ["office.baom"]  # no temporary folder left
    rows = audit.entries(handle, audit.entry_ids(handle, AuditFilter(action="backed_up")))
    assert [(r.actor, r.record_type) for r in rows] == [("admin", "database")]


def test_restore_to_a_new_path_has_the_data_of_the_backup(backup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    handle, _path, out = backup
    target = tmp_path / "restauree" / "copie.baomdb"
    target.parent.mkdir()
    restore_office(out, target, "admin", ADMIN_PASSWORD)
    assert _people(target) == ["Avant Fictif"]
    with unlock(target, "admin", ADMIN_PASSWORD) as restored:
        assert audit.verify_chain(restored).ok
        rows = audit.entries(restored, audit.entry_ids(restored, AuditFilter(action="restored")))
        assert [r.actor for r in rows] == ["admin"]
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".baom-restore-")]
    # the original is untouched and still open
    with handle.transaction() as session:
        assert session.query(Person).count() == 2


def test_restore_with_the_recovery_code(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    handle, code, _path = office
    _add_person(handle, "Avant Fictif")
    out = tmp_path / "office.baom"
    maintenance.backup_office(handle, out)
    target = tmp_path / "copie.baomdb"
    restore_office(out, target, "recovery", code.lower())
    assert _people(target) == ["Avant Fictif"]


def test_restore_over_an_office_keeps_the_old_one(backup) -> None:  # type: ignore[no-untyped-def]
    handle, path, out = backup
    handle.close()
    restore_office(out, path, "admin", ADMIN_PASSWORD)
    assert _people(path) == ["Avant Fictif"]
    kept = [p for p in path.parent.iterdir() if "-before-restore-" in p.name and p.suffix == ".baomdb"]
    assert len(kept) == 1
    assert keys_path(kept[0]).is_file()
    assert _people(kept[0]) == ["Apres Fictif", "Avant Fictif"]


def test_restore_refuses_an_open_office(backup) -> None:  # type: ignore[no-untyped-def]
    handle, path, out = backup
    before = _snapshot(path.parent)
    with pytest.raises(DatabaseInUse):
        restore_office(out, path, "admin", ADMIN_PASSWORD)
    assert _snapshot(path.parent) == before
    with handle.transaction() as session:
        assert session.query(Person).count() == 2


@pytest.mark.parametrize(("login", "password"), [("admin", "mauvais-mot-de-passe"), ("inconnu.fictif", ADMIN_PASSWORD)])
def test_restore_with_wrong_credentials_changes_nothing(backup, login: str, password: str) -> None:  # type: ignore[no-untyped-def]
    handle, path, out = backup
    handle.close()
    before = _snapshot(path.parent)
    with pytest.raises(WrongCredentials):
        restore_office(out, path, login, password)
    assert _snapshot(path.parent) == before
    new_target = path.with_name("nouvelle.baomdb")
    with pytest.raises(WrongCredentials):
        restore_office(out, new_target, login, password)
    assert not new_target.exists() and not keys_path(new_target).exists()
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".baom-restore-")]
    assert _people(path) == ["Apres Fictif", "Avant Fictif"]


def test_restore_with_wrong_recovery_code_changes_nothing(backup) -> None:  # type: ignore[no-untyped-def]
    handle, path, out = backup
    handle.close()
    before = _snapshot(path.parent)
    with pytest.raises(WrongCredentials):
        restore_office(out, path, "recovery", "00000-00000-00000-00000-00000-00000")
    assert _snapshot(path.parent) == before


def _change_db_byte(members: dict[str, bytes]) -> None:
    db = bytearray(members[DB_MEMBER])
    db[5000] ^= 0x01
    members[DB_MEMBER] = bytes(db)


def _change_keys(members: dict[str, bytes]) -> None:
    members[KEYS_MEMBER] = members[KEYS_MEMBER].replace(b'"format"', b' "format"', 1)


def _change_manifest_checksum(members: dict[str, bytes]) -> None:
    manifest = json.loads(members[MANIFEST_MEMBER])
    manifest["files"][DB_MEMBER] = "0" * 64
    members[MANIFEST_MEMBER] = json.dumps(manifest).encode()


def _drop_checksums(members: dict[str, bytes]) -> None:
    manifest = json.loads(members[MANIFEST_MEMBER])
    del manifest["files"]
    members[MANIFEST_MEMBER] = json.dumps(manifest).encode()


@pytest.mark.parametrize("change", [_change_db_byte, _change_keys, _change_manifest_checksum, _drop_checksums])
def test_tampered_backup_is_rejected(backup, tmp_path: Path, change: Callable[[dict[str, bytes]], None]) -> None:  # type: ignore[no-untyped-def]
    handle, path, out = backup
    handle.close()
    tampered = _rewrite(out, tmp_path / "modifiee.baom", change)
    before = _snapshot(path.parent)
    with pytest.raises(InputRejected) as info:
        restore_office(tampered, path, "admin", ADMIN_PASSWORD)
    assert info.value.key == "error.backup_checksum"
    assert _snapshot(path.parent) == before
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".baom-restore-")]


def test_byte_changed_in_place_in_the_zip_is_a_checksum_error(backup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Regression: zipfile's CRC error was reported as 'not a BAOM backup'."""
    handle, path, out = backup
    handle.close()
    raw = bytearray(out.read_bytes())
    with zipfile.ZipFile(out) as archive:
        info = archive.getinfo(DB_MEMBER)
    assert info.compress_type == zipfile.ZIP_STORED
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26 : info.header_offset + 30])
    data_start = info.header_offset + 30 + name_len + extra_len
    raw[data_start + 5000] ^= 0x01
    tampered = tmp_path / "octet-modifie.baom"
    tampered.write_bytes(bytes(raw))
    before = _snapshot(path.parent)
    with pytest.raises(InputRejected) as err:
        restore_office(tampered, path, "admin", ADMIN_PASSWORD)
    assert _snapshot(path.parent) == before  # in any case nothing was restored
    assert err.value.key == "error.backup_checksum"


def test_damaged_database_in_a_consistent_backup_is_refused(backup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Checksums match (re-made by someone) but the database inside does not verify."""
    handle, path, out = backup
    handle.close()

    def damage(members: dict[str, bytes]) -> None:
        db = bytearray(members[DB_MEMBER])
        for i in range(4096 * 2 + 100, 4096 * 2 + 116):
            db[i] ^= 0xA5
        members[DB_MEMBER] = bytes(db)
        _fix_manifest(members)

    damaged = _rewrite(out, tmp_path / "abimee.baom", damage)
    before = _snapshot(path.parent)
    with pytest.raises(DatabaseDamaged) as info:
        restore_office(damaged, path, "admin", ADMIN_PASSWORD)
    assert info.value.exit_code == 5
    assert _snapshot(path.parent) == before


@pytest.mark.parametrize(
    "content",
    [b"ceci n'est pas un zip", b"", b"PK\x03\x04 tronque"],
)
def test_non_zip_file_is_not_a_backup(office, tmp_path: Path, content: bytes) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    handle.close()
    fake = tmp_path / "faux.baom"
    fake.write_bytes(content)
    with pytest.raises(InputRejected) as info:
        restore_office(fake, path, "admin", ADMIN_PASSWORD)
    assert info.value.key == "error.backup_invalid"


def test_zip_that_is_not_a_baom_backup(backup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    handle, path, out = backup
    handle.close()
    other = tmp_path / "autre.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("notes.txt", "rien")
    with pytest.raises(InputRejected) as info:
        restore_office(other, path, "admin", ADMIN_PASSWORD)
    assert info.value.key == "error.backup_invalid"

    def wrong_format(members: dict[str, bytes]) -> None:
        members[MANIFEST_MEMBER] = json.dumps({"format": "autre-chose", "version": 1}).encode()

    with pytest.raises(InputRejected) as info:
        restore_office(_rewrite(out, tmp_path / "format.baom", wrong_format), path, "admin", ADMIN_PASSWORD)
    assert info.value.key == "error.backup_invalid"

    def newer(members: dict[str, bytes]) -> None:
        manifest = json.loads(members[MANIFEST_MEMBER])
        manifest["version"] = 99
        members[MANIFEST_MEMBER] = json.dumps(manifest).encode()

    with pytest.raises(InputRejected) as info:
        restore_office(_rewrite(out, tmp_path / "futur.baom", newer), path, "admin", ADMIN_PASSWORD)
    assert info.value.key == "error.backup_newer"

    with pytest.raises(InputRejected) as info:
        restore_office(tmp_path / "absente.baom", path, "admin", ADMIN_PASSWORD)
    assert info.value.key == "error.backup_missing"
    assert _people(path) == ["Apres Fictif", "Avant Fictif"]


def test_backup_rights_and_folder(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    with pytest.raises(InputRejected) as info:
        maintenance.backup_office(handle, tmp_path / "absent" / "office.baom")
    assert info.value.key == "error.folder_missing"
    users.add_user(handle, "agent.fictif", "Agent Fictif", "officer", "mot-de-passe-agent")
    users.add_user(handle, "chef.fictif", "Chef Fictif", "supervisor", "mot-de-passe-chef")
    handle.close()
    with unlock(path, "agent.fictif", "mot-de-passe-agent") as agent, pytest.raises(PermissionDenied):
        maintenance.backup_office(agent, tmp_path / "agent.baom")
    assert not (tmp_path / "agent.baom").exists()
    with unlock(path, "chef.fictif", "mot-de-passe-chef") as chef:
        maintenance.backup_office(chef, tmp_path / "chef.baom")
    # a supervisor may back up, but only an administrator (or the recovery code) restores
    with pytest.raises(PermissionDenied):
        restore_office(tmp_path / "chef.baom", tmp_path / "copie.baomdb", "chef.fictif", "mot-de-passe-chef")
    restore_office(tmp_path / "chef.baom", tmp_path / "copie.baomdb", "admin", ADMIN_PASSWORD)


def test_backup_replaces_an_older_backup(backup) -> None:  # type: ignore[no-untyped-def]
    handle, _path, out = backup
    first = out.read_bytes()
    maintenance.backup_office(handle, out)
    assert out.read_bytes() != first
    target = out.with_name("copie.baomdb")
    restore_office(out, target, "admin", ADMIN_PASSWORD)
    assert _people(target) == ["Apres Fictif", "Avant Fictif"]


class _FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
        return datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)


def test_two_restores_in_the_same_second_keep_both_old_offices(backup, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Regression: the kept office's name had only seconds and os.replace overwrote the first one."""
    handle, path, out = backup
    handle.close()
    monkeypatch.setattr(maintenance, "datetime", _FrozenDatetime)
    restore_office(out, path, "admin", ADMIN_PASSWORD)  # keeps the office with both people
    restore_office(out, path, "admin", ADMIN_PASSWORD)  # keeps the first restored copy
    kept = sorted(p for p in path.parent.iterdir() if "-before-restore-" in p.name and p.suffix == ".baomdb")
    assert len(kept) == 2
    contents = [_people(p) for p in kept]
    assert ["Apres Fictif", "Avant Fictif"] in contents, "the original office was overwritten"
