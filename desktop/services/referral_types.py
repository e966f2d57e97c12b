"""What the directory and referral services take and give: plain, typed, Qt-free records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


# -- directory ---------------------------------------------------------------------------
@dataclass
class ServiceInput:
    name_fr: str
    domain: str
    name_ar: str = ""
    conditions: str = ""
    contact: str = ""
    active: bool = True
    id: int | None = None  # given: that service, updated


@dataclass
class ProviderInput:
    name_fr: str
    kind: str  # codelists.PROVIDER_KINDS
    name_ar: str = ""
    domains: list[str] = field(default_factory=list)  # SERVICE_DOMAINS
    address: str = ""
    commune_code: str = ""
    coverage: str = "commune"  # COVERAGE_LEVELS
    focal_point: str = ""
    phone: str = ""
    email: str = ""
    hours: dict[str, str] = field(default_factory=dict)  # weekday -> "08:30-12:00, 14:00-16:30"
    languages: list[str] = field(default_factory=list)
    cost: str = "free"
    documents_required: str = ""
    publics: list[str] = field(default_factory=list)  # PUBLICS; empty = everyone
    notes: str = ""
    verified_on: date | None = None
    active: bool = True
    services: list[ServiceInput] = field(default_factory=list)
    uid: str = ""  # stable across offices; given by the service when empty


@dataclass
class ProviderRow:
    id: int
    uid: str
    name_fr: str
    name_ar: str
    kind: str
    domains: list[str]
    commune_code: str
    coverage: str
    focal_point: str
    phone: str
    email: str
    languages: list[str]
    publics: list[str]
    verified_on: date | None
    stale: bool  # not verified for six months (or never)
    active: bool


@dataclass(frozen=True)
class DirectoryFilter:
    domain: str = ""
    area: str = ""  # a commune code: providers whose coverage includes it
    public: str = ""  # PUBLICS: providers that serve it (or everyone)
    language: str = ""
    kind: str = ""
    stale_only: bool = False
    text: str = ""  # in the names (both scripts), focal point, address
    include_inactive: bool = False


# -- referrals ---------------------------------------------------------------------------
@dataclass
class ReferralInput:
    domain: str  # SERVICE_DOMAINS
    provider_id: int | None
    service_id: int | None = None
    urgency: str = "weeks2"  # URGENCIES
    reason: str = ""
    shared: list[str] = field(default_factory=lambda: ["identity"])  # SHARED_ITEMS
    direction: str = "outgoing"  # incoming: from the provider to the BAOM


@dataclass
class CounterReferralInput:
    received_on: date
    outcome: str  # REFERRAL_OUTCOMES
    service_date: date | None = None
    feedback: str = ""


@dataclass
class ReferralRow:
    id: int
    code: str
    case_id: int
    case_number: str
    person_name: str
    direction: str
    domain: str
    provider_id: int | None
    provider_name: str
    provider_name_ar: str
    provider_phone: str
    provider_focal_point: str
    urgency: str
    state: str
    created_on: date
    sent_on: date | None
    due_on: date | None
    outcome: str
    counter_received_on: date | None
    last_follow_up_on: date | None
    follow_ups: int
    overdue: bool
    days_late: int


@dataclass
class ReferralEventRow:
    on_date: date
    kind: str
    note: str
    officer: str


@dataclass
class ReferralDetail:
    row: ReferralRow
    service_name: str
    reason: str
    shared: list[str]
    acknowledged_on: date | None
    closed_on: date | None
    service_date: date | None
    feedback: str
    consent_override: str
    officer: str
    events: list[ReferralEventRow]


@dataclass(frozen=True)
class ReferralFilter:
    state: str = ""
    direction: str = ""
    domain: str = ""
    provider_id: int | None = None
    overdue_only: bool = False
    sent_from: date | None = None
    sent_to: date | None = None  # inclusive


@dataclass
class ProviderStats:
    provider_id: int
    name_fr: str
    name_ar: str
    sent: int
    answered: int
    median_days_to_answer: float | None
    outcomes: dict[str, int]


@dataclass
class ReferralSlip:
    """What the printed fiche de référence carries: only what the referral shares."""

    code: str  # as printed (K7M4-X2QB)
    office_name: str
    office_commune: str  # commune code
    office_phone: str
    office_email: str
    officer: str
    created_on: date
    sent_on: date | None
    due_on: date | None
    urgency: str
    direction: str
    domain: str
    provider_name: str
    provider_name_ar: str
    provider_address: str
    provider_phone: str
    provider_focal_point: str
    service_name: str
    case_number: str
    shared: list[str]
    # the person, as far as ``shared`` allows ("" / None otherwise)
    family_name: str = ""
    given_name: str = ""
    family_name_ar: str = ""
    given_name_ar: str = ""
    sex: str = ""
    birth_date: date | None = None
    birth_year: int | None = None
    nationality: str = ""
    phone: str = ""
    documents: list[tuple[str, str]] = field(default_factory=list)  # (type code, number)
    reason: str = ""
    vulnerability_level: str = ""
