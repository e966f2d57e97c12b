"""Small-cell suppression: primary, secondary, totals, two-way tables checked by brute force."""

from __future__ import annotations

import random

import numpy as np
import pytest

from desktop.domain import suppression
from desktop.domain.suppression import (
    TOTAL,
    hide_total,
    rate_hidden,
    shown,
    suppress_line,
    suppress_table,
)


@pytest.mark.parametrize(("value", "hidden"), [(0, False), (1, True), (2, True), (4, True), (5, False), (30, False)])
def test_primary_hides_one_to_four_only(value: int, hidden: bool) -> None:
    cells = {"a": value, "b": 7, "c": 9}
    assert ("a" in suppress_line(cells, None, partition=False)) is hidden


def test_secondary_hides_the_smallest_other_non_zero_cell() -> None:
    cells = {"a": 3, "b": 0, "c": 12, "d": 8, "e": 40}
    assert suppress_line(cells, 63, partition=True) == {"a", "d"}


def test_secondary_ties_go_to_the_first_key() -> None:
    cells = {"z": 2, "y": 9, "x": 9, "w": 20}
    assert suppress_line(cells, 40, partition=True) == {"z", "x"}


def test_no_secondary_when_two_are_already_hidden() -> None:
    cells = {"a": 3, "b": 1, "c": 12, "d": 8}
    assert suppress_line(cells, 24, partition=True) == {"a", "b"}


def test_no_secondary_without_partition() -> None:
    cells = {"a": 3, "c": 12, "d": 8}
    assert suppress_line(cells, 20, partition=False) == {"a"}


def test_partition_without_printed_total_still_gets_secondary() -> None:
    assert suppress_line({"a": 2, "b": 6, "c": 50}, None, partition=True) == {"a", "b"}


def test_nothing_hidden_when_no_small_cell() -> None:
    assert suppress_line({"a": 0, "b": 5, "c": 6}, 11, partition=True) == set()


@pytest.mark.parametrize("total", [1, 2, 3, 4])
def test_small_total_hides_every_non_zero_cell(total: int) -> None:
    cells = {"a": total, "b": 0, "c": 0}
    assert hide_total(total)
    assert suppress_line(cells, total, partition=True) == {"a"}
    split = {"a": 1, "b": total - 1, "c": 0}
    assert suppress_line(split, total, partition=True) == {k for k, v in split.items() if v}


@pytest.mark.parametrize(("total", "hidden"), [(0, False), (5, False), (100, False)])
def test_totals_of_zero_or_five_and_more_are_shown(total: int, hidden: bool) -> None:
    assert hide_total(total) is hidden


def test_shown_and_rates() -> None:
    assert shown(3, True) == "<5"
    assert shown(3, False) == 3
    assert shown(0, False) == 0
    assert [rate_hidden(b) for b in (0, 1, 4, 5)] == [False, True, True, False]


def test_table_single_small_cell_gets_a_rectangle() -> None:
    rows = {"r1": {"a": 2, "b": 10}, "r2": {"a": 20, "b": 30}}
    hidden = suppress_table(rows, {"r1": 12, "r2": 50}, {"a": 22, "b": 40})
    assert hidden == {("r1", "a"), ("r1", "b"), ("r2", "a"), ("r2", "b")}


def test_table_small_margin_is_hidden_and_protected() -> None:
    rows = {"r1": {"a": 3, "b": 0}, "r2": {"a": 20, "b": 30}, "r3": {"a": 8, "b": 9}}
    hidden = suppress_table(rows, {"r1": 3, "r2": 50, "r3": 17}, {"a": 31, "b": 39})
    assert ("r1", "a") in hidden
    assert ("r1", TOTAL) in hidden
    # The row total 3 must not be recoverable as grand total minus the other row totals.
    assert sum(1 for r in ("r1", "r2", "r3", TOTAL) if (r, TOTAL) in hidden) >= 2
    assert ("r1", "b") not in hidden


def test_table_rejects_the_reserved_key() -> None:
    with pytest.raises(ValueError, match="reserved"):
        suppress_table({TOTAL: {"a": 1}}, {TOTAL: 1}, {"a": 1})


def _random_table(rng: random.Random) -> tuple[dict[str, dict[str, int]], dict[str, int], dict[str, int]]:
    row_keys = [f"r{i}" for i in range(rng.randint(1, 5))]
    col_keys = [f"c{j}" for j in range(rng.randint(1, 5))]

    def draw() -> int:
        kind = rng.random()
        return 0 if kind < 0.3 else rng.randint(1, 4) if kind < 0.6 else rng.randint(5, 40)

    rows = {r: {c: draw() for c in col_keys} for r in row_keys}
    row_totals = {r: sum(rows[r].values()) for r in row_keys}
    col_totals = {c: sum(rows[r][c] for r in row_keys) for c in col_keys}
    return rows, row_totals, col_totals


def _extended(rows: dict[str, dict[str, int]], row_totals: dict[str, int], col_totals: dict[str, int]) -> dict:
    values = {(r, c): v for r, cells in rows.items() for c, v in cells.items()}
    values |= {(r, TOTAL): v for r, v in row_totals.items()}
    values |= {(TOTAL, c): v for c, v in col_totals.items()}
    values[TOTAL, TOTAL] = sum(row_totals.values())
    return values


def _determined(values: dict, hidden: set) -> list:
    """Hidden entries fixed by the row and column equations (linear algebra, no graph)."""
    hidden_list = sorted(hidden)
    lines = [("r", r) for r in {e[0] for e in values}] + [("c", c) for c in {e[1] for e in values}]
    matrix = np.zeros((len(lines), len(hidden_list)))
    for i, (side, key) in enumerate(lines):
        for j, entry in enumerate(hidden_list):
            if entry[0 if side == "r" else 1] == key:
                # Each line: its entries add up to its own total, so entries +1, the total -1.
                matrix[i, j] = -1.0 if entry[1 if side == "r" else 0] == TOTAL else 1.0
    rank = np.linalg.matrix_rank(matrix) if hidden_list else 0
    fixed = []
    for j, entry in enumerate(hidden_list):
        unit = np.zeros((1, len(hidden_list)))
        unit[0, j] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            fixed.append(entry)
    return fixed


def test_random_tables_leave_no_recoverable_cell() -> None:
    rng = random.Random(20240611)
    for _ in range(200):
        rows, row_totals, col_totals = _random_table(rng)
        values = _extended(rows, row_totals, col_totals)
        hidden = suppress_table(rows, row_totals, col_totals)
        assert hidden <= set(values)
        for entry, value in values.items():
            if entry in hidden:
                assert value > 0, entry
            else:
                assert not 1 <= value <= 4, (entry, rows)
        for r in {e[0] for e in values}:
            assert sum(1 for e in hidden if e[0] == r) != 1, (r, rows, hidden)
        for c in {e[1] for e in values}:
            assert sum(1 for e in hidden if e[1] == c) != 1, (c, rows, hidden)
        assert _determined(values, hidden) == [], (rows, hidden)


def test_the_linear_check_does_catch_a_bridge() -> None:
    # Two hidden rectangles joined by one hidden cell: every line has two or more hidden
    # entries, yet the joining cell is fixed.  The checker must see it.
    rows = {f"r{i}": {f"c{j}": 10 for j in range(4)} for i in range(4)}
    row_totals = {r: 40 for r in rows}
    col_totals = {f"c{j}": 40 for j in range(4)}
    values = _extended(rows, row_totals, col_totals)
    square = {(r, c) for r in ("r0", "r1") for c in ("c0", "c1")} | {(r, c) for r in ("r2", "r3") for c in ("c2", "c3")}
    assert _determined(values, square) == []
    assert _determined(values, square | {("r0", "c2")}) == [("r0", "c2")]


def test_table_where_line_rule_alone_leaves_a_chain() -> None:
    # Found by search: after the one-per-line rule every line has 0 or 2+ hidden entries,
    # but a hidden entry can still be worked out through several lines; the bridge step fixes it.
    rows = {"r0": {"c0": 2, "c1": 27, "c2": 0}, "r1": {"c0": 0, "c1": 0, "c2": 18}, "r2": {"c0": 3, "c1": 0, "c2": 1}}
    row_totals = {r: sum(cells.values()) for r, cells in rows.items()}
    col_totals = {c: sum(rows[r][c] for r in rows) for c in ("c0", "c1", "c2")}
    values = _extended(rows, row_totals, col_totals)
    hidden = suppress_table(rows, row_totals, col_totals)
    assert _determined(values, hidden) == []
    assert (TOTAL, TOTAL) not in hidden


def test_hidden_cells_that_add_up_to_their_number_are_not_left_alone() -> None:
    # 7 = 5 + "<5" + "<5": both hidden cells would be 1; one more is hidden.
    cells = {"a": 5, "b": 1, "c": 1}
    hidden = suppression.suppress_line(cells, 7, partition=True)
    assert hidden == {"a", "b", "c"}
    assert not suppression.pinned([cells[k] for k in hidden])


def test_small_cells_adding_up_to_four_times_their_number_are_protected() -> None:
    cells = {"a": 4, "b": 4, "c": 9, "d": 12}
    hidden = suppression.suppress_line(cells, 29, partition=True)
    assert {"a", "b", "c"} <= hidden and "d" not in hidden


def test_pinned() -> None:
    assert suppression.pinned([1, 1]) and suppression.pinned([4, 4, 4]) and suppression.pinned([1])
    assert not suppression.pinned([1, 2]) and not suppression.pinned([4, 5]) and not suppression.pinned([])
    assert not suppression.pinned([3, 5]) and suppression.pinned([0, 1])


def test_two_way_tables_do_not_leave_ones_pinned_by_a_printed_margin() -> None:
    rows = {"r1": {"x": 1, "y": 1, "z": 20}, "r2": {"x": 30, "y": 30, "z": 30}}
    hidden = suppression.suppress_table(rows, {"r1": 22, "r2": 90}, {"x": 31, "y": 31, "z": 50})
    row = [rows["r1"][c] for c in ("x", "y", "z") if ("r1", c) in hidden]
    assert len(row) >= 2 and (("r1", suppression.TOTAL) in hidden or not suppression.pinned(row))
