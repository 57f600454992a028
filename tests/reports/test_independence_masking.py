"""The independence index bands are masked alike wherever a TJSL officer reads them: the program page's
panel, the (unfiltered) dashboard and the joint report; filtered, the dashboard does not show them. A band
hidden in one is hidden in all, so that none gives it back by subtracting the shown bands from the panel's
total (review finding)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.aftercare.models import AftercareCase, FollowUp, IndexScore
from sinergi.aftercare.panels import program_panel
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.beneficiaries.services import consent_record
from sinergi.programs.models import Cohort, Enrollment
from sinergi.reports import joint
from sinergi.reports import selectors as report_selectors
from sinergi.reports.dashboards import figures_context
from tests.authz import World
from tests.factories import UnitFactory
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(world: World, impact: dict[str, Any]) -> Any:  # noqa: F811
    """Eight participants who agreed to share with the company: two scored 10, six scored 80."""
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    bapas = UnitFactory(unit_kind="bapas")
    program = impact["program"]
    cohort = Cohort.objects.create(
        program=program,
        unit=unit,
        name="Angkatan Indeks",
        start_date=dt.date(2021, 8, 1),
        end_date=dt.date(2021, 12, 1),
        capacity=20,
    )
    for i, score in enumerate([10, 10] + [80] * 6):
        person = Person.objects.create(
            full_name=f"Contoh Indeks {i}", sex="L", birth_date=dt.date(1990, 1, 1), is_synthetic=True
        )
        episode = CustodyEpisode.objects.create(
            person=person,
            unit=unit,
            registration_number=f"R-IDX-{i}",
            status="bebas",
            start_date=dt.date(2020, 1, 1),
            sentence_years=2,
            release_date=dt.date(2022, 1, 1),
        )
        enrollment = Enrollment.objects.create(
            cohort=cohort, person=person, episode=episode, stage="completed"
        )
        consent_record(
            actor=None, person=person, purpose="partner_sharing", given_on=dt.date(2021, 2, 1), evidence="Uji"
        )
        case = AftercareCase.objects.create(
            person=person,
            episode=episode,
            enrollment=enrollment,
            bapas=bapas,
            release_kind="pb",
            released_on=dt.date(2022, 1, 1),
            opened_on=dt.date(2022, 1, 1),
        )
        followup = FollowUp.objects.create(case=case, milestone=6, done_on=dt.date(2022, 7, 1))
        IndexScore.objects.create(
            case=case,
            followup=followup,
            milestone=6,
            scored_on=dt.date(2022, 7, 1),
            score=score,
            ruleset_version="uji",
        )
    return program


def test_a_band_hidden_on_the_program_page_is_hidden_on_the_dashboard_and_in_the_report(
    world: World, scored: Any
) -> None:
    tjsl = world.users[Role.CSR_OFFICER]
    panel = program_panel(actor=tjsl, program=scored)
    assert panel is not None and panel.context["total"] == "8"
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
