"""The k-anonymity ladder of docs/extract-format.md §5, on rows drawn by hypothesis.

Rows carry real codes and realistic values (commune codes of three regions, months of
three years), drawn from small pools so that classes collide, split and merge. The
writer's ``extract_format.anonymise`` is compared with the procedure read literally from
the specification (tests/extract_offices.py) and held to the properties the
specification states: k reached, nothing lost or invented, order does not matter, big
classes untouched, only coarser values and only along the ladder, idempotent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain import extract_format as fmt
from tests.extract_offices import (
    AGE_BANDS,
    CATEGORIES,
    NATIONALITY_GROUPS,
    PERSON_COLUMNS,
    QIS,
    SPEC_LADDER,
    STAGES,
    generalisations,
    ladder_prefixes,
    qi_of,
    reference_anonymise,
)

COMMUNES = (
    "09.001.01.01.", "09.001.05.01.", "09.001.05.09.", "09.273.01.15.", "09.273.05.19.", "09.541.01.11.",
    "01.051.01.01.", "01.051.01.03.", "04.281.01.01.", "unknown",
)  # fmt: skip
MONTHS = tuple(f"{year}-{month:02d}" for year in (2024, 2025, 2026) for month in range(1, 13))
LEVELS = ("low", "medium", "high", "urgent", "")
POOLS: dict[str, tuple[tuple[str, ...], int]] = {  # values, and how many of them one office uses at most
    "received_in_month": (("1", "0"), 2),
    "first_reception": (MONTHS, 4),
    "category": (CATEGORIES, 4),
    "sex": (("F", "M"), 2),
    "age_band": (AGE_BANDS, 4),
    "nationality_group": (NATIONALITY_GROUPS, 4),
    "residence": (COMMUNES, 5),
}
Rows = list[list[str]]
SETTINGS = settings(max_examples=60, deadline=None, database=None)


def _siblings(column: str, value: str) -> tuple[str, ...]:
    """The values of the column that the ladder can bring together with ``value`` (itself included)."""
    return tuple(v for v in POOLS[column][0] if generalisations(column, v) & generalisations(column, value))


@st.composite
def person_rows(draw: st.DrawFn, max_size: int = 80) -> Rows:
    """Rows in PERSON_COLUMNS order: a few profiles (QI tuples), each row one of them with up to
    two QIs changed to a sibling value (same quarter, year, broad age band, province, region,
    family…), so that classes of five and more sit next to near misses the ladder merges at
    every step, or not at all.
    """
    pools = {q: draw(st.lists(st.sampled_from(values), min_size=1, max_size=cap, unique=True))
             for q, (values, cap) in POOLS.items()}  # fmt: skip
    profile = st.tuples(*(st.sampled_from(pools[q]) for q in QIS))
    profiles = draw(st.lists(profile, min_size=1, max_size=6))
    change = st.tuples(st.integers(0, len(QIS) - 1), st.integers(0, 99))
    row = st.tuples(
        st.integers(0, len(profiles) - 1), st.lists(change, max_size=2), st.sampled_from(STAGES),
        st.sampled_from(LEVELS), st.integers(0, 2**14 - 1),
    )  # fmt: skip
    rows: Rows = []
    for n, (which, changes, stage, level, flags) in enumerate(draw(st.lists(row, max_size=max_size))):
        qis = list(profiles[which])
        for column, pick in changes:
            siblings = _siblings(QIS[column], qis[column])
            qis[column] = siblings[pick % len(siblings)]
        ticks = ["1" if flags >> bit & 1 else "0" for bit in range(14)]
        rows.append([f"{n:064x}", *qis, stage, level, *ticks])
    assert all(len(r) == len(PERSON_COLUMNS) for r in rows)
    return rows


def _kept(rows: Sequence[Sequence[str]], suppressed: frozenset[int]) -> list[int]:
    return [i for i in range(len(rows)) if i not in suppressed]


@SETTINGS
@given(rows=person_rows(), k=st.integers(1, 8))
def test_every_written_class_has_at_least_k_rows(rows: Rows, k: int) -> None:
    result = fmt.anonymise(rows, k)
    sizes = Counter(qi_of(r) for r in result.written)
    assert all(size >= k for size in sizes.values())


@SETTINGS
@given(rows=person_rows())
def test_written_and_suppressed_make_the_input_and_only_qis_change(rows: Rows) -> None:
    result = fmt.anonymise(rows)
    assert len(result.written) + len(result.suppressed) == len(rows)
    assert result.suppressed <= frozenset(range(len(rows)))
    for i, written in zip(_kept(rows, result.suppressed), result.written, strict=True):
        assert written[0] == rows[i][0]  # the row's key: rows are never mixed up
        assert written[8:] == rows[i][8:]  # stage and vulnerability: sensitive attributes, untouched
        assert written[1] == rows[i][1] and written[4] == rows[i][4]  # received_in_month and sex have no ladder
    assert rows == [list(r) for r in rows]  # the input is not modified


@SETTINGS
@given(data=st.data(), rows=person_rows())
def test_the_result_does_not_depend_on_row_order(data: st.DataObject, rows: Rows) -> None:
    shuffled = data.draw(st.permutations(rows))
    first, second = fmt.anonymise(rows), fmt.anonymise(shuffled)
    assert Counter(map(tuple, first.written)) == Counter(map(tuple, second.written))
    assert sorted(rows[i][0] for i in first.suppressed) == sorted(shuffled[i][0] for i in second.suppressed)
    assert first.generalised == second.generalised


@SETTINGS
@given(rows=person_rows())
def test_rows_of_a_class_of_five_or_more_are_never_touched(rows: Rows) -> None:
    start = Counter(qi_of(r) for r in rows)
    result = fmt.anonymise(rows)
    written = dict(zip(_kept(rows, result.suppressed), result.written, strict=True))
    for i, row in enumerate(rows):
        if start[qi_of(row)] >= fmt.K:
            assert written.get(i) == row


@SETTINGS
@given(rows=person_rows())
def test_generalised_counts_the_written_rows_whose_quasi_identifiers_changed(rows: Rows) -> None:
    result = fmt.anonymise(rows)
    changed = [
        i for i, w in zip(_kept(rows, result.suppressed), result.written, strict=True) if qi_of(w) != qi_of(rows[i])
    ]
    assert result.generalised == len(changed)


@SETTINGS
@given(rows=person_rows())
def test_anonymising_the_output_changes_nothing(rows: Rows) -> None:
    once = fmt.anonymise(rows)
    twice = fmt.anonymise(once.written)
    assert twice.written == once.written and twice.suppressed == frozenset() and twice.generalised == 0


@SETTINGS
@given(rows=person_rows())
def test_values_only_ever_get_coarser_along_the_ladder(rows: Rows) -> None:
    result = fmt.anonymise(rows)
    for i, written in zip(_kept(rows, result.suppressed), result.written, strict=True):
        for q, value, original in zip(QIS, qi_of(written), qi_of(rows[i]), strict=True):
            assert value in generalisations(q, original), (q, original, value)
        # and the whole tuple is where the ladder stops for that row: steps 1..s applied, for one s
        assert qi_of(written) in ladder_prefixes(rows[i])


@SETTINGS
@given(rows=person_rows(), k=st.integers(2, 6))
def test_suppressed_rows_are_still_alone_at_the_top_of_the_ladder(rows: Rows, k: int) -> None:
    """Suppression is the last resort: after all seven steps their class is still small."""
    result = fmt.anonymise(rows, k)
    final = [qi_of(w) for w in result.written] + [ladder_prefixes(rows[i])[-1] for i in result.suppressed]
    sizes = Counter(final)
    assert all(sizes[ladder_prefixes(rows[i])[-1]] < k for i in result.suppressed)


@SETTINGS
@given(rows=person_rows(), k=st.integers(1, 7))
def test_same_result_as_the_procedure_of_the_specification(rows: Rows, k: int) -> None:
    result = fmt.anonymise(rows, k)
    expected = reference_anonymise(rows, k)
    assert result.written == expected.written
    assert result.suppressed == expected.suppressed
    assert result.generalised == expected.generalised


@SETTINGS
@given(rows=person_rows())
def test_rows_already_k_anonymous_come_out_unchanged(rows: Rows) -> None:
    padded = [r for r in rows for _ in range(fmt.K)]  # every class has at least five rows
    result = fmt.anonymise(padded)
    assert result.written == padded and result.suppressed == frozenset() and result.generalised == 0


GENERALISABLE: dict[str, tuple[str, ...]] = {
    "first_reception": (*MONTHS, "2025-Q1", "2026-Q4", "2025", "2026"),
    "age_band": (*AGE_BANDS, "0-17", "18-59"),
    "nationality_group": (*NATIONALITY_GROUPS, "foreign"),
    "residence": (*COMMUNES, "09.001.", "01.051.", "09.", "01."),
    "category": (*CATEGORIES, "returnee", "rpt"),
}


def test_each_step_maps_every_value_of_its_column_as_the_table_says() -> None:
    """Every value a column can hold, ``unknown`` included, goes where the §5 table sends it."""
    assert [column for column, _ in fmt.LADDER] == [column for column, _ in SPEC_LADDER]
    wrong = [
        (step, column, value, mapping(value), spec(value))
        for step, ((column, mapping), (_, spec)) in enumerate(zip(fmt.LADDER, SPEC_LADDER, strict=True), start=1)
        for value in GENERALISABLE[column]
        if mapping(value) != spec(value)
    ]
    assert wrong == []


def test_the_worked_example_of_the_specification() -> None:
    """§12: P1–P5 meet in 2025-Q1 / 18-59 after two steps; P6, P7, P8 go to the top and are suppressed."""
    finest = [
        ("1", "2025-03", "rpt_migrant", "M", "18-24", "west_africa", "09.001.01.01."),
        ("1", "2025-03", "rpt_migrant", "M", "25-59", "west_africa", "09.001.01.01."),
        ("1", "2025-02", "rpt_migrant", "M", "25-59", "west_africa", "09.001.01.01."),
        ("1", "2025-01", "rpt_migrant", "M", "18-24", "west_africa", "09.001.01.01."),
        ("1", "2025-01", "rpt_migrant", "M", "25-59", "west_africa", "09.001.01.01."),
        ("0", "2019-07", "mre", "F", "60+", "morocco", "09.001.05.01."),
        ("1", "2025-02", "returnee_avrr", "M", "25-59", "morocco", "unknown"),
        ("0", "2024-11", "rpt_asylum_seeker", "F", "25-59", "central_africa", "09.001.01.01."),
    ]
    rows = [[f"{n:064x}", *qis, "accueil", "", *["0"] * 14] for n, qis in enumerate(finest)]
    result = fmt.anonymise(rows)
    assert result.suppressed == frozenset({5, 6, 7}) and result.generalised == 5
    assert {qi_of(r) for r in result.written} == {("1", "2025-Q1", "rpt_migrant", "M", "18-59", "west_africa",
                                                   "09.001.01.01.")}  # fmt: skip


BASE = ("1", "2025-03", "rpt_migrant", "M", "25-59", "west_africa", "09.001.01.01.")
# For each step of the table, a value that only that step brings together with BASE's.
NEAR_MISS = {
    1: ("first_reception", "2025-01"),  # same quarter
    2: ("age_band", "18-24"),  # same broad band
    3: ("nationality_group", "central_africa"),  # both foreign
    4: ("first_reception", "2025-05"),  # another quarter of the same year
    5: ("residence", "09.001.05.01."),  # same province
    6: ("category", "rpt_worker"),  # same family
    7: ("residence", "09.273.01.15."),  # another province of the same region
}


def _row(n: int, qis: Sequence[str]) -> list[str]:
    return [f"{n:064x}", *qis, "suivi", "medium", *["0"] * 14]


@pytest.mark.parametrize("step", sorted(NEAR_MISS))
def test_the_steps_come_in_the_order_of_the_table_and_stop_at_the_first_that_suffices(step: int) -> None:
    """Three rows and two near misses meet after exactly ``step`` steps; a class of five stays as it is."""
    column, value = NEAR_MISS[step]
    near = list(BASE)
    near[QIS.index(column)] = value
    big = ("0", "2024-07", "mre", "F", "60+", "morocco", "09.541.01.11.")
    rows = [_row(0, BASE), _row(1, BASE), _row(2, BASE), _row(3, near), _row(4, near)]
    rows += [_row(5 + n, big) for n in range(5)]
    assert ladder_prefixes(rows[0])[step - 1] != ladder_prefixes(rows[3])[step - 1]
    result = fmt.anonymise(rows)
    assert result.suppressed == frozenset() and result.generalised == 5
    assert [qi_of(r) for r in result.written[:5]] == [ladder_prefixes(rows[0])[step]] * 5
    assert result.written[5:] == rows[5:]
