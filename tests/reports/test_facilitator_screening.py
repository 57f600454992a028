"""A facilitator's dashboard has no screening steps (issue 13, known gap 2).

The screening steps (screened, eligible) counted a facilitator's programs whole, across every unit, as exact
numbers: screening results are scoped by unit for unit, Kanwil and Bapas officers
(`reports.selectors.screening_results`), masked for aggregate-only roles, and listed only by screeners; a
facilitator reaches people only through the cohorts assigned to them, opens no screening run (403) and no
list behind the numbers (404). The steps are now left off their dashboard (`reports.access.may_read_figure`),
as the aftercare outcomes are."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.reports import dashboards, selectors
from sinergi.reports.forms import FigureFilterForm
from tests import people
from tests.authz import World
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)
from tests.reports.test_report_screening_scope import _screen

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened(world: World, impact: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """The facilitator's cohort at the own unit; the program's run screened 3 people there (2 eligible) and 6
    at the other region's unit (5 eligible)."""
    own, other = (world.organisation(Role.UNIT_OFFICER, region) for region in ("own", "other"))
    group = people.cohort(
        impact["program"], own, "Angkatan Fasilitator", dt.date(2022, 2, 1), dt.date(2022, 6, 1)
    )
    group.facilitators.add(world.users[Role.FACILITATOR])
    people.participant(group, "F1")
    _screen(impact["program"], own, "own", 2, 1)
    _screen(impact["program"], other, "oth", 5, 1)
    return {"cohort": group}


def _funnel(actor: Any) -> dict[str, Any]:
    scope = selectors.scope_of(actor, FigureFilterForm(None, actor=actor).filters())
    return {f.key: f for f in dashboards.funnel_figures(scope, set())}


def test_a_facilitators_dashboard_has_no_screening_steps(world: World, screened: dict[str, Any]) -> None:
    figures = _funnel(world.users[Role.FACILITATOR])
    assert "screened" not in figures and "eligible" not in figures
    assert figures["enrolled"].value == 1
    client = Client()
    client.force_login(world.users[Role.FACILITATOR])
    html = client.get("/").content.decode()
    assert "Disaring" not in html and "Memenuhi syarat" not in html
    assert client.get("/laporan/daftar/screened/").status_code in (403, 404)


def test_unit_and_kanwil_officers_keep_the_steps_for_their_units(
    world: World, screened: dict[str, Any]
) -> None:
    for role in (Role.UNIT_OFFICER, Role.KANWIL_OFFICER):
        figures = _funnel(world.users[role])
        assert (figures["screened"].value, figures["eligible"].value) == (3, 2), role
    figures = _funnel(world.users[Role.ADMIN])
    assert (figures["screened"].value, figures["eligible"].value) == (9, 7)
