"""Nationality groups: every ISO country mapped, spot checks, the SQL CASE agrees with Python."""

from __future__ import annotations

import sqlite3

import pycountry
import pytest

from desktop.domain.nationality_groups import (
    _CODES,
    GROUP_OF,
    NATIONALITY_GROUPS,
    group_case_sql,
    nationality_group,
)

ALL_CODES = sorted(c.alpha_2 for c in pycountry.countries)


def test_every_pycountry_code_is_mapped_once() -> None:
    assert len(ALL_CODES) == 249
    assert sorted(GROUP_OF) == ALL_CODES
    listed = [code for codes in _CODES.values() for code in codes.split()]
    assert len(listed) == len(set(listed))


def test_groups_are_the_declared_ones() -> None:
    assert set(GROUP_OF.values()) == set(NATIONALITY_GROUPS) - {"unknown"}
    assert [code for code, group in GROUP_OF.items() if group == "morocco"] == ["MA"]


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("SN", "west_africa"),
        ("MR", "west_africa"),
        ("CV", "west_africa"),
        ("CD", "central_africa"),
        ("CM", "central_africa"),
        ("ER", "east_southern_africa"),
        ("ZA", "east_southern_africa"),
        ("MG", "east_southern_africa"),
        ("SD", "north_africa_middle_east"),
        ("SY", "north_africa_middle_east"),
        ("DZ", "north_africa_middle_east"),
        ("EH", "north_africa_middle_east"),
        ("IR", "north_africa_middle_east"),
        ("TR", "north_africa_middle_east"),
        ("FR", "europe"),
        ("CY", "europe"),
        ("BR", "americas"),
        ("CN", "asia_oceania"),
        ("AQ", "asia_oceania"),
        ("MA", "morocco"),
        ("ma", "morocco"),
        ("sn", "west_africa"),
        ("", "unknown"),
        ("zz", "unknown"),
        ("XK", "unknown"),
    ],
)
def test_spot_checks(code: str, group: str) -> None:
    assert nationality_group(code) == group


def test_sql_case_matches_python_for_every_code() -> None:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE p (nationality TEXT)")
    samples = [*ALL_CODES, "", "ZZ", "XK", None]
    con.executemany("INSERT INTO p VALUES (?)", [(c,) for c in samples])
    rows = con.execute(f"SELECT nationality, {group_case_sql('nationality')} FROM p").fetchall()
    con.close()
    assert len(rows) == len(samples)
    for code, group in rows:
        assert group == nationality_group(code or ""), code


def test_sql_case_lists_are_sorted() -> None:
    sql = group_case_sql("x")
    assert sql.startswith("CASE WHEN x = 'MA' THEN 'morocco' WHEN x IN ('BF','BJ',")
    assert sql.endswith("ELSE 'unknown' END")
    for chunk in sql.split("IN (")[1:]:
        codes = chunk.split(")")[0].replace("'", "").split(",")
        assert codes == sorted(codes)
