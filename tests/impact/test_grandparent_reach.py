"""The impact pages of a program under an addendum of a PKS of a Kanwil's MoU (issue 13, known gap 3).

`impact.access` counts a party to the grandparent agreement, so the Kanwil officer party only to the MoU
opened the program's impact page and its API and read cost per outcome and recidivism over every cohort of
it, the other region's included, while `programs.selectors.cohort_scope` stops at the parent (they reach only
the cohort at their own unit). The dashboard's recidivism already left such programs out
(tests/reports/test_recidivism_scope.py). Now the per-program and per-agreement pages and API read those
figures only for programs whose every cohort the viewer reaches (`impact.selectors.programs_reached`): the
program page withholds them with a notice in Bahasa Indonesia, the agreement page counts the other programs
and says how many it left out, and the API refuses the program (403) and reports the programs left out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.impact import selectors
from sinergi.partnerships.choices import AgreementKind
from sinergi.programs.models import Program
from tests import people
from tests.authz import World
from tests.impact.test_views_api import api
from tests.partnerships.conftest import make_agreement
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db

START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 1)


@pytest.fixture
def addendum(world: World) -> dict[str, Any]:
    """The own Kanwil's MoU with the own company, with a program of its own (a cohort at the own unit, six
    released); a PKS under it and an addendum under the PKS, both signed by the company and the other region's
    Kanwil, with a program whose cohorts are one at the own unit and one at the other region's unit (six
    released there)."""
    parties = [world.organisation(Role.KANWIL_OFFICER, "own"), world.organisation(Role.CSR_OFFICER, "own")]
    mou = make_agreement(None, parties, number="MOU-CUCU")
    signers = [world.organisation(Role.KANWIL_OFFICER, "other"), parties[1]]
    pks = make_agreement(None, signers, number="PKS-CUCU", kind=AgreementKind.PKS, parent=mou, districts=[])
    add = make_agreement(
        None, signers, number="ADD-CUCU", kind=AgreementKind.ADDENDUM, parent=pks, districts=[]
    )
    own_unit, other_unit = (world.organisation(Role.UNIT_OFFICER, r) for r in ("own", "other"))
    direct = make_program(mou, "Program MoU")
    group = people.cohort(direct, own_unit, "Angkatan MoU", START, END)
    for i in range(6):
        people.participant(group, f"MOU{i}", released_on=dt.date(2022, 1, 1))
    program = make_program(add, "Program Adendum Cucu")
    people.participant(people.cohort(program, own_unit, "Angkatan Sini", START, END), "SINI")
    there = people.cohort(program, other_unit, "Angkatan Sana", START, END)
    for i in range(6):
        people.participant(there, f"SANA{i}", released_on=dt.date(2022, 1, 1))
    return {"mou": mou, "program": program, "direct": direct}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_program_page_withholds_figures_over_cohorts_the_kanwil_does_not_reach(
    world: World, addendum: dict[str, Any]
) -> None:
    kanwil = world.users[Role.KANWIL_OFFICER]
    response = _client(kanwil).get(f"/dampak/program/{addendum['program'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="reach-notice"' in html
    assert "di luar cakupan Anda" in html  # the notice is in Bahasa Indonesia
    assert response.context["costs"] == [] and response.context.get("rec") is None
    # The MoU's own program, every cohort of which the Kanwil reaches, keeps its figures.
    response = _client(kanwil).get(f"/dampak/program/{addendum['direct'].pk}/")
    assert 'data-testid="reach-notice"' not in response.content.decode()
    assert response.context["rec"] is not None and response.context["costs"]
    # Administrators read the program whole.
    response = _client(world.users[Role.ADMIN]).get(f"/dampak/program/{addendum['program'].pk}/")
    assert 'data-testid="reach-notice"' not in response.content.decode()
    assert response.context["rec"].participants.n == 6


def test_the_agreement_page_counts_only_the_programs_reached_and_says_so(
    world: World, addendum: dict[str, Any]
) -> None:
    response = _client(world.users[Role.KANWIL_OFFICER]).get(f"/dampak/perjanjian/{addendum['mou'].pk}/")
    assert response.status_code == 200
    assert 'data-testid="reach-notice"' in response.content.decode()
    # Six released participants of the MoU's own program, not the twelve of both programs.
    assert response.context["rec"].participants.n == 6
    admin = _client(world.users[Role.ADMIN]).get(f"/dampak/perjanjian/{addendum['mou'].pk}/")
    assert admin.context["rec"].participants.n == 12


def test_the_api_refuses_the_program_and_reports_the_programs_left_out(
    world: World, addendum: dict[str, Any]
) -> None:
    client, headers = Client(), api(world.users[Role.KANWIL_OFFICER])
    program = client.get(f"/api/v1/impact/programs/{addendum['program'].pk}/recidivism", headers=headers)
    assert program.status_code == 403
    agreement = client.get(f"/api/v1/impact/agreements/{addendum['mou'].pk}/recidivism", headers=headers)
    assert agreement.status_code == 200
    body = agreement.json()
    assert (body["participants"]["n"], body["programs_left_out"]) == (6, 1)
    admin = client.get(
        f"/api/v1/impact/programs/{addendum['program'].pk}/recidivism", headers=api(world.users[Role.ADMIN])
    )
    assert admin.status_code == 200 and admin.json()["participants"]["n"] == 6


def test_programs_reached_agrees_with_the_kanwils_cohorts(world: World, addendum: dict[str, Any]) -> None:
    programs = Program.objects.filter(pk__in=[addendum["program"].pk, addendum["direct"].pk])
    reached = set(
        selectors.programs_reached(world.users[Role.KANWIL_OFFICER], programs).values_list("pk", flat=True)
    )
    assert reached == {addendum["direct"].pk}
    assert selectors.programs_reached(world.users[Role.ADMIN], programs).count() == 2


def test_the_sdg_page_counts_only_the_participants_of_cohorts_the_kanwil_reaches(
    world: World, addendum: dict[str, Any]
) -> None:
    """Both programs are tagged with goal 8 (`make_program`): the Kanwil officer counts the MoU program's six
    and the addendum program's one at its own unit, not the six at the other region's unit."""

    def goal_8(user: Any) -> Any:
        return next(row for row in selectors.sdg_rollup(actor=user) if row["goal"] == 8)["participants"]

    assert goal_8(world.users[Role.KANWIL_OFFICER]) == 7
    assert goal_8(world.users[Role.ADMIN]) == 13
