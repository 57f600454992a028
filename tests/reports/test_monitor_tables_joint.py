"""The monitor's program table and the people-reached tables are masked together (issue 13).

On the monitor's dashboard the program table (participants, completed and certified per program, with a total
row: `programs.selectors.program_figures`) and the people-reached tables (by unit, sex, age band and ring
area: `reports.dashboards.reach_masked`) count the same people. Each was masked on its own, so a cell one
hides could come back from the other: a program's participants are the sum of its cohorts at their units
(where a program runs is no secret), and a unit's people reached the sum of the cohorts there. Here unit U2
holds programs B and D only: the unit table showed U2's 26, the program table D's 20 and hid B as "×" (A's
"<5" beside it), so 26 − 20 gave B's 6 back, and the program total 36 − 6 − 7 − 20 gave A's hidden 3.

The rule now (`dashboards.reach_masked` with the program table): the program table stays as every page shows
it; the people-reached tables are masked knowing its hidden and shown cells and the links between the two (a
program's cohorts per unit), so no hidden cell of either table comes back from the other."""

from __future__ import annotations

from typing import Any

import pytest

from sinergi.accounts.choices import Role
from tests.authz import World
from tests.programs.conftest import setting as setting  # noqa: F401  (the fixture, re-exported)
from tests.reports.test_cross_view import YOUNG, _cohort, _dashboard, _program

pytestmark = pytest.mark.django_db


def _people(n: int) -> list[tuple[str, Any, str]]:
    return [("L", YOUNG, "active")] * n


@pytest.fixture
def linked(setting: dict[str, Any], world: World) -> dict[str, Any]:  # noqa: F811
    from tests.factories import UnitFactory

    u1, u2, u3 = setting["unit"], UnitFactory(name="Lapas Dua"), UnitFactory(name="Lapas Tiga")
    a = setting["program"]
    b, c, d = (_program(setting, name) for name in ("Program B", "Program C", "Program D"))
    _cohort(a, u1, _people(3))
    _cohort(b, u2, _people(6))
    _cohort(d, u2, _people(20))
    _cohort(c, u3, _people(7))
    return {"a": a, "b": b, "c": c, "d": d, "u1": u1, "u2": u2, "u3": u3}


def _tables(world: World) -> tuple[dict[int, Any], Any, dict[str, Any], Any]:
    context = _dashboard(world.users[Role.MONITOR]).context
    rows = context["program_figures"]
    programs = {row["program_id"]: row["participants"] for row in rows if not row.get("is_total")}
    program_total = rows[-1]["participants"]
    units = {figure.label: figure.value for figure in context["reached"]["unit"]}
    reached_total = context["reached_total"].value
    return programs, program_total, units, reached_total


def test_a_hidden_program_cell_does_not_come_back_from_the_unit_table(
    linked: dict[str, Any], world: World
) -> None:
    programs, program_total, units, reached_total = _tables(world)
    a, b, c, d = (linked[key].pk for key in "abcd")
    # The program table as every page shows it: A "<5", B "×" beside it.
    assert programs[a] == "<5" and programs[b] == "×"
    assert (programs[c], programs[d], program_total) == (7, 20, 36)
    u2, u1 = units[linked["u2"].name], units[linked["u1"].name]
    # The attack: U2 (programs B and D only) minus D gives B; the total minus B, C and D gives A.
    assert not (isinstance(u2, int) and isinstance(programs[d], int)), f"U2 {u2} − D {programs[d]} = B"
    # U1 holds program A only: its row is A's cell.
    assert not isinstance(u1, int)
    assert reached_total == 36


def test_every_hidden_cell_stays_hidden_across_both_tables(linked: dict[str, Any], world: World) -> None:
    """Brute force over every count that fits what both tables show (the units of the programs known): no
    hidden cell of either table is pinned to a count of 1 to 4, and no "<5" to one value."""
    programs, program_total, units, reached_total = _tables(world)
    a, b, c, d = (linked[key].pk for key in "abcd")
    u1, u2, u3 = (units[linked[key].name] for key in ("u1", "u2", "u3"))
    assert isinstance(program_total, int)
    hosted = {"u1": (a,), "u2": (b, d), "u3": (c,)}
    shown_units = {"u1": u1, "u2": u2, "u3": u3}
    solutions = []
    for va in range(0, 40):
        for vb in range(0, 40):
            for vc in range(0, 40):
                vd = program_total - va - vb - vc  # the program table's total is shown
                if vd < 0:
                    continue
                value = {a: va, b: vb, c: vc, d: vd}
                if any(isinstance(programs[p], int) and programs[p] != value[p] for p in value):
                    continue
                if any(programs[p] == "<5" and not 1 <= value[p] <= 4 for p in value):
                    continue
                per_unit = {u: sum(value[p] for p in ps) for u, ps in hosted.items()}
                if any(isinstance(shown_units[u], int) and shown_units[u] != n for u, n in per_unit.items()):
                    continue
                if any(shown_units[u] == "<5" and not 1 <= n <= 4 for u, n in per_unit.items()):
                    continue
                if isinstance(reached_total, int) and sum(per_unit.values()) != reached_total:
                    continue
                solutions.append((value, per_unit))
    assert solutions
    hidden = [(programs[p], {value[p] for value, _units in solutions}) for p in (a, b, c, d)]
    hidden += [(shown_units[u], {per_unit[u] for _value, per_unit in solutions}) for u in hosted]
    for shown, values in hidden:
        if isinstance(shown, int):
            continue
        # A hidden cell never comes back as a small count; a "<5" never comes back at all.
        assert not (len(values) == 1 and 0 < min(values) < 5), (shown, values)
        assert shown != "<5" or len(values) > 1, (shown, values)
