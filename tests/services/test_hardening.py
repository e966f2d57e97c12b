"""Findings of the foundation review, each pinned by a test."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.db import audit_log
from desktop.db.keys import KeyFile, keys_path
from desktop.domain.errors import DatabaseDamaged, DiskFull, InputRejected, PermissionDenied, WrongCredentials
from desktop.services import audit, demo, maintenance, users
from desktop.services.office import unlock, unlock_with_recovery
from tests.conftest import ADMIN_PASSWORD

AGENT_PASSWORD = "mot-de-passe-agent"


def test_a_disabled_user_cannot_restore_an_old_backup(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    users.add_user(handle, "agent.fictif", "Agent Fictif", "officer", AGENT_PASSWORD)
    backup = tmp_path / "ancien.baom"
    maintenance.backup_office(handle, backup)
    users.set_active(handle, "agent.fictif", False)
    handle.close()
    inode = path.stat().st_ino
    with pytest.raises(WrongCredentials):  # the live office no longer has their slot
        maintenance.restore_office(backup, path, "agent.fictif", AGENT_PASSWORD)
    assert path.stat().st_ino == inode
    with unlock(path, "admin", ADMIN_PASSWORD) as admin:
        assert not next(u for u in users.list_users(admin) if u.login == "agent.fictif").active


def test_an_officer_cannot_restore(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    users.add_user(handle, "agent.fictif", "Agent Fictif", "officer", AGENT_PASSWORD)
    backup = tmp_path / "b.baom"
    maintenance.backup_office(handle, backup)
    handle.close()
    with pytest.raises(PermissionDenied):
        maintenance.restore_office(backup, path, "agent.fictif", AGENT_PASSWORD)
    fresh = tmp_path / "ailleurs.baomdb"  # no live office: the backup's own roles decide
    with pytest.raises(PermissionDenied):
        maintenance.restore_office(backup, fresh, "agent.fictif", AGENT_PASSWORD)
    assert not fresh.exists()
    with unlock(path, "admin", ADMIN_PASSWORD) as admin:
        refused = audit.entries(admin, audit.entry_ids(admin, audit.AuditFilter(action="restored")))
        assert refused and refused[0].detail == "refused: not admin"


def test_full_disk_during_a_password_change_changes_nothing(office, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office

    def no_space(self: KeyFile) -> None:
        raise DiskFull()

    monkeypatch.setattr(KeyFile, "stage", no_space)
    with pytest.raises(DiskFull):
        users.change_own_password(handle, ADMIN_PASSWORD, "un-nouveau-mot-de-passe")
    monkeypatch.undo()
    changed = audit.entries(handle, audit.entry_ids(handle, audit.AuditFilter(action="changed")))
    assert not [e for e in changed if e.detail == "password changed"]
    handle.close()
    unlock(path, "admin", ADMIN_PASSWORD).close()
    with pytest.raises(WrongCredentials):
        unlock(path, "admin", "un-nouveau-mot-de-passe")
    assert not list(path.parent.glob("*.staged"))


def test_demo_data_never_goes_into_a_real_office(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    with pytest.raises(InputRejected) as caught:
        demo.fill_demo(handle, 10, seed=1)
    assert caught.value.key == "error.not_demo_office"


@pytest.mark.parametrize(("field", "value"), [("t", 2**31), ("m", 1), ("p", 0), ("m", "x")])
def test_tampered_kdf_settings_are_damage_not_a_hang(office, field: str, value: object) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    handle.close()
    data = json.loads(keys_path(path).read_text())
    for slot in data["slots"].values():
        slot[field] = value
    keys_path(path).write_text(json.dumps(data))
    with pytest.raises(DatabaseDamaged):
        unlock(path, "admin", ADMIN_PASSWORD)


def test_an_interrupted_restore_is_undone_at_next_unlock(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    handle.close()
    kept = tmp_path / "office-before-restore-x.baomdb"
    os.replace(path, kept)  # the crash: old office moved aside, new one not yet in place
    os.replace(keys_path(path), keys_path(kept))
    path.with_name(path.name + ".restoring").write_text(json.dumps({"kept": str(kept)}))
    unlock(path, "admin", ADMIN_PASSWORD).close()
    assert path.exists() and not kept.exists()
    assert not path.with_name(path.name + ".restoring").exists()


def test_a_recomputed_audit_chain_is_caught_by_the_anchor(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    handle.close()  # writes the anchor
    handle = unlock(path, "admin", ADMIN_PASSWORD)
    with handle.engine.begin() as conn:  # an insider with the key rewrites history cleanly
        conn.exec_driver_sql("DROP TRIGGER audit_entry_no_update")
        conn.exec_driver_sql("UPDATE audit_entry SET detail = 'rien' WHERE id = 1")
        rows = conn.exec_driver_sql(
            "SELECT id, at, actor, action, record_type, record_id, detail FROM audit_entry ORDER BY id"
        ).all()
        prev = "0" * 64
        from datetime import datetime

        for row in rows:
            digest = audit_log.entry_hash(row[0], datetime.fromisoformat(row[1]), *row[2:], prev)
            conn.execute(
                text("UPDATE audit_entry SET prev_hash = :p, hash = :h WHERE id = :i"),
                {"p": prev, "h": digest, "i": row[0]},
            )
            prev = digest
        conn.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})
    assert audit.verify_chain(handle).ok  # the chain alone is fooled...
    report = maintenance.check_office(handle)
    assert [p.key for p in report.problems] == ["check.audit_anchor"]  # ...the anchor is not
    handle.close()


def test_recovery_code_can_be_renewed(office) -> None:  # type: ignore[no-untyped-def]
    handle, old_code, path = office
    new_code = users.renew_recovery_code(handle)
    handle.close()
    assert new_code != old_code
    with pytest.raises(WrongCredentials):
        unlock_with_recovery(path, old_code)
    unlock_with_recovery(path, new_code).close()
