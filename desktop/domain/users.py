"""Roles, what each may do, and the password and login rules."""

from __future__ import annotations

import re
from enum import StrEnum

from desktop.domain.errors import InputRejected

MIN_PASSWORD_LENGTH = 10
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
# Names the audit log uses for actors that are not accounts.
RESERVED_LOGINS = frozenset({"recovery", "system"})


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


RANK = {Role.OFFICER: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}


def role_at_least(role: str, needed: Role) -> bool:
    try:
        return RANK[Role(role)] >= RANK[needed]
    except ValueError:
        return False


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputRejected("error.password_short", minimum=MIN_PASSWORD_LENGTH)
    if password.strip() != password or not password.strip():
        raise InputRejected("error.password_spaces")


def check_login(login: str) -> str:
    """Logins are lower-case ASCII so they can be typed on any keyboard layout."""
    value = login.strip().lower()
    if not LOGIN_PATTERN.match(value):
        raise InputRejected("error.login_invalid")
    if value in RESERVED_LOGINS:
        raise InputRejected("error.login_reserved", login=value)
    return value


def check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError as exc:
        raise InputRejected("error.role_invalid") from exc
