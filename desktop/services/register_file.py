"""Opening an existing register (.xlsx or .csv) as a plain table: header, then lines.

CSV: UTF-8 with or without BOM (UTF-16 "Unicode text" from Excel too), ``,``, ``;``
or tab. Anything else — latin-1 / Windows-1252 from an old Excel — is refused with
how to save it again, never guessed (a wrong guess would silently damage names).

XLSX: the values Excel computed (formulas without a computed value are named
per cell), merged cells spread over their area (a title over the columns, a group
heading above them, a value merged down several lines), the header found among the
first lines. Line numbers are the file's own (Excel row numbers, CSV physical lines).

:func:`read_rows` (the cells of a file's tables, before any header) and :func:`header_row`
also serve the directory exchange (:mod:`desktop.services.directory_file`).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.domain.errors import InputRejected
from desktop.services.register_values import Cell, fold

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

MAX_BYTES = 40 * 1024 * 1024
MAX_LINES = 20_000
HEADER_SEARCH = 15  # the header is among the first lines
EXCEL_ERRORS = frozenset({"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"})
Grid = list[tuple[int, list[Cell]]]  # (line number in the file, cells)
ACTIVE = ""  # read_rows: the active sheet of a workbook, the only table of a CSV

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
    return _table(read_rows(path)[ACTIVE])


@dataclass
class SheetRows:
    """The lines of one table, as typed cells, with the cells that cannot be trusted."""

    rows: Grid  # (line number in the file, cells)
    formula_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (line, col) -> cell ref
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # (line, col) -> "#N/A"…


def read_rows(path: Path, sheets: Sequence[str] = ()) -> dict[str, SheetRows]:
    """The tables of ``path``: ``ACTIVE`` always, and each named sheet a workbook has.

    A named sheet the workbook lacks is left out (a CSV only has ``ACTIVE``).
    """
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
        return _read_xlsx(path, sheets)
    if suffix in (".csv", ".txt"):
        try:
            data = path.read_bytes()
        except OSError:
            raise InputRejected("import.file_unreadable") from None
        return {ACTIVE: SheetRows(_read_csv(data))}
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
def _read_xlsx(path: Path, names: Sequence[str]) -> dict[str, SheetRows]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        values = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise InputRejected("import.xlsx_unreadable") from None
    try:
        active = values.active
        if active is None or active.max_row < 1:
            raise InputRejected("import.no_header")
        found = {ACTIVE: _sheet_rows(active, formulas[active.title])}
        for name in names:
            if name in values.sheetnames:
                found[name] = _sheet_rows(values[name], formulas[name])
        return found
    finally:
        values.close()
        formulas.close()


def _sheet_rows(sheet: Worksheet, formula_sheet: Any) -> SheetRows:
    """One worksheet: values from ``sheet``, formulas from ``formula_sheet`` (read-only).

    ``formula_sheet`` is ``Any``: the openpyxl stub types a read-only sheet's ``iter_rows`` wrongly.
    """
    from openpyxl.utils import get_column_letter

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
    for r, formula_row in enumerate(formula_sheet.iter_rows(max_row=sheet.max_row, max_col=width, values_only=True), 1):
        for c, value in enumerate(formula_row):
            if isinstance(value, str) and value.startswith("=") and grid[r][c] is None:
                uncomputed[(r, c)] = f"{get_column_letter(c + 1)}{r}"
    for r, cells in grid.items():
        for c, cell_value in enumerate(cells):
            if isinstance(cell_value, str) and cell_value in EXCEL_ERRORS:
                errors[(r, c)] = cell_value
    return SheetRows(sorted(grid.items()), uncomputed, errors)


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
def header_row(rows: Grid, names: Mapping[str, str], missing_key: str) -> int:
    """Index in ``rows`` of the line naming the most columns (``names``: folded header -> column)."""
    best, best_score = -1, 0
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH]):
        score = len({names[f] for f in (fold(str(c)) for c in cells if c is not None) if f in names})
        if score > best_score:
            best, best_score = i, score
    if best_score < 2:
        raise InputRejected(missing_key)
    return best


def _table(sheet: SheetRows) -> RegisterTable:
    rows = [(n, cells) for n, cells in sheet.rows if any(c is not None for c in cells)]
    if not rows:
        raise InputRejected("import.empty")
    at = header_row(rows, HEADER_NAMES, "import.no_header")
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
    return RegisterTable(columns, headers, lines, ignored, sheet.formula_cells, sheet.error_cells)


def _require_columns(columns: dict[str, int]) -> None:
    missing: list[str] = []
    if not any(name in columns for name in NAME_COLUMNS):
        missing.append("nom / prenom / nom_ar / prenom_ar")
    if "date_naissance" not in columns and "age" not in columns:
        missing.append("date_naissance / age")
    missing += [c for c in ("sexe", "nationalite", "categorie", "date_premier_accueil") if c not in columns]
    if missing:
        raise InputRejected("import.columns_missing", columns=", ".join(missing))
