"""Creating, unlocking and closing an office: the unit every other service runs in.

An :class:`OfficeHandle` is an unlocked office: its one engine, its file lock and
who is working. Services take a handle, open one transaction and never leave a
change half-made; the caller never commits.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from desktop.db import audit_log, migrate
from desktop.db.engine import close_engine, open_engine
from desktop.db.files import OfficeLock
from desktop.db.keys import RECOVERY_SLOT, KeyFile, keys_path, new_database_key, new_recovery_code
from desktop.db.models import Office, OfficeSecret, Setting, User, utcnow
from desktop.domain.audit import RECOVERY_ACTOR, SYSTEM_ACTOR, UNKNOWN_ACTOR, AuditAction, RecordType
from desktop.domain.errors import (
    BaomError,
    DatabaseDamaged,
    DatabaseMissing,
    DiskFull,
    InputRejected,
    PermissionDenied,
    WrongCredentials,
)
from desktop.domain.office_kinds import OFFICE_KIND
from desktop.domain.users import Role, check_login, check_password, role_at_least

log = logging.getLogger(__name__)
# Secrets of the extract (see OfficeSecret): the pseudonym HMAC key, the Ed25519 signing seed.
SECRET_PURPOSES = ("pseudonym", "signing")

AUTO_LOCK_KEY = "auto_lock_minutes"
DEFAULT_AUTO_LOCK_MINUTES = 10


@dataclass(frozen=True)
class Actor:
    """Who is working: a user, or the recovery code holder (admin rights, no user row)."""

    login: str
    display_name: str
    role: str
    user_id: int | None = None

    @property
    def is_recovery(self) -> bool:
        return self.login == RECOVERY_ACTOR


@dataclass(frozen=True)
class OfficeInfo:
    kind: str
    commune_code: str
    name: str
    address: str
    phone: str
    email: str
    is_demo: bool


def translate_db_error(exc: BaseException) -> BaomError:
    """Map a driver error to what a person can understand (no SQL, no data)."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "disk is full" in text or "disk i/o" in text:
        return DiskFull()
    if isinstance(exc, IntegrityError | sqlcipher3.IntegrityError) or "append-only" in text:
        return InputRejected("error.db_refused")
    return DatabaseDamaged("error.db_damaged")


class OfficeHandle:
    """An unlocked office. Close it to release the file and forget the key."""

    def __init__(self, path: Path, engine: Engine, lock: OfficeLock, actor: Actor, key: bytes) -> None:
        self.path = path
        self.engine = engine
        self.actor = actor
        self._lock = lock
        self._key = bytearray(key)
        self.closed = False

    @property
    def key(self) -> bytes:
        if self.closed:
            raise RuntimeError("office is locked")
        return bytes(self._key)

    @property
    def keys_path(self) -> Path:
        return keys_path(self.path)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed at the end, rolled back on any error."""
        if self.closed:
            raise RuntimeError("office is locked")
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except (DBAPIError, sqlcipher3.DatabaseError) as exc:
            log.warning("database error: %s", type(exc).__name__)
            raise translate_db_error(exc) from exc

    def audit(
        self,
        session: Session,
        action: AuditAction,
        record_type: RecordType | str = "",
        record_id: str | int = "",
        detail: str = "",
    ) -> None:
        audit_log.append(session, self.actor.login, action, str(record_type), record_id, detail)

    def require(self, role: Role) -> None:
        if not role_at_least(self.actor.role, role):
            raise PermissionDenied()

    def close(self) -> None:
        if self.closed:
            return
        self._anchor_audit()
        self.closed = True
        try:
            close_engine(self.engine)
        finally:
            for i in range(len(self._key)):
                self._key[i] = 0
            self._lock.release()

    def _anchor_audit(self) -> None:
        """Best effort: a closing office leaves its audit head in the slots file."""
        try:
            with self.engine.connect() as conn:
                row = conn.exec_driver_sql("SELECT last_id, last_hash FROM audit_head WHERE id = 1").one_or_none()
            if row is not None:
                KeyFile.load(self.keys_path).anchor_audit(int(row[0]), str(row[1]))
        except (BaomError, OSError, DBAPIError, sqlcipher3.DatabaseError):
            log.warning("audit anchor not written")

    def __enter__(self) -> OfficeHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _remove_office_files(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), keys_path(path)):
        with contextlib.suppress(OSError):
            candidate.unlink()


def create_office(
    path: Path,
    *,
    commune_code: str,
    office_name: str,
    admin_login: str,
    admin_name: str,
    admin_password: str,
    kind: str = OFFICE_KIND,
    is_demo: bool = False,
) -> tuple[OfficeHandle, str]:
    """Create the encrypted office and its first admin; return it and the recovery code.

    All or nothing: if any step fails, no file is left behind.
    """
    login = check_login(admin_login)
    check_password(admin_password)
    if not office_name.strip():
        raise InputRejected("error.office_name_required")
    if path.exists():
        raise InputRejected("error.db_exists", path=str(path))
    if not path.parent.is_dir():
        raise InputRejected("error.folder_missing", path=str(path.parent))
    _set_aside_orphan_keys(path)
    db_key = new_database_key()
    recovery_code = new_recovery_code()
    keyfile = KeyFile.new(keys_path(path))
    keyfile.set_user_slot(login, admin_password, db_key)
    keyfile.set_recovery_slot(recovery_code, db_key)
    # Built under a temporary name and moved in place whole: an interrupted
    # creation never leaves a half-made office at ``path``.
    building = path.with_name(f".{path.name}.creating-{secrets.token_hex(4)}")
    lock = OfficeLock(path)
    lock.acquire()
    try:
        engine = open_engine(building, db_key, create=True)
        try:
            migrate.upgrade(engine)
            admin_id = _first_rows(engine, kind, commune_code, office_name, login, admin_name, is_demo)
        finally:
            close_engine(engine)
        keyfile.save()
        if os.name == "posix":
            os.chmod(building, 0o600)  # the office's Windows ACLs come from its data folder
        os.replace(building, path)
        engine = open_engine(path, db_key)
    except BaseException as exc:
        lock.release()
        for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        if not path.exists():
            with contextlib.suppress(OSError):
                keys_path(path).unlink()
        if isinstance(exc, BaomError):
            raise
        if isinstance(exc, OSError | DBAPIError | sqlcipher3.DatabaseError):
            raise translate_db_error(exc) from exc
        raise
    actor = Actor(login=login, display_name=admin_name.strip() or login, role=Role.ADMIN, user_id=admin_id)
    return OfficeHandle(path, engine, lock, actor, db_key), recovery_code


def _set_aside_orphan_keys(path: Path) -> None:
    """A slots file without its database is left from an interrupted creation."""
    orphan = keys_path(path)
    if orphan.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        os.replace(orphan, orphan.with_name(f"{orphan.name}.orphan-{stamp}"))


def _first_rows(
    engine: Engine, kind: str, commune_code: str, office_name: str, login: str, admin_name: str, is_demo: bool
) -> int:
    now = utcnow()
    with Session(engine) as session, session.begin():
        session.add(
            Office(
                id=1, kind=kind, commune_code=commune_code, name=office_name.strip(), created_at=now, is_demo=is_demo
            )
        )
        admin = User(
            login=login,
            display_name=admin_name.strip() or login,
            role=Role.ADMIN,
            active=True,
            created_at=now,
            password_changed_at=now,
        )
        session.add(admin)
        session.add(Setting(key=AUTO_LOCK_KEY, value=str(DEFAULT_AUTO_LOCK_MINUTES)))
        from desktop.services.search_index import INDEX_VERSION, VERSION_KEY

        session.add(Setting(key=VERSION_KEY, value=INDEX_VERSION))
        for purpose in SECRET_PURPOSES:  # the extract's keys, created with the office
            session.add(OfficeSecret(purpose=purpose, value=secrets.token_bytes(32), created_at=now))
        audit_log.init_head(session)
        session.flush()
        audit_log.append(session, SYSTEM_ACTOR, AuditAction.CREATED, RecordType.OFFICE, 1)
        audit_log.append(session, SYSTEM_ACTOR, AuditAction.CREATED, RecordType.USER, admin.id)
        return admin.id


def _open(path: Path, key: bytes) -> tuple[Engine, OfficeLock]:
    lock = OfficeLock(path)
    lock.acquire()
    try:
        engine = open_engine(path, key)
    except BaseException:
        lock.release()
        raise
    return engine, lock


def _prepare_schema(path: Path, engine: Engine, key: bytes) -> None:
    """Refuse a file from a newer BAOM; migrate an older one after a backup."""
    try:
        state = migrate.schema_state(engine)
        if state == "newer":
            raise InputRejected("error.db_newer")
        if state == "older":
            from desktop.services.maintenance import pre_migration_backup

            pre_migration_backup(path, engine, key)
            migrate.upgrade(engine)
        from desktop.services import search_index

        with Session(engine) as session, session.begin():
            if not search_index.is_current(session):
                search_index.rebuild(session)
    except (DBAPIError, sqlcipher3.DatabaseError) as exc:
        raise translate_db_error(exc) from exc


def _load_keyfile(path: Path, login: str) -> KeyFile:
    from desktop.services.maintenance import repair_interrupted_restore

    repair_interrupted_restore(path)
    if not path.is_file():
        raise DatabaseMissing(str(path))
    keyfile = KeyFile.load(keys_path(path))
    keyfile.check_not_locked_out(login)
    return keyfile


def _open_as(path: Path, key: bytes, keyfile: KeyFile, who: Callable[[Session], Actor | None]) -> OfficeHandle | None:
    """Open, migrate if needed, write the queued failures and the login; None: refused."""
    engine, lock = _open(path, key)
    try:
        _prepare_schema(path, engine, key)
        with Session(engine) as session, session.begin():
            actor = who(session)
            if actor is not None:
                _flush_pending_failures(session, keyfile)
    except BaseException as exc:
        close_engine(engine)
        lock.release()
        if isinstance(exc, DBAPIError | sqlcipher3.DatabaseError):
            raise translate_db_error(exc) from exc
        raise
    if actor is None:
        close_engine(engine)
        lock.release()
        return None
    return OfficeHandle(path, engine, lock, actor, key)


def unlock(path: Path, login: str, password: str, *, audit_login: bool = True) -> OfficeHandle:
    """Prove the password against the login's slot, open the office, audit the login.

    A wrong password (the slot refuses) and a damaged database (the slot opens but
    the file does not) are told apart.
    """
    keyfile = _load_keyfile(path, login)
    try:
        key = keyfile.unwrap_user(login, password)
    except WrongCredentials:
        keyfile.record_failure(login)
        raise

    def who(session: Session) -> Actor | None:
        user = session.scalar(select(User).where(User.login == login.strip().lower()))
        if user is None or not user.active:
            actor = user.login if user is not None else UNKNOWN_ACTOR
            audit_log.append(session, actor, AuditAction.FAILED_LOGIN, RecordType.USER)
            return None
        if audit_login:
            audit_log.append(session, user.login, AuditAction.LOGGED_IN, RecordType.USER, user.id)
        return Actor(user.login, user.display_name, user.role, user.id)

    handle = _open_as(path, key, keyfile, who)
    if handle is None:
        keyfile.record_failure(login, queue_audit=False)  # already in the audit log
        raise WrongCredentials()
    keyfile.clear_failures(login)
    keyfile.save()
    return handle


def unlock_with_recovery(path: Path, code: str) -> OfficeHandle:
    """Open with the recovery code: admin rights to reset a password, audited as such."""
    keyfile = _load_keyfile(path, RECOVERY_SLOT)
    try:
        key = keyfile.unwrap_recovery(code)
    except WrongCredentials:
        keyfile.record_failure(RECOVERY_SLOT)
        raise

    def who(session: Session) -> Actor:
        audit_log.append(session, RECOVERY_ACTOR, AuditAction.LOGGED_IN, RecordType.OFFICE, 1)
        return Actor(RECOVERY_ACTOR, RECOVERY_ACTOR, Role.ADMIN, None)

    handle = _open_as(path, key, keyfile, who)
    assert handle is not None
    keyfile.clear_failures(RECOVERY_SLOT)
    keyfile.save()
    return handle


def _flush_pending_failures(session: Session, keyfile: KeyFile) -> None:
    """Write the failed logins queued in the slots file into the audit log."""
    pending = keyfile.take_pending_audit()
    if not pending:
        return
    by_ref = {keyfile.slot_id(login): login for login in session.scalars(select(User.login))}
    by_ref[RECOVERY_SLOT] = RECOVERY_ACTOR
    for item in pending:
        actor = by_ref.get(item.get("ref", ""), UNKNOWN_ACTOR)
        try:
            at = datetime.fromisoformat(item["at"])
        except (KeyError, ValueError):
            at = datetime.now(UTC)
        audit_log.append(session, actor, AuditAction.FAILED_LOGIN, RecordType.USER, "", "", at=at)


def office_info(handle: OfficeHandle) -> OfficeInfo:
    with handle.transaction() as session:
        office = session.get(Office, 1)
        if office is None:
            raise DatabaseDamaged("error.db_damaged")
        return OfficeInfo(
            office.kind, office.commune_code, office.name, office.address, office.phone, office.email, office.is_demo
        )


def update_office(handle: OfficeHandle, *, name: str, address: str, phone: str, email: str) -> None:
    handle.require(Role.ADMIN)
    if not name.strip():
        raise InputRejected("error.office_name_required")
    with handle.transaction() as session:
        office = session.get(Office, 1)
        if office is None:
            raise DatabaseDamaged("error.db_damaged")
        office.name = name.strip()
        office.address = address.strip()
        office.phone = phone.strip()
        office.email = email.strip()
        handle.audit(session, AuditAction.CHANGED, RecordType.OFFICE, 1)


def auto_lock_minutes(handle: OfficeHandle) -> int:
    with handle.transaction() as session:
        setting = session.get(Setting, AUTO_LOCK_KEY)
        try:
            return int(setting.value) if setting else DEFAULT_AUTO_LOCK_MINUTES
        except ValueError:
            return DEFAULT_AUTO_LOCK_MINUTES


def set_auto_lock_minutes(handle: OfficeHandle, minutes: int) -> None:
    handle.require(Role.ADMIN)
    if not 1 <= minutes <= 240:
        raise InputRejected("error.auto_lock_range", minimum=1, maximum=240)
    with handle.transaction() as session:
        setting = session.get(Setting, AUTO_LOCK_KEY)
        if setting is None:
            session.add(Setting(key=AUTO_LOCK_KEY, value=str(minutes)))
        else:
            setting.value = str(minutes)
        handle.audit(session, AuditAction.CHANGED, RecordType.SETTING, AUTO_LOCK_KEY, str(minutes))


def lock(handle: OfficeHandle) -> None:
    """Audit the lock, then close the connection and forget the key."""
    if handle.closed:
        return
    with contextlib.suppress(BaomError), handle.transaction() as session:
        handle.audit(session, AuditAction.LOCKED, RecordType.USER, handle.actor.user_id or "")
    handle.close()


def office_exists(path: Path) -> bool:
    return path.is_file() and keys_path(path).is_file()


@dataclass(frozen=True)
class OfficeSummary:
    info: OfficeInfo
    cases: int
    open_cases: int
    active_users: int


def office_summary(handle: OfficeHandle) -> OfficeSummary:
    """The home screen's figures: counts only, no personal data."""
    from sqlalchemy import func

    from desktop.db.models import Case

    info = office_info(handle)
    with handle.transaction() as session:
        cases = int(session.scalar(select(func.count()).select_from(Case)) or 0)
        open_cases = int(session.scalar(select(func.count()).select_from(Case).where(Case.closed_on.is_(None))) or 0)
        users = int(session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))) or 0)
    return OfficeSummary(info, cases, open_cases, users)
