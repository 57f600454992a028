"""The independence index bands are masked alike wherever a TJSL officer reads them: the program page's
panel, the (unfiltered) dashboard and the joint report; filtered, the dashboard does not show them. A band
hidden in one is hidden in all, so that none gives it back by subtracting the shown bands from the panel's
total (review finding)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.aftercare.panels import program_panel
from sinergi.reports import joint
from sinergi.reports import selectors as report_selectors
from sinergi.reports.dashboards import figures_context
from tests import people
from tests.authz import World
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(world: World, impact: dict[str, Any]) -> Any:  # noqa: F811
    """Eight participants who agreed to share with the company: two scored 10, six scored 80."""
    scores = [10, 10] + [80] * 6
    people.released(world, impact["program"], "Angkatan Indeks", "IDX-", shares=[True] * 8, scores=scores)
    return impact["program"]


def test_a_band_hidden_on_the_program_page_is_hidden_on_the_dashboard_and_in_the_report(
    world: World, scored: Any
) -> None:
    tjsl = world.users[Role.CSR_OFFICER]
    panel = program_panel(actor=tjsl, program=scored)
    # The program page is a filtered view too: the bands are withheld there for aggregate-only roles.
    assert panel is not None and "rows" not in panel.context and panel.context["withheld"]
    # Filtered to the program, the dashboard withholds the bands from an aggregate-only role (two filtered
    # views could be subtracted: tests/reports/test_cross_view.py); the whole scope is this one program.
    filtered = figures_context(actor=tjsl, filters=report_selectors.Filters(program=scored.pk))
    assert filtered["independence"] is None and "independence" in filtered["withheld"]
    dashboard = {
        f.label: f.value
        for f in figures_context(actor=tjsl, filters=report_selectors.Filters())["independence"]
    }
    assert dashboard["0-24"] == "<5"
    assert dashboard["75-100"] == "×", "8 − 6 would give the hidden band back"
    report = joint.build(
        actor=tjsl,
        agreement=None,
        program=scored,
        start=dt.date(2021, 1, 1),
        end=dt.date(2022, 12, 31),
        language="en",
    )
    tables = [
        t for s in report.sections for t in s.tables if t.header[0] == "Independence index, latest score"
    ]
    assert tables and dict((row[0], row[1]) for row in tables[0].rows)["75-100"] == "×"
    kanwil = figures_context(
        actor=world.users[Role.KANWIL_OFFICER], filters=report_selectors.Filters(program=scored.pk)
    )
    assert {f.label: f.value for f in kanwil["independence"]}["75-100"] == 6
