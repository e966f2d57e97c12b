"""Reading the audit log and detecting tampering with its hash chain."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from desktop.db.models import utcnow
from desktop.domain.audit import RecordType
from desktop.domain.errors import PermissionDenied
from desktop.services import audit, maintenance, users
from desktop.services.audit import AuditFilter
from desktop.services.office import OfficeHandle, unlock
from tests.conftest import ADMIN_PASSWORD


def _add_entries(handle: OfficeHandle, count: int) -> None:
    for i in range(count):
        audit.record_view(handle, RecordType.PERSON, 100 + i)


def _drop_guards(handle: OfficeHandle) -> None:
    with handle.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_entry_no_update"))
        conn.execute(text("DROP TRIGGER audit_entry_no_delete"))


def _max_id(handle: OfficeHandle) -> int:
    with handle.engine.connect() as conn:
        return int(conn.execute(text("SELECT max(id) FROM audit_entry")).scalar_one())


def test_fresh_office_chain_verifies(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    report = audit.verify_chain(handle)
    assert report.ok
    assert report.entries >= 2
    assert report.first_broken_id is None and report.reason == ""
    check = maintenance.check_office(handle)
    assert check.ok, check.problems
    assert check.audit_entries == report.entries


def test_the_database_refuses_edits_without_dropping_the_guards(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    with pytest.raises(IntegrityError), handle.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor = 'intrus' WHERE id = 2"))
    with pytest.raises(IntegrityError), handle.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id = 2"))
    assert audit.verify_chain(handle).ok


@pytest.mark.parametrize(
    ("column", "value"),
    [("actor", "'intrus'"), ("detail", "'falsifie'"), ("action", "'exported'"), ("record_id", "'999'")],
)
def test_edited_entry_is_detected(office, column: str, value: str) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    _add_entries(handle, 4)
    _drop_guards(handle)
    target = _max_id(handle) - 2
    with handle.engine.begin() as conn:
        conn.execute(text(f"UPDATE audit_entry SET {column} = {value} WHERE id = :id"), {"id": target})
    report = audit.verify_chain(handle)
    assert not report.ok
    assert report.first_broken_id == target
    assert report.reason == "check.audit_altered"
    assert report.entries == target - 1


def test_edited_timestamp_is_detected(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    _add_entries(handle, 3)
    _drop_guards(handle)
    target = _max_id(handle) - 1
    earlier = (utcnow() - timedelta(days=3)).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    with handle.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET at = :at WHERE id = :id"), {"at": earlier, "id": target})
    report = audit.verify_chain(handle)
    assert (report.ok, report.first_broken_id) == (False, target)


def test_rehashed_entry_breaks_the_next_link(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    _add_entries(handle, 3)
    _drop_guards(handle)
    target = _max_id(handle) - 1
    with handle.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET hash = :h WHERE id = :id"), {"h": "f" * 64, "id": target})
    report = audit.verify_chain(handle)
    assert not report.ok
    assert report.first_broken_id == target


def test_deleted_middle_entry_is_detected(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    _add_entries(handle, 4)
    _drop_guards(handle)
    target = _max_id(handle) - 2
    with handle.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": target})
    report = audit.verify_chain(handle)
    assert not report.ok
    assert report.reason == "check.audit_gap"
    assert report.first_broken_id == target + 1


def test_deleted_last_entry_is_detected_by_the_head(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    _add_entries(handle, 2)
    _drop_guards(handle)
    last = _max_id(handle)
    with handle.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": last})
    report = audit.verify_chain(handle)
    assert not report.ok
    assert report.reason == "check.audit_truncated"
    assert report.first_broken_id == last
    assert report.entries == last - 1


def test_check_office_reports_a_broken_chain(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    _add_entries(handle, 3)
    _drop_guards(handle)
    target = _max_id(handle) - 1
    with handle.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET detail = 'falsifie' WHERE id = :id"), {"id": target})
    checks_before = len(audit.entry_ids(handle, AuditFilter(action="checked")))
    report = maintenance.check_office(handle)
    assert not report.ok
    assert [(p.key, p.params.get("entry")) for p in report.problems] == [("check.audit_altered", target)]
    # a failed check is not recorded as a successful one
    assert len(audit.entry_ids(handle, AuditFilter(action="checked"))) == checks_before
    handle.close()
    with unlock(path, "admin", ADMIN_PASSWORD) as again:  # still detected after a restart
        assert audit.verify_chain(again).first_broken_id == target


def test_views_and_filters(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    audit.record_view(handle, RecordType.PERSON, 7)
    audit.record_view(handle, RecordType.CASE, "C-1")
    audit.record_view(handle, RecordType.PERSON, 8)
    viewed = AuditFilter(action="viewed")
    ids = audit.entry_ids(handle, viewed)
    assert len(ids) == 3 and ids == sorted(ids, reverse=True)  # newest first
    rows = audit.entries(handle, ids)
    assert [(r.record_type, r.record_id) for r in rows] == [("person", "8"), ("case", "C-1"), ("person", "7")]
    assert all(r.actor == "admin" for r in rows)
    assert audit.count_entries(handle, viewed) == 3
    assert audit.count_entries(handle, AuditFilter(action="viewed", record_type="person", record_id="7")) == 1
    assert audit.count_entries(handle, AuditFilter(actor="personne")) == 0
    assert audit.count_entries(handle, AuditFilter(since=utcnow() + timedelta(hours=1))) == 0
    assert audit.count_entries(handle, AuditFilter(until=utcnow() - timedelta(days=1))) == 0
    assert set(audit.actors(handle)) == {"admin", "system"}
    assert audit.entries(handle, [ids[0], 999_999]) == rows[:1]
    assert audit.verify_chain(handle).ok


def test_count_without_filter_counts_every_entry(office) -> None:  # type: ignore[no-untyped-def]
    """Regression: with_only_columns(func.count()) lost the FROM clause and counted 1."""
    handle, _code, _path = office
    _add_entries(handle, 3)
    everything = AuditFilter()
    assert audit.count_entries(handle, everything) == len(audit.entry_ids(handle, everything))


def test_only_supervisors_read_the_log_but_everyone_is_recorded(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    users.add_user(handle, "agent.fictif", "Agent Fictif", "officer", "mot-de-passe-agent")
    users.add_user(handle, "chef.fictif", "Chef Fictif", "supervisor", "mot-de-passe-chef")
    handle.close()
    with unlock(path, "agent.fictif", "mot-de-passe-agent") as agent:
        audit.record_view(agent, RecordType.PERSON, 1)
        for call in (
            lambda: audit.entry_ids(agent, AuditFilter()),
            lambda: audit.count_entries(agent, AuditFilter()),
            lambda: audit.entries(agent, [1]),
            lambda: audit.actors(agent),
        ):
            with pytest.raises(PermissionDenied):
                call()
        with pytest.raises(PermissionDenied):
            maintenance.check_office(agent)
    with unlock(path, "chef.fictif", "mot-de-passe-chef") as chef:
        ids = audit.entry_ids(chef, AuditFilter(actor="agent.fictif", action="viewed"))
        assert [(r.record_type, r.record_id) for r in audit.entries(chef, ids)] == [("person", "1")]
        assert "agent.fictif" in audit.actors(chef)
