"""The screening lists and funnel steps of the dashboard name and count only people held at the viewer's
units (review finding F5 of issue 13).

A program's screening covers every unit. A unit or Kanwil officer who sees the program (a cohort at their
unit, or an agreement their Kanwil is party to) read the whole run in `/laporan/daftar/screened/` and
`/laporan/daftar/eligible/`, names and eligibility of people held in another region included, whose
registry page is 404 for them and whom the run page (`programs.selectors.run_results`) does not show; the
dashboard's funnel counted them too. Now the reports read a run as the run page does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.services import consent_record
from sinergi.programs.selectors import run_results
from tests import people
from tests.authz import World
from tests.beneficiaries.conftest import register
from tests.programs.conftest import approved_results, make_cohort

pytestmark = pytest.mark.django_db

FAR = "Orang Unit Lain"


@pytest.fixture
def far_screened(setting: dict[str, Any], world: World) -> dict[str, Any]:
    """The program of `setting` screened over every unit, with an eligible person held at a unit of the
    other region, and a cohort at the own unit."""
    far = register(None, world.organisation(Role.UNIT_OFFICER, "other"), FAR, "FAR-9")
    consent_record(
        actor=None, person=far, purpose="participation", given_on=dt.date(2021, 2, 1), evidence="Uji"
    )
    results = approved_results(setting)
    assert FAR in {r.person.full_name for r in results}  # the run covers every unit
    make_cohort(setting)
    return setting | {"run": results[0].run, "far": far}


@pytest.mark.parametrize("role", [Role.UNIT_OFFICER, Role.KANWIL_OFFICER])
def test_screening_lists_and_funnel_leave_out_people_held_elsewhere(
    far_screened: dict[str, Any], world: World, role: str
) -> None:
    user = world.users[role]
    client = people.logged_in(user)
    run = far_screened["run"]
    assert client.get(f"/wbp/{far_screened['far'].pk}/").status_code == 404
    seen = {
        "screened": run_results(actor=user, run=run).count(),
        "eligible": run_results(actor=user, run=run, eligible=True).count(),
    }
    assert seen["eligible"] >= 1  # the people at the own unit are still there
    for metric, expected in seen.items():
        response = client.get(f"/laporan/daftar/{metric}/")
        assert response.status_code == 200
        assert FAR not in response.content.decode(), metric
        assert response.context["page"].paginator.count == expected, metric
    funnel = {f.key: f.value for f in client.get("/").context["funnel"]}
    assert funnel["screened"] == seen["screened"]
    assert funnel["eligible"] == seen["eligible"]


def test_an_administrator_still_reads_the_whole_run(far_screened: dict[str, Any], world: World) -> None:
    client = people.logged_in(world.users[Role.ADMIN])
    run = far_screened["run"]
    response = client.get("/laporan/daftar/eligible/")
    assert FAR in response.content.decode()
    assert response.context["page"].paginator.count == run.results.filter(eligible=True).count()
    funnel = {f.key: f.value for f in client.get("/").context["funnel"]}
    assert funnel["screened"] == run.results.count()
