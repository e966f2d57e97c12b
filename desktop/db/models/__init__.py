"""Typed models, one family per module, re-exported here."""

from desktop.db.models.audit import AuditEntry, AuditHead
from desktop.db.models.base import Base, UtcDateTime, utcnow
from desktop.db.models.office import Office, Setting
from desktop.db.models.person import Case, Contact, Person
from desktop.db.models.user import User

__all__ = [
    "AuditEntry",
    "AuditHead",
    "Base",
    "Case",
    "Contact",
    "Office",
    "Person",
    "Setting",
    "User",
    "UtcDateTime",
    "utcnow",
]
