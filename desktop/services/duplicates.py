"""Likely existing persons while a new one is typed: the duplicate check before saving.

Three ways in, then one score:

* the same identity document number (``identity_document.number_key``, indexed);
* the same phone number (through the search index, which holds phone digits);
* a similar name: the name keys (consonant skeletons of both scripts, see
  :mod:`desktop.domain.names`) of everyone born within two years of the probe
  (persons without a birth year included) — or, while no birth year is typed,
  of everyone sharing a skeleton word with the probe — are ranked in C by
  rapidfuzz (token-set ratio), and the best :data:`PRESELECT` are compared word
  by word with :func:`names.similarity`.

The score mixes name likeness (80 %) and birth closeness (20 %); a shared
document number puts a candidate at the top whatever the name, a shared phone
adds a little. Only candidates at or above :data:`THRESHOLD` come back, best first.
Reading candidates is not audited here: the caller audits when an officer opens one.

Speed: the name step reads (id, name_key) from indexes only. An index on
``person(birth_year, name_key)`` (:data:`WINDOW_INDEX`) makes the birth window one
short range scan; when the schema lacks it the whole name-key index is scanned.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz, process
from sqlalchemy import Engine, bindparam, select, text
from sqlalchemy.orm import Session

from desktop.db.models import Case, IdentityDocument, Person
from desktop.domain import names
from desktop.domain.names import NameParts
from desktop.services.office import OfficeHandle

REASON_DOCUMENT = "duplicates.reason.same_document"
REASON_NAME = "duplicates.reason.similar_name"
REASON_BIRTH = "duplicates.reason.close_birth"
REASON_PHONE = "duplicates.reason.same_phone"

THRESHOLD = 0.8  # calibrated on synthetic offices (tests/services/test_duplicates.py)
NAME_WEIGHT = 0.8
BIRTH_WEIGHT = 0.2
PHONE_BONUS = 0.12
SIMILAR_NAME = 0.8  # name likeness shown as a reason
BIRTH_WINDOW = 2  # years either side
PRESELECT = 30  # name keys kept by the cheap ranking, then compared in full
PRESELECT_CUTOFF = 50  # 0..100, token-set likeness of the name keys
MIN_DOCUMENT_KEY = 4
MIN_PHONE_DIGITS = 8


@dataclass(frozen=True)
class DuplicateProbe:
    """What is typed so far. Any part may be empty."""

    parts: NameParts
    birth_year: int | None = None
    birth_date: date | None = None
    documents: list[str] = field(default_factory=list)  # numbers as typed
    phone: str = ""
    exclude_person_id: int | None = None  # the person being edited

    @property
    def year(self) -> int | None:
        return self.birth_date.year if self.birth_date is not None else self.birth_year


@dataclass(frozen=True)
class DuplicateCandidate:
    person_id: int
    case_id: int | None  # latest case of that person
    case_number: str
    display_name: str
    display_name_ar: str
    birth_year: int | None
    nationality: str
    score: float  # 0..1
    reasons: tuple[str, ...]  # i18n keys


def birth_closeness(probe_date: date | None, probe_year: int | None, date_: date | None, year: int | None) -> float:
    """0..1: same date 1; with both dates by days apart (a month 0.85, about a year 0.65, two 0.4);
    with a year only 0.8 / 0.6 / 0.35 for 0 / 1 / 2 years apart; 0.5 when either is unknown."""
    if probe_date is not None and date_ is not None:
        days = abs((probe_date - date_).days)
        for limit, value in ((0, 1.0), (31, 0.85), (400, 0.65), (800, 0.4)):
            if days <= limit:
                return value
        return 0.0
    if probe_year is None or year is None:
        return 0.5
    return {0: 0.8, 1: 0.6, 2: 0.35}.get(abs(probe_year - year), 0.0)


def _same_phone(a: str, b: str) -> bool:
    if len(a) < MIN_PHONE_DIGITS or len(b) < MIN_PHONE_DIGITS:
        return False
    return a[-9:] == b[-9:]


_DOCUMENTS = select(IdentityDocument.person_id).where(
    IdentityDocument.number_key.in_(bindparam("keys", expanding=True))
)


def _by_document(session: Session, keys: set[str]) -> set[int]:
    if not keys:
        return set()
    return set(session.scalars(_DOCUMENTS, {"keys": sorted(keys)}))


def _by_phone(session: Session, phone: str) -> set[int]:
    """Persons whose case search text holds these digits (checked again on the person row)."""
    if len(phone) < MIN_PHONE_DIGITS:
        return set()
    case_ids = text("SELECT rowid FROM case_search WHERE case_search MATCH :q")
    query = select(Case.person_id).where(Case.id.in_(case_ids.bindparams(q=f'"{phone}"')))
    return set(session.scalars(query))


# The name step reads (id, name_key) for thousands of persons: only from an index, never
# from table pages, and through the DBAPI cursor (plain tuples, no result objects).
# With an index on (birth_year, name_key) the birth window is one short range scan;
# without it, the (name_key) index is scanned whole and filtered on the window.
WINDOW_INDEX = "ix_person_birth_year_name_key"
_WINDOW_SQL = "SELECT id, name_key FROM person WHERE birth_year BETWEEN ? AND ? OR birth_year IS NULL"
_WINDOW_SQL_SCAN = (
    "SELECT id, name_key FROM person INDEXED BY ix_person_name_key "
    "WHERE id IN (SELECT id FROM person WHERE birth_year BETWEEN ? AND ? OR birth_year IS NULL)"
)
_TOKENS_SQL = "SELECT id, name_key FROM person INDEXED BY ix_person_name_key WHERE {}"
MAX_FILTER_TOKENS = 6


def _token_filter(key: str) -> tuple[str, list[str]]:
    """Keys holding one of the probe's skeleton words (single letters as whole words only)."""
    clauses, params = [], []
    for token in sorted(key.split(), key=len, reverse=True)[:MAX_FILTER_TOKENS]:
        if len(token) >= 2:
            clauses.append("instr(name_key, ?) > 0")
            params.append(token)
        else:
            clauses.append("instr(' ' || name_key || ' ', ?) > 0")
            params.append(f" {token} ")
    return " OR ".join(clauses), params


_window_index: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def _has_window_index(handle: OfficeHandle, session: Session) -> bool:
    """Whether the schema has the (birth_year, name_key) index; asked once per unlocked office."""
    known = _window_index.get(handle.engine)
    if known is None:
        query = text("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :name")
        known = _window_index[handle.engine] = session.execute(query, {"name": WINDOW_INDEX}).first() is not None
    return known


def _by_name(session: Session, key: str, year: int | None, exclude: int | None, window_index: bool) -> list[int]:
    """Best name keys among persons born within the window (birth year known), or among
    everyone sharing a skeleton word with the probe (birth year not typed yet)."""
    if year is not None:
        sql = _WINDOW_SQL if window_index else _WINDOW_SQL_SCAN
        params: list[object] = [year - BIRTH_WINDOW, year + BIRTH_WINDOW]
    else:
        where, tokens = _token_filter(key)
        sql, params = _TOKENS_SQL.format(where), list(tokens)
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    ids = [row[0] for row in rows if row[1] and row[0] != exclude]
    keys = [row[1] for row in rows if row[1] and row[0] != exclude]
    found = process.extract(key, keys, scorer=fuzz.token_set_ratio, limit=PRESELECT, score_cutoff=PRESELECT_CUTOFF)
    return [ids[index] for _key, _score, index in found]


_CASES = (
    select(Case.person_id, Case.id, Case.number)
    .where(Case.person_id.in_(bindparam("ids", expanding=True)))
    .order_by(Case.person_id, Case.opened_on, Case.id)
)


def _latest_cases(session: Session, person_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    latest: dict[int, tuple[int, str]] = {}
    for person_id, case_id, number in session.execute(_CASES, {"ids": sorted(person_ids)}):
        latest[person_id] = (case_id, number)
    return latest


@dataclass(frozen=True)
class _Row:
    id: int
    family_name: str
    given_name: str
    family_name_ar: str
    given_name_ar: str
    birth_date: date | None
    birth_year: int | None
    nationality: str
    phone: str


_ROWS = select(
    Person.id,
    Person.family_name,
    Person.given_name,
    Person.family_name_ar,
    Person.given_name_ar,
    Person.birth_date,
    Person.birth_year,
    Person.nationality,
    Person.phone,
).where(Person.id.in_(bindparam("ids", expanding=True)))


def _rows(session: Session, person_ids: set[int]) -> list[_Row]:
    return [_Row(*row) for row in session.execute(_ROWS, {"ids": sorted(person_ids)})]


def _score(probe: DuplicateProbe, person: _Row, phone: str, doc_hit: bool) -> tuple[float, tuple[str, ...]]:
    parts = NameParts(person.family_name, person.given_name, person.family_name_ar, person.given_name_ar)
    name = names.similarity(probe.parts, parts) if not probe.parts.is_empty else 0.0
    birth = birth_closeness(probe.birth_date, probe.year, person.birth_date, person.birth_year)
    score = NAME_WEIGHT * name + BIRTH_WEIGHT * birth
    reasons: list[str] = []
    if doc_hit:
        score = max(score, 0.95 + 0.05 * name)
        reasons.append(REASON_DOCUMENT)
    if name >= SIMILAR_NAME:
        reasons.append(REASON_NAME)
    if birth >= 0.6:
        reasons.append(REASON_BIRTH)
    if _same_phone(phone, names.phone_key(person.phone)):
        score += PHONE_BONUS
        reasons.append(REASON_PHONE)
    return min(1.0, score), tuple(reasons)


def find_duplicates(handle: OfficeHandle, probe: DuplicateProbe, limit: int = 8) -> list[DuplicateCandidate]:
    """Existing persons who are likely the probe, best first (at most ``limit``)."""
    key = names.parts_key(probe.parts)
    doc_keys = {k for k in (names.document_key(d) for d in probe.documents) if len(k) >= MIN_DOCUMENT_KEY}
    phone = names.phone_key(probe.phone)
    if not key and not doc_keys and len(phone) < MIN_PHONE_DIGITS:
        return []
    with handle.transaction() as session:
        doc_hits = _by_document(session, doc_keys)
        pool = set(doc_hits) | _by_phone(session, phone)
        if key:
            window_index = _has_window_index(handle, session)
            pool.update(_by_name(session, key, probe.year, probe.exclude_person_id, window_index))
        if probe.exclude_person_id is not None:
            pool.discard(probe.exclude_person_id)
        if not pool:
            return []
        scored: list[tuple[float, tuple[str, ...], _Row]] = []
        for person in _rows(session, pool):
            score, reasons = _score(probe, person, phone, person.id in doc_hits)
            if score >= THRESHOLD:
                scored.append((score, reasons, person))
        if not scored:
            return []
        scored.sort(key=lambda item: (-item[0], item[2].id))
        scored = scored[:limit]
        cases = _latest_cases(session, (p.id for _s, _r, p in scored))
        result = []
        for score, reasons, person in scored:
            case_id, case_number = cases.get(person.id, (None, ""))
            result.append(
                DuplicateCandidate(
                    person_id=person.id,
                    case_id=case_id,
                    case_number=case_number,
                    display_name=" ".join(p for p in (person.family_name, person.given_name) if p),
                    display_name_ar=" ".join(p for p in (person.family_name_ar, person.given_name_ar) if p),
                    birth_year=person.birth_year,
                    nationality=person.nationality,
                    score=round(score, 3),
                    reasons=reasons,
                )
            )
        return result
