"""A facilitator's program page counts only the cohorts assigned to them (security review of 4 December
2026, finding 2).

The attack: a facilitator of cohort 1 read on the program page "5 of 5 completed · 4 of 5 certified ·
161 of 172 attendance" over every cohort; their own cohort's exports subtracted from those totals gave the
single participant of cohort 2 back: completed or not, certified or not, and their marks. Now the figures
count the facilitator's cohorts only, and the page says so; other roles still read the whole program."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.programs import selectors
from sinergi.programs.models import Attendance, Certificate, Enrollment, Session
from tests import people
from tests.authz import World
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _participant(cohort: Any, name: str, *, certified: bool, marks: list[str]) -> Enrollment:
    person = Person.objects.create(full_name=name, sex="L", birth_date=dt.date(1990, 1, 1), is_synthetic=True)
    episode = CustodyEpisode.objects.create(
        person=person,
        unit=cohort.unit,
        registration_number=f"FP-{name}",
        status="ditahan",
        start_date=dt.date(2020, 1, 1),
        sentence_years=2,
        release_date=dt.date(2030, 1, 1),
    )
    enrolment = Enrollment.objects.create(
        cohort=cohort, person=person, episode=episode, stage="completed", completed_on=cohort.end_date
    )
    if certified:
        Certificate.objects.create(
            enrollment=enrolment,
            issuer="LPK Contoh",
            number=f"C-{name}",
            competency="Las",
            issued_on=cohort.end_date,
        )
    for day, mark in enumerate(marks, start=1):
        session, _ = Session.objects.get_or_create(
            cohort=cohort,
            date=dt.date(2021, 9, day),
            defaults={"start_time": dt.time(9), "end_time": dt.time(11)},
        )
        Attendance.objects.create(session=session, enrollment=enrolment, mark=mark)
    return enrolment


@pytest.fixture
def program(world: World, impact: dict[str, Any]) -> Any:  # noqa: F811
    """Cohort 1 (the facilitator's): two completed, both certified, 4 of 4 marks present. Cohort 2 (not
    theirs): one participant, completed, not certified, 1 of 3 marks present."""
    program = impact["program"]
    mine = people.own_cohort(world, program, "Angkatan Satu")
    mine.facilitators.add(world.users[Role.FACILITATOR])
    theirs = people.own_cohort(world, program, "Angkatan Dua")
    _participant(mine, "Peserta A", certified=True, marks=["present", "present"])
    _participant(mine, "Peserta B", certified=True, marks=["present", "present"])
    _participant(theirs, "Peserta C", certified=False, marks=["present", "unexcused", "unexcused"])
    return program


def _figures(kpi: dict[str, Any]) -> tuple[int, ...]:
    return (kpi["participants"], kpi["completed"], kpi["certified"], kpi["attended"], kpi["unexcused"])


def test_a_facilitators_program_page_counts_only_their_cohorts(world: World, program: Any) -> None:
    client = people.logged_in(world.users[Role.FACILITATOR])
    response = client.get(f"/program/{program.pk}/")
    assert response.status_code == 200
    assert _figures(response.context["kpi"]) == (2, 2, 2, 4, 0)
    html = response.content.decode()
    assert "Angka dari angkatan yang Anda dampingi." in html
    assert "2 dari 2" in html and "3 dari 3" not in html


@pytest.mark.parametrize("role", [Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER])
def test_other_roles_still_read_the_whole_program(world: World, program: Any, role: str) -> None:
    response = people.logged_in(world.users[role]).get(f"/program/{program.pk}/")
    assert response.status_code == 200
    assert _figures(response.context["kpi"]) == (3, 3, 2, 5, 2)
    assert "Angka dari angkatan yang Anda dampingi." not in response.content.decode()


def test_the_selector_without_an_actor_counts_every_cohort(program: Any) -> None:
    assert _figures(selectors.program_kpis(program=program)) == (3, 3, 2, 5, 2)
