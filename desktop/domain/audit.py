"""What the audit log records: actions and the kinds of records they touch."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    VIEWED = "viewed"
    CREATED = "created"
    CHANGED = "changed"
    EXPORTED = "exported"
    IMPORTED = "imported"
    LOGGED_IN = "logged_in"
    LOGGED_OUT = "logged_out"
    FAILED_LOGIN = "failed_login"
    LOCKED = "locked"
    BACKED_UP = "backed_up"
    RESTORED = "restored"
    CHECKED = "checked"
    MIGRATED = "migrated"


class RecordType(StrEnum):
    OFFICE = "office"
    USER = "user"
    PERSON = "person"
    CASE = "case"
    SETTING = "setting"
    DATABASE = "database"
    PROVIDER = "provider"
    REFERRAL = "referral"
    STATISTICS = "statistics"
    REGION_OFFICE = "region_office"  # a commune office registered by the regional secretariat, its keys
    REGION_IMPORT = "region_import"  # an extract stored in the regional database


GENESIS_HASH = "0" * 64
SYSTEM_ACTOR = "system"
RECOVERY_ACTOR = "recovery"
UNKNOWN_ACTOR = "?"
