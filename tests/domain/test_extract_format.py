"""The shared rules of the extract reproduce the worked example of docs/extract-format.md §12."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.domain import extract_format as fmt
from desktop.domain.referrals import OFFICE_TIME_ZONE
from desktop.services.extract_keys import pseudonym

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "extract_example"
SECRET = bytes(range(32))

# The eight persons of March 2025 at their finest level (P9 withdrew her consent).
FINEST = [
    (11, "1", "2025-03", "rpt_migrant", "M", "18-24", "west_africa", "09.001.01.01.", "accueil", "", ()),
    (12, "1", "2025-03", "rpt_migrant", "M", "25-59", "west_africa", "09.001.01.01.", "orientation", "high",
     ("no_resources", "no_documents")),
    (13, "1", "2025-02", "rpt_migrant", "M", "25-59", "west_africa", "09.001.01.01.", "accompagnement", "medium",
     ("no_shelter",)),
    (14, "1", "2025-01", "rpt_migrant", "M", "18-24", "west_africa", "09.001.01.01.", "suivi", "", ()),
    (15, "1", "2025-01", "rpt_migrant", "M", "25-59", "west_africa", "09.001.01.01.", "evaluation", "", ()),
    (16, "0", "2019-07", "mre", "F", "60+", "morocco", "09.001.05.01.", "suivi", "medium", ("elderly",)),
    (17, "1", "2025-02", "returnee_avrr", "M", "25-59", "morocco", "unknown", "evaluation", "", ()),
    (18, "0", "2024-11", "rpt_asylum_seeker", "F", "25-59", "central_africa", "09.001.01.01.", "cloture", "low",
     ("single_parent",)),
]  # fmt: skip


def _row(person: tuple) -> list[str]:  # type: ignore[type-arg]
    pid, *cells, ticked = person
    flags = ["1" if column[5:] in ticked else "0" for column in fmt.VULN_COLUMNS]
    return [pseudonym(SECRET, "person", pid), *cells, *flags]


def test_the_ladder_and_the_csv_rules_give_the_example_byte_for_byte() -> None:
    result = fmt.anonymise([_row(p) for p in FINEST])

    assert sorted(result.suppressed) == [5, 6, 7]  # P6, P7, P8
    assert result.generalised == 5
    written = sorted(result.written, key=lambda r: r[0])
    assert fmt.csv_bytes(fmt.PERSON_COLUMNS, written) == (EXAMPLE / "persons.csv").read_bytes()
    assert {fmt.qi_tuple(r) for r in written} == {
        ("1", "2025-Q1", "rpt_migrant", "M", "18-59", "west_africa", "09.001.01.01.")
    }


def test_referral_and_indicator_files_use_the_same_dialect() -> None:
    for name in (fmt.REFERRALS, fmt.INDICATORS):
        data = (EXAMPLE / name).read_bytes()
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
        assert tuple(rows[0]) == fmt.COLUMNS[name]
        assert fmt.csv_bytes(rows[0], rows[1:]) == data


def test_the_manifest_is_written_in_its_canonical_form() -> None:
    stored = (EXAMPLE / "manifest.json").read_bytes()
    assert fmt.canonical(json.loads(stored)) == stored
    assert b" " not in fmt.canonical({"b": {"z": 1, "a": [1, 2]}, "a": "é"})
    assert fmt.canonical({"b": 1, "a": "é"}) == b'{"a":"\\u00e9","b":1}'


@pytest.mark.parametrize("cell", ["=1+1", "+33", "-2", "@SUM(A1)", "\tx", "\rx", "\nx", "'=x", "'"])
def test_a_cell_a_spreadsheet_would_compute_is_guarded_and_read_back(cell: str) -> None:
    guarded = fmt.guard(cell)
    assert guarded == "'" + cell
    assert fmt.unguard(guarded) == cell
    data = fmt.csv_bytes(["a"], [[cell]]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(data, newline=""), delimiter=";"))[1] == [guarded]


@pytest.mark.parametrize("cell", ["2025-03", "09.001.", "rpt_migrant", "", "a;b", 'say "x"', "'quoted"])
def test_ordinary_cells_are_left_as_they_are(cell: str) -> None:
    assert fmt.unguard(fmt.guard(cell)) == cell
    data = fmt.csv_bytes(["a", "b"], [[cell, "z"]])
    assert data.startswith(b"\xef\xbb\xbfa;b\r\n") and data.endswith(b"\r\n")
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))[1] == [
        fmt.guard(cell),
        "z",
    ]


def test_each_step_of_the_ladder_coarsens_one_column() -> None:
    steps = {i: (column, mapping) for i, (column, mapping) in enumerate(fmt.LADDER, 1)}
    assert steps[1][1]("2025-03") == "2025-Q1" and steps[1][1]("2025-12") == "2025-Q4"
    assert steps[2][1]("12-17") == "0-17" and steps[2][1]("60+") == "60+"
    assert steps[3][1]("europe") == "foreign" and steps[3][1]("morocco") == "morocco"
    assert steps[4][1]("2025-Q1") == "2025" and steps[4][1]("2025-03") == "2025-03"
    assert steps[5][1]("09.001.01.01.") == "09.001." and steps[5][1]("unknown") == "unknown"
    assert steps[6][1]("returnee_avrr") == "returnee" and steps[6][1]("mre") == "mre"
    assert steps[7][1]("09.001.") == "09." and steps[7][1]("09.001.01.01.") == "09.001.01.01."


def test_the_file_name_drops_the_final_dot_of_the_commune_code() -> None:
    assert fmt.file_name("09.001.01.01.", "2025-03") == "BAOM-09.001.01.01-2025-03"


def test_moments_are_written_in_utc_to_the_second() -> None:
    assert fmt.utc_text(datetime(2025, 11, 3, 9, 30, 15, 999, tzinfo=OFFICE_TIME_ZONE)) == "2025-11-03T08:30:15Z"
    assert fmt.utc_text(datetime(2025, 4, 2, 8, 30, tzinfo=UTC)) == "2025-04-02T08:30:00Z"


def test_medians_keep_their_half_and_counts_stay_integers() -> None:
    assert [fmt.number(v) for v in (None, 0, 7, 9.5, 6.0)] == ["", "0", "7", "9.5", "6"]
