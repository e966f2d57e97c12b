"""The directory exchange file: its columns, how a provider is written, how a line is read.

Two shapes (docs/annuaire-echange.md):

- **.xlsx**: sheet « Annuaire », one line per provider; sheet « Services », one line per
  service, tied to its provider by ``structure_uid`` (or, in a file made by hand, by the
  provider's French name in ``structure``).
- **.csv**: UTF-8 with BOM, ``;``, one line per provider; its services as a JSON list in the
  last column ``services`` (``[{"domaine": "housing", "nom": "…"}]``).

Codes are the application's (``housing``, ``associative``…); on reading, the labels of the
three languages are accepted too. Any text a spreadsheet could take for a formula (first
character ``= + - @``, tab, CR, LF — and ``'`` itself, so that the rule can be undone
exactly) is written behind an apostrophe; reading removes an apostrophe only in front of
one of those characters, so "+212 600 000 000" comes back as it was written.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypeVar

from desktop.domain.errors import InputRejected
from desktop.services.directory import EMAIL, HOURS, join
from desktop.services.referral_types import ProviderInput, ServiceInput
from desktop.services.register_file import Grid, SheetRows, header_row
from desktop.services.register_values import (
    BadValue,
    Cell,
    code_of,
    codes_of,
    commune_of,
    date_of,
    fold,
    phone_of,
    text_of,
)

PROVIDER_SHEET = "Annuaire"
SERVICE_SHEET = "Services"
SERVICES_COLUMN = "services"  # CSV only: the services of the line, as JSON
DAY_COLUMNS: dict[str, str] = {
    "mon": "horaires_lun",
    "tue": "horaires_mar",
    "wed": "horaires_mer",
    "thu": "horaires_jeu",
    "fri": "horaires_ven",
    "sat": "horaires_sam",
    "sun": "horaires_dim",
}
PROVIDER_COLUMNS: tuple[str, ...] = (
    "uid",
    "nom",
    "nom_ar",
    "type",
    "domaines",
    "adresse",
    "commune",
    "couverture",
    "point_focal",
    "telephone",
    "email",
    *DAY_COLUMNS.values(),
    "langues",
    "cout",
    "documents_requis",
    "publics",
    "notes",
    "verifie_le",
    "actif",
)
SERVICE_COLUMNS: tuple[str, ...] = (
    "structure_uid",
    "structure",
    "nom",
    "nom_ar",
    "domaine",
    "conditions",
    "contact",
    "actif",
)
# Other spellings of the headers, for files made by hand (compared folded).
PROVIDER_ALIASES: dict[str, tuple[str, ...]] = {
    "nom": ("nom fr", "nom francais", "nom en francais", "nom de la structure"),
    "nom_ar": ("nom arabe", "nom en arabe"),
    "type": ("type de structure",),
    "domaines": ("domaine", "domaines d intervention"),
    "commune": ("code commune",),
    "point_focal": ("personne de contact",),
    "telephone": ("tel", "gsm"),
    "email": ("e mail", "mail", "courriel"),
    "langues": ("langue",),
    "cout": ("tarif",),
    "publics": ("public",),
    "verifie_le": ("date de verification", "derniere verification"),
}
SERVICE_ALIASES: dict[str, tuple[str, ...]] = {"nom": ("service",), "structure_uid": ("uid",)}

FORMULA_START = frozenset("=+-@\t\r\n")
YES, NO = "oui", "non"
_YES_WORDS = frozenset({"oui", "o", "vrai", "yes", "y", "true", "1", "actif", "active", "نعم"})
_NO_WORDS = frozenset({"non", "n", "faux", "no", "false", "0", "inactif", "inactive", "لا"})
UID_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")
UID_LENGTH = 36  # Provider.uid
T = TypeVar("T")


# -- cells -------------------------------------------------------------------------------
def neutralise(text: str) -> str:
    """``text`` as a cell no spreadsheet runs as a formula."""
    return "'" + text if text[:1] in FORMULA_START or text[:1] == "'" else text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given (other texts unchanged)."""
    follows = text[1:2]
    return text[1:] if text[:1] == "'" and follows and (follows in FORMULA_START or follows == "'") else text


def yes_no(cell: Cell) -> bool:
    """``oui``/``non`` (and the usual spellings); an empty cell is ``oui``."""
    text = fold(text_of(cell))
    if not text:
        return True
    if text in _YES_WORDS:
        return True
    if text in _NO_WORDS:
        return False
    raise BadValue("directory.import.active_invalid", value=text_of(cell)[:30])


def provider_cells(d: ProviderInput) -> dict[str, str | date | None]:
    """A provider as the values of its columns (codes joined by ``|``)."""
    return {
        "uid": d.uid,
        "nom": d.name_fr,
        "nom_ar": d.name_ar,
        "type": d.kind,
        "domaines": join(d.domains),
        "adresse": d.address,
        "commune": d.commune_code,
        "couverture": d.coverage,
        "point_focal": d.focal_point,
        "telephone": d.phone,
        "email": d.email,
        **{column: d.hours.get(day, "") for day, column in DAY_COLUMNS.items()},
        "langues": join(d.languages),
        "cout": d.cost,
        "documents_requis": d.documents_required,
        "publics": join(d.publics),
        "notes": d.notes,
        "verifie_le": d.verified_on,
        "actif": YES if d.active else NO,
    }


def service_cells(s: ServiceInput) -> dict[str, str]:
    return {
        "nom": s.name_fr,
        "nom_ar": s.name_ar,
        "domaine": s.domain,
        "conditions": s.conditions,
        "contact": s.contact,
        "actif": YES if s.active else NO,
    }


def services_json(services: Iterable[ServiceInput]) -> str:
    """The CSV ``services`` cell: empty fields and ``actif: oui`` left out."""
    found = []
    for s in services:
        cells = service_cells(s)
        found.append({k: v for k, v in cells.items() if v and not (k == "actif" and v == YES)})
    return json.dumps(found, ensure_ascii=False) if found else ""


# -- writing -----------------------------------------------------------------------------
def csv_bytes(providers: list[ProviderInput]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([*PROVIDER_COLUMNS, SERVICES_COLUMN])
    for d in providers:
        cells = provider_cells(d)
        row = [_csv_text(cells[column]) for column in PROVIDER_COLUMNS]
        writer.writerow([*row, neutralise(services_json(d.services))])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def _csv_text(value: str | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def xlsx_bytes(providers: list[ProviderInput]) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    def value(v: str | date | None) -> str | date | None:
        if isinstance(v, str):
            return neutralise(ILLEGAL_CHARACTERS_RE.sub("", v)) if v else None
        return v

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = PROVIDER_SHEET
    services = book.create_sheet(SERVICE_SHEET)
    sheet.append(list(PROVIDER_COLUMNS))
    services.append(list(SERVICE_COLUMNS))
    verified = PROVIDER_COLUMNS.index("verifie_le") + 1
    for d in providers:
        cells = provider_cells(d)
        sheet.append([value(cells[column]) for column in PROVIDER_COLUMNS])
        sheet.cell(sheet.max_row, verified).number_format = "yyyy-mm-dd"
        for s in d.services:
            row = {"structure_uid": d.uid, "structure": d.name_fr or d.name_ar, **service_cells(s)}
            services.append([value(row[column]) for column in SERVICE_COLUMNS])
    for ws, columns in ((sheet, PROVIDER_COLUMNS), (services, SERVICE_COLUMNS)):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for i, column in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = 34 if column in ("nom", "structure", "notes") else 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- reading -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DirectoryProblem:
    line: int  # the file's line (Excel row, CSV physical line); 0 = the whole file
    column: str  # the header as written in the file; "" = the whole line
    key: str  # i18n message key
    params: dict[str, str | int] = field(default_factory=dict)
    sheet: str = ""  # "Services" for the services sheet of a workbook


@dataclass
class Table:
    """One sheet: which column is where, the headers as written, the lines below the header."""

    sheet: str
    columns: dict[str, int]
    headers: dict[str, str]
    lines: Grid
    ignored: list[str]
    rows: SheetRows

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


def _names(columns: Iterable[str], aliases: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    names = {fold(column): column for column in columns}
    for column, spellings in aliases.items():
        for spelling in spellings:
            names.setdefault(fold(spelling), column)
    return names


PROVIDER_NAMES = _names((*PROVIDER_COLUMNS, SERVICES_COLUMN), PROVIDER_ALIASES)
SERVICE_NAMES = _names(SERVICE_COLUMNS, SERVICE_ALIASES)


def table(rows: SheetRows, sheet: str, names: Mapping[str, str], required: tuple[tuple[str, ...], ...]) -> Table:
    """The header found among the first lines; each group of ``required`` needs one of its columns."""
    lines = [(n, cells) for n, cells in rows.rows if any(c is not None for c in cells)]
    if not lines:
        raise InputRejected("directory.import.empty")
    at = header_row(lines, names, "directory.import.no_header")
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(lines[at][1]):
        if cell is None:
            continue
        written = str(cell).strip()
        column = names.get(fold(written))
        if column is None:
            ignored.append(written)
        elif column in columns:
            raise InputRejected("directory.import.column_twice", column=written)
        else:
            columns[column] = index
            headers[column] = written
    missing = [" / ".join(group) for group in required if not any(c in columns for c in group)]
    if missing:
        raise InputRejected("directory.import.columns_missing", columns=", ".join(missing))
    return Table(sheet, columns, headers, lines[at + 1 :], ignored, rows)


class Line:
    """The cells of one line, read column by column; problems collected, not raised."""

    def __init__(self, table: Table, number: int, cells: list[Cell]) -> None:
        self.table = table
        self.number = number
        self.cells = cells
        self.problems: list[DirectoryProblem] = []

    def has(self, column: str) -> bool:
        return column in self.table.columns

    def raw(self, column: str) -> Cell:
        index = self.table.columns.get(column)
        if index is None or index >= len(self.cells):
            return None
        if (self.number, index) in self.table.rows.formula_cells:
            self.problem(
                column, "import.formula_not_computed", cell=self.table.rows.formula_cells[(self.number, index)]
            )
            return None
        if (self.number, index) in self.table.rows.error_cells:
            self.problem(column, "import.excel_error", value=self.table.rows.error_cells[(self.number, index)])
            return None
        cell = self.cells[index]
        return restore(cell) if isinstance(cell, str) else cell

    def problem(self, column: str, key: str, **params: str | int) -> None:
        header = self.table.header(column) if column else ""
        if not any(p.column == header for p in self.problems):  # one problem per cell is enough
            self.problems.append(DirectoryProblem(self.number, header, key, params, self.table.sheet))

    def has_problem(self, column: str) -> bool:
        return any(p.column == self.table.header(column) for p in self.problems)

    def read(self, column: str, reader: Callable[[Cell], T], fallback: T) -> T:
        try:
            return reader(self.raw(column))
        except BadValue as bad:
            self.problem(column, bad.key, **bad.params)
            return fallback

    def text(self, column: str) -> str:
        return text_of(self.raw(column))


def _checked(pattern_ok: Callable[[str], bool], key: str) -> Callable[[Cell], str]:
    def reader(cell: Cell) -> str:
        text = text_of(cell)
        if text and not pattern_ok(text):
            raise BadValue(key, value=text[:30])
        return text

    return reader


def _uid(cell: Cell) -> str:
    text = text_of(cell)
    if len(text) > UID_LENGTH or any(ch not in UID_CHARACTERS for ch in text):
        raise BadValue("directory.import.uid_invalid", value=text[:40])
    return text


def _verified(today: date) -> Callable[[Cell], date | None]:
    def reader(cell: Cell) -> date | None:
        found = date_of(cell)
        if isinstance(found, int):  # only with year_alone
            raise BadValue("import.date_invalid", value=str(found))
        if found is not None and found > today:
            raise BadValue("import.date_future")
        return found

    return reader


# column -> ProviderInput attribute (the hours columns: one day of ``hours`` each)
FIELD_OF: dict[str, str] = {
    "nom": "name_fr",
    "nom_ar": "name_ar",
    "type": "kind",
    "domaines": "domains",
    "adresse": "address",
    "commune": "commune_code",
    "couverture": "coverage",
    "point_focal": "focal_point",
    "telephone": "phone",
    "email": "email",
    "langues": "languages",
    "cout": "cost",
    "documents_requis": "documents_required",
    "publics": "publics",
    "notes": "notes",
    "verifie_le": "verified_on",
    "actif": "active",
}


def read_provider(line: Line, province: str, today: date) -> ProviderInput:
    """The provider a line describes (the defaults of a new provider where a column is absent)."""

    def code(codelist: str, key: str) -> Callable[[Cell], str]:
        return lambda c: code_of(codelist, c, key)

    def codes(codelist: str, key: str) -> Callable[[Cell], list[str]]:
        return lambda c: codes_of(codelist, c, key)

    hours: dict[str, str] = {}
    for day, column in DAY_COLUMNS.items():
        span = line.read(column, _checked(lambda t: bool(HOURS.match(t)), "directory.import.hours_invalid"), "")
        if span:
            hours[day] = span
    return ProviderInput(
        name_fr=line.text("nom"),
        name_ar=line.text("nom_ar"),
        kind=line.read("type", code("provider_kind", "directory.import.kind_unknown"), ""),
        domains=line.read("domaines", codes("service_domain", "directory.import.domain_unknown"), []),
        address=line.text("adresse"),
        commune_code=line.read("commune", lambda c: commune_of(c, province), ""),
        coverage=line.read("couverture", code("coverage", "directory.import.coverage_unknown"), "") or "commune",
        focal_point=line.text("point_focal"),
        phone=line.read("telephone", phone_of, ""),
        email=line.read("email", _checked(lambda t: bool(EMAIL.match(t)), "directory.import.email_invalid"), ""),
        hours=hours,
        languages=line.read("langues", codes("language", "directory.import.language_unknown"), []),
        cost=line.read("cout", code("cost", "directory.import.cost_unknown"), "") or "free",
        documents_required=line.text("documents_requis"),
        publics=line.read("publics", codes("public", "directory.import.public_unknown"), []),
        notes=line.text("notes"),
        verified_on=line.read("verifie_le", _verified(today), None),
        active=line.read("actif", yes_no, True),
    )


def overlay(base: ProviderInput, read: ProviderInput, line: Line) -> ProviderInput:
    """``base`` with the values of the columns the line's file has; the others as they were."""
    merged = replace(base, hours=dict(base.hours), services=list(base.services))
    for column, attribute in FIELD_OF.items():
        if line.has(column):
            setattr(merged, attribute, getattr(read, attribute))
    for day, column in DAY_COLUMNS.items():
        if line.has(column):
            if day in read.hours:
                merged.hours[day] = read.hours[day]
            else:
                merged.hours.pop(day, None)
    return merged


def read_uid(line: Line) -> str:
    return line.read("uid", _uid, "") if line.has("uid") else ""


def read_service(line: Line) -> ServiceInput | None:
    """One line of the services sheet; None when it has a problem."""
    service = ServiceInput(
        name_fr=line.text("nom"),
        name_ar=line.text("nom_ar"),
        domain=line.read("domaine", lambda c: code_of("service_domain", c, "directory.import.domain_unknown"), ""),
        conditions=line.text("conditions"),
        contact=line.text("contact"),
        active=line.read("actif", yes_no, True),
    )
    for column, key in _service_gaps(service):
        line.problem(column, key)
    return None if line.problems else service


def read_services_cell(line: Line) -> list[ServiceInput] | None:
    """The CSV ``services`` cell; None when it has a problem."""
    text = line.text(SERVICES_COLUMN)
    if not text:
        return []
    try:
        found = json.loads(text)
    except ValueError:
        found = None
    if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
        line.problem(SERVICES_COLUMN, "directory.import.services_invalid")
        return None
    services: list[ServiceInput] = []
    for item in found:
        values = {k: "" if v is None else str(v).strip() for k, v in item.items()}
        try:
            service = ServiceInput(
                name_fr=values.get("nom", ""),
                name_ar=values.get("nom_ar", ""),
                domain=code_of("service_domain", values.get("domaine", ""), "directory.import.domain_unknown"),
                conditions=values.get("conditions", ""),
                contact=values.get("contact", ""),
                active=yes_no(values.get("actif", "")),
            )
        except BadValue as bad:
            line.problem(SERVICES_COLUMN, bad.key, **bad.params)
            return None
        for _, key in _service_gaps(service):
            line.problem(SERVICES_COLUMN, key)
        services.append(service)
    return None if line.has_problem(SERVICES_COLUMN) else services


def _service_gaps(service: ServiceInput) -> list[tuple[str, str]]:
    """(column, message key) of what a service lacks."""
    gaps = []
    if not service.domain:
        gaps.append(("domaine", "directory.import.service_domain_missing"))
    if not service.name_fr and not service.name_ar:
        gaps.append(("nom", "directory.import.service_name_missing"))
    return gaps


def service_key(s: ServiceInput) -> tuple[str, str]:
    """Services of one provider match by domain and folded name (they have no uid)."""
    return s.domain, fold(s.name_fr) or fold(s.name_ar)
