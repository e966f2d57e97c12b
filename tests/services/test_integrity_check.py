"""maintenance.check_office / check_connection on sound and damaged offices."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from desktop.db.engine import raw_connect
from desktop.domain.errors import DatabaseDamaged
from desktop.services import audit, maintenance
from desktop.services import office as office_service
from desktop.services.audit import AuditFilter
from tests.conftest import ADMIN_PASSWORD


def test_sound_office_checks_ok_and_the_check_is_audited(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    report = maintenance.check_office(handle)
    assert report.ok
    assert report.problems == []
    assert report.audit_entries >= 2
    rows = audit.entries(handle, audit.entry_ids(handle, AuditFilter(action="checked")))
    assert [(r.actor, r.record_type) for r in rows] == [("admin", "database")]


def test_foreign_key_violation_is_reported(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    raw = handle.engine.raw_connection()
    try:
        conn = raw.driver_connection
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(
            "INSERT INTO case_file (number, person_id, opened_on, stage, closure_reason) "
            "VALUES ('FICTIF-1', 999999, ?, 'accueil', '')",
            (date(2024, 1, 2).isoformat(),),
        )
        conn.execute("PRAGMA foreign_keys = ON")
    finally:
        raw.close()
    report = maintenance.check_office(handle)
    assert not report.ok
    assert [p.key for p in report.problems] == ["check.foreign_keys"]
    assert int(report.problems[0].params["count"]) == 1


def _damaged_copy(handle: office_service.OfficeHandle, tmp_path: Path, offset: int) -> tuple[Path, bytes]:
    """A closed, checkpointed copy of the office with 16 bytes flipped at ``offset``."""
    key = handle.key
    office_service.office_info(handle)  # use the connection once so close() really closes it
    handle.close()
    assert not Path(f"{handle.path}-wal").exists()
    data = bytearray(handle.path.read_bytes())
    for i in range(offset, offset + 16):
        data[i] ^= 0x5A
    copy = tmp_path / "abimee.baomdb"
    copy.write_bytes(bytes(data))
    return copy, key


def test_damaged_page_is_reported_by_check_connection(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    copy, key = _damaged_copy(handle, tmp_path, 4096 * 2 + 100)
    conn = raw_connect(copy, key)  # page 1 is sound: the file opens
    try:
        report = maintenance.check_connection(conn)
    finally:
        conn.close()
    assert not report.ok
    assert {p.key for p in report.problems} & {
        "check.unreadable",
        "check.integrity",
        "check.cipher",
        "check.cipher_page",
    }


def test_damaged_first_page_does_not_open(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    copy, key = _damaged_copy(handle, tmp_path, 16)
    with pytest.raises(DatabaseDamaged) as info:
        raw_connect(copy, key)
    assert info.value.key == "error.db_damaged"


def test_check_after_damage_through_the_service(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    office_service.office_info(handle)
    handle.close()
    data = bytearray(path.read_bytes())
    last_page = len(data) // 4096 - 1
    for i in range(4096 * last_page + 200, 4096 * last_page + 216):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    try:
        opened = office_service.unlock(path, "admin", ADMIN_PASSWORD)
    except DatabaseDamaged as exc:  # the damaged page was needed to open: also a clean refusal
        assert exc.exit_code == 5
        return
    with opened:
        report = maintenance.check_office(opened)
        assert not report.ok
        assert not audit.entry_ids(opened, AuditFilter(action="checked"))
