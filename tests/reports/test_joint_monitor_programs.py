"""A monitor's joint report against the program table (issue 13, the cross-table items).

The joint report's program section names the report's programs (and no count), and its people-reached
table counts their participants by unit. A program at one unit, over a period that holds its cohorts: that
unit's row is the program's participants, which the monitor's program table may hide ("×" beside a "<5").
Here program B (6, at unit U2) is hidden in the table beside A's "<5"; B's report showed U2: 6, and the
table's total 36 minus B, C and D gave A's 3 back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.reports import joint
from tests.authz import World
from tests.programs.conftest import setting as setting  # noqa: F401  (the fixture, re-exported)
from tests.reports.test_monitor_tables_joint import _tables
from tests.reports.test_monitor_tables_joint import linked as linked  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _people_table(content: Any) -> tuple[Any, dict[str, Any]]:
    section = next(s for s in content.sections if any(t.header[0] == "Unit" for t in s.tables))
    units = next(t for t in section.tables if t.header[0] == "Unit")
    return section, {row[0]: row[-1] for row in units.rows}


def test_a_program_hidden_in_the_table_is_not_given_back_by_its_report(
    linked: dict[str, Any],  # noqa: F811
    world: World,
) -> None:
    monitor = world.users[Role.MONITOR]
    programs, program_total, _units, _total = _tables(world)
    b = linked["b"]
    assert programs[b.pk] == "×" and program_total == 36
    content = joint.build(
        actor=monitor,
        agreement=None,
        program=b,
        start=dt.date(2022, 1, 1),
        end=dt.date(2022, 12, 31),
        language="en",
    )
    _section, units = _people_table(content)
    u2 = units.get(linked["u2"].name)
    # The attack: U2 in B's report is B's participants, which the table hides.
    assert not isinstance(u2, int), f"B's report shows U2 = {u2}, the table's hidden B"
    # … nor does its funnel (the report's enrolled are B's participants too).
    enrolled = [row[-1] for s in content.sections for t in s.tables for row in t.rows if row[0] == "Enrolled"]
    assert enrolled and not any(isinstance(n, int) and n == 6 for n in enrolled), enrolled
