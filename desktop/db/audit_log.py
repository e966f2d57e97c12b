"""Appending to and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desktop.db.models import AuditEntry, AuditHead, utcnow
from desktop.domain.audit import GENESIS_HASH


def entry_hash(
    entry_id: int,
    at: datetime,
    actor: str,
    action: str,
    record_type: str,
    record_id: str,
    detail: str,
    prev_hash: str,
) -> str:
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    at_text = at.isoformat(timespec="microseconds")
    payload = json.dumps(
        [entry_id, at_text, actor, action, record_type, record_id, detail, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def init_head(session: Session) -> None:
    session.add(AuditHead(id=1, last_id=0, last_hash=GENESIS_HASH, count=0))


def append(
    session: Session,
    actor: str,
    action: str,
    record_type: str = "",
    record_id: str | int = "",
    detail: str = "",
    at: datetime | None = None,
) -> AuditEntry:
    """Add one entry in the caller's transaction, chained to the head."""
    head = session.info.get("audit_head")  # held here: the session only keeps weak references
    if head is None:
        head = session.get(AuditHead, 1)
        if head is None:
            raise RuntimeError("audit head missing")
        session.info["audit_head"] = head
    at = at or utcnow()
    entry_id = head.last_id + 1
    record_id = str(record_id)
    digest = entry_hash(entry_id, at, actor, action, record_type, record_id, detail, head.last_hash)
    entry = AuditEntry(
        id=entry_id,
        at=at,
        actor=actor,
        action=action,
        record_type=record_type,
        record_id=record_id,
        detail=detail,
        prev_hash=head.last_hash,
        hash=digest,
    )
    session.add(entry)
    head.last_id = entry_id
    head.last_hash = digest
    head.count += 1  # flushed with the caller's work (the head stays in the session)
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_broken_id: int | None = None
    reason: str = ""  # a message key


def verify(session: Session) -> ChainReport:
    """Walk the chain in id order; report the first entry that breaks it."""
    prev = GENESIS_HASH
    count = 0
    last_id = 0
    rows = session.execute(
        text(
            "SELECT id, at, actor, action, record_type, record_id, detail, prev_hash, hash FROM audit_entry ORDER BY id"
        )
    )
    for row in rows:
        entry_id = int(row[0])
        at = datetime.fromisoformat(str(row[1]))
        if entry_id != last_id + 1:
            return ChainReport(False, count, entry_id, "check.audit_gap")
        if row[7] != prev:
            return ChainReport(False, count, entry_id, "check.audit_link")
        expected = entry_hash(entry_id, at, row[2], row[3], row[4], row[5], row[6], row[7])
        if row[8] != expected:
            return ChainReport(False, count, entry_id, "check.audit_altered")
        prev = row[8]
        last_id = entry_id
        count += 1
    head = session.scalar(select(AuditHead).where(AuditHead.id == 1))
    if head is None or head.last_id != last_id or head.last_hash != prev or head.count != count:
        return ChainReport(False, count, last_id + 1, "check.audit_truncated")
    return ChainReport(True, count)
