"""Staff accounts: add, disable, reset, change one's own password.

The account row lives in the database and the key slot in the slots file; a change
touches both or neither.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db.keys import KeyFile, StagedKeys, new_recovery_code
from desktop.db.models import User, utcnow
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.errors import InputRejected, WrongCredentials
from desktop.domain.users import Role, check_login, check_password, check_role
from desktop.services.office import OfficeHandle


@dataclass(frozen=True)
class UserInfo:
    id: int
    login: str
    display_name: str
    role: str
    active: bool
    created_at: datetime
    password_changed_at: datetime
    has_key_slot: bool


@contextlib.contextmanager
def _db_then_keys(handle: OfficeHandle, keyfile: KeyFile) -> Iterator[Session]:
    """One transaction whose key-slot change lands only if the database commits.

    The new keys file is written beside the old one before the commit (a full disk
    fails here, with nothing committed) and renamed into place after it.
    """
    staged: list[StagedKeys] = []
    try:
        with handle.transaction() as session:
            yield session
            staged.append(keyfile.stage())
    except BaseException:
        for item in staged:
            item.discard()
        raise
    for item in staged:
        item.apply()


def list_users(handle: OfficeHandle) -> list[UserInfo]:
    keyfile = KeyFile.load(handle.keys_path)
    slots = keyfile.slot_ids()
    with handle.transaction() as session:
        users = session.scalars(select(User).order_by(User.login)).all()
        return [
            UserInfo(
                u.id,
                u.login,
                u.display_name,
                u.role,
                u.active,
                u.created_at,
                u.password_changed_at,
                keyfile.slot_id(u.login) in slots,
            )
            for u in users
        ]


def add_user(handle: OfficeHandle, login: str, display_name: str, role: str, password: str) -> int:
    handle.require(Role.ADMIN)
    login = check_login(login)
    role_value = check_role(role)
    check_password(password)
    if not display_name.strip():
        raise InputRejected("error.display_name_required")
    keyfile = KeyFile.load(handle.keys_path)
    with _db_then_keys(handle, keyfile) as session:
        if session.scalar(select(User).where(User.login == login)) is not None:
            raise InputRejected("error.login_taken", login=login)
        now = utcnow()
        user = User(
            login=login,
            display_name=display_name.strip(),
            role=role_value,
            active=True,
            created_at=now,
            password_changed_at=now,
        )
        session.add(user)
        session.flush()
        handle.audit(session, AuditAction.CREATED, RecordType.USER, user.id, f"role={role_value}")
        keyfile.set_user_slot(login, password, handle.key)
        user_id = user.id
    return user_id


def _get(session_user: User | None) -> User:
    if session_user is None:
        raise InputRejected("error.user_unknown")
    return session_user


def set_active(handle: OfficeHandle, login: str, active: bool) -> None:
    """Disable (the slot is removed: the password no longer opens anything) or re-enable."""
    handle.require(Role.ADMIN)
    login = login.strip().lower()
    keyfile = KeyFile.load(handle.keys_path)
    with _db_then_keys(handle, keyfile) as session:
        user = _get(session.scalar(select(User).where(User.login == login)))
        if not active and user.role == Role.ADMIN:
            admins = session.scalar(
                select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active.is_(True))
            )
            if (admins or 0) <= 1:
                raise InputRejected("error.last_admin")
        if not active and handle.actor.user_id == user.id:
            raise InputRejected("error.disable_self")
        if active and not keyfile.has_slot(login):
            raise InputRejected("error.enable_needs_reset")
        user.active = active
        handle.audit(session, AuditAction.CHANGED, RecordType.USER, user.id, "enabled" if active else "disabled")
        if not active:
            keyfile.remove_user_slot(login)


def reset_password(handle: OfficeHandle, login: str, new_password: str) -> None:
    """An admin (or the recovery code holder) gives a user a new password: a new slot."""
    handle.require(Role.ADMIN)
    check_password(new_password)
    login = login.strip().lower()
    keyfile = KeyFile.load(handle.keys_path)
    with _db_then_keys(handle, keyfile) as session:
        user = _get(session.scalar(select(User).where(User.login == login)))
        user.password_changed_at = utcnow()
        user.active = True
        handle.audit(session, AuditAction.CHANGED, RecordType.USER, user.id, "password reset")
        keyfile.set_user_slot(login, new_password, handle.key)
        keyfile.clear_failures(login)


def change_own_password(handle: OfficeHandle, old_password: str, new_password: str) -> None:
    """Rewrites only this user's slot; the old password stops opening the office."""
    if handle.actor.user_id is None:
        raise InputRejected("error.recovery_no_own_password")
    check_password(new_password)
    if new_password == old_password:
        raise InputRejected("error.password_same")
    keyfile = KeyFile.load(handle.keys_path)
    keyfile.check_not_locked_out(handle.actor.login)
    try:
        keyfile.unwrap_user(handle.actor.login, old_password)
    except WrongCredentials:
        keyfile.record_failure(handle.actor.login, queue_audit=False)
        with handle.transaction() as session:
            handle.audit(
                session, AuditAction.FAILED_LOGIN, RecordType.USER, handle.actor.user_id or "", "password change"
            )
        raise InputRejected("error.old_password_wrong") from None
    with _db_then_keys(handle, keyfile) as session:
        user = _get(session.get(User, handle.actor.user_id))
        user.password_changed_at = utcnow()
        handle.audit(session, AuditAction.CHANGED, RecordType.USER, user.id, "password changed")
        keyfile.set_user_slot(handle.actor.login, new_password, handle.key)


def renew_recovery_code(handle: OfficeHandle) -> str:
    """A new recovery code replaces the old one (shown once; the old code stops working)."""
    handle.require(Role.ADMIN)
    code = new_recovery_code()
    keyfile = KeyFile.load(handle.keys_path)
    with _db_then_keys(handle, keyfile) as session:
        handle.audit(session, AuditAction.CHANGED, RecordType.OFFICE, 1, "recovery code renewed")
        keyfile.set_recovery_slot(code, handle.key)
    return code
