"""Small-cell suppression of the ring-area table together with the people-reached tables, for the roles that
see aggregates only: no hidden cell comes back by subtraction, within the ring table or across the two."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.accounts.choices import Role
from sinergi.reports import ring
from sinergi.reports.dashboards import reach_masked, ring_masked

TJSL = SimpleNamespace(role=Role.CSR_OFFICER)
MONITOR = SimpleNamespace(role=Role.MONITOR)
ADMIN = SimpleNamespace(role=Role.ADMIN)
TOTAL = ("total", "")


def _ring_rows(
    inside: Mapping[str, int], outside: int, unknown: int = 0, none: int = 0
) -> list[tuple[str, str, int]]:
    """Rows as `ring.reached_by_ring` gives them."""
    rows = [(ring.IN_RING, "In", sum(inside.values()))]
    rows += [(code, code, n) for code, n in inside.items()]
    rows.append((ring.OUTSIDE, "Outside", outside))
    if unknown:
        rows.append((ring.UNKNOWN, "Unknown", unknown))
    if none:
        rows.append((ring.NO_RING, "None", none))
    return rows


def _reached(districts: Mapping[str, int]) -> dict[str, list[tuple[str, str, int]]]:
    """`selectors.reached` with the domicile districts only (every other breakdown empty)."""
    return {
        "total": [("", "People reached", sum(districts.values()))],
        "district": [(code, code, n) for code, n in districts.items()],
        "unit": [],
        "sex": [],
        "age": [],
    }


def _hidden(value: Any) -> bool:
    return not isinstance(value, int)


def test_a_small_cell_outside_the_ring_cannot_be_recovered_from_the_total_and_the_subtotal() -> None:
    # Two ring districts of 10; the extra hidden cell lands on one of them and `in_ring` stays shown.
    rows = _ring_rows({"A": 10, "B": 10}, outside=30, unknown=2)
    shown = ring_masked(TJSL, rows)
    assert shown[ring.UNKNOWN] == "<5"
    # 52 − in_ring − outside = unknown, unless one of them is hidden too.
    assert any(_hidden(shown[key]) for key in (ring.IN_RING, ring.OUTSIDE, ("total", "")))
    assert ring_masked(ADMIN, rows)[ring.UNKNOWN] == 2


def test_the_ring_table_and_the_district_table_are_never_shown_together() -> None:
    # A=10, B=2 (ring), D=6, C=40 (not ring): 58 people.
    rows = _ring_rows({"A": 10, "B": 2}, outside=46)
    reached = _reached({"A": 10, "B": 2, "C": 40, "D": 6})
    for actor in (TJSL, MONITOR):
        shown_reached, shown_ring = reach_masked(actor, reached, rows)
        # A ring district's row nearly repeats its domicile row, and the gap between the two is a count
        # of people: the aggregate-only roles get the ring table (exact) and no domicile-district table.
        assert not [key for key in shown_reached if key[0] == "district"]
        assert shown_ring["B"] == "<5"
        # B = in_ring − A: one of them is hidden too.
        assert any(_hidden(v) for v in (shown_ring[ring.IN_RING], shown_ring["A"]))
    shown_reached, shown_ring = reach_masked(ADMIN, reached, rows)
    assert shown_reached[("district", "B")] == 2 and shown_ring["B"] == 2 and shown_ring[ring.IN_RING] == 12


def test_the_gap_between_a_ring_row_and_its_domicile_row_is_not_shown() -> None:
    # Not exact: 2 people from A and 4 from B joined only programs under agreements without ring areas,
    # so the domicile rows (20, 14) exceed the ring rows (18 − …). Nothing is small, yet the two tables
    # side by side would tell how many people from A and B were counted outside the ring.
    rows = _ring_rows({"A": 18, "B": 10}, outside=10, none=6)
    reached = _reached({"A": 20, "B": 14, "C": 10})
    shown_reached, shown_ring = reach_masked(TJSL, reached, rows)
    assert not [key for key in shown_reached if key[0] == "district"]
    assert shown_ring == {key: n for key, _label, n in rows}


# --- Property: for random small tables, no hidden cell is determined by the relations among the cells -----


def _determined(relations: Sequence[Mapping[Hashable, int]], hidden: set[Hashable]) -> set[Hashable]:
    """The hidden cells whose value follows from the relations (each: Σ coefficient × cell = 0) and the
    shown cells: those whose unit vector is in the row space of the relations restricted to hidden cells."""
    columns = sorted(hidden, key=repr)
    index = {key: i for i, key in enumerate(columns)}

    def rank(rows: list[list[Fraction]]) -> int:
        rows = [list(r) for r in rows]
        r = 0
        for c in range(len(columns)):
            pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
            if pivot is None:
                continue
            rows[r], rows[pivot] = rows[pivot], rows[r]
            for i in range(len(rows)):
                if i != r and rows[i][c] != 0:
                    factor = rows[i][c] / rows[r][c]
                    rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
            r += 1
        return r

    matrix = []
    for relation in relations:
        row = [Fraction(0)] * len(columns)
        for key, coefficient in relation.items():
            if key in index:
                row[index[key]] += coefficient
        matrix.append(row)
    base = rank(matrix)
    found = set()
    for key in columns:
        unit = [Fraction(0)] * len(columns)
        unit[index[key]] = Fraction(1)
        if rank([*matrix, unit]) == base:
            found.add(key)
    return found


def _sum_relation(parts: Sequence[Hashable], total: Hashable) -> dict[Hashable, int]:
    relation: dict[Hashable, int] = {total: -1}
    for key in parts:
        relation[key] = relation.get(key, 0) + 1
    return relation


cell = st.integers(min_value=0, max_value=12)


@settings(max_examples=300, deadline=None)
@given(
    ring_districts=st.lists(cell, min_size=1, max_size=4),
    outside=cell,
    unknown=cell,
    none=cell,
    women=st.integers(min_value=0, max_value=100),
)
def test_no_hidden_cell_is_determined_by_the_shown_ones(
    ring_districts: list[int], outside: int, unknown: int, none: int, women: int
) -> None:
    """The ring table's rows are exact (each person in one row; the ring districts add up to in_ring), and
    the sex split adds up to the same total; the domicile-district table is not shown to these roles."""
    inside = {f"R{i}": n for i, n in enumerate(ring_districts)}
    rows = _ring_rows(inside, outside=outside, unknown=unknown, none=none)
    total = sum(inside.values()) + outside + unknown + none
    women = min(women, total)
    reached = _reached({"R0": total})  # the domicile table, whatever it holds, is left out
    reached["total"] = [("", "People reached", total)]
    reached["sex"] = [("F", "F", women), ("M", "M", total - women)]
    shown_reached, shown_ring = reach_masked(TJSL, reached, rows)
    assert not [key for key in shown_reached if key[0] == "district"]

    values: dict[Hashable, Any] = {key: v for key, v in shown_reached.items()}
    values |= {("ring", key): v for key, v in shown_ring.items()}
    true: dict[Hashable, int] = {TOTAL: total, ("sex", "F"): women, ("sex", "M"): total - women}
    true |= {("ring", key): n for key, _label, n in rows}
    for key, value in values.items():
        assert value == true[key] or _hidden(value), key

    coarse = [("ring", key) for key, _label, _n in rows if key in ring.KEYS and key != ring.IN_RING]
    districts = [("ring", key) for key in inside]
    relations = [
        _sum_relation([("sex", "F"), ("sex", "M")], TOTAL),
        _sum_relation([("ring", ring.IN_RING), *coarse], TOTAL),
        _sum_relation([*districts, *coarse], TOTAL),
        _sum_relation(districts, ("ring", ring.IN_RING)),
    ]
    hidden = {key for key, value in values.items() if _hidden(value)}
    # Every small cell is hidden …
    assert all(key in hidden for key, n in true.items() if 0 < n < 5)
    # … no single relation gives one back (exactly one hidden cell in it) …
    for relation in relations:
        secret = [key for key in relation if key in hidden]
        assert len(secret) != 1, (relation, secret)
    # … nor does any combination of them.
    assert not _determined(relations, hidden), (values, true)
