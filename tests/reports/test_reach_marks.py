"""The people-reached tables of the unfiltered dashboard, for aggregate-only roles, read with their marks.

The ring table, the units, sex and age bands are breakdowns of the same people, each adding up to the total
shown above them. A "<5" (1 to 4) and a "×" (5 or more) beside a shown total of 6 give both back, so the
masking hides the total there; the breakdowns must then agree that it is hidden: a unit table showing every
row would add it back up, and with it the hidden cells (issue 13, the attack on the ring table)."""

from __future__ import annotations

from collections.abc import Hashable
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.accounts.choices import Role
from sinergi.core.suppression import Group
from sinergi.reports import ring
from sinergi.reports.dashboards import reach_masked
from tests.marks import assert_every_small_mark_has_two_values

TJSL = SimpleNamespace(role=Role.CSR_OFFICER)
TOTAL = ("total", "")


def _tables(
    inside: dict[str, int], outside: int, units: list[int], women: int
) -> tuple[dict[Hashable, int], dict[Hashable, Any], list[Group]]:
    """The true counts, the cells as `reach_masked` shows them, and the relations the viewer knows."""
    total = sum(inside.values()) + outside
    rows = [(ring.IN_RING, "In", sum(inside.values()))]
    rows += [(code, code, n) for code, n in inside.items()]
    rows.append((ring.OUTSIDE, "Outside", outside))
    reached = {
        "total": [("", "People reached", total)],
        "unit": [(f"U{i}", f"U{i}", n) for i, n in enumerate(units)],
        "sex": [("F", "F", women), ("M", "M", total - women)],
        "age": [],
    }
    shown_reached, shown_ring = reach_masked(TJSL, reached, rows)
    shown: dict[Hashable, Any] = dict(shown_reached) | {("ring", key): v for key, v in shown_ring.items()}
    counts: dict[Hashable, int] = {TOTAL: total, ("sex", "F"): women, ("sex", "M"): total - women}
    counts |= {("unit", f"U{i}"): n for i, n in enumerate(units)}
    counts |= {("ring", key): n for key, _label, n in rows}
    districts = [("ring", code) for code in inside]
    groups = [
        Group(parts=[("sex", "F"), ("sex", "M")], total=TOTAL),
        Group(parts=[("unit", f"U{i}") for i in range(len(units))], total=TOTAL),
        Group(parts=[("ring", ring.IN_RING), ("ring", ring.OUTSIDE)], total=TOTAL),
        Group(parts=[*districts, ("ring", ring.OUTSIDE)], total=TOTAL),
        Group(parts=districts, total=("ring", ring.IN_RING)),
    ]
    return counts, shown, groups


def test_a_total_hidden_for_the_ring_tables_sake_is_not_added_back_up_by_the_units() -> None:
    """One person outside the ring areas, five in one ring district: "<5" and "×" under a shown 6 would
    give 1 and 5 back, so the total is hidden; the one unit's row (6) would show it again."""
    counts, shown, groups = _tables({"R0": 5}, outside=1, units=[6], women=6)
    assert shown[("ring", ring.OUTSIDE)] == "<5"
    assert shown[TOTAL] == "×"
    for breakdown in ("unit", "sex"):
        assert any(shown[key] == "×" for key in shown if key[0] == breakdown), breakdown
    assert_every_small_mark_has_two_values(counts, shown, groups)


cell = st.integers(min_value=0, max_value=9)


@settings(max_examples=120, deadline=None)
@given(st.lists(cell, min_size=1, max_size=2), cell, st.integers(1, 3), st.data())
def test_no_small_mark_of_the_reached_tables_has_one_possible_value(
    inside: list[int], outside: int, unit_count: int, data: Any
) -> None:
    total = sum(inside) + outside
    cuts = sorted(
        data.draw(st.lists(st.integers(0, total), min_size=unit_count - 1, max_size=unit_count - 1))
    )
    units = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    women = data.draw(st.integers(0, total))
    counts, shown, groups = _tables({f"R{i}": n for i, n in enumerate(inside)}, outside, units, women)
    assert_every_small_mark_has_two_values(counts, shown, groups)


# --- A monitor's unfiltered funnel and the program table's total row count the same people --------------

MONITOR = SimpleNamespace(role=Role.MONITOR)


def test_the_monitors_funnel_hides_what_the_program_tables_total_row_hides() -> None:
    """Program A has 1 completion, B 5: the table shows "<5" and "×" and hides its total (6 would give
    both back). The funnel, masked on its own, showed completed 6: the same total, and the same attack."""
    from sinergi.core.suppression import masked_table
    from sinergi.reports.dashboards import funnel_masked, program_table_given

    rows = [
        {"participants": 10, "completed": 1, "certified": 0, "ended": 10},
        {"participants": 20, "completed": 5, "certified": 0, "ended": 20},
    ]
    columns = ("participants", "completed", "certified", "ended")
    table, totals = masked_table(rows, columns, nested=("participants", "completed", "certified"))
    assert [row["completed"] for row in table] == ["<5", "×"]
    assert totals["completed"] == "×"
    counts: dict[str, int | None] = {"enrolled": 30, "completed": 6, "certified": 0}
    assert funnel_masked(MONITOR, counts)["completed"] == 6  # on its own: the attack
    given = program_table_given([*table, {"is_total": True, **totals}], counts)
    shown = funnel_masked(MONITOR, counts, given=given)
    assert shown["completed"] == "×"
    assert shown["enrolled"] == totals["participants"] == 30
