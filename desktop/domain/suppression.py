"""Small-cell suppression for tables that leave the office.

How counts are protected in the tables we share:

1. Primary suppression.  Any count from 1 to 4 is hidden and printed as "<5".
   A count of 0 is printed as 0; 5 and more are printed as they are.
2. Secondary suppression.  When the cells of a line add up to a printed total,
   one hidden cell could be worked out as the total minus the visible cells.
   So when a line has exactly one hidden cell, the smallest other non-zero cell
   is hidden too.  A total from 1 to 4 is itself printed as "<5", and then every
   non-zero cell of its line is hidden.
   Hidden cells are known to be at least 1 (a zero prints as 0) and, when hidden for
   being small, at most 4: where the hidden cells of a line add up to exactly their
   number (all 1) or to 4 times it (all 4), one more cell is hidden.
3. Lines whose cells do not add up to the total (a person counted in several
   cells, as for needs) only get primary suppression: nothing can be subtracted.
4. Two-way tables (rows, columns, row and column totals, grand total): the rule of
   point 2 is applied to every row and column, totals included, until nothing
   changes; then, where a hidden value could still be worked out by combining
   several rows and columns, one more value is hidden to close the gap.  A total
   may therefore be hidden too, even when it is 5 or more.
5. Rates, percentages and medians computed over 1 to 4 people are hidden.

Pure Python, no third-party import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

SMALL_MIN = 1
SMALL_MAX = 4  # cells 1..4 are hidden, shown as "<5"
SMALL_LABEL = f"<{SMALL_MAX + 1}"
TOTAL = "__total__"  # row/column key of the margins in suppress_table's result

Entry = tuple[str, str]  # (row key, column key); TOTAL for a margin
Node = tuple[str, str]  # ("r", row key) or ("c", column key): one line of the table


def is_small(value: int) -> bool:
    """A count that must not be shown (1..4)."""
    return SMALL_MIN <= value <= SMALL_MAX


def hide_total(total: int) -> bool:
    """Whether a line's total is shown as "<5"."""
    return is_small(total)


def rate_hidden(base: int) -> bool:
    """Whether a rate or median over ``base`` units is hidden (base 0: no value, shown as "—")."""
    return is_small(base)


def shown(value: int, hidden: bool) -> str | int:
    """What to print for a count."""
    return SMALL_LABEL if hidden else value


def suppress_line(cells: Mapping[str, int], total: int | None, partition: bool) -> set[str]:
    """Keys of ``cells`` to hide in one line of counts.

    ``partition``: the cells add up to ``total`` (each unit in exactly one cell).
    Secondary suppression then applies even when ``total`` is None, since the
    total may be printed elsewhere.  Show the total itself with :func:`hide_total`.
    """
    hidden = {key for key, value in cells.items() if is_small(value)}
    if not partition:
        return hidden
    if total is not None and hide_total(total):
        return hidden | {key for key, value in cells.items() if value != 0}
    while len(hidden) == 1 or pinned([cells[key] for key in hidden]):
        visible = [(value, key) for key, value in sorted(cells.items()) if value > 0 and key not in hidden]
        if not visible:
            break
        hidden.add(min(visible)[1])
    return hidden


def pinned(hidden_values: Iterable[int]) -> bool:
    """Whether hidden counts whose sum is known could each be told: all 1, or all 4 when all small."""
    values = [v for v in hidden_values if v > 0]
    if not values:
        return False
    rest = sum(values)
    return rest == len(values) or (all(is_small(v) for v in values) and rest == SMALL_MAX * len(values))


def suppress_table(
    rows: Mapping[str, Mapping[str, int]], row_totals: Mapping[str, int], col_totals: Mapping[str, int]
) -> set[tuple[str, str]]:
    """Entries to hide in a two-way table whose cells add up to its margins.

    Returns ``(row, column)`` keys of hidden cells, and also ``(row, TOTAL)``,
    ``(TOTAL, column)`` and ``(TOTAL, TOTAL)`` for hidden row totals, column totals
    and grand total (the sum of ``row_totals``).  Use membership in the result,
    not :func:`hide_total`, for the margins: secondary suppression may hide a total.

    Guarantee, when the margins are the sums of the cells: no hidden entry can be
    worked out from the printed values through the row and column sums (in graph
    terms: the hidden entries, as edges between lines, contain no bridge, so each
    lies on a cycle that can shift its value).
    """
    values = _extended(rows, row_totals, col_totals)
    hidden = {entry for entry, value in values.items() if is_small(value)}
    while True:
        entry = _next_secondary(values, hidden)
        if entry is None:
            return hidden
        hidden.add(entry)


def _extended(
    rows: Mapping[str, Mapping[str, int]], row_totals: Mapping[str, int], col_totals: Mapping[str, int]
) -> dict[Entry, int]:
    """All entries of the table, margins included; missing cells are 0."""
    row_keys = set(rows) | set(row_totals)
    col_keys = set(col_totals).union(*(set(cells) for cells in rows.values()))
    if TOTAL in row_keys or TOTAL in col_keys:
        raise ValueError(f"{TOTAL!r} is reserved for the margins")
    values: dict[Entry, int] = {}
    for r in row_keys:
        for c in col_keys:
            values[r, c] = rows.get(r, {}).get(c, 0)
        values[r, TOTAL] = row_totals.get(r, 0)
    for c in col_keys:
        values[TOTAL, c] = col_totals.get(c, 0)
    values[TOTAL, TOTAL] = sum(row_totals.values())
    return values


def _nodes(entry: Entry) -> tuple[Node, Node]:
    return ("r", entry[0]), ("c", entry[1])


def _is_margin(entry: Entry) -> bool:
    return TOTAL in entry


def _pick(values: Mapping[Entry, int], hidden: set[Entry], among: Iterable[Entry]) -> Entry | None:
    """The smallest non-zero visible entry, cells before margins, ties by key."""
    candidates = [(_is_margin(e), values[e], e) for e in among if values[e] > 0 and e not in hidden]
    return min(candidates)[2] if candidates else None


def _line(values: Mapping[Entry, int], node: Node) -> list[Entry]:
    side, key = node
    return [e for e in values if e[0 if side == "r" else 1] == key]


def _next_secondary(values: Mapping[Entry, int], hidden: set[Entry]) -> Entry | None:
    """One more entry to hide, or None when the hidden set is safe (or nothing is left)."""
    degree: dict[Node, int] = {}
    for entry in hidden:
        for node in _nodes(entry):
            degree[node] = degree.get(node, 0) + 1
    # A line with exactly one hidden entry, or whose hidden entries its printed total pins down
    # (see ``pinned``): hide the smallest other one.
    for node in sorted(degree):
        line = _line(values, node)
        margin = [e for e in line if _is_margin(e) and e[0 if node[0] == "c" else 1] == TOTAL]
        sum_printed = not margin or margin[0] not in hidden
        cells = [values[e] for e in line if e in hidden and e not in margin]
        if degree[node] == 1 or (sum_printed and pinned(cells)):
            pick = _pick(values, hidden, line)
            if pick is not None:
                return pick
    # A hidden entry still fixed by a chain of lines (a bridge): reconnect its two sides.
    for entry in sorted(hidden):
        sides = _bridge_sides(hidden, entry)
        if sides is None:
            continue
        a, b = sides
        across = [e for e in values if e != entry and _crosses(e, a, b)]
        row, col = _nodes(entry)
        for among in (across, _line(values, row) + _line(values, col), values):
            pick = _pick(values, hidden, among)
            if pick is not None:
                return pick
    return None


def _crosses(entry: Entry, a: set[Node], b: set[Node]) -> bool:
    row, col = _nodes(entry)
    return (row in a and col in b) or (row in b and col in a)


def _bridge_sides(hidden: set[Entry], bridge: Entry) -> tuple[set[Node], set[Node]] | None:
    """Lines linked to the bridge's row and to its column without it; None if not a bridge."""
    links: dict[Node, list[Node]] = {}
    for entry in hidden:
        if entry != bridge:
            a, b = _nodes(entry)
            links.setdefault(a, []).append(b)
            links.setdefault(b, []).append(a)
    row, col = _nodes(bridge)
    side = _reach(links, row)
    return None if col in side else (side, _reach(links, col))


def _reach(links: Mapping[Node, list[Node]], start: Node) -> set[Node]:
    seen = {start}
    stack = [start]
    while stack:
        for nxt in links.get(stack.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
