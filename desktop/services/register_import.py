"""Importing an existing register: read, check every line, show duplicates, then all or nothing.

Two steps, as at the counter: :func:`preview_import` reads the file and reports every
problem (line, column, why) and every line that looks like a person already known
(or like an earlier line of the same file); nothing is written. :func:`import_register`
then writes the lines the officer accepted in one transaction — a problem, a full disk
or a crash leaves the office exactly as it was.

Each line becomes a person (or a new case of a person already known, when the officer
links it), a case opened on ``date_premier_accueil`` with the processing consent, and
a first contact holding ``besoins`` and ``notes`` when either is given.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select

from desktop.db.models import AuditEntry, Case
from desktop.domain import names
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.errors import InputRejected
from desktop.domain.users import Role
from desktop.services import cases, duplicates, office
from desktop.services.case_types import ContactInput, DocumentInput, PersonInput
from desktop.services.duplicates import DuplicateCandidate, DuplicateProbe
from desktop.services.office import OfficeHandle
from desktop.services.register_file import RegisterTable, read_register
from desktop.services.register_values import (
    BadValue,
    Cell,
    age_of,
    code_of,
    codes_of,
    commune_of,
    date_of,
    nationality_of,
    phone_of,
    text_of,
)
from desktop.services.validation import check_person

NEW = "new"
SKIP = "skip"
LINK = "link"
MAX_NOTE = 2000
AUDIT_TAG = "register"

Progress = Callable[[int, int], None]
T = TypeVar("T")

# PersonInput field (as check_person names it) -> template column.
FIELD_COLUMNS = {
    "family_name": "nom",
    "given_name": "prenom",
    "family_name_ar": "nom_ar",
    "given_name_ar": "prenom_ar",
    "sex": "sexe",
    "birth_date": "date_naissance",
    "estimated_age": "age",
    "nationality": "nationalite",
    "category": "categorie",
    "languages": "langues",
    "phone": "telephone",
    "commune_code": "commune",
    "legal_status": "statut_administratif",
    "arrival_date": "date_arrivee",
}


@dataclass(frozen=True)
class ImportProblem:
    line: int  # the file's line (Excel row); 0 = the whole file
    column: str  # the header as written in the file; "" = the whole line
    key: str  # i18n message key
    params: dict[str, str | int] = field(default_factory=dict)


@dataclass
class ImportLine:
    line: int
    person: PersonInput
    opened_on: date
    needs: list[str]
    note: str
    duplicates: list[DuplicateCandidate] = field(default_factory=list)  # persons already known
    same_as_line: int | None = None  # an earlier line of the file that looks like the same person

    @property
    def needs_decision(self) -> bool:
        return bool(self.duplicates) or self.same_as_line is not None

    @property
    def display_name(self) -> str:
        p = self.person
        latin = " ".join(part for part in (p.family_name, p.given_name) if part)
        return latin or " ".join(part for part in (p.family_name_ar, p.given_name_ar) if part)


@dataclass
class ImportPreview:
    sha256: str
    lines: list[ImportLine]
    problems: list[ImportProblem]
    ignored_columns: list[str]
    imported_before: datetime | None  # this very file was imported then
    today: date  # the day the file was read: ages and year-only births count from it

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def to_decide(self) -> list[ImportLine]:
        return [line for line in self.lines if line.needs_decision]


@dataclass(frozen=True)
class LineDecision:
    action: str  # NEW | SKIP | LINK
    person_id: int | None = None  # LINK: a person already known
    line: int | None = None  # LINK: the person of an earlier line of the file


@dataclass
class ImportResult:
    new_persons: int
    linked: int
    skipped: int
    case_ids: list[int]


# -- preview -----------------------------------------------------------------------------
def preview_import(
    handle: OfficeHandle, path: Path, today: date | None = None, progress: Progress | None = None
) -> ImportPreview:
    """Every problem and every likely duplicate of the register in ``path``; writes nothing.

    ``progress(done, total)`` follows the duplicate search (``done`` = 0 once the lines are
    checked); an exception raised from it stops the preview.
    """
    handle.require(Role.SUPERVISOR)
    today = today or date.today()
    table = read_register(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    province = _office_province(handle)
    lines: list[ImportLine] = []
    problems: list[ImportProblem] = []
    for number, cells in table.lines:
        parsed, found = _parse_line(table, number, cells, province, today)
        problems += found
        if parsed is not None:
            lines.append(parsed)
    _mark_same_lines(lines, today)
    if progress is not None:
        progress(0, len(lines))
    for done, line in enumerate(lines, 1):
        line.duplicates = duplicates.find_duplicates(handle, _probe(line.person, today), limit=5)
        if progress is not None:
            progress(done, len(lines))
    return ImportPreview(digest, lines, problems, table.ignored, _imported_before(handle, digest), today)


def _office_province(handle: OfficeHandle) -> str:
    from desktop.domain.geography import geography

    try:
        return geography().commune(office.office_info(handle).commune_code).province_code
    except KeyError:
        return ""


def _imported_before(handle: OfficeHandle, digest: str) -> datetime | None:
    with handle.transaction() as session:
        return session.scalar(
            select(AuditEntry.at)
            .where(AuditEntry.action == AuditAction.IMPORTED, AuditEntry.detail.like(f"{AUDIT_TAG} {digest[:16]}%"))
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )


def _probe(person: PersonInput, today: date) -> DuplicateProbe:
    year = person.birth_date.year if person.birth_date else None
    if year is None and person.estimated_age is not None:
        year = today.year - person.estimated_age
    return DuplicateProbe(
        parts=names.NameParts(person.family_name, person.given_name, person.family_name_ar, person.given_name_ar),
        birth_year=year,
        birth_date=person.birth_date,
        documents=[d.number for d in person.documents],
        phone=person.phone,
    )


def _mark_same_lines(lines: list[ImportLine], today: date) -> None:
    """An earlier line with the same document, or the same name key and birth year (± 1)."""
    by_document: dict[str, int] = {}
    by_name: dict[str, list[tuple[int | None, int]]] = {}
    for line in lines:
        p = line.person
        year = p.birth_date.year if p.birth_date else (today.year - p.estimated_age if p.estimated_age else None)
        for doc in p.documents:
            key = names.document_key(doc.number)
            if key in by_document and line.same_as_line is None:
                line.same_as_line = by_document[key]
            by_document.setdefault(key, line.line)
        key = names.name_key(p.family_name, p.given_name, p.family_name_ar, p.given_name_ar)
        if line.same_as_line is None:
            for other_year, other_line in by_name.get(key, []):
                if year is None or other_year is None or abs(year - other_year) <= 1:
                    line.same_as_line = other_line
                    break
        by_name.setdefault(key, []).append((year, line.line))


# -- one line ----------------------------------------------------------------------------
class _Line:
    """Reads the cells of one line, collecting problems instead of stopping at the first."""

    def __init__(self, table: RegisterTable, number: int, cells: list[Cell]) -> None:
        self.table = table
        self.number = number
        self.cells = cells
        self.problems: list[ImportProblem] = []

    def header(self, column: str) -> str:
        return self.table.headers.get(column, column)

    def raw(self, column: str) -> Cell:
        index = self.table.columns.get(column)
        if index is None:
            return None
        if (self.number, index) in self.table.formula_cells:
            ref = self.table.formula_cells[(self.number, index)]
            self.problem(column, "import.formula_not_computed", cell=ref)
            return None
        if (self.number, index) in self.table.error_cells:
            self.problem(column, "import.excel_error", value=self.table.error_cells[(self.number, index)])
            return None
        return self.table.cell(self.cells, column)

    def problem(self, column: str, key: str, **params: str | int) -> None:
        self.problems.append(ImportProblem(self.number, self.header(column) if column else "", key, params))

    def has_problem(self, column: str) -> bool:
        return any(p.column == self.header(column) for p in self.problems)

    def read(self, column: str, reader: Callable[[Cell], T], empty: T) -> T:
        try:
            return reader(self.raw(column))
        except BadValue as bad:
            self.problems.append(ImportProblem(self.number, self.header(column), bad.key, dict(bad.params)))
            return empty

    def text(self, column: str) -> str:
        return text_of(self.raw(column))


def _parse_line(
    table: RegisterTable, number: int, cells: list[Cell], province: str, today: date
) -> tuple[ImportLine | None, list[ImportProblem]]:
    row = _Line(table, number, cells)
    born = row.read("date_naissance", lambda c: date_of(c, year_alone=True), None)
    age = row.read("age", age_of, None)
    if isinstance(born, int):  # a year alone: an estimated age
        age, born = (today.year - born if age is None else age), None
    kind = row.read("type_document", lambda c: code_of("document_type", c, "import.document_type_unknown"), "")
    number_text = row.text("numero_document")
    documents: list[DocumentInput] = []
    if number_text and not kind:
        if "type_document" in table.columns and not row.has_problem("type_document"):
            row.problem("type_document", "import.document_type_missing")
        kind = kind or "other"
    if kind and not number_text:
        row.problem("numero_document", "import.document_number_missing")
    if number_text:
        documents.append(DocumentInput(kind, number_text))
    no_languages: list[str] = []
    person = PersonInput(
        family_name=row.text("nom"),
        given_name=row.text("prenom"),
        family_name_ar=row.text("nom_ar"),
        given_name_ar=row.text("prenom_ar"),
        sex=row.read("sexe", lambda c: code_of("sex", c, "import.sex_unknown"), ""),
        birth_date=born if isinstance(born, date) else None,
        estimated_age=age,
        nationality=row.read("nationalite", nationality_of, ""),
        category=row.read("categorie", lambda c: code_of("category", c, "import.category_unknown"), ""),
        languages=row.read("langues", lambda c: codes_of("language", c, "import.language_unknown"), no_languages),
        phone=row.read("telephone", phone_of, ""),
        commune_code=row.read("commune", lambda c: commune_of(c, province), ""),
        douar=row.text("adresse"),
        legal_status=row.read(
            "statut_administratif", lambda c: code_of("legal_status", c, "import.legal_status_unknown"), ""
        )
        or "unknown",
        arrival_date=_plain_date(row, "date_arrivee"),
        documents=documents,
    )
    opened_on = _plain_date(row, "date_premier_accueil")
    if opened_on is None and not row.has_problem("date_premier_accueil"):
        row.problem("date_premier_accueil", "import.opened_missing")
    elif opened_on is not None and opened_on > today:
        row.problem("date_premier_accueil", "import.date_future")
    elif opened_on is not None and person.birth_date is not None and opened_on < person.birth_date:
        row.problem("date_premier_accueil", "import.opened_before_birth")
    no_needs: list[str] = []
    needs = row.read("besoins", lambda c: codes_of("domain", c, "import.need_unknown"), no_needs)
    note = row.text("notes")
    if len(note) > MAX_NOTE:
        row.problem("notes", "import.note_too_long", limit=MAX_NOTE)
    already = {p.column for p in row.problems}
    for error in check_person(person, today):
        column = _column_of(error.field, table)
        if row.header(column) not in already:  # one problem per cell is enough
            row.problem(column, error.key, **error.params)
            already.add(row.header(column))
    if row.problems or opened_on is None:
        order = {table.headers.get(c, c): i for c, i in table.columns.items()}
        return None, sorted(row.problems, key=lambda p: order.get(p.column, -1))
    return ImportLine(number, person, opened_on, needs, note), []


def _plain_date(row: _Line, column: str) -> date | None:
    value = row.read(column, date_of, None)
    return value if isinstance(value, date) else None


def _column_of(field_name: str, table: RegisterTable) -> str:
    if field_name.startswith("documents."):
        return "type_document" if field_name.endswith(".kind") else "numero_document"
    column = FIELD_COLUMNS.get(field_name, "")
    if column == "date_naissance" and "date_naissance" not in table.columns:
        return "age"
    if column == "nom" and "nom" not in table.columns:
        return next((c for c in ("prenom", "nom_ar", "prenom_ar") if c in table.columns), "")
    return column


# -- import ------------------------------------------------------------------------------
def import_register(
    handle: OfficeHandle,
    preview: ImportPreview,
    decisions: Mapping[int, LineDecision] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Write the previewed lines in one transaction; every duplicate must have a decision.

    An exception raised from ``progress`` rolls the whole import back.
    """
    handle.require(Role.SUPERVISOR)
    decisions = dict(decisions or {})
    if not preview.ok:
        raise InputRejected("import.has_problems", count=len(preview.problems))
    undecided = [line.line for line in preview.to_decide if line.line not in decisions]
    if undecided:
        raise InputRejected("import.duplicates_undecided", count=len(undecided))
    today = preview.today
    tag = f"{AUDIT_TAG} {preview.sha256[:16]}"
    person_of_line: dict[int, int] = {}
    result = ImportResult(0, 0, 0, [])
    with handle.transaction() as session:
        for done, line in enumerate(preview.lines, 1):
            decision = decisions.get(line.line, LineDecision(NEW))
            if decision.action == SKIP:
                result.skipped += 1
                if progress is not None:
                    progress(done, len(preview.lines))
                continue
            existing = _link_target(decision, person_of_line) if decision.action == LINK else None
            person_id, case_id = cases.register_in(
                session,
                handle,
                line.person,
                line.opened_on,
                ("processing",),
                existing,
                today,
                audit_detail=tag,
                keep_identity=True,
            )
            if line.needs or line.note:
                contact = ContactInput(line.opened_on, "accueil", needs=line.needs, note=line.note)
                case = session.get(Case, case_id)
                assert case is not None
                cases.add_contact_in(session, handle, case, contact)
            person_of_line[line.line] = person_id
            result.case_ids.append(case_id)
            if existing is None:
                result.new_persons += 1
            else:
                result.linked += 1
            if progress is not None:
                progress(done, len(preview.lines))
        counts = f"{result.new_persons} new, {result.linked} linked, {result.skipped} skipped"
        detail = f"{tag}: {len(preview.lines)} lines, {counts}"
        handle.audit(session, AuditAction.IMPORTED, RecordType.DATABASE, "", detail)
    return result


def _link_target(decision: LineDecision, person_of_line: dict[int, int]) -> int:
    if decision.person_id is not None:
        return decision.person_id
    if decision.line is not None and decision.line in person_of_line:
        return person_of_line[decision.line]
    raise InputRejected("import.link_target_missing", line=decision.line or 0)


def default_decisions(preview: ImportPreview, action: str) -> dict[int, LineDecision]:
    """One answer for every line to decide (the command line's ``--duplicates``).

    ``link``: to the best person already known, else to the earlier line of the file.
    """
    decisions: dict[int, LineDecision] = {}
    for line in preview.to_decide:
        if action == LINK and line.duplicates:
            decisions[line.line] = LineDecision(LINK, person_id=line.duplicates[0].person_id)
        elif action == LINK and line.same_as_line is not None:
            decisions[line.line] = LineDecision(LINK, line=line.same_as_line)
        else:
            decisions[line.line] = LineDecision(action)
    return decisions
