"""The anonymised monthly extract, format 1 (docs/extract-format.md): names, columns, rules.

Shared by the office that writes an extract and the regional secretariat that reads it:
the columns and their order, the k-anonymity ladder (§5), the CSV dialect and formula
guard (§8) and the canonical manifest (§9). Pure: no database, no files.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from desktop.domain.codelists import VULNERABILITY_CRITERIA

FORMAT = "baom-extract"
SCHEMA_VERSION = 1
SCHEMA_RELEASE = "1.0.0"
K = 5

MANIFEST, SIGNATURE, DESCRIPTOR = "manifest.json", "manifest.sig", "datapackage.json"
PERSONS, REFERRALS, INDICATORS = "persons.csv", "referrals.csv", "indicators.csv"
FILES: tuple[str, ...] = (MANIFEST, SIGNATURE, DESCRIPTOR, PERSONS, REFERRALS, INDICATORS)
CSV_FILES: tuple[str, ...] = (PERSONS, REFERRALS, INDICATORS)
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 128 * 1024 * 1024

QUASI_IDENTIFIERS: tuple[str, ...] = (
    "received_in_month", "first_reception", "category", "sex", "age_band", "nationality_group", "residence",
)  # fmt: skip
VULN_COLUMNS: tuple[str, ...] = tuple(f"vuln_{c}" for c in VULNERABILITY_CRITERIA)
PERSON_COLUMNS: tuple[str, ...] = ("person_key", *QUASI_IDENTIFIERS, "stage", "vulnerability_level", *VULN_COLUMNS)
REFERRAL_COLUMNS: tuple[str, ...] = (
    "referral_key", "person_key", "direction", "month_sent", "domain", "provider_kind", "urgency",
    "state_at_end", "overdue_at_end", "outcome", "counter_month", "days_to_counter",
)  # fmt: skip
INDICATOR_COLUMNS: tuple[str, ...] = ("indicator", "unit", "dimension", "key", "value", "base")
COLUMNS: dict[str, tuple[str, ...]] = {
    PERSONS: PERSON_COLUMNS,
    REFERRALS: REFERRAL_COLUMNS,
    INDICATORS: INDICATOR_COLUMNS,
}
QI_POSITIONS: tuple[int, ...] = tuple(PERSON_COLUMNS.index(q) for q in QUASI_IDENTIFIERS)


def file_name(commune_code: str, period_key: str) -> str:
    """``BAOM-09.001.01.01-2025-03.zip`` (Windows drops a trailing dot from file names)."""
    return f"BAOM-{commune_code.rstrip('.')}-{period_key}"


# ---- k-anonymity (§5)

_BROAD_AGE = {"0-4": "0-17", "5-11": "0-17", "12-17": "0-17", "18-24": "18-59", "25-59": "18-59"}


def _to_quarter(value: str) -> str:
    if len(value) == 7 and value[4] == "-" and value[5:].isdigit():
        return f"{value[:4]}-Q{(int(value[5:]) - 1) // 3 + 1}"
    return value


def _to_year(value: str) -> str:
    return value[:4] if len(value) == 7 and value[5] == "Q" else value


def _to_foreign(value: str) -> str:
    return value if value in ("morocco", "unknown") else "foreign"


def _to_province(value: str) -> str:
    return value[:7] if len(value) == 13 and value[2] == "." else value


def _to_family(value: str) -> str:
    for family in ("returnee", "rpt"):
        if value.startswith(family + "_"):
            return family
    return value


def _to_region(value: str) -> str:
    return value[:3] if len(value) == 7 and value[2] == "." else value


# (column, mapping), in the order of the specification's table.
LADDER: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("first_reception", _to_quarter),
    ("age_band", lambda v: _BROAD_AGE.get(v, v)),
    ("nationality_group", _to_foreign),
    ("first_reception", _to_year),
    ("residence", _to_province),
    ("category", _to_family),
    ("residence", _to_region),
)


@dataclass(frozen=True)
class Anonymised:
    """Rows (in ``PERSON_COLUMNS`` order) left after the ladder, and what it took."""

    written: list[list[str]]
    suppressed: frozenset[int]  # positions in the input of the rows removed
    generalised: int  # written rows with at least one QI coarser than at the start


qi_tuple: Callable[[Sequence[str]], tuple[str, ...]] = itemgetter(*QI_POSITIONS)


def small_classes(tuples: Sequence[tuple[str, ...]], k: int = K) -> list[int]:
    """Positions of the QI tuples whose class has fewer than ``k`` rows."""
    sizes = Counter(tuples)
    return [i for i, t in enumerate(tuples) if sizes[t] < k]


def anonymise(rows: Sequence[Sequence[str]], k: int = K) -> Anonymised:
    """Generalise step by step the rows of small classes, then suppress what is still small."""
    work = [list(r) for r in rows]
    start = [qi_tuple(r) for r in work]
    tuples = list(start)
    small = small_classes(tuples, k)
    for column, mapping in LADDER:
        if not small:
            break
        position = PERSON_COLUMNS.index(column)
        for i in small:
            work[i][position] = mapping(work[i][position])
            tuples[i] = qi_tuple(work[i])
        small = small_classes(tuples, k)
    suppressed = frozenset(small)
    written = [r for i, r in enumerate(work) if i not in suppressed]
    generalised = sum(1 for i, t in enumerate(tuples) if i not in suppressed and t != start[i])
    return Anonymised(written, suppressed, generalised)


# ---- CSV (§8)

FORMULA_STARTS = frozenset("=+-@\t\r\n'")


def guard(cell: str) -> str:
    """A cell a spreadsheet would read as a formula gets one ``'`` in front."""
    return "'" + cell if cell[:1] in FORMULA_STARTS else cell


def unguard(cell: str) -> str:
    return cell[1:] if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_STARTS else cell


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with BOM, ``;``, CRLF after every line, RFC 4180 minimal quoting, formula guard."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    starts = FORMULA_STARTS  # the test inlined: most cells need no guard, and there are millions
    writer.writerows([guard(cell) if cell[:1] in starts else cell for cell in row] for row in rows)
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def number(value: float | int | None) -> str:
    """Integers as such, medians with ``.5``; empty for no value."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.1f}"
    return str(value)


# ---- manifest (§9)


def utc_text(moment: datetime) -> str:
    """An aware moment as the manifest writes ``generated_at`` and as messages show it: ``2025-04-02T08:30:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical(manifest: Mapping[str, Any]) -> bytes:
    """The one form a manifest is written in, and signed."""
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
