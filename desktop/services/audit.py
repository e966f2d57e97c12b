"""Reading the audit log (the viewer, the command line) and recording views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

from desktop.db import audit_log
from desktop.db.audit_log import ChainReport
from desktop.db.models import AuditEntry
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.users import Role
from desktop.services.office import OfficeHandle

__all__ = ["AuditFilter", "AuditRow", "ChainReport"]


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    record_type: str = ""
    record_id: str = ""
    action: str = ""


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    record_type: str
    record_id: str
    detail: str


def _filtered(query: Select[tuple[AuditEntry]], flt: AuditFilter) -> Select[tuple[AuditEntry]]:
    if flt.actor:
        query = query.where(AuditEntry.actor == flt.actor)
    if flt.since is not None:
        query = query.where(AuditEntry.at >= flt.since)
    if flt.until is not None:
        query = query.where(AuditEntry.at < flt.until)
    if flt.record_type:
        query = query.where(AuditEntry.record_type == flt.record_type)
    if flt.record_id:
        query = query.where(AuditEntry.record_id == flt.record_id)
    if flt.action:
        query = query.where(AuditEntry.action == flt.action)
    return query


def count_entries(handle: OfficeHandle, flt: AuditFilter) -> int:
    handle.require(Role.SUPERVISOR)
    with handle.transaction() as session:
        query = _filtered(select(func.count()).select_from(AuditEntry), flt)  # type: ignore[arg-type]
        return int(session.scalar(query) or 0)


def entry_ids(handle: OfficeHandle, flt: AuditFilter) -> list[int]:
    """Newest first; the viewer builds rows on demand from these ids."""
    handle.require(Role.SUPERVISOR)
    with handle.transaction() as session:
        query = _filtered(select(AuditEntry), flt).with_only_columns(AuditEntry.id).order_by(AuditEntry.id.desc())
        return list(session.scalars(query))


def entries(handle: OfficeHandle, ids: list[int]) -> list[AuditRow]:
    handle.require(Role.SUPERVISOR)
    with handle.transaction() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.id.in_(ids))).all()
        by_id = {r.id: AuditRow(r.id, r.at, r.actor, r.action, r.record_type, r.record_id, r.detail) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def actors(handle: OfficeHandle) -> list[str]:
    handle.require(Role.SUPERVISOR)
    with handle.transaction() as session:
        return list(session.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)))


def record_view(handle: OfficeHandle, record_type: RecordType, record_id: int | str) -> None:
    """Every read of a person's record leaves a trace."""
    with handle.transaction() as session:
        handle.audit(session, AuditAction.VIEWED, record_type, record_id)


def verify_chain(handle: OfficeHandle) -> audit_log.ChainReport:
    with handle.transaction() as session:
        return audit_log.verify(session)


def record_export(handle: OfficeHandle, record_type: RecordType | str, record_id: int | str, detail: str = "") -> None:
    """A printed or saved copy of a person's data left the database: audited."""
    with handle.transaction() as session:
        handle.audit(session, AuditAction.EXPORTED, str(record_type), record_id, detail)
