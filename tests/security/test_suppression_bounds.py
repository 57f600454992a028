"""The marks say something, and the masking takes it into account (issue 13).

A "<5" is 1 to 4 and a "×" at least 5 (a smaller count would read "<5", and zero is shown). Counting only
how many cells are hidden and their sum, the masking left "<5" and "×" hiding 1 and 5 beside a shown total
of 6 (1 + 5 is the only split), two "<5" hiding 4 and 4 under 8, five "<5" under 5. Now every "<5" keeps
two possible values given everything shown, marks and their ranges included (`core.suppression._Bounds`).

The property tests enumerate, for random tables, every assignment of the hidden cells consistent with what
is shown (each mark's range, each shown count, every relation the viewer knows) and check that each "<5"
can take at least two values."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.core.suppression import Group, masked, masked_table
from tests.marks import assert_every_small_mark_has_two_values

# --- The attacks of the issue, as a viewer would make them ------------------------------------------------


def test_a_small_and_a_hidden_part_beside_a_total_of_six_are_not_given_back() -> None:
    # 1 + 5 = 6 is the only split with a "<5" (1 to 4) and a "×" (5 or more).
    counts = {"total": 6, "a": 1, "b": 5}
    groups = [Group(parts=["a", "b"], total="total")]
    shown = masked(counts, groups)
    assert shown["a"] == "<5"
    assert_every_small_mark_has_two_values(counts, shown, groups)


def test_two_small_parts_of_four_under_eight_are_not_given_back() -> None:
    counts = {"total": 8, "a": 4, "b": 4, "c": 0}
    groups = [Group(parts=["a", "b", "c"], total="total")]
    shown = masked(counts, groups)
    assert_every_small_mark_has_two_values(counts, shown, groups)


def test_five_small_parts_under_five_are_not_each_one() -> None:
    counts = {"total": 5} | {f"p{i}": 1 for i in range(5)}
    groups = [Group(parts=[f"p{i}" for i in range(5)], total="total")]
    shown = masked(counts, groups)
    assert_every_small_mark_has_two_values(counts, shown, groups)


def test_a_bound_given_back_through_a_second_group_is_caught() -> None:
    """Each group alone leaves its "<5" several values, together they pin all three: b = 10 − a is at
    least 6, b = 7 − c at most 6, so b is 6, a is 4 and c is 1. The check follows bounds across groups."""
    counts = {"t1": 10, "a": 4, "b": 6, "t2": 7, "c": 1}
    groups = [Group(parts=["a", "b"], total="t1"), Group(parts=["b", "c"], total="t2")]
    shown = masked(counts, groups)
    assert_every_small_mark_has_two_values(counts, shown, groups)


# --- Properties over random tables --------------------------------------------------------------------------

cell = st.integers(min_value=0, max_value=14)


@settings(max_examples=250, deadline=None)
@given(st.lists(cell, min_size=1, max_size=6))
def test_one_group_with_its_total(values: list[int]) -> None:
    parts = [f"p{i}" for i in range(len(values))]
    counts = dict(zip(parts, values, strict=True)) | {"total": sum(values)}
    groups = [Group(parts=parts, total="total")]
    assert_every_small_mark_has_two_values(counts, masked(counts, groups), groups)


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 3), st.integers(2, 3), st.data())
def test_a_table_with_row_and_column_totals(rows: int, columns: int, data: Any) -> None:
    """Rows × columns with every row total, column total and the grand total shown: the interval of a cell
    from its row and its column alone can be wider than what the whole table gives (a viewer solving it
    as a linear program); the search for a second value sees the whole table."""
    values = data.draw(st.lists(st.integers(0, 9), min_size=rows * columns, max_size=rows * columns))
    counts: dict[Hashable, int] = {}
    for i in range(rows):
        for j in range(columns):
            counts[(i, j)] = values[i * columns + j]
    for i in range(rows):
        counts[(i, "total")] = sum(counts[(i, j)] for j in range(columns))
    for j in range(columns):
        counts[("total", j)] = sum(counts[(i, j)] for i in range(rows))
    counts[("total", "total")] = sum(values)
    groups = [Group(parts=[(i, j) for j in range(columns)], total=(i, "total")) for i in range(rows)]
    groups += [Group(parts=[(i, j) for i in range(rows)], total=("total", j)) for j in range(columns)]
    groups.append(Group(parts=[(i, "total") for i in range(rows)], total=("total", "total")))
    groups.append(Group(parts=[("total", j) for j in range(columns)], total=("total", "total")))
    assert_every_small_mark_has_two_values(counts, masked(counts, groups), groups)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cell, min_size=1, max_size=3), min_size=1, max_size=3), st.data())
def test_breakdowns_of_one_total(shapes: list[list[int]], data: Any) -> None:
    """Several breakdowns of the same people (unit, sex, age band), each adding up to the shown total."""
    total = sum(shapes[0])
    breakdowns = []
    for index, shape in enumerate(shapes):
        if index:  # the same total, split another way
            cuts = sorted(data.draw(st.lists(st.integers(0, total), min_size=len(shape) - 1)))
            shape = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
        breakdowns.append(shape)
    counts: dict[Hashable, int] = {"total": total}
    groups = []
    for index, shape in enumerate(breakdowns):
        counts |= {(index, k): n for k, n in enumerate(shape)}
        groups.append(Group(parts=[(index, k) for k in range(len(shape))], total="total", both_ways=True))
    assert_every_small_mark_has_two_values(counts, masked(counts, groups), groups)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(cell, cell, cell), min_size=1, max_size=3))
def test_the_program_table_with_nested_columns(rows_drawn: list[tuple[int, int, int]]) -> None:
    """participants ⊇ completed ⊇ certified per row, and a total row: the gaps between neighbours are
    counts no page shows (the viewer knows only that they are not negative)."""
    rows = []
    for a, b, c in rows_drawn:
        participants = a + b + c
        rows.append({"participants": participants, "completed": b + c, "certified": c})
    columns = ["participants", "completed", "certified"]
    table, totals = masked_table(rows, columns, nested=columns)
    counts: dict[Hashable, int] = {}
    shown: dict[Hashable, Any] = {}
    for index, row in enumerate(rows):
        for column in columns:
            counts[(index, column)] = row[column]
            shown[(index, column)] = table[index][column]
    for column in columns:
        counts[("total", column)] = sum(row[column] for row in rows)
        shown[("total", column)] = totals[column]
    groups = [Group(parts=[(i, c) for i in range(len(rows))], total=("total", c)) for c in columns]
    unseen = []
    for index in [*range(len(rows)), "total"]:
        for outer, inner in zip(columns, columns[1:], strict=False):
            gap = ("gap", index, outer)
            unseen.append(gap)
            counts[gap] = counts[(index, outer)] - counts[(index, inner)]
            groups.append(Group(parts=[(index, inner), gap], total=(index, outer)))
    assert_every_small_mark_has_two_values(counts, shown, groups, unseen=unseen)
