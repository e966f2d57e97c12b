"""The hash-chained audit log at the storage level: append, hashes, verify."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.db import audit_log
from desktop.db.models import AuditEntry, AuditHead
from desktop.domain.audit import GENESIS_HASH


def _entries(session: Session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_fresh_office_chain_starts_at_genesis(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    with Session(handle.engine, expire_on_commit=False) as session, session.begin():
        entries = _entries(session)
        head = session.get(AuditHead, 1)
        report = audit_log.verify(session)
    assert [e.id for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == GENESIS_HASH
    assert entries[0].actor == "system" and entries[0].action == "created"
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    assert head is not None
    assert (head.last_id, head.last_hash, head.count) == (entries[-1].id, entries[-1].hash, len(entries))
    assert report.ok and report.entries == len(entries) and report.first_broken_id is None


def test_append_chains_to_the_head_and_hash_covers_every_field(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    at = datetime(2024, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    with Session(handle.engine, expire_on_commit=False) as session, session.begin():
        head_hash = session.get(AuditHead, 1).last_hash  # type: ignore[union-attr]
        entry = audit_log.append(session, "agent.fictif", "viewed", "person", 42, "detail-fictif", at=at)
    assert entry.prev_hash == head_hash
    assert entry.record_id == "42"
    expected = audit_log.entry_hash(entry.id, at, "agent.fictif", "viewed", "person", "42", "detail-fictif", head_hash)
    assert entry.hash == expected
    variants = [
        (entry.id + 1, at, "agent.fictif", "viewed", "person", "42", "detail-fictif", head_hash),
        (
            entry.id,
            at + timedelta(microseconds=1),
            "agent.fictif",
            "viewed",
            "person",
            "42",
            "detail-fictif",
            head_hash,
        ),
        (entry.id, at, "autre.fictif", "viewed", "person", "42", "detail-fictif", head_hash),
        (entry.id, at, "agent.fictif", "changed", "person", "42", "detail-fictif", head_hash),
        (entry.id, at, "agent.fictif", "viewed", "case", "42", "detail-fictif", head_hash),
        (entry.id, at, "agent.fictif", "viewed", "person", "43", "detail-fictif", head_hash),
        (entry.id, at, "agent.fictif", "viewed", "person", "42", "autre", head_hash),
        (entry.id, at, "agent.fictif", "viewed", "person", "42", "detail-fictif", "1" * 64),
    ]
    assert len({audit_log.entry_hash(*v) for v in variants} | {expected}) == len(variants) + 1
    with Session(handle.engine, expire_on_commit=False) as session, session.begin():
        assert audit_log.verify(session).ok


def test_append_rolled_back_with_its_transaction(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    with Session(handle.engine, expire_on_commit=False) as session, session.begin():
        before = session.get(AuditHead, 1).count  # type: ignore[union-attr]
    with pytest.raises(RuntimeError), Session(handle.engine, expire_on_commit=False) as session, session.begin():
        audit_log.append(session, "agent.fictif", "viewed", "person", 1)
        raise RuntimeError("abandon")
    with Session(handle.engine, expire_on_commit=False) as session, session.begin():
        assert session.get(AuditHead, 1).count == before  # type: ignore[union-attr]
        assert audit_log.verify(session).ok


def test_database_refuses_to_edit_or_delete_entries(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    with pytest.raises(IntegrityError, match="append-only"), handle.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET detail = 'falsifie' WHERE id = 1"))
    with pytest.raises(IntegrityError, match="append-only"), handle.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id = 1"))
    with handle.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_entry WHERE id = 1")).scalar_one() == 1


def test_naive_timestamp_is_refused(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    with (
        pytest.raises(Exception, match="naive"),
        Session(handle.engine, expire_on_commit=False) as session,
        session.begin(),
    ):
        audit_log.append(session, "agent.fictif", "viewed", at=datetime(2024, 1, 1, 12, 0))


def test_entry_with_non_utc_aware_time_still_verifies(office) -> None:  # type: ignore[no-untyped-def]
    """Regression: the hash used the local wall time while the column stores UTC."""
    handle, _code, _path = office
    casablanca = timezone(timedelta(hours=1))
    with Session(handle.engine, expire_on_commit=False) as session, session.begin():
        audit_log.append(
            session, "agent.fictif", "viewed", "person", 1, at=datetime(2024, 5, 2, 10, 0, tzinfo=casablanca)
        )
    with Session(handle.engine, expire_on_commit=False) as session, session.begin():
        report = audit_log.verify(session)
    assert report.ok, report
