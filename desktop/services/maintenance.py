"""Integrity check, backup and restore of an office.

A backup (``.baom``) is one zip file holding the encrypted database exported with
``sqlcipher_export`` and the slots file, with a manifest of their SHA-256: it can
be restored on another PC with the same passwords or the recovery code. It never
holds anything in plaintext.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from desktop import __version__
from desktop.db import audit_log, migrate
from desktop.db.engine import close_engine, open_engine, raw_connect
from desktop.db.files import OfficeLock, atomic_write_text
from desktop.db.keys import KeyFile, keys_path
from desktop.db.models import User
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.errors import BaomError, DatabaseDamaged, DiskFull, InputRejected, PermissionDenied
from desktop.domain.users import Role
from desktop.services.office import OfficeHandle, translate_db_error

log = logging.getLogger(__name__)

BACKUP_FORMAT = "baom-backup"
BACKUP_VERSION = 1
DB_MEMBER = "office.db"
KEYS_MEMBER = "office.keys"
MANIFEST_MEMBER = "manifest.json"
HMAC_PAGE = re.compile(r"HMAC verification failed for page (\d+)")


@dataclass(frozen=True)
class Problem:
    key: str  # message key
    params: dict[str, str | int] = field(default_factory=dict)


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    audit_entries: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _pragma_rows(conn: sqlcipher3.Connection, pragma: str) -> list[str]:
    return [" ".join(str(v) for v in row) for row in conn.execute(f"PRAGMA {pragma}").fetchall()]


def check_connection(conn: sqlcipher3.Connection) -> CheckReport:
    """cipher_integrity_check (page by page) + integrity_check + foreign keys."""
    report = CheckReport()
    steps = (
        ("cipher_integrity_check", "check.cipher", lambda rows: rows),
        ("integrity_check", "check.integrity", lambda rows: [] if rows == ["ok"] else rows),
        ("foreign_key_check", "check.foreign_keys", lambda rows: [str(len(rows))] if rows else []),
    )
    for pragma, key, problems in steps:
        try:
            found = problems(_pragma_rows(conn, pragma))
        except sqlcipher3.DatabaseError as exc:
            report.problems.append(Problem("check.unreadable", {"detail": _describe(exc)}))
            continue
        for line in found[:20]:
            page = HMAC_PAGE.search(line)
            if page is not None:
                report.problems.append(Problem("check.cipher_page", {"page": int(page.group(1))}))
                continue
            params: dict[str, str | int] = {"count": line} if key == "check.foreign_keys" else {"detail": line}
            report.problems.append(Problem(key, params))
    return report


def _describe(exc: BaseException) -> str:
    """SQLite's own words (no data values), translated where we know them."""
    text = str(exc)
    return text if len(text) < 200 else text[:200]


def _check_chain(engine: Engine, report: CheckReport) -> None:
    try:
        with Session(engine) as session, session.begin():
            chain = audit_log.verify(session)
    except (DBAPIError, sqlcipher3.DatabaseError, ValueError) as exc:
        report.problems.append(Problem("check.audit_unreadable", {"detail": type(exc).__name__}))
        return
    report.audit_entries = chain.entries
    if not chain.ok:
        report.problems.append(Problem(chain.reason, {"entry": chain.first_broken_id or 0}))


def _check_anchor(handle: OfficeHandle, report: CheckReport) -> None:
    """The entry the slots file remembers must still be in the log, unchanged."""
    anchor = KeyFile.load(handle.keys_path).audit_anchor()
    if anchor is None:
        return
    entry_id, entry_hash = anchor
    with handle.engine.connect() as conn:
        found = conn.exec_driver_sql("SELECT hash FROM audit_entry WHERE id = ?", (entry_id,)).scalar()
    if found != entry_hash:
        report.problems.append(Problem("check.audit_anchor", {"entry": entry_id}))


def check_office(handle: OfficeHandle) -> CheckReport:
    handle.require(Role.ADMIN)
    raw = handle.engine.raw_connection()
    try:
        report = check_connection(raw.driver_connection)
    finally:
        raw.close()
    _check_chain(handle.engine, report)
    if report.ok:
        _check_anchor(handle, report)
    if report.ok:
        with handle.transaction() as session:
            handle.audit(session, AuditAction.CHECKED, RecordType.DATABASE, 1)
    return report


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _export(engine: Engine, key: bytes, target: Path) -> None:
    """Copy the live database into a new encrypted file with the same key."""
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        conn.execute(f"ATTACH DATABASE ? AS baom_backup KEY \"x'{key.hex()}'\"", (str(target),))
        try:
            conn.execute("SELECT sqlcipher_export('baom_backup')").fetchall()
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute(f"PRAGMA baom_backup.user_version = {int(version)}")
        finally:
            conn.execute("DETACH DATABASE baom_backup")
    finally:
        raw.close()


def _write_backup(engine: Engine, key: bytes, keys_json: str, out: Path, meta: dict[str, str]) -> None:
    out = out.resolve()
    if not out.parent.is_dir():
        raise InputRejected("error.folder_missing", path=str(out.parent))
    with tempfile.TemporaryDirectory(prefix=".baom-backup-", dir=out.parent) as tmp:
        tmp_dir = Path(tmp)
        db_copy = tmp_dir / DB_MEMBER
        _export(engine, key, db_copy)
        conn = raw_connect(db_copy, key)
        try:
            copy_report = check_connection(conn)
        finally:
            conn.close()
        if not copy_report.ok:
            raise DatabaseDamaged("error.backup_copy_failed")
        keys_file = tmp_dir / KEYS_MEMBER
        keys_file.write_text(keys_json, encoding="utf-8")
        manifest = {
            "format": BACKUP_FORMAT,
            "version": BACKUP_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "app_version": __version__,
            "files": {DB_MEMBER: _sha256(db_copy), KEYS_MEMBER: _sha256(keys_file)},
            **meta,
        }
        zip_tmp = tmp_dir / "backup.zip"
        with zipfile.ZipFile(zip_tmp, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(MANIFEST_MEMBER, json.dumps(manifest, indent=1))
            archive.write(keys_file, KEYS_MEMBER)
            archive.write(db_copy, DB_MEMBER)
        with zip_tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(zip_tmp, out)


def backup_office(handle: OfficeHandle, out: Path) -> None:
    """Write a verified backup to ``out`` (replaced atomically if it exists)."""
    handle.require(Role.SUPERVISOR)
    keys_json = KeyFile.load(handle.keys_path).to_json()
    try:
        with handle.engine.connect() as conn:
            revision = migrate.current_revision(conn) or ""
        _write_backup(handle.engine, handle.key, keys_json, out, {"schema": revision})
    except OSError as exc:
        raise _os_error(exc) from exc
    except (DBAPIError, sqlcipher3.DatabaseError) as exc:
        raise translate_db_error(exc) from exc
    with handle.transaction() as session:
        handle.audit(session, AuditAction.BACKED_UP, RecordType.DATABASE, 1)


def _os_error(exc: OSError) -> BaomError:
    import errno

    if exc.errno == errno.ENOSPC:
        return DiskFull()
    return InputRejected("error.file_write", detail=exc.strerror or "")


def pre_migration_backup(path: Path, engine: Engine, key: bytes) -> Path:
    """Before a schema change: a backup beside the office, named by date."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = path.with_name(f"{path.stem}-before-upgrade-{stamp}.baom")
    keys_json = KeyFile.load(keys_path(path)).to_json()
    with engine.connect() as conn:
        revision = migrate.current_revision(conn) or ""
    _write_backup(engine, key, keys_json, out, {"schema": revision})
    return out


@dataclass(frozen=True)
class BackupContents:
    manifest: dict[str, object]
    db: Path
    keys: Path


def _open_backup(backup: Path, into: Path) -> BackupContents:
    try:
        archive = zipfile.ZipFile(backup)
    except FileNotFoundError as exc:
        raise InputRejected("error.backup_missing", path=str(backup)) from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputRejected("error.backup_invalid") from exc
    with archive:
        try:
            manifest = json.loads(archive.read(MANIFEST_MEMBER))
            if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
                raise InputRejected("error.backup_invalid")
            version = int(manifest.get("version", 0))
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
            raise InputRejected("error.backup_invalid") from exc
        if version > BACKUP_VERSION:
            raise InputRejected("error.backup_newer")
        try:
            archive.extract(DB_MEMBER, into)
            archive.extract(KEYS_MEMBER, into)
        except (zipfile.BadZipFile, KeyError, EOFError) as exc:  # CRC error, truncated or missing member
            raise InputRejected("error.backup_checksum") from exc
    files = manifest.get("files", {})
    db, keys = into / DB_MEMBER, into / KEYS_MEMBER
    if not isinstance(files, dict) or files.get(DB_MEMBER) != _sha256(db) or files.get(KEYS_MEMBER) != _sha256(keys):
        raise InputRejected("error.backup_checksum")
    return BackupContents(manifest, db, keys)


def _authorise_on_live_office(db_path: Path, login: str, password: str) -> None:
    """Replacing an office needs an admin of *that* office (or its recovery code).

    Goes through the normal unlock: the lock-out delay applies, failures are
    counted and audited, and the attempt is written in the office's own log.
    """
    from desktop.services import office as office_service

    if login == "recovery":
        handle = office_service.unlock_with_recovery(db_path, password)
    else:
        handle = office_service.unlock(db_path, login, password)
    with handle:
        if handle.actor.role != Role.ADMIN:
            with handle.transaction() as session:
                handle.audit(session, AuditAction.RESTORED, RecordType.DATABASE, 1, "refused: not admin")
            raise PermissionDenied()
        with handle.transaction() as session:
            handle.audit(session, AuditAction.RESTORED, RecordType.DATABASE, 1, "started")


def _backup_admin_key(keyfile: KeyFile, engine_path: Path, login: str, password: str) -> bytes:
    """The backup opens with these credentials, and they belong to an active admin in it."""
    key = keyfile.unwrap_recovery(password) if login == "recovery" else keyfile.unwrap_user(login, password)
    if login == "recovery":
        return key
    engine = open_engine(engine_path, key)
    try:
        with Session(engine) as session:
            role, active = session.execute(
                select(User.role, User.active).where(User.login == login.strip().lower())
            ).one_or_none() or ("", False)
    finally:
        close_engine(engine)
    if role != Role.ADMIN or not active:
        raise PermissionDenied()
    return key


def restore_office(backup: Path, db_path: Path, login: str, password: str) -> None:
    """Verify a backup, then put it in place of the office at ``db_path``.

    Needs an administrator: of the office being replaced (if there is one) and of
    the backup, with the same login and password — or the office's recovery code.
    The office being replaced is kept beside it as ``*-before-restore-*``; a
    marker file lets an interrupted swap be undone at the next start.
    """
    from desktop.services import office as office_service

    db_path = db_path.resolve()
    if not db_path.parent.is_dir():
        raise InputRejected("error.folder_missing", path=str(db_path.parent))
    repair_interrupted_restore(db_path)
    if db_path.exists():
        _authorise_on_live_office(db_path, login, password)
    lock = OfficeLock(db_path)
    lock.acquire()
    try:
        with tempfile.TemporaryDirectory(prefix=".baom-restore-", dir=db_path.parent) as tmp:
            contents = _open_backup(backup, Path(tmp))
            keyfile = KeyFile.load(contents.keys)
            key = _backup_admin_key(keyfile, contents.db, login, password)
            engine = open_engine(contents.db, key)
            try:
                raw = engine.raw_connection()
                try:
                    report = check_connection(raw.driver_connection)
                finally:
                    raw.close()
                _check_chain(engine, report)
            finally:
                close_engine(engine)
            if not report.ok:
                raise DatabaseDamaged("error.backup_damaged")
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(OSError):
                    Path(f"{contents.db}{suffix}").unlink()
            _swap_in(db_path, contents)
    except OSError as exc:
        raise _os_error(exc) from exc
    finally:
        lock.release()
    handle = (
        office_service.unlock_with_recovery(db_path, password)
        if login == "recovery"
        else office_service.unlock(db_path, login, password, audit_login=False)
    )
    try:
        with handle.transaction() as session:
            handle.audit(session, AuditAction.RESTORED, RecordType.DATABASE, 1)
    finally:
        handle.close()


def _marker(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".restoring")


def _swap_in(db_path: Path, contents: BackupContents) -> None:
    """Old files aside, new files in; the marker says how to undo a half-done swap."""
    keep = _free_name(db_path, "before-restore") if db_path.exists() else None
    marker = _marker(db_path)
    atomic_write_text(marker, json.dumps({"kept": str(keep) if keep else ""}))
    if keep is not None:
        for old, new in _office_files(db_path, keep):
            if old.exists():
                os.replace(old, new)
    os.replace(contents.keys, keys_path(db_path))
    os.replace(contents.db, db_path)
    marker.unlink()


def repair_interrupted_restore(db_path: Path) -> None:
    """After a crash in the middle of a restore: put the previous office back."""
    marker = _marker(db_path)
    if not marker.exists():
        return
    try:
        kept_text = json.loads(marker.read_text(encoding="utf-8")).get("kept", "")
    except (OSError, ValueError, AttributeError):
        kept_text = ""
    if not db_path.exists() and kept_text:
        kept = Path(kept_text)
        for current, old in _office_files(db_path, kept):
            if old.exists():
                os.replace(old, current)
        log.warning("an interrupted restore was undone")
    with contextlib.suppress(OSError):
        marker.unlink()


def _free_name(db_path: Path, label: str) -> Path:
    """``<stem>-<label>-<time>[-n]<suffix>`` that no file (or its companions) uses yet."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    n = 0
    while True:
        tail = f"-{n}" if n else ""
        candidate = db_path.with_name(f"{db_path.stem}-{label}-{stamp}{tail}{db_path.suffix}")
        if not any(path.exists() for _old, path in _office_files(db_path, candidate)):
            return candidate
        n += 1


def _office_files(db: Path, keep: Path) -> list[tuple[Path, Path]]:
    return [
        (db, keep),
        (Path(f"{db}-wal"), Path(f"{keep}-wal")),
        (Path(f"{db}-shm"), Path(f"{keep}-shm")),
        (keys_path(db), keys_path(keep)),
    ]
