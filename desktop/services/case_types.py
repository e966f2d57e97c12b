"""What the case services take and give: plain, typed, Qt-free records.

Widgets, reports and the register import all speak these types; none of them
holds a database object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import field as _field
from datetime import date, datetime


@dataclass
class DocumentInput:
    kind: str  # codelist document_type
    number: str


@dataclass
class HouseholdInput:
    relation: str  # codelist relation
    name: str = ""
    sex: str = ""
    birth_year: int | None = None
    schooling: str = "unknown"
    birth_registration: str = "unknown"
    lives_with: bool = True


@dataclass
class PersonInput:
    """Identity as typed at the counter. Latin or Arabic names: either may be empty, not both."""

    family_name: str = ""
    given_name: str = ""
    family_name_ar: str = ""
    given_name_ar: str = ""
    sex: str = ""
    birth_date: date | None = None
    estimated_age: int | None = None  # when the birth date is unknown
    nationality: str = ""  # ISO 3166-1 alpha-2
    category: str = ""
    languages: list[str] = field(default_factory=list)
    phone: str = ""
    commune_code: str = ""
    douar: str = ""
    legal_status: str = "unknown"
    arrival_date: date | None = None
    documents: list[DocumentInput] = field(default_factory=list)
    household: list[HouseholdInput] = field(default_factory=list)


@dataclass(frozen=True)
class FieldError:
    field: str  # PersonInput attribute (or "documents.0.number")
    key: str  # i18n message key
    params: dict[str, str | int] = _field(default_factory=dict)


@dataclass
class ConsentRow:
    id: int
    purpose: str
    given_on: date
    withdrawn_on: date | None
    form_signed: bool

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None


@dataclass
class AssessmentItemInput:
    domain: str
    situation: str = ""
    need: str = ""
    priority: str = ""  # "" = no need in this domain


@dataclass
class ActionInput:
    action: str
    domain: str = ""
    responsible: str = ""
    due_on: date | None = None
    done_on: date | None = None


@dataclass
class AssessmentInput:
    assessed_on: date
    items: list[AssessmentItemInput] = field(default_factory=list)
    actions: list[ActionInput] = field(default_factory=list)
    summary: str = ""
    id: int | None = None  # given: update that assessment


@dataclass
class AssessmentRow:
    id: int
    assessed_on: date
    officer: str
    summary: str
    items: list[AssessmentItemInput]
    actions: list[ActionInput]
    reviewed_by: str = ""
    reviewed_at: datetime | None = None


@dataclass
class VulnerabilityInput:
    assessed_on: date
    level: str
    criteria: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class VulnerabilityRow:
    id: int
    assessed_on: date
    level: str
    criteria: list[str]
    note: str
    officer: str


@dataclass
class ContactInput:
    on_date: date
    kind: str
    channel: str = "in_person"
    needs: list[str] = field(default_factory=list)
    note: str = ""
    next_follow_up: date | None = None


@dataclass
class ContactRow:
    id: int
    on_date: date
    kind: str
    channel: str
    needs: list[str]
    note: str
    officer: str


@dataclass
class StageRow:
    on_date: date
    stage: str
    reason: str
    officer: str


@dataclass
class CaseDetail:
    """Everything the case window, the printed case file and the access request show."""

    case_id: int
    number: str
    person_id: int
    person: PersonInput
    opened_on: date
    stage: str
    closed_on: date | None
    closure_reason: str
    officer: str
    officer_id: int | None
    vulnerability_level: str
    next_follow_up: date | None
    consents: list[ConsentRow]
    assessments: list[AssessmentRow]
    vulnerabilities: list[VulnerabilityRow]
    contacts: list[ContactRow]
    stages: list[StageRow]
    other_cases: list[tuple[int, str]]  # (case id, number) of the same person


@dataclass(frozen=True)
class CaseFilter:
    category: str = ""
    stage: str = ""
    status: str = ""  # "" | "open" | "closed"
    vulnerability_level: str = ""
    officer_id: int | None = None
    opened_from: date | None = None
    opened_to: date | None = None  # inclusive
    overdue_only: bool = False  # next follow-up before today, case open
    search: str = ""  # names (both scripts), phone, document number, case number


SORT_KEYS: tuple[str, ...] = ("opened_on", "number", "name", "stage", "vulnerability_level", "next_follow_up")


@dataclass(frozen=True)
class CaseListRow:
    case_id: int
    number: str
    name: str  # Latin name, or Arabic when no Latin name
    name_ar: str
    sex: str
    age: int | None
    nationality: str
    category: str
    stage: str
    vulnerability_level: str
    opened_on: date
    next_follow_up: date | None
    officer: str
    closed: bool
