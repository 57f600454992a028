"""The funnel's aftercare outcomes and the releases due, person by person (docs/security.md, "Aftercare
outcomes and releases due in report lists").

Who was followed up after release and who found work are aftercare data: a unit officer reads nothing of a
case and a facilitator only its own mentees' shared parts (`aftercare.access.case_view`), so neither opens
the lists behind those funnel steps, nor exports them (page or API). The releases due within 90 days are
release dates: never for a facilitator (`programs.access.may_see_sentence`). Administrators and Kanwil
officers still open them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.reports import dashboards, selectors
from sinergi.reports.forms import FigureFilterForm
from tests import people
from tests.authz import World
from tests.factories import UnitFactory
from tests.impact.conftest import impact as impact  # noqa: F401
from tests.impact.test_views_api import api

pytestmark = pytest.mark.django_db

OUTCOMES = ("in_work", "followed_up")


@pytest.fixture
def outcomes(world: World, impact: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """A cohort of the own unit with the facilitator assigned: one participant released within 30 days,
    one released earlier, followed up and in work."""
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    group = people.cohort(impact["program"], unit, "A", dt.date(2022, 2, 1), dt.date(2022, 6, 1))
    group.facilitators.add(world.users[Role.FACILITATOR])
    soon = people.participant(group, "SOON", stage="active")
    soon.episode.release_date = timezone.localdate() + dt.timedelta(days=30)
    soon.episode.save()
    bapas = UnitFactory(unit_kind="bapas", name="Bapas Uji")
    people.participant(group, "WORK", bapas=bapas, released_on=dt.date(2022, 7, 1), work_status="employed")
    return {"cohort": group}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.UNIT_OFFICER])
@pytest.mark.parametrize("metric", OUTCOMES)
def test_outcome_lists_are_closed_to_unit_officers_and_facilitators(
    world: World, outcomes: dict[str, Any], role: str, metric: str
) -> None:
    user = world.users[role]
    client = _client(user)
    for url in (
        f"/laporan/daftar/{metric}/",
        f"/laporan/ekspor/peserta.csv?metric={metric}",
        f"/laporan/ekspor/peserta.xlsx?metric={metric}",
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "Contoh WORK" not in response.content.decode(errors="ignore")
    response = Client().get(f"/api/v1/exports/peserta.csv?metric={metric}", headers=api(user))
    assert response.status_code in (403, 404)
    assert b"Contoh WORK" not in response.content


def test_releases_due_list_is_closed_to_facilitators(world: World, outcomes: dict[str, Any]) -> None:
    user = world.users[Role.FACILITATOR]
    client = _client(user)
    for url in ("/laporan/daftar/releases_soon/", "/laporan/ekspor/peserta.csv?metric=releases_soon"):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "Contoh SOON" not in response.content.decode(errors="ignore")
    response = Client().get("/api/v1/exports/peserta.csv?metric=releases_soon", headers=api(user))
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.KANWIL_OFFICER])
def test_admin_and_kanwil_still_list_outcomes_and_releases_due(
    world: World, outcomes: dict[str, Any], role: str
) -> None:
    client = _client(world.users[role])
    for metric, name in (("in_work", "WORK"), ("followed_up", "WORK"), ("releases_soon", "SOON")):
        response = client.get(f"/laporan/daftar/{metric}/")
        assert response.status_code == 200, metric
        assert f"Contoh {name}" in response.content.decode()
        assert client.get(f"/laporan/ekspor/peserta.csv?metric={metric}").status_code == 200


def test_unit_officer_still_lists_releases_due(world: World, outcomes: dict[str, Any]) -> None:
    response = _client(world.users[Role.UNIT_OFFICER]).get("/laporan/daftar/releases_soon/")
    assert response.status_code == 200
    assert "Contoh SOON" in response.content.decode()


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.UNIT_OFFICER])
def test_dashboard_shows_no_outcome_step_it_may_not_open(
    world: World, outcomes: dict[str, Any], role: str
) -> None:
    """Review (lead): leaving the link off was not enough: the count of one small cohort's "in work" told the
    facilitator or unit officer of a person's outcome. Those funnel steps are not on their dashboard."""
    actor = world.users[role]
    scope = selectors.scope_of(actor, FigureFilterForm(None, actor=actor).filters())
    figures = {f.key: f for f in dashboards.funnel_figures(scope, set())}
    assert "in_work" not in figures and "followed_up" not in figures
    assert figures["enrolled"].url


def test_dashboard_shows_a_facilitator_no_count_of_releases_due(
    world: World, outcomes: dict[str, Any]
) -> None:
    """A count of the facilitator's cohorts' participants released within 90 days, read day by day, tells
    the day a person's release date comes within 90 days: release dates are not theirs to read."""
    html = _client(world.users[Role.FACILITATOR]).get("/").content.decode()
    assert 'data-testid="releases-soon-not-shown"' in html
    html = _client(world.users[Role.UNIT_OFFICER]).get("/").content.decode()
    assert 'data-testid="releases-soon-not-shown"' not in html and 'data-testid="releases-soon"' in html


@pytest.mark.parametrize("role", [Role.ADMIN, Role.KANWIL_OFFICER])
def test_admin_and_kanwil_still_read_the_outcome_steps(
    world: World, outcomes: dict[str, Any], role: str
) -> None:
    actor = world.users[role]
    scope = selectors.scope_of(actor, FigureFilterForm(None, actor=actor).filters())
    figures = {f.key: f for f in dashboards.funnel_figures(scope, set())}
    assert figures["in_work"].value >= 1 and figures["in_work"].url
