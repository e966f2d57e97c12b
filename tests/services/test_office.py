"""Creating, unlocking, locking an office: credentials, lock-out, damage, second instance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.db import migrate
from desktop.db.keys import FREE_FAILURES, KeyFile, keys_path
from desktop.domain.errors import (
    EXIT_CREDENTIALS,
    EXIT_DAMAGED,
    DatabaseDamaged,
    DatabaseInUse,
    DatabaseMissing,
    InputRejected,
    LockedOut,
    PermissionDenied,
    WrongCredentials,
)
from desktop.services import audit, maintenance, users
from desktop.services import office as office_service
from desktop.services.audit import AuditFilter
from desktop.services.office import (
    create_office,
    lock,
    unlock,
    unlock_with_recovery,
)
from tests.conftest import ADMIN_NAME, ADMIN_PASSWORD, OFFICE_COMMUNE, OFFICE_NAME

OFFICER_PASSWORD = "mot-de-passe-agent"


def _create(path: Path, **overrides: str) -> tuple[office_service.OfficeHandle, str]:
    args = {
        "commune_code": OFFICE_COMMUNE,
        "office_name": OFFICE_NAME,
        "admin_login": "admin",
        "admin_name": ADMIN_NAME,
        "admin_password": ADMIN_PASSWORD,
    }
    args.update(overrides)
    return create_office(path, **args)  # type: ignore[arg-type]


def _audit_rows(handle: office_service.OfficeHandle, action: str) -> list[audit.AuditRow]:
    ids = audit.entry_ids(handle, AuditFilter(action=action))
    return list(reversed(audit.entries(handle, ids)))  # oldest first


def _failures(path: Path) -> dict[str, dict[str, object]]:
    return json.loads(keys_path(path).read_text(encoding="utf-8"))["failures"]


def _close_checkpointed(handle: office_service.OfficeHandle) -> None:
    """Close so that everything is in the main file (the WAL is merged and removed).

    The handle is used once first: see test_created_office_closes_its_connection.
    """
    office_service.office_info(handle)
    handle.close()
    assert not Path(f"{handle.path}-wal").exists()


def _flip(path: Path, offset: int, length: int = 16) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + length):
        data[i] ^= 0xA5
    path.write_bytes(bytes(data))


# -- creation --------------------------------------------------------------------------


def test_created_office_is_unlocked_as_its_admin(office) -> None:  # type: ignore[no-untyped-def]
    handle, code, path = office
    assert handle.actor.login == "admin"
    assert handle.actor.display_name == ADMIN_NAME
    assert handle.actor.role == "admin"
    assert not handle.actor.is_recovery
    assert len(code.split("-")) == 6
    info = office_service.office_info(handle)
    assert (info.kind, info.commune_code, info.name, info.is_demo) == ("office", OFFICE_COMMUNE, OFFICE_NAME, False)
    assert office_service.office_exists(path)
    names = {p.name for p in path.parent.iterdir()}
    assert {"office.baomdb", "office.baomdb.keys"} <= names
    assert not [n for n in names if "creating" in n]


def test_created_office_closes_its_connection(office) -> None:  # type: ignore[no-untyped-def]
    """Regression: a handle closed without being used left the connection and key open."""
    handle, _code, path = office
    handle.close()
    assert handle.closed
    assert not Path(f"{path}-wal").exists(), "the database is still open after close()"
    assert not Path(f"{path}-shm").exists()


def test_create_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "existant.baomdb"
    path.write_bytes(b"ne pas toucher")
    with pytest.raises(InputRejected) as info:
        _create(path)
    assert info.value.key == "error.db_exists"
    assert path.read_bytes() == b"ne pas toucher"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existant.baomdb"]


def test_create_refuses_an_existing_office(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    before = keys_path(path).read_bytes()
    with pytest.raises(InputRejected) as info:
        _create(path, admin_password="autre-mot-de-passe")
    assert info.value.key == "error.db_exists"
    assert keys_path(path).read_bytes() == before
    assert office_service.office_info(handle).name == OFFICE_NAME


def test_create_in_a_missing_folder_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "dossier-absent" / "office.baomdb"
    with pytest.raises(InputRejected) as info:
        _create(path)
    assert info.value.key == "error.folder_missing"
    assert not path.parent.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"admin_password": "court"}, "error.password_short"),
        ({"admin_password": " espaces-autour "}, "error.password_spaces"),
        ({"admin_login": "a b"}, "error.login_invalid"),
        ({"office_name": "   "}, "error.office_name_required"),
        ({"admin_login": "Recovery"}, "error.login_reserved"),
    ],
)
def test_create_rejects_bad_input_and_leaves_no_file(tmp_path: Path, overrides: dict[str, str], key: str) -> None:
    with pytest.raises(InputRejected) as info:
        _create(tmp_path / "office.baomdb", **overrides)
    assert info.value.key == key
    assert list(tmp_path.iterdir()) == []


def test_interrupted_creation_leaves_no_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_upgrade(engine: object) -> None:
        raise RuntimeError("interruption simulee")

    monkeypatch.setattr(office_service.migrate, "upgrade", broken_upgrade)
    path = tmp_path / "office.baomdb"
    with pytest.raises(RuntimeError):
        _create(path)
    left = {p.name for p in tmp_path.iterdir()} - {"office.baomdb.lock"}
    assert left == set()
    monkeypatch.undo()
    handle, _code = _create(path)  # and the name is free for a real creation
    handle.close()


def test_orphan_slots_file_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "office.baomdb"
    keys_path(path).write_text("reste d'une creation interrompue", encoding="utf-8")
    handle, _code = _create(path)
    handle.close()
    orphans = [p for p in tmp_path.iterdir() if ".orphan-" in p.name]
    assert len(orphans) == 1
    assert orphans[0].read_text(encoding="utf-8") == "reste d'une creation interrompue"
    KeyFile.load(keys_path(path))  # the new one is a real slots file


# -- unlock, wrong password, lock-out --------------------------------------------------------


def test_unlock_with_the_right_password_and_any_login_case(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    handle.close()
    again = unlock(path, " Admin ", ADMIN_PASSWORD)
    try:
        assert again.actor.login == "admin"
        assert again.actor.role == "admin"
        rows = _audit_rows(again, "logged_in")
        assert rows[-1].actor == "admin"
    finally:
        again.close()


def test_wrong_password_fails_cleanly_and_counts(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    handle.close()
    with pytest.raises(WrongCredentials) as info:
        unlock(path, "admin", "mauvais-mot-de-passe")
    assert info.value.key == "error.wrong_credentials"
    assert info.value.exit_code == EXIT_CREDENTIALS
    keyfile = KeyFile.load(keys_path(path))
    assert _failures(path)[keyfile.slot_id("admin")]["count"] == 1
    # no open connection nor lock left behind
    again = unlock(path, "admin", ADMIN_PASSWORD)
    again.close()
    assert _failures(path) == {}


def test_unknown_login_is_just_wrong_credentials(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    handle.close()
    with pytest.raises(WrongCredentials):
        unlock(path, "inconnu.fictif", ADMIN_PASSWORD)


def test_five_failures_lock_out_even_after_a_restart(office) -> None:  # type: ignore[no-untyped-def]
    handle, code, path = office
    handle.close()
    for _ in range(FREE_FAILURES):
        with pytest.raises(WrongCredentials):
            unlock(path, "admin", "mauvais-mot-de-passe")
    with pytest.raises(LockedOut) as info:
        unlock(path, "admin", ADMIN_PASSWORD)  # even the right password must wait
    assert info.value.seconds > 0
    assert info.value.params["seconds"] == info.value.seconds
    assert info.value.exit_code == EXIT_CREDENTIALS
    restarted = KeyFile.load(keys_path(path))  # a new process reads the file
    assert 0 < restarted.wait_seconds("admin") <= 30
    assert restarted.wait_seconds("autre.fictif") == 0
    # the recovery holder resets the password: the lock-out is lifted
    with unlock_with_recovery(path, code) as recovery:
        users.reset_password(recovery, "admin", "nouveau-mot-de-passe")
    assert KeyFile.load(keys_path(path)).wait_seconds("admin") == 0
    unlock(path, "admin", "nouveau-mot-de-passe").close()


def test_failed_logins_reach_the_audit_log_at_the_next_unlock(office) -> None:  # type: ignore[no-untyped-def]
    handle, code, path = office
    handle.close()
    for _ in range(2):
        with pytest.raises(WrongCredentials):
            unlock(path, "admin", "mauvais-mot-de-passe")
    with pytest.raises(WrongCredentials):
        unlock(path, "inconnu.fictif", "mauvais-mot-de-passe")
    with pytest.raises(WrongCredentials):
        unlock_with_recovery(path, code.replace(code[0], "X" if code[0] != "X" else "Y"))
    assert len(json.loads(keys_path(path).read_text(encoding="utf-8"))["pending_audit"]) == 4
    with unlock(path, "admin", ADMIN_PASSWORD) as again:
        failed = _audit_rows(again, "failed_login")
        assert [row.actor for row in failed] == ["admin", "admin", "?", "recovery"]
        assert all(row.record_type == "user" for row in failed)
        assert audit.verify_chain(again).ok
    assert json.loads(keys_path(path).read_text(encoding="utf-8"))["pending_audit"] == []
    with unlock(path, "admin", ADMIN_PASSWORD) as third:  # written once, not at every unlock
        assert len(_audit_rows(third, "failed_login")) == 4


def test_recovery_code_opens_as_typed_by_a_person(office) -> None:  # type: ignore[no-untyped-def]
    handle, code, path = office
    handle.close()
    typed = "  " + code.lower().replace("-", " ") + " "
    with unlock_with_recovery(path, typed) as recovery:
        assert recovery.actor.is_recovery
        assert recovery.actor.role == "admin"
        assert recovery.actor.user_id is None
        assert _audit_rows(recovery, "logged_in")[-1].actor == "recovery"
    with unlock_with_recovery(path, code.replace("-", "")) as recovery:
        assert recovery.actor.is_recovery
    with pytest.raises(WrongCredentials):
        unlock_with_recovery(path, ADMIN_PASSWORD)


# -- missing and damaged files ------------------------------------------------------------


def test_mistyped_path_is_missing_and_creates_nothing(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _handle, code, _path = office
    before = sorted(p.name for p in tmp_path.iterdir())
    for mistyped in (tmp_path / "offfice.baomdb", tmp_path / "absent" / "office.baomdb"):
        with pytest.raises(DatabaseMissing) as info:
            unlock(mistyped, "admin", ADMIN_PASSWORD)
        assert info.value.key == "error.db_missing"
        assert info.value.exit_code == EXIT_DAMAGED
        with pytest.raises(DatabaseMissing):
            unlock_with_recovery(mistyped, code)
        assert not mistyped.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("garbage", ["{ceci n'est pas du json", "", '{"format": "baom-keyslots"}'])
def test_damaged_slots_file(office, garbage: str) -> None:  # type: ignore[no-untyped-def]
    handle, code, path = office
    handle.close()
    keys_path(path).write_text(garbage, encoding="utf-8")
    with pytest.raises(DatabaseDamaged) as info:
        unlock(path, "admin", ADMIN_PASSWORD)
    assert info.value.key == "error.keys_damaged"
    assert info.value.exit_code == EXIT_DAMAGED
    with pytest.raises(DatabaseDamaged):
        unlock_with_recovery(path, code)


def test_missing_slots_file(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    handle.close()
    keys_path(path).unlink()
    with pytest.raises(DatabaseDamaged) as info:
        unlock(path, "admin", ADMIN_PASSWORD)
    assert info.value.key == "error.keys_missing"


def test_damaged_first_page_is_damage_not_a_wrong_password(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    _close_checkpointed(handle)
    _flip(path, 16, 32)  # right after SQLCipher's 16-byte salt
    for _ in range(2):  # the second try proves the lock and connection were released
        with pytest.raises(DatabaseDamaged) as info:
            unlock(path, "admin", ADMIN_PASSWORD)
        assert info.value.key == "error.db_damaged"
        assert info.value.exit_code == EXIT_DAMAGED
    assert _failures(path) == {}  # the password was right: no failed login counted


def test_damaged_data_page_is_found(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    _close_checkpointed(handle)
    assert path.stat().st_size > 4096 * 3
    _flip(path, 4096 * 2 + 100)  # inside page 3
    try:
        opened = unlock(path, "admin", ADMIN_PASSWORD)
    except DatabaseDamaged as exc:
        assert exc.exit_code == EXIT_DAMAGED
        return
    try:
        report = maintenance.check_office(opened)
        assert not report.ok
        assert report.problems
    finally:
        opened.close()


def test_office_from_a_newer_app_is_refused(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    with handle.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffffffff_futur'"))
    handle.close()
    for _ in range(2):  # not DatabaseInUse the second time: the lock was released
        with pytest.raises(InputRejected) as info:
            unlock(path, "admin", ADMIN_PASSWORD)
        assert info.value.key == "error.db_newer"
    assert not list(path.parent.glob("*.baom"))  # no "before upgrade" backup of a newer file
    assert migrate.head_revision() != "ffffffff_futur"


# -- second instance -------------------------------------------------------------------


def test_second_instance_is_refused_while_open(office) -> None:  # type: ignore[no-untyped-def]
    handle, code, path = office
    with pytest.raises(DatabaseInUse) as info:
        unlock(path, "admin", ADMIN_PASSWORD)
    assert info.value.key == "error.db_in_use"
    with pytest.raises(DatabaseInUse):
        unlock_with_recovery(path, code)
    assert _failures(path) == {}
    assert office_service.office_info(handle).name == OFFICE_NAME  # the first one still works
    handle.close()
    second = unlock(path, "admin", ADMIN_PASSWORD)
    second.close()


# -- auto-lock, lock ------------------------------------------------------------------------


def test_auto_lock_minutes_default_set_and_range(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    assert office_service.auto_lock_minutes(handle) == office_service.DEFAULT_AUTO_LOCK_MINUTES == 10
    office_service.set_auto_lock_minutes(handle, 25)
    assert office_service.auto_lock_minutes(handle) == 25
    for minutes in (1, 240):
        office_service.set_auto_lock_minutes(handle, minutes)
        assert office_service.auto_lock_minutes(handle) == minutes
    for minutes in (0, -5, 241, 10_000):
        with pytest.raises(InputRejected) as info:
            office_service.set_auto_lock_minutes(handle, minutes)
        assert info.value.key == "error.auto_lock_range"
    assert office_service.auto_lock_minutes(handle) == 240
    changes = [r for r in _audit_rows(handle, "changed") if r.record_type == "setting"]
    assert [r.detail for r in changes] == ["25", "1", "240"]
    handle.close()
    with unlock(path, "admin", ADMIN_PASSWORD) as again:
        assert office_service.auto_lock_minutes(again) == 240


def test_only_admin_sets_auto_lock_and_profile(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    users.add_user(handle, "agent.fictif", "Agent Fictif", "officer", OFFICER_PASSWORD)
    users.add_user(handle, "chef.fictif", "Chef Fictif", "supervisor", OFFICER_PASSWORD)
    handle.close()
    for login in ("agent.fictif", "chef.fictif"):
        with unlock(path, login, OFFICER_PASSWORD) as other:
            assert office_service.auto_lock_minutes(other) == 10  # anyone may read it
            with pytest.raises(PermissionDenied):
                office_service.set_auto_lock_minutes(other, 30)
            with pytest.raises(PermissionDenied):
                office_service.update_office(other, name="Autre", address="", phone="", email="")
            assert office_service.auto_lock_minutes(other) == 10


def test_office_profile_update(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    office_service.update_office(
        handle, name="  BAOM Fictif Centre ", address="1 rue Exemple", phone="0600000001", email="baom@exemple.invalid"
    )
    info = office_service.office_info(handle)
    assert (info.name, info.address, info.phone, info.email) == (
        "BAOM Fictif Centre",
        "1 rue Exemple",
        "0600000001",
        "baom@exemple.invalid",
    )
    assert info.commune_code == OFFICE_COMMUNE  # not editable here
    with pytest.raises(InputRejected) as err:
        office_service.update_office(handle, name=" ", address="", phone="", email="")
    assert err.value.key == "error.office_name_required"
    assert office_service.office_info(handle).name == "BAOM Fictif Centre"
    assert [r.record_type for r in _audit_rows(handle, "changed")] == ["office"]


def test_lock_closes_the_handle_and_is_audited(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    lock(handle)
    assert handle.closed
    with pytest.raises(RuntimeError), handle.transaction():
        pass
    with pytest.raises(RuntimeError):
        _ = handle.key
    lock(handle)  # locking twice is harmless
    with unlock(path, "admin", ADMIN_PASSWORD) as again:  # the file lock was released
        locked = _audit_rows(again, "locked")
        assert len(locked) == 1
        assert locked[0].actor == "admin"
        assert locked[0].record_id == str(again.actor.user_id)
        assert audit.verify_chain(again).ok
