"""Typed models, one family per module, re-exported here."""

from desktop.db.models.assessment import ActionPlanItem, AssessmentItem, SocialAssessment
from desktop.db.models.audit import AuditEntry, AuditHead
from desktop.db.models.base import Base, UtcDateTime, utcnow
from desktop.db.models.case import Case, CaseStageEvent, Contact
from desktop.db.models.consent import Consent
from desktop.db.models.directory import Provider, ProviderService
from desktop.db.models.office import Office, OfficeSecret, Setting
from desktop.db.models.person import HouseholdMember, IdentityDocument, Person
from desktop.db.models.referral import Referral, ReferralEvent
from desktop.db.models.region import (
    RegionImport,
    RegionIndicator,
    RegionOffice,
    RegionOfficeKey,
    RegionPerson,
    RegionReferral,
)
from desktop.db.models.user import User
from desktop.db.models.vulnerability import VulnerabilitySheet

__all__ = [
    "ActionPlanItem",
    "AssessmentItem",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Case",
    "CaseStageEvent",
    "Consent",
    "Contact",
    "HouseholdMember",
    "IdentityDocument",
    "Office",
    "OfficeSecret",
    "Person",
    "Provider",
    "ProviderService",
    "Referral",
    "ReferralEvent",
    "RegionImport",
    "RegionIndicator",
    "RegionOffice",
    "RegionOfficeKey",
    "RegionPerson",
    "RegionReferral",
    "Setting",
    "SocialAssessment",
    "User",
    "UtcDateTime",
    "VulnerabilitySheet",
    "utcnow",
]
