"""Check 8 of the regional import (docs/extract-format.md §8, §11): the three CSV files, cell by cell.

The cells are validated against this reader's **own** descriptor
(``resources/extract/datapackage.json``), never the copy in the extract, and
column by column: one ``set`` per column, its few distinct values checked against the
code list, type or pattern, and lines looked up only when something is wrong. A file
without quotes (every v1 file) is split with ``str.split``; any other goes through
:mod:`csv`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from typing import Any

from desktop.domain.extract_format import COLUMNS, CSV_FILES, DESCRIPTOR, SCHEMA_RELEASE, SCHEMA_VERSION, unguard
from desktop.i18n import resources_dir
from desktop.services.extract_problems import Problem, Problems, fragment, shown, unknown_code

_BOM = codecs.BOM_UTF8  # every CSV file starts with it
_TYPES = {  # no sign, no leading zero, no thousands separator; bounded so int() stays cheap
    "integer": r"0|[1-9][0-9]{0,17}",
    "number": r"(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,6})?",
    "yearmonth": r"[0-9]{4}-(?:0[1-9]|1[0-2])",
}
_FORM_TEXT = {  # how a pattern is explained, per column
    "person_key": "form_key",
    "referral_key": "form_key",
    "first_reception": "form_first_reception",
    "residence": "form_residence",
    "key": "form_code",
}


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str  # string, boolean, integer, number, yearmonth
    required: bool
    allowed: frozenset[str] | None  # enum, or the boolean's true and false values
    allowed_text: str  # "h24, h72, weeks2"
    form: re.Pattern[str] | None  # type and pattern, full match
    bulk: re.Pattern[str] | None  # the same over values joined by LF
    minimum: float | None
    unique: bool


@dataclass(frozen=True)
class _Resource:
    file: str
    columns: tuple[_Column, ...]
    primary_key: tuple[int, ...]  # positions


@dataclass(frozen=True)
class _Descriptor:
    major: int
    release: str
    resources: Mapping[str, _Resource]


@cache
def _descriptor() -> _Descriptor:
    """This reader's own descriptor of the current major (resources/extract/datapackage.json)."""
    data = json.loads((resources_dir() / "extract" / DESCRIPTOR).read_text(encoding="utf-8"))
    if (data["baom:schemaVersion"], data["version"]) != (SCHEMA_VERSION, SCHEMA_RELEASE):
        raise RuntimeError("datapackage.json does not match desktop.domain.extract_format")
    resources = {}
    for resource in data["resources"]:
        fields = resource["schema"]["fields"]
        names = tuple(f["name"] for f in fields)
        if names != COLUMNS[resource["path"]]:
            raise RuntimeError(f"datapackage.json columns of {resource['path']} differ from extract_format")
        columns = tuple(_column(f) for f in fields)
        primary = tuple(names.index(name) for name in resource["schema"].get("primaryKey", ()))
        resources[resource["path"]] = _Resource(resource["path"], columns, primary)
    return _Descriptor(SCHEMA_VERSION, SCHEMA_RELEASE, resources)


def _column(spec: Mapping[str, Any]) -> _Column:
    kind = spec["type"]
    constraints = spec.get("constraints", {})
    allowed: tuple[str, ...] | None = None
    parts: list[str] = []
    if kind == "boolean":
        allowed = (*spec["trueValues"], *spec["falseValues"])
    elif kind in _TYPES:
        parts.append(_TYPES[kind])
    elif kind != "string":
        raise RuntimeError(f"type {kind} of {spec['name']} is not read")
    if "enum" in constraints:
        allowed = tuple(constraints["enum"])
    if "pattern" in constraints:
        parts.append(constraints["pattern"])
    form = "".join(f"(?=(?:{part})\\Z)" for part in parts[:-1]) + (f"(?:{parts[-1]})" if parts else "")
    return _Column(
        name=spec["name"],
        kind=kind,
        required=bool(constraints.get("required", False)),
        allowed=frozenset(allowed) if allowed is not None else None,
        allowed_text=", ".join(allowed) if allowed is not None else "",
        form=re.compile(form) if parts else None,
        bulk=re.compile(f"(?:{form})(?:\\n(?:{form}))*") if len(parts) == 1 and _no_line_end(parts[0]) else None,
        minimum=constraints.get("minimum"),
        unique=bool(constraints.get("unique", False)),
    )


def _no_line_end(pattern: str) -> bool:
    """The pattern surely matches no LF (no negated class, dot or class escape): values may be joined by LF."""
    return re.search(r"\[\^|(?<!\\)\.|\\[sSDW]", pattern) is None


@dataclass
class Table:
    """One CSV file that passed check 8, column by column."""

    file: str
    columns: list[list[str]]  # this reader's columns only (extra trailing ones dropped), unguarded
    distinct: list[set[str]]  # the distinct values of each column

    @property
    def rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def column(self, name: str) -> list[str]:
        return self.columns[COLUMNS[self.file].index(name)]

    def values(self, name: str) -> set[str]:
        return self.distinct[COLUMNS[self.file].index(name)]


def check_tables(files: Mapping[str, bytes], manifest: Mapping[str, Any], newer: bool) -> dict[str, Table]:
    """The three CSV files read and checked; ``newer``: the extract is of a later minor release."""
    problems = Problems()
    tables = {}
    for name in CSV_FILES:
        start = len(problems.found)
        table = _read_table(name, files[name], manifest, newer, problems)
        if table is not None:
            tables[name] = table
        problems.found[start:] = sorted(problems.found[start:], key=lambda p: (p.line, _position(p)))
    problems.raise_any()
    return tables


def _position(problem: Problem) -> int:
    columns = COLUMNS[problem.file]
    return columns.index(problem.field) if problem.field in columns else -1


def _read_table(name: str, raw: bytes, manifest: Mapping[str, Any], newer: bool, problems: Problems) -> Table | None:
    """One CSV file checked (§8), or None when it has a problem."""
    resource = _descriptor().resources[name]
    if not raw.startswith(_BOM):
        problems.add("csv.bom", name)
        return None
    try:
        text = raw[len(_BOM) :].decode("utf-8")
    except UnicodeDecodeError as error:
        problems.add("csv.encoding", name, raw.count(b"\n", 0, error.start + len(_BOM)) + 1)
        return None
    quoted = '"' in text
    bare = _bare_line_end(text, quoted)
    if bare is not None:
        problems.add("csv.line_end", name, text.count("\n", 0, bare) + 1)
        return None
    if not text.endswith("\r\n"):
        problems.add("csv.truncated", name, text.count("\r\n") + 1)
        return None
    if quoted and text.count('"') % 2:  # the last quote opens a cell never closed
        problems.add("csv.truncated", name, text.count("\n", 0, text.rfind('"')) + 1)
        return None
    split = _split_quoted(name, text, problems) if quoted else _split_plain(text)
    if split is None:
        return None
    header, count, bad_rows, columns = split
    ours = COLUMNS[name]
    if not _header_ok(name, header, ours, newer, problems):
        return None
    for line, cells in bad_rows:
        problems.add("csv.cells", name, line, found=str(cells), expected=str(len(header)))
    expected_rows = manifest["files"][name]["rows"]
    if count != expected_rows:
        problems.add("csv.rows", name, found=str(count), expected=str(expected_rows))
    if bad_rows:
        return None
    columns = columns[: len(ours)]  # extra trailing columns (a later minor release) are dropped
    before = len(problems.found)
    distinct = []
    guarded = "'" in text
    del text, raw
    for position, spec in enumerate(resource.columns):
        column = columns[position]
        if guarded:
            columns[position] = column = _unguarded(column)
        values = set(column)
        distinct.append(values)
        _check_column(name, spec, column, values, manifest, newer, problems)
    _check_unique(resource, columns, distinct, problems)
    if len(problems.found) > before:
        return None
    for position, values in enumerate(distinct):
        if len(values) * 4 < len(columns[position]):  # repeated values share one string: far less memory
            shared = dict(zip(values, values, strict=True))
            columns[position] = list(map(shared.__getitem__, columns[position]))
    return Table(name, columns, distinct)


_Split = tuple[list[str], int, list[tuple[int, int]], list[list[str]]]  # header, rows, (line, cells) wrong, columns


def _split_plain(text: str) -> _Split:
    """A file without any quote (every v1 file): str.split, then one slice per column."""
    header_end = text.find("\r\n")
    header = text[:header_end].split(";")
    width = len(header)
    body = text[header_end + 2 : -2]
    lines = body.split("\r\n") if header_end + 2 < len(text) else []
    count = len(lines)
    if not set(map(str.count, lines, repeat(";", count))) <= {width - 1}:
        wrong = [(i + 2, line.count(";") + 1) for i, line in enumerate(lines) if line.count(";") != width - 1]
        return header, count, wrong, []
    del lines
    flat = body.replace("\r\n", ";").split(";") if count else []
    return header, count, [], [flat[j::width] for j in range(width)]


def _split_quoted(name: str, text: str, problems: Problems) -> _Split | None:
    """A file with quoted cells, as RFC 4180 reads it (the csv module)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', doublequote=True)
    try:
        records = list(reader)
    except csv.Error:  # a cell longer than the csv module's limit (128 KiB): no v1 value is
        problems.add("csv.too_long", name, reader.line_num)
        return None
    header, rows = records[0], records[1:]
    width = len(header)
    wrong = [(i + 2, len(row)) for i, row in enumerate(rows) if len(row) != width]
    if wrong:
        return header, len(rows), wrong, []
    columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in header]
    return header, len(rows), [], columns


def _bare_line_end(text: str, quoted: bool) -> int | None:
    """Position of the first CR or LF that is not part of a CRLF line end (quoted cells aside)."""
    crlf = text.count("\r\n")
    if text.count("\n") == crlf and text.count("\r") == crlf:
        return None
    quotes, counted = 0, 0
    for found in re.finditer(r"\r(?!\n)|(?<!\r)\n", text):
        if not quoted:
            return found.start()
        quotes += text.count('"', counted, found.start())  # an even count: outside any quoted cell
        counted = found.start()
        if quotes % 2 == 0:
            return found.start()
    return None


def _header_ok(name: str, header: list[str], ours: tuple[str, ...], newer: bool, problems: Problems) -> bool:
    for position, expected in enumerate(ours):
        found = header[position] if position < len(header) else ""
        if found != expected:
            problems.add(
                "csv.header",
                name,
                1,
                position=str(position + 1),
                expected=expected,
                found=shown(found) if found else fragment("absent"),
            )
            return False
    if len(header) > len(ours) and not newer:  # extra trailing columns: only from a later minor release
        problems.add(
            "csv.header",
            name,
            1,
            position=str(len(ours) + 1),
            expected=fragment("nothing"),
            found=shown(header[len(ours)]),
        )
        return False
    return True


def _unguarded(column: list[str]) -> list[str]:
    changed = {value: unguard(value) for value in set(column) if value[:1] == "'"}
    changed = {value: plain for value, plain in changed.items() if plain != value}
    return [changed.get(value, value) for value in column] if changed else column


def _check_column(
    file: str,
    spec: _Column,
    column: list[str],
    values: set[str],
    manifest: Mapping[str, Any],
    newer: bool,
    problems: Problems,
) -> None:
    """Type, required, code list and pattern of every cell, through the column's distinct values."""
    bad: dict[str, tuple[str, dict[str, str]]] = {}
    if "" in values and spec.required:
        bad[""] = ("csv.required", {})
    filled = values - {""} if "" in values else values
    if spec.allowed is not None:
        for value in filled - spec.allowed:
            if spec.kind == "boolean":
                bad[value] = ("csv.type", {"found": shown(value), "expected": fragment("type_boolean")})
            elif newer:
                bad[value] = ("schema.unknown_code", unknown_code(value, manifest["schema_release"]))
            else:
                bad[value] = ("csv.enum", {"found": shown(value), "allowed": spec.allowed_text})
    elif spec.form is not None and not _all_match(spec, filled):
        type_form = re.compile(_TYPES[spec.kind]) if spec.kind in _TYPES else None
        for value in filled:
            if type_form is not None and not type_form.fullmatch(value):
                bad[value] = ("csv.type", {"found": shown(value), "expected": fragment(f"type_{spec.kind}")})
            elif not spec.form.fullmatch(value):
                form = fragment(_FORM_TEXT.get(spec.name, "form_other"))
                bad[value] = ("csv.pattern", {"found": shown(value), "expected": form})
    if spec.minimum is not None and spec.minimum > 0 and spec.kind in ("integer", "number"):
        minimum = spec.minimum
        for value in filled:
            if value not in bad and float(value) < minimum:
                bad[value] = ("csv.type", {"found": shown(value), "expected": f"≥ {minimum:g}"})
    if not bad:
        return
    for line, value in problems.lines_of(column, bad):
        code, params = bad[value]
        problems.add(code, file, line, spec.name, **params)


def _all_match(spec: _Column, values: set[str]) -> bool:
    """Every value matches the column's form: one regex run over them all when they are many."""
    assert spec.form is not None
    if len(values) > 16 and spec.bulk is not None:
        joined = "\n".join(values)
        if joined.count("\n") == len(values) - 1 and spec.bulk.fullmatch(joined):
            return True
    return all(spec.form.fullmatch(value) for value in values)


def _check_unique(resource: _Resource, columns: list[list[str]], distinct: list[set[str]], problems: Problems) -> None:
    keys: list[tuple[int, ...]] = [(i,) for i, spec in enumerate(resource.columns) if spec.unique]
    if resource.primary_key and resource.primary_key not in keys:
        keys.append(resource.primary_key)
    for positions in keys:
        if len(positions) == 1:
            column: Sequence[object] = columns[positions[0]]
            count = len(distinct[positions[0]])
        else:
            column = list(zip(*(columns[i] for i in positions), strict=True))
            count = len(set(column))
        if count == len(column):
            continue
        first: dict[object, int] = {}
        label = "+".join(resource.columns[i].name for i in positions)
        for i, value in enumerate(column):
            if value in first:
                text = " / ".join(value) if isinstance(value, tuple) else str(value)
                problems.add("csv.duplicate", resource.file, i + 2, label, found=shown(text), first=str(first[value]))
                if problems.full:
                    return
            else:
                first[value] = i + 2
