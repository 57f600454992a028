from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.services import consent_record
from sinergi.programs import services
from tests.authz import World
from tests.beneficiaries.conftest import register
from tests.partnerships.conftest import make_agreement

TODAY = dt.date(2022, 3, 1)


@pytest.fixture
def setting(world: World) -> dict[str, Any]:
    """An MoU for the own Kanwil and company, a unit under that Kanwil, people there, and a program."""
    from tests.factories import UnitFactory

    kanwil = world.organisation(Role.KANWIL_OFFICER, "own")
    company = world.organisation(Role.CSR_OFFICER, "own")
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    unit.regional_office = kanwil
    unit.save(update_fields=["regional_office"])
    mou = make_agreement(None, [kanwil, company], number="MOU-PROG")
    people = [register(None, unit, f"Peserta {i}", f"P-{i}") for i in range(4)]
    outsider = register(None, unit, "Orang Luar Ring", "P-OUT")
    from sinergi.regions.models import District

    type(outsider).objects.filter(pk=outsider.pk).update(
        domicile_district=District.objects.get(code="16.71.01")
    )
    for person in people[:3]:
        consent_record(
            actor=None,
            person=person,
            purpose="participation",
            given_on=dt.date(2021, 2, 1),
            evidence="Formulir uji",
        )
    program = make_program(mou)
    other_unit = UnitFactory()
    return {
        "mou": mou,
        "unit": unit,
        "people": people,
        "outsider": outsider,
        "program": program,
        "other_unit": other_unit,
        "kanwil": kanwil,
        "company": company,
    }


def make_program(agreement: Any, name: str = "Program Uji", *, end: dt.date = dt.date(2023, 6, 1)) -> Any:
    """A program of `agreement` with one module and KPIs (10 participants, 80% completion, 50% certified),
    from July 2021 to `end`, without a screening rule."""
    return services.program_create(
        actor=None,
        agreement=agreement,
        modules=[("Dasar", 10)],
        data={
            "name": name,
            "program_type": "kemandirian",
            "pillar": "ekonomi",
            "sdg_targets": [8],
            "kpi_participants": 10,
            "kpi_completion_rate": 80,
            "kpi_certification_rate": 50,
            "start_date": dt.date(2021, 7, 1),
            "end_date": end,
            "rule": None,
        },
    )


def mondays(cohort: Any, to_date: dt.date, *, from_date: dt.date = dt.date(2022, 3, 7)) -> list[Any]:
    """The cohort's sessions on Mondays, 9:00 to 11:00, from `from_date` (7 March 2022) to `to_date`."""
    return services.sessions_generate(
        actor=None,
        cohort=cohort,
        weekdays=[0],
        start_time=dt.time(9),
        end_time=dt.time(11),
        from_date=from_date,
        to_date=to_date,
    )


def approved_results(setting: dict[str, Any], as_of: dt.date = TODAY) -> list[Any]:
    run = services.screening_run_create(actor=None, program=setting["program"], as_of=as_of)
    eligible = list(run.results.filter(eligible=True))
    services.candidates_approve(
        actor=None, run=run, result_ids=[r.pk for r in eligible], decided_on=as_of, reference="TPP/UJI/1"
    )
    return list(
        run.results.filter(eligible=True).select_related("person", "episode__unit", "run", "approval")
    )


def make_cohort(setting: dict[str, Any], *, capacity: int = 10, facilitators: list[Any] | None = None) -> Any:
    return services.cohort_create(
        actor=None,
        program=setting["program"],
        facilitators=facilitators or [],
        data={
            "unit": setting["unit"],
            "name": "Angkatan Uji",
            "start_date": dt.date(2022, 3, 7),
            "end_date": dt.date(2022, 6, 30),
            "capacity": capacity,
        },
    )


def complete(enrollment: Any, on: dt.date = dt.date(2022, 6, 30)) -> Any:
    """Complete an enrolment the short way: the program stops requiring assessments and attendance."""
    from sinergi.programs.models import Program

    Program.objects.filter(pk=enrollment.cohort.program_id).update(assessed=False, min_attendance_rate=0)
    enrollment.cohort.program.refresh_from_db()
    if enrollment.stage != "active":
        services.enrollment_move(actor=None, enrollment=enrollment, to="active", on=on)
    return services.enrollment_move(actor=None, enrollment=enrollment, to="completed", on=on)
