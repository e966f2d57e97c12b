"""The regional reader of extracts, checks 8–10 (docs/extract-format.md §8, §10, §11): the CSV files
cell by cell, their consistency with each other and the manifest, k-anonymity; and the messages.

Each extract is the worked example with one thing changed, signed again, so checks 1–7 pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop import i18n
from desktop.domain.extract_format import DESCRIPTOR, INDICATORS, PERSON_COLUMNS, PERSONS, REFERRALS, csv_bytes
from desktop.services import extract_consistency, extract_csv_checks, extract_problems, extract_reader
from desktop.services.extract_problems import Problem
from desktop.services.extract_reader import ExtractRejected, read_extract
from tests.services.test_extract_reader import (
    BOM,
    NOW,
    OFFICES,
    example,
    folder,
    lines,
    raw_csv,
    rejected,
    resign,
)

P_KEYS = [row[0] for row in lines(example()[PERSONS])[1:]]  # the example's five person keys


def changed(
    tmp_path: Path,
    name: str,
    rows: Callable[[list[list[str]]], None] | None = None,
    data: bytes | None = None,
    edit: Callable[[dict[str, Any]], None] | None = None,
    guard: bool = False,
) -> Path:
    """The example with one CSV changed (its rows edited, or its bytes replaced), signed again."""
    files = example()
    if rows is not None:
        table = lines(files[name])
        rows(table)
        data = csv_bytes(table[0], table[1:]) if guard else raw_csv(table)
    if data is not None:
        files[name] = data
    return folder(tmp_path, resign(files, edit), name=f"x{len(list(tmp_path.iterdir()))}")


def problems(source: Path, **kwargs: Any) -> list[tuple[str, str, int, str]]:
    return [(p.code, p.file, p.line, p.field) for p in rejected(source, **kwargs).problems]


def cell(name: str, line: int, column: str, value: str) -> Callable[[list[list[str]]], None]:
    """Edit one cell: ``line`` as in the messages (the header is line 1)."""

    def edit(table: list[list[str]]) -> None:
        table[line - 1][table[0].index(column)] = value

    return edit


# ---- 8. the CSV files


def test_a_bad_code_is_told_in_the_documented_sentence(tmp_path: Path) -> None:
    error = rejected(changed(tmp_path, REFERRALS, cell(REFERRALS, 3, "urgency", "h48")))
    assert [(p.code, p.file, p.line, p.field) for p in error.problems] == [("csv.enum", REFERRALS, 3, "urgency")]
    assert error.problems[0].message() == (
        "referrals.csv, ligne 3, colonne urgency : « h48 » n'est pas une valeur permise (h24, h72, weeks2)."
    )
    assert i18n.error_text(error) == f"Extrait refusé : {error.source.name}"


def test_a_truncated_file(tmp_path: Path) -> None:
    cut = example()[PERSONS][:-2]
    assert problems(changed(tmp_path, PERSONS, data=cut)) == [("csv.truncated", PERSONS, 6, "")]
    half = example()[PERSONS][:700]
    assert problems(changed(tmp_path, PERSONS, data=half))[0][:2] == ("csv.truncated", PERSONS)
    table = lines(example()[REFERRALS])
    table[4][9] = '"served'  # a quote opened on line 5 and never closed
    assert problems(changed(tmp_path, REFERRALS, data=raw_csv(table))) == [("csv.truncated", REFERRALS, 5, "")]
    assert problems(changed(tmp_path, PERSONS, data=BOM)) == [("csv.truncated", PERSONS, 1, "")]


def test_a_file_saved_in_latin_1(tmp_path: Path) -> None:
    data = example()[REFERRALS].replace(b";housing;", b";logement \xe9;")  # line 5
    error = rejected(changed(tmp_path, REFERRALS, data=data))
    assert [(p.code, p.line) for p in error.problems] == [("csv.encoding", 5)]
    assert error.problems[0].message() == (
        "referrals.csv, ligne 5 : caractères illisibles, le fichier n'est pas en UTF-8."
    )
    latin = example()[PERSONS][3:].decode().encode("latin-1")
    assert problems(changed(tmp_path, PERSONS, data=latin))[0][0] == "csv.bom"


def test_a_file_without_its_bom(tmp_path: Path) -> None:
    error = rejected(changed(tmp_path, INDICATORS, data=example()[INDICATORS][3:]))
    assert [(p.code, p.file) for p in error.problems] == [("csv.bom", INDICATORS)]


def test_line_ends_other_than_crlf(tmp_path: Path) -> None:
    lf = example()[PERSONS].replace(b"\r\n", b"\n")
    assert problems(changed(tmp_path, PERSONS, data=lf)) == [("csv.line_end", PERSONS, 1, "")]
    one = example()[REFERRALS]
    at = one.index(b"\r\n", one.index(b"\r\n") + 2)  # the end of line 2
    one = one[:at] + b"\n" + one[at + 2 :]
    assert problems(changed(tmp_path, REFERRALS, data=one)) == [("csv.line_end", REFERRALS, 2, "")]
    cr = example()[PERSONS].replace(b"\r\n", b"\r")
    assert problems(changed(tmp_path, PERSONS, data=cr))[0][0] == "csv.line_end"


def test_problems_of_several_files_are_told_together(tmp_path: Path) -> None:
    files = example()
    files[PERSONS] = files[PERSONS][3:]
    files[REFERRALS] = files[REFERRALS].replace(b";h72;", b";h48;")
    found = problems(folder(tmp_path, resign(files)))
    assert found == [("csv.bom", PERSONS, 0, ""), ("csv.enum", REFERRALS, 2, "urgency")]


def test_header_with_a_missing_or_renamed_column(tmp_path: Path) -> None:
    def drop(table: list[list[str]]) -> None:
        for row in table:
            del row[9]

    error = rejected(changed(tmp_path, PERSONS, drop))
    assert [(p.code, p.line) for p in error.problems] == [("csv.header", 1)]
    assert error.problems[0].params == {
        "position": "10",
        "expected": "vulnerability_level",
        "found": "vuln_unaccompanied_child",
    }
    assert error.problems[0].message() == (
        "persons.csv, ligne 1 : en-tête inattendu en colonne 10 — attendu : vulnerability_level ; "
        "trouvé : vuln_unaccompanied_child."
    )  # fmt: skip

    def last(table: list[list[str]]) -> None:
        for row in table:
            del row[-1]

    error = rejected(changed(tmp_path, INDICATORS, last))
    assert error.problems[0].params["found"] == "extract.text.absent"
    assert error.problems[0].message().endswith("attendu : base ; trouvé : (rien).")


def _extra_column(table: list[list[str]]) -> None:
    table[0].append("added_in_1_1")
    for row in table[1:]:
        row.append("x")


def _release_1_1(files: dict[str, bytes]) -> None:
    files[DESCRIPTOR] = files[DESCRIPTOR].replace(b'"version": "1.0.0"', b'"version": "1.1.0"', 1)


def test_extra_trailing_columns_are_ignored_from_a_later_minor_release_only(tmp_path: Path) -> None:
    assert problems(changed(tmp_path, REFERRALS, _extra_column)) == [("csv.header", REFERRALS, 1, "")]
    files = example()
    _release_1_1(files)
    table = lines(files[REFERRALS])
    _extra_column(table)
    files[REFERRALS] = raw_csv(table)
    source = folder(tmp_path, resign(files, lambda m: m.update(schema_release="1.1.0")))
    found = read_extract(source, OFFICES, NOW)
    assert [len(row) for row in found.referrals] == [12] * 4
    assert found.referrals[0][-1] == "6"


def test_an_unknown_code_from_a_later_release_asks_for_an_update(tmp_path: Path) -> None:
    files = example()
    _release_1_1(files)
    files[REFERRALS] = files[REFERRALS].replace(b";h72;", b";h48;")
    error = rejected(folder(tmp_path, resign(files, lambda m: m.update(schema_release="1.1.0"))))
    assert [(p.code, p.line, p.field) for p in error.problems] == [("schema.unknown_code", 2, "urgency")]
    assert error.problems[0].params == {"found": "h48", "release": "1.1.0", "known": "1.0.0"}
    assert "Mettez à jour le BAOM du secrétariat" in error.problems[0].message()


def test_a_row_with_a_cell_too_many_or_too_few(tmp_path: Path) -> None:
    def short(table: list[list[str]]) -> None:
        del table[2][-1]
        table[4].append("0")

    error = rejected(changed(tmp_path, PERSONS, short))
    assert [(p.code, p.line) for p in error.problems] == [("csv.cells", 3), ("csv.cells", 5)]
    assert error.problems[0].message() == "persons.csv, ligne 3 : 23 cellules au lieu de 24."


def test_the_row_count_of_the_manifest(tmp_path: Path) -> None:
    source = changed(tmp_path, REFERRALS, edit=lambda m: m["files"][REFERRALS].update(rows=5))
    error = rejected(source)
    assert [(p.code, p.file) for p in error.problems] == [("csv.rows", REFERRALS)]
    assert error.problems[0].message() == (
        "referrals.csv contient 4 lignes de données alors que le manifeste en annonce 5."
    )


@pytest.mark.parametrize(
    ("name", "line", "column", "value", "code", "expected"),
    [
        (PERSONS, 2, "vuln_other", "2", "csv.type", "extract.text.type_boolean"),
        (PERSONS, 2, "received_in_month", "true", "csv.type", "extract.text.type_boolean"),
        (REFERRALS, 2, "days_to_counter", "06", "csv.type", "extract.text.type_integer"),
        (REFERRALS, 2, "days_to_counter", "-6", "csv.type", "extract.text.type_integer"),
        (REFERRALS, 2, "days_to_counter", "6.0", "csv.type", "extract.text.type_integer"),
        (REFERRALS, 2, "month_sent", "2025-13", "csv.type", "extract.text.type_yearmonth"),
        (REFERRALS, 2, "counter_month", "03/2025", "csv.type", "extract.text.type_yearmonth"),
        (INDICATORS, 2, "value", "6,0", "csv.type", "extract.text.type_number"),
        (INDICATORS, 2, "value", "1 000", "csv.type", "extract.text.type_number"),
        (PERSONS, 2, "person_key", "6D85A5F873F237DB4908A0FE756BE210A805E21E350F1FAAC84DC9DC2B2DF658", "csv.pattern",
         "extract.text.form_key"),
        (PERSONS, 2, "first_reception", "2025-Q5", "csv.pattern", "extract.text.form_first_reception"),
        (PERSONS, 2, "residence", "09.001.01", "csv.pattern", "extract.text.form_residence"),
        (INDICATORS, 2, "key", "tot al", "csv.pattern", "extract.text.form_code"),
    ],
)  # fmt: skip
def test_types_and_patterns(
    tmp_path: Path, name: str, line: int, column: str, value: str, code: str, expected: str
) -> None:
    error = rejected(changed(tmp_path, name, cell(name, line, column, value)))
    shown = value if len(value) <= 40 else value[:40] + "…"
    assert [(p.code, p.file, p.line, p.field) for p in error.problems] == [(code, name, line, column)]
    assert error.problems[0].params == {"found": shown, "expected": expected}
    assert error.problems[0].message().startswith(f"{name}, ligne {line}, colonne {column} : « {shown} » n'")


def test_required_cells(tmp_path: Path) -> None:
    def blank(table: list[list[str]]) -> None:
        table[2][4] = ""  # sex
        table[5][4] = ""
        table[3][9] = ""  # vulnerability_level may be empty

    error = rejected(changed(tmp_path, PERSONS, blank))
    assert [(p.code, p.line, p.field) for p in error.problems] == [
        ("csv.required", 3, "sex"),
        ("csv.required", 6, "sex"),
    ]
    assert error.problems[0].message() == "persons.csv, ligne 3, colonne sex : valeur obligatoire manquante."


def test_duplicate_keys(tmp_path: Path) -> None:
    def twice(table: list[list[str]]) -> None:
        table[3][0] = table[1][0]

    error = rejected(changed(tmp_path, PERSONS, twice))
    assert [(p.code, p.line, p.field) for p in error.problems] == [("csv.duplicate", 4, "person_key")]
    assert error.problems[0].params == {"found": P_KEYS[0][:40] + "…", "first": "2"}

    def indicator_twice(table: list[list[str]]) -> None:
        table.insert(4, list(table[3]))

    error = rejected(changed(tmp_path, INDICATORS, indicator_twice))
    assert [(p.code, p.line, p.field) for p in error.problems] == [("csv.duplicate", 5, "indicator+dimension+key")]
    assert error.problems[0].params == {"found": "people_received / status / returning", "first": "4"}


def test_the_formula_guard_is_removed_then_the_cell_validated(tmp_path: Path) -> None:
    # written guarded by the office's csv writer: "'=HYPERLINK(…)" read back as "=HYPERLINK(…)", refused
    formula = '=HYPERLINK("http://example.invalid/un-lien-bien-plus-long-que-quarante")'
    error = rejected(changed(tmp_path, REFERRALS, cell(REFERRALS, 4, "domain", formula), guard=True))
    assert [(p.code, p.line, p.field) for p in error.problems] == [("csv.enum", 4, "domain")]
    assert error.problems[0].params["found"] == formula[:40] + "…"
    # an apostrophe before anything else stays: "'housing" is not housing
    error = rejected(changed(tmp_path, REFERRALS, cell(REFERRALS, 5, "domain", "'housing")))
    assert error.problems[0].params["found"] == "'housing"
    # a bare formula start is refused too (v1 values never begin with one)
    error = rejected(changed(tmp_path, PERSONS, cell(PERSONS, 2, "stage", "@accueil")))
    assert error.problems[0].params["found"] == "@accueil"


def test_a_guarded_cell_that_is_valid_once_unguarded_is_read_unguarded(tmp_path: Path) -> None:
    """A directory uid may begin with "-": written "'-…", read "-…" (§8: remove the guard, then validate)."""
    uid = "-a93e7b10-4c2d-4f8e-b6a1-0d5e9c3f7a4"
    source = changed(tmp_path, INDICATORS, cell(INDICATORS, 67, "key", uid), guard=True)
    assert b"'-a93e" in (source / INDICATORS).read_bytes()
    found = read_extract(source, OFFICES, NOW)
    assert found.indicators[-1] == ("provider_answer_rate", "rate", "provider", uid, "0", "1")


def test_quoted_cells_are_read_as_rfc_4180_says(tmp_path: Path) -> None:
    table = lines(example()[INDICATORS])
    text = raw_csv(table).decode("utf-8-sig").replace(";needs;", ';"needs";').replace(";housing;", ';"housing";')
    found = read_extract(changed(tmp_path, INDICATORS, data=BOM + text.encode()), OFFICES, NOW)
    assert found.indicators == read_extract(changed(tmp_path, INDICATORS, data=raw_csv(table)), OFFICES, NOW).indicators
    # a quoted cell may hold ; and a line end: it is one cell, then refused as a value
    broken = text.replace(';"housing";', ';"hou;\r\nsing";', 1)
    error = rejected(
        changed(tmp_path, INDICATORS, data=BOM + broken.encode(), edit=lambda m: m["files"][INDICATORS].update(rows=66))
    )
    assert [(p.code, p.field, p.params["found"]) for p in error.problems] == [
        ("csv.pattern", "key", "hou;\\x0d\\x0asing")
    ]
    # a bare LF inside a quoted cell is not a line end of the file
    lone = text.replace(';"housing";', ';"hou\nsing";', 1)
    error = rejected(changed(tmp_path, INDICATORS, data=BOM + lone.encode()))
    assert [(p.code, p.params["found"]) for p in error.problems] == [("csv.pattern", "hou\\x0asing")]


def test_at_most_a_hundred_problems_are_told(tmp_path: Path) -> None:
    def many(table: list[list[str]]) -> None:
        for row in table[1:]:
            row[1:] = ["x"] * 23

    error = rejected(changed(tmp_path, PERSONS, many))
    assert len(error.problems) == 5 * 23 - 15 == 100
    assert [p.line for p in error.problems] == sorted(p.line for p in error.problems)
    assert error.problems[0].field == "received_in_month"


# ---- 9. consistency


def test_a_referral_of_a_person_not_in_persons_csv(tmp_path: Path) -> None:
    def orphan(table: list[list[str]]) -> None:
        del table[1]  # the row of P1, referred by R34 on line 4 of referrals.csv

    source = changed(
        tmp_path, PERSONS, orphan, edit=lambda m: m["persons"].update(written=4, suppressed=4, generalised=4)
    )
    error = rejected(source)
    assert [(p.code, p.file, p.line, p.field) for p in error.problems] == [
        ("consistency.person_unknown", REFERRALS, 4, "person_key")
    ]
    assert error.problems[0].message().startswith("referrals.csv, ligne 4, colonne person_key : la personne « 6d85")


@pytest.mark.parametrize(
    ("edit", "field", "expected", "found"),
    [
        (lambda m: m["persons"].update(written=6, population=9), "persons.written", "5", "6"),
        (lambda m: m["persons"].update(population=9), "persons.written", "6", "5"),
        (lambda m: m["referrals"].update(written=5), "referrals.written", "4", "5"),
        (lambda m: m["referrals"].update(person_key_blanked=0), "referrals.person_key_blanked", "1", "0"),
    ],
)
def test_the_manifest_s_counts(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], field: str, expected: str, found: str
) -> None:
    error = rejected(changed(tmp_path, PERSONS, edit=edit))
    first = error.problems[0]
    assert (first.code, first.field, first.params["expected"], first.params["found"]) == (
        "consistency.manifest", field, expected, found
    )  # fmt: skip


def test_more_generalised_than_written(tmp_path: Path) -> None:
    error = rejected(changed(tmp_path, PERSONS, edit=lambda m: m["persons"].update(generalised=6)))
    assert [p.code for p in error.problems] == ["consistency.generalised"]
    assert error.problems[0].message() == (
        "manifest.json, champ persons.generalised : 6 personnes généralisées, plus que les 5 personnes écrites."
    )


@pytest.mark.parametrize(("value", "late"), [("2025-04", True), ("2025-Q2", True), ("2026", True),
                                             ("2025-03", False), ("2025-Q1", False), ("2025", False)])  # fmt: skip
def test_no_first_reception_after_the_period(tmp_path: Path, value: str, late: bool) -> None:
    def move(table: list[list[str]]) -> None:
        for row in table[1:]:
            row[2] = value  # the whole class moves: k-anonymity still holds

    source = changed(tmp_path, PERSONS, move)
    if late:
        assert problems(source) == [("consistency.first_reception", PERSONS, line, "first_reception") for line in
                                    range(2, 7)]  # fmt: skip
    else:
        assert len(read_extract(source, OFFICES, NOW).persons) == 5


def test_breakdowns_that_do_not_add_up_to_the_total(tmp_path: Path) -> None:
    error = rejected(changed(tmp_path, INDICATORS, cell(INDICATORS, 7, "value", "5")))  # people_received by sex: M
    assert [(p.code, p.line, p.field) for p in error.problems] == [("consistency.sum", 2, "value")]
    assert error.problems[0].params == {
        "indicator": "people_received", "dimension": "sex", "expected": "6", "found": "5"
    }  # fmt: skip
    assert error.problems[0].message() == (
        "indicators.csv, ligne 2, colonne value : pour people_received, les lignes de la ventilation sex "
        "totalisent 5, mais le total vaut 6."
    )
    # a rate: value and base both add up (provider_answer_rate by provider)
    error = rejected(changed(tmp_path, INDICATORS, cell(INDICATORS, 67, "base", "2")))
    assert [(p.code, p.field, p.params["dimension"]) for p in error.problems] == [
        ("consistency.sum", "base", "provider")
    ]
    # multi-valued breakdowns (criteria of vulnerable_people) need not add up
    assert read_extract(changed(tmp_path, INDICATORS, cell(INDICATORS, 30, "value", "2")), OFFICES, NOW)


def test_each_indicator_row_against_the_catalogue(tmp_path: Path) -> None:
    error = rejected(changed(tmp_path, INDICATORS, cell(INDICATORS, 3, "unit", "contacts")))
    assert [(p.code, p.line, p.field) for p in error.problems] == [("consistency.unit", 3, "unit")]
    assert error.problems[0].params == {"found": "contacts", "expected": "persons", "indicator": "people_received"}
    error = rejected(changed(tmp_path, INDICATORS, cell(INDICATORS, 13, "dimension", "urgency")))
    assert [(p.code, p.line) for p in error.problems] == [("consistency.dimension", 13)]
    assert error.problems[0].params["allowed"] == "total, contact_kind, channel"
    error = rejected(changed(tmp_path, INDICATORS, cell(INDICATORS, 8, "key", "25-60")))
    assert [(p.code, p.line, p.field) for p in error.problems] == [("consistency.key", 8, "key")]
    assert error.problems[0].params["allowed"] == "0-4, 5-11, 12-17, 18-24, 25-59, 60+, unknown"
    error = rejected(changed(tmp_path, INDICATORS, cell(INDICATORS, 2, "key", "all")))
    assert [(p.code, p.params["allowed"]) for p in error.problems] == [("consistency.key", "total")]
    error = rejected(changed(tmp_path, INDICATORS, cell(INDICATORS, 67, "key", "un+prestataire")))
    assert [(p.code, p.params["allowed"]) for p in error.problems] == [("consistency.key", "uid, none")]


def test_a_missing_total(tmp_path: Path) -> None:
    def drop(table: list[list[str]]) -> None:
        del table[table.index(["cases_closed", "closures", "total", "total", "1", ""])]

    error = rejected(changed(tmp_path, INDICATORS, drop))
    assert [(p.code, p.params) for p in error.problems] == [
        ("consistency.total_missing", {"indicator": "cases_closed"})
    ]
    assert error.problems[0].message() == "indicators.csv : la ligne du total de cases_closed manque."


@pytest.mark.parametrize(
    ("line", "column", "value", "why"),
    [
        (2, "base", "6", "extract.text.base_for_count"),
        (2, "value", "6.5", "extract.text.value_integer"),
        (2, "value", "", "extract.text.value_integer"),
        (46, "base", "", "extract.text.base_required"),
        (46, "value", "3", "extract.text.rate_above_base"),
        (49, "value", "9.25", "extract.text.median_half"),
        (49, "value", "", "extract.text.median_half"),
        (49, "base", "0", "extract.text.median_without_base"),
    ],
)
def test_value_and_base_as_the_unit_wants(tmp_path: Path, line: int, column: str, value: str, why: str) -> None:
    error = rejected(changed(tmp_path, INDICATORS, cell(INDICATORS, line, column, value)))
    assert [(p.code, p.line, p.params["why"]) for p in error.problems] == [("consistency.value", line, why)]


def test_indicator_totals_match_the_referral_rows(tmp_path: Path) -> None:
    def sent(table: list[list[str]]) -> None:
        table[1][3] = "2025-02"  # R31 sent in February: March has 1 outgoing sent, the indicators say 2

    error = rejected(changed(tmp_path, REFERRALS, sent))
    found = [(p.code, p.line, p.field, p.params["indicator"], p.params["expected"]) for p in error.problems]
    assert found == [
        ("consistency.figure", 32, "value", "referrals_sent", "1"),
        ("consistency.figure", 46, "base", "counter_referral_rate", "1"),
    ]
    assert error.problems[0].message() == (
        "indicators.csv, ligne 32, colonne value : le total de referrals_sent vaut 2, alors que referrals.csv "
        "compte 1 références sortantes envoyées dans le mois."
    )

    def overdue(table: list[list[str]]) -> None:
        table[4][8] = "0"
        table[3][2] = "outgoing"  # R34 becomes outgoing: incoming 0, sent 3

    found = [
        (p.params["indicator"], p.params["expected"]) for p in rejected(changed(tmp_path, REFERRALS, overdue)).problems
    ]
    assert found == [("referrals_sent", "3"), ("counter_referral_rate", "3"), ("referrals_incoming", "0"),
                     ("overdue_at_end", "0")]  # fmt: skip

    def countered(table: list[list[str]]) -> None:
        table[2][10] = "2025-02"

    found = [
        (p.params["indicator"], p.params["found"]) for p in rejected(changed(tmp_path, REFERRALS, countered)).problems
    ]
    assert found == [("counter_referrals", "2")]


def test_people_received_lies_between_the_rows_received_and_those_plus_the_suppressed(tmp_path: Path) -> None:
    def fewer(table: list[list[str]]) -> None:
        # people_received 6 → 4 with its breakdowns: new 0, returning 4, returnee_avrr 1, rpt_migrant 3, M 4,
        # 18-24 0, 25-59 4, morocco 1, west_africa 3 (lines 2 to 11)
        for line, value in zip(range(2, 12), (4, 0, 4, 1, 3, 4, 0, 4, 1, 3), strict=True):
            table[line - 1][4] = str(value)

    error = rejected(changed(tmp_path, INDICATORS, fewer))
    assert [(p.code, p.line, p.params) for p in error.problems] == [
        ("consistency.people_received", 2, {"found": "4", "low": "5", "high": "8"})
    ]
    # 6 received, but 5 rows received in the month and nobody suppressed
    error = rejected(changed(tmp_path, PERSONS, edit=lambda m: m["persons"].update(population=5, suppressed=0)))
    assert [(p.code, p.params) for p in error.problems] == [
        ("consistency.people_received", {"found": "6", "low": "5", "high": "5"})
    ]


# ---- 10. k-anonymity


def test_a_class_of_four_is_refused_with_its_lines(tmp_path: Path) -> None:
    def four(table: list[list[str]]) -> None:
        del table[3]  # a person no referral names

    source = changed(
        tmp_path, PERSONS, four, edit=lambda m: m["persons"].update(written=4, suppressed=4, generalised=4)
    )
    error = rejected(source)
    assert [(p.code, p.file, p.line) for p in error.problems] == [("privacy.k", PERSONS, 2)]
    assert error.problems[0].params == {"lines": "2, 3, 4, 5", "size": "4", "k": "5"}
    assert (
        error.problems[0]
        .message()
        .startswith("persons.csv, lignes 2, 3, 4, 5 : ces 4 personnes forment un groupe de moins de 5")
    )
    assert "ne transmettez pas ce fichier" in error.problems[0].message()


def test_every_small_class_is_named(tmp_path: Path) -> None:
    def split(table: list[list[str]]) -> None:
        table[2][4] = "F"  # one woman alone, four men together

    error = rejected(changed(tmp_path, PERSONS, split))
    assert [(p.line, p.params["lines"], p.params["size"]) for p in error.problems] == [(2, "2, 4, 5, 6", "4"),
                                                                                         (3, "3", "1")]  # fmt: skip


def test_the_manifest_k_is_at_least_five_and_is_applied(tmp_path: Path) -> None:
    error = rejected(changed(tmp_path, PERSONS, edit=lambda m: m.update(k=3)))
    assert [(p.code, p.field, p.params["found"]) for p in error.problems] == [("privacy.k_declared", "k", "3")]
    error = rejected(changed(tmp_path, PERSONS, edit=lambda m: m.update(k=6)))
    assert [(p.code, p.params["size"], p.params["k"]) for p in error.problems] == [("privacy.k", "5", "6")]


# ---- messages


ALL_CODES = (
    "container.unreadable", "container.missing_file", "container.extra_file", "container.too_large",
    "manifest.not_json", "manifest.field", "manifest.format", "schema.unsupported",
    "office.unknown", "office.key_unknown", "office.key_revoked",
    "signature.malformed", "signature.invalid", "manifest.not_canonical", "checksum.mismatch", "schema.mismatch",
    "period.format", "period.not_over", "period.future", "period.too_old",
    "csv.bom", "csv.encoding", "csv.line_end", "csv.truncated", "csv.too_long", "csv.header", "csv.cells",
    "csv.type", "csv.required", "csv.enum", "csv.pattern", "csv.duplicate", "csv.rows", "schema.unknown_code",
    "consistency.person_unknown", "consistency.manifest", "consistency.generalised", "consistency.first_reception",
    "consistency.total_missing", "consistency.unit", "consistency.dimension", "consistency.key", "consistency.value",
    "consistency.sum", "consistency.figure", "consistency.people_received", "privacy.k", "privacy.k_declared",
)  # fmt: skip


def test_every_reason_the_reader_can_give_has_a_message_in_three_languages() -> None:
    modules = (extract_reader, extract_problems, extract_csv_checks, extract_consistency)
    source = "".join(Path(module.__file__).read_text(encoding="utf-8") for module in modules)
    used = set(re.findall(r'"((?:container|manifest|schema|office|signature|checksum|period|csv|consistency|privacy)'
                          r'\.[a-z_]+)"', source))  # fmt: skip
    assert used == set(ALL_CODES)
    texts = set(re.findall(r'fragment\("([a-z_]+)"\)', source))
    texts |= {*extract_csv_checks._FORM_TEXT.values(), "form_other"}
    texts |= {f"type_{kind}" for kind in (*extract_csv_checks._TYPES, "boolean")}
    assert len(texts) > 30
    messages = i18n.messages()
    for code in ALL_CODES:
        assert {"fr", "ar", "en"} <= set(messages[f"extract.reason.{code}"]), code
        words = re.sub(r"\{[a-z]+\}", "", messages[f"extract.reason.{code}"]["fr"])
        assert re.search(r"[\u0600-\u06FF]", messages[f"extract.reason.{code}"]["ar"]) or not re.search("[a-z]", words)
    assert sorted(text for text in texts if f"extract.text.{text}" not in messages) == []
    data = json.loads((Path(i18n.resources_dir()) / "i18n" / "extract_reasons.json").read_text(encoding="utf-8"))
    fragments = [key for key in data if key.startswith("extract.text.")]
    unused = [key for key in fragments if key.removeprefix("extract.text.") not in texts]
    assert unused == []


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_messages_render_in_each_language_without_leftover_placeholders(tmp_path: Path, lang: str) -> None:
    found: list[Problem] = []
    for source in (
        changed(tmp_path, REFERRALS, cell(REFERRALS, 3, "urgency", "h48")),
        changed(tmp_path, PERSONS, edit=lambda m: m["persons"].update(generalised=6)),
        changed(tmp_path, INDICATORS, cell(INDICATORS, 49, "base", "0")),
        changed(tmp_path, PERSONS, data=example()[PERSONS][3:]),
    ):
        found += rejected(source).problems
    found += [
        Problem("container.too_large", params={"what": "extract.text.all_files", "size": "200", "limit": "128"}),
        Problem("manifest.field", "manifest.json", field="k", params={"why": "extract.text.not_integer"}),
        Problem("privacy.k", PERSONS, 2, params={"lines": "2, 3", "size": "2", "k": "5"}),
    ]
    i18n.set_language(lang)
    try:
        texts = [problem.message() for problem in found]
        heading = i18n.error_text(ExtractRejected(tmp_path / "x.zip", found))
    finally:
        i18n.set_language("fr")
    assert all("{" not in text and "extract." not in text for text in texts), texts
    assert "x.zip" in heading
    if lang == "ar":
        assert all(re.search(r"[\u0600-\u06FF]", text) for text in texts)
        assert "referrals.csv، السطر 3، العمود urgency" in texts[0]
    if lang == "en":
        assert texts[0] == "referrals.csv, line 3, column urgency: “h48” is not an allowed value (h24, h72, weeks2)."


def test_a_cell_shown_in_a_message_is_cut_and_its_control_characters_made_visible(tmp_path: Path) -> None:
    value = "x" * 100 + "\t"
    error = rejected(changed(tmp_path, PERSONS, cell(PERSONS, 2, "sex", value)))
    assert error.problems[0].params["found"] == "x" * 40 + "…"
    error = rejected(changed(tmp_path, PERSONS, cell(PERSONS, 2, "sex", "M\x07")))
    assert error.problems[0].params["found"] == "M\\x07"


def test_the_reader_s_descriptor_is_its_own_and_matches_the_shared_columns() -> None:
    own = extract_csv_checks._descriptor()
    assert [c.name for c in own.resources[PERSONS].columns] == list(PERSON_COLUMNS)
    urgency = next(c for c in own.resources[REFERRALS].columns if c.name == "urgency")
    assert urgency.allowed == {"h24", "h72", "weeks2"} and urgency.required


def test_a_quoted_cell_longer_than_the_csv_module_reads(tmp_path: Path) -> None:
    table = lines(example()[REFERRALS])
    text = raw_csv(table).decode("utf-8-sig").replace(";housing;", ';"' + "h" * 200_000 + '";', 1)
    error = rejected(changed(tmp_path, REFERRALS, data=BOM + text.encode()))
    assert [(p.code, p.file, p.line) for p in error.problems] == [("csv.too_long", REFERRALS, 5)]


def test_a_file_with_its_header_only_is_well_formed(tmp_path: Path) -> None:
    header_only = raw_csv(lines(example()[REFERRALS])[:1])
    found = problems(changed(tmp_path, REFERRALS, data=header_only))
    assert {code for code, *_ in found} == {"consistency.manifest", "consistency.figure"}  # check 8 passed


def test_many_distinct_values_are_checked_together_and_the_bad_one_found(tmp_path: Path) -> None:
    def many(table: list[list[str]]) -> None:
        model = table[1]
        table[1:] = [[f"{i:064x}", *model[1:]] for i in range(40)]
        table[30][0] = "g" * 64

    error = rejected(changed(tmp_path, PERSONS, many))
    assert [(p.code, p.line, p.field) for p in error.problems] == [("csv.pattern", 31, "person_key")]
