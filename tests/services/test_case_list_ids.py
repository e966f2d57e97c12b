"""The case list's id queries: order, first screen, and the two ways a search is sorted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop.services import case_list, cases
from desktop.services.case_types import SORT_KEYS, CaseFilter, DocumentInput
from tests.fictitious import fictitious

TODAY = date.today()

# Days ago each case was opened, in the order they are registered (so in id order):
# later ids hold older cases, as when an old paper register is imported, and two
# cases share a date (the newest id comes first among them when descending).
OPENED_DAYS_AGO = [30, 2, 400, 2, 90, 1, 365, 15]


@pytest.fixture
def registered(office):  # type: ignore[no-untyped-def]
    """Every case matches "Fictivi"; returns (handle, [(case id, opened on)] in id order)."""
    handle, _code, _path = office
    made = []
    for n, days in enumerate(OPENED_DAYS_AGO):
        person = fictitious(
            given_name=f"Prenom{chr(65 + n)}",
            phone=f"0600 00 00 {n:02d}",
            documents=[DocumentInput("passport", f"ZZ-900 {n:03d}")],
        )
        opened = TODAY - timedelta(days=days)
        _person, case_id = cases.register(handle, person, opened_on=opened)
        made.append((case_id, opened))
    return handle, made


def by_date(made: list[tuple[int, date]], descending: bool = True) -> list[int]:
    ordered = sorted(made, key=lambda m: (m[1], m[0]), reverse=descending)
    return [case_id for case_id, _opened in ordered]


@pytest.mark.parametrize("walk", [False, True], ids=["few matches: rows read", "many matches: date index walked"])
@pytest.mark.parametrize("descending", [True, False])
def test_search_is_sorted_by_date_when_ids_disagree(registered, monkeypatch, walk, descending):  # type: ignore[no-untyped-def]
    handle, made = registered
    # The date index is walked from so many matches on; lower both to reach both ways.
    monkeypatch.setattr(case_list, "WALK_FIRST_FROM", 2 if walk else 1_000)
    monkeypatch.setattr(case_list, "WALK_WHOLE_FROM", 2 if walk else 1_000)
    with handle.transaction() as session:
        assert case_list._many_matches(session, "Fictivi", case_list.WALK_WHOLE_FROM) is walk
    wanted = by_date(made, descending)
    assert [m[0] for m in made] != wanted  # ids alone would give the wrong order
    flt = CaseFilter(search="Fictivi")
    assert case_list.case_ids(handle, flt, "opened_on", descending) == wanted
    assert case_list.first_case_ids(handle, flt, "opened_on", descending, 3) == wanted[:3]
    assert case_list.first_case_ids(handle, flt, "opened_on", descending, 100) == wanted
    # The walk keeps the other filters.
    assert case_list.case_ids(handle, CaseFilter(search="Fictivi", opened_from=TODAY - timedelta(days=20))) == [
        i for i in by_date(made) if dict(made)[i] >= TODAY - timedelta(days=20)
    ]


def test_the_list_without_search_and_its_first_screen(registered):  # type: ignore[no-untyped-def]
    handle, made = registered
    everything = case_list.case_ids(handle, CaseFilter())
    assert everything == by_date(made)
    assert case_list.case_ids(handle, CaseFilter(), "opened_on", False) == by_date(made, descending=False)
    assert case_list.first_case_ids(handle, CaseFilter(), limit=5) == everything[:5]
    for sort in SORT_KEYS:  # every order: the first screen is the head of the whole list
        for descending in (True, False):
            whole = case_list.case_ids(handle, CaseFilter(), sort, descending)
            assert sorted(whole) == sorted(m[0] for m in made)
            assert case_list.first_case_ids(handle, CaseFilter(), sort, descending, 4) == whole[:4]


def test_no_match_and_too_short_a_search(registered):  # type: ignore[no-untyped-def]
    handle, made = registered
    assert case_list.case_ids(handle, CaseFilter(search="personne-inconnue")) == []
    assert case_list.first_case_ids(handle, CaseFilter(search="personne-inconnue")) == []
    # One or two characters narrow nothing (trigrams): the whole list.
    assert case_list.case_ids(handle, CaseFilter(search="fi")) == by_date(made)
    assert case_list.case_ids(handle, CaseFilter(search="PrenomC")) == [made[2][0]]
