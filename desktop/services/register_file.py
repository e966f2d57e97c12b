"""Opening an existing register (.xlsx or .csv) as a plain table: header, then lines.

CSV: UTF-8 with or without BOM (UTF-16 "Unicode text" from Excel too), ``,``, ``;``
or tab. Anything else — latin-1 / Windows-1252 from an old Excel — is refused with
how to save it again, never guessed (a wrong guess would silently damage names).

XLSX: the values Excel computed (formulas without a computed value are named
per cell), merged cells spread over their area (a title over the columns, a group
heading above them, a value merged down several lines), the header found among the
first lines. Line numbers are the file's own (Excel row numbers, CSV physical lines).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from desktop.domain.errors import InputRejected
from desktop.services.register_values import Cell, fold

MAX_BYTES = 40 * 1024 * 1024
MAX_LINES = 20_000
HEADER_SEARCH = 15  # the header is among the first lines
EXCEL_ERRORS = frozenset({"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"})

# Columns of the template, then the names offices use for them (folded).
COLUMNS: dict[str, tuple[str, ...]] = {
    "nom": ("nom de famille", "nom famille", "nom latin", "النسب", "الاسم العائلي"),
    "prenom": ("prenoms", "prenom latin", "الاسم الشخصي"),
    "nom_ar": ("nom arabe", "nom en arabe", "nom ar"),
    "prenom_ar": ("prenom arabe", "prenom en arabe", "prenom ar"),
    "sexe": ("genre", "الجنس"),
    "date_naissance": ("date de naissance", "ne le", "ne e le", "naissance", "تاريخ الازدياد"),
    "age": ("age estime", "العمر"),
    "nationalite": ("nationalite iso", "الجنسية"),
    "categorie": ("categorie de personne", "profil", "الفئة"),
    "date_premier_accueil": (
        "date accueil",
        "date d accueil",
        "date 1er accueil",
        "premier accueil",
        "date de premier accueil",
        "date ouverture",
    ),
    "telephone": ("tel", "gsm", "portable", "numero de telephone", "numero telephone", "الهاتف"),
    "type_document": ("type de document", "document", "piece d identite"),
    "numero_document": ("n document", "no document", "num document", "numero de document", "n piece"),
    "besoins": ("besoins exprimes", "الحاجيات"),
    "notes": ("note", "observations", "observation", "remarques", "commentaire", "commentaires", "ملاحظات"),
    "langues": ("langue", "langues parlees"),
    "commune": ("commune de residence",),
    "adresse": ("douar", "quartier", "douar quartier", "douar ou quartier"),
    "statut_administratif": ("statut", "statut juridique", "situation administrative"),
    "date_arrivee": ("date d arrivee", "date de retour", "date retour", "date arrivee au maroc"),
}
NAME_COLUMNS = ("nom", "prenom", "nom_ar", "prenom_ar")


def _header_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for column, aliases in COLUMNS.items():
        names[fold(column)] = column
        for alias in aliases:
            names.setdefault(fold(alias), column)
    return names


HEADER_NAMES = _header_names()


@dataclass
class RegisterTable:
    """Columns found (template name -> index), what each header says in the file, the lines."""

    columns: dict[str, int]
    headers: dict[str, str]  # template name -> the header as written
    lines: list[tuple[int, list[Cell]]]  # (line number in the file, cells)
    ignored: list[str] = field(default_factory=list)  # headers that are not template columns
    formula_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (line, col) -> cell ref
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (line, col) -> "#N/A"…

    def cell(self, cells: list[Cell], column: str) -> Cell:
        index = self.columns.get(column)
        if index is None or index >= len(cells):
            return None
        return cells[index]


def read_register(path: Path) -> RegisterTable:
    """The register in ``path``; a file that cannot be read as one is refused whole."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError:
        raise InputRejected("import.file_unreadable") from None
    if size > MAX_BYTES:
        raise InputRejected("import.file_too_big", megabytes=MAX_BYTES // (1024 * 1024))
    if suffix in (".xls", ".ods", ".xlsb"):
        raise InputRejected("import.format_old", suffix=suffix)
    if suffix in (".xlsx", ".xlsm"):
        return _table(*_read_xlsx(path))
    if suffix in (".csv", ".txt"):
        try:
            data = path.read_bytes()
        except OSError:
            raise InputRejected("import.file_unreadable") from None
        return _table(_read_csv(data), {}, {})
    raise InputRejected("import.format_unknown", suffix=suffix or "?")


# -- CSV ---------------------------------------------------------------------------------
def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputRejected("import.not_utf8", line=line) from None


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> list[tuple[int, list[Cell]]]:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputRejected("import.format_unknown", suffix=".csv")
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[Cell]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, [c.strip() or None for c in cells]))
            start = reader.line_num + 1
            if len(rows) > MAX_LINES + HEADER_SEARCH:
                raise InputRejected("import.too_many_lines", limit=MAX_LINES)
    except csv.Error:
        raise InputRejected("import.csv_damaged", line=reader.line_num) from None
    return rows


# -- XLSX --------------------------------------------------------------------------------
Grid = list[tuple[int, list[Cell]]]


def _read_xlsx(path: Path) -> tuple[Grid, dict[tuple[int, int], str], dict[tuple[int, int], str]]:
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        values = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise InputRejected("import.xlsx_unreadable") from None
    try:
        sheet = values.active
        if sheet is None or sheet.max_row < 1:
            raise InputRejected("import.no_header")
        if sheet.max_row > MAX_LINES + HEADER_SEARCH:
            raise InputRejected("import.too_many_lines", limit=MAX_LINES)
        width = sheet.max_column
        grid: dict[int, list[Cell]] = {}
        for r, values_row in enumerate(sheet.iter_rows(max_row=sheet.max_row, max_col=width, values_only=True), 1):
            grid[r] = [_cell_value(v) for v in values_row]
        for area in sheet.merged_cells.ranges:  # spread a merged value over its area
            top = grid.get(area.min_row, [])[area.min_col - 1] if area.min_col <= width else None
            for r in range(area.min_row, area.max_row + 1):
                for c in range(area.min_col, min(area.max_col, width) + 1):
                    grid[r][c - 1] = top
        uncomputed: dict[tuple[int, int], str] = {}
        errors: dict[tuple[int, int], str] = {}
        formula_sheet = formulas[sheet.title]
        for r, formula_row in enumerate(
            formula_sheet.iter_rows(max_row=sheet.max_row, max_col=width, values_only=True), 1
        ):
            for c, value in enumerate(formula_row):
                if isinstance(value, str) and value.startswith("=") and grid[r][c] is None:
                    uncomputed[(r, c)] = f"{get_column_letter(c + 1)}{r}"
        for r, cells in grid.items():
            for c, cell_value in enumerate(cells):
                if isinstance(cell_value, str) and cell_value in EXCEL_ERRORS:
                    errors[(r, c)] = cell_value
        return sorted(grid.items()), uncomputed, errors
    finally:
        values.close()
        formulas.close()


def _cell_value(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.time() != time(0) else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = str(value).strip()
    return text or None


# -- the table ---------------------------------------------------------------------------
def _header_row(rows: Grid) -> int:
    """Index in ``rows`` of the line naming the most template columns."""
    best, best_score = -1, 0
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH]):
        score = len({HEADER_NAMES[f] for f in (fold(str(c)) for c in cells if c is not None) if f in HEADER_NAMES})
        if score > best_score:
            best, best_score = i, score
    if best_score < 2:
        raise InputRejected("import.no_header")
    return best


def _table(rows: Grid, uncomputed: dict[tuple[int, int], str], errors: dict[tuple[int, int], str]) -> RegisterTable:
    rows = [(n, cells) for n, cells in rows if any(c is not None for c in cells)]
    if not rows:
        raise InputRejected("import.empty")
    at = _header_row(rows)
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(rows[at][1]):
        if cell is None:
            continue
        written = str(cell).strip()
        column = HEADER_NAMES.get(fold(written))
        if column is None:
            ignored.append(written)
        elif column in columns:
            if columns[column] != index and rows[at][1][columns[column]] != cell:
                raise InputRejected("import.column_twice", column=written)
        else:
            columns[column] = index
            headers[column] = written
    _require_columns(columns)
    lines = rows[at + 1 :]
    if not lines:
        raise InputRejected("import.empty")
    if len(lines) > MAX_LINES:
        raise InputRejected("import.too_many_lines", limit=MAX_LINES)
    return RegisterTable(columns, headers, lines, ignored, uncomputed, errors)


def _require_columns(columns: dict[str, int]) -> None:
    missing: list[str] = []
    if not any(name in columns for name in NAME_COLUMNS):
        missing.append("nom / prenom / nom_ar / prenom_ar")
    if "date_naissance" not in columns and "age" not in columns:
        missing.append("date_naissance / age")
    missing += [c for c in ("sexe", "nationalite", "categorie", "date_premier_accueil") if c not in columns]
    if missing:
        raise InputRejected("import.columns_missing", columns=", ".join(missing))
