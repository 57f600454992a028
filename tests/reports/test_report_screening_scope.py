"""A TJSL officer's joint reports count screening over their whole scope (review finding, rfix 3).

Screened and eligible followed the report's program and period while the steps from release on counted
the whole scope: the agreement's report (eligible 11) minus program A's (8) gave program B's hidden "<5"
(3). For aggregate-only roles the screening steps now count the whole scope too, the same in every report
of the quarter, and the note says so. Kanwil officers keep the program's exact screening figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.programs.models import ScreeningResult, ScreeningRun
from sinergi.reports import joint
from tests import people
from tests.authz import World
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)
from tests.impact.conftest import make_program

pytestmark = pytest.mark.django_db

PERIOD = {"start": dt.date(2022, 1, 1), "end": dt.date(2022, 12, 31), "language": "en"}


def _screen(program: Any, unit: Any, tag: str, eligible: int, ineligible: int) -> None:
    run = ScreeningRun.objects.create(
        program=program,
        rule={},
        as_of=dt.date(2022, 1, 10),
        evaluated=eligible + ineligible,
        eligible_count=eligible,
    )
    for i in range(eligible + ineligible):
        person = Person.objects.create(
            full_name=f"Saring {tag}{i}", sex="L", birth_date=dt.date(1990, 1, 1), is_synthetic=True
        )
        episode = CustodyEpisode.objects.create(
            person=person,
            unit=unit,
            registration_number=f"S-{tag}{i}",
            status="ditahan",
            start_date=dt.date(2020, 1, 1),
            sentence_years=2,
            release_date=dt.date(2030, 1, 1),
        )
        ScreeningResult.objects.create(
            run=run,
            person=person,
            episode=episode,
            full_name=person.full_name,
            registration_number=f"S-{tag}{i}",
            unit_code="u",
            eligible=i < eligible,
            position=i + 1,
        )


def _funnel(content: Any) -> dict[str, Any]:
    section = next(s for s in content.sections if s.key == "participants")
    table = next(t for t in section.tables if t.header[0] == "Stage")
    return {row[0]: row[1] for row in table.rows}


@pytest.fixture
def screened(world: World, impact: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Two programs of the agreement, six participants each; program A screened 8 eligible of 10, program
    B 3 eligible of 7."""
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    second = make_program(impact["mou"], "Program Kedua")
    for program, tag in ((impact["program"], "A"), (second, "B")):
        group = people.cohort(program, unit, tag, dt.date(2022, 2, 1), dt.date(2022, 6, 1))
        for i in range(6):
            people.participant(group, f"{tag}{i}")
    _screen(impact["program"], unit, "a", 8, 2)
    _screen(second, unit, "b", 3, 4)
    return {"first": impact["program"], "second": second, "mou": impact["mou"]}


def test_screening_counts_cannot_be_subtracted_across_a_tjsl_officers_reports(
    screened: dict[str, Any],
    impact: dict[str, Any],  # noqa: F811
) -> None:
    tjsl = impact["tjsl"]
    whole = _funnel(joint.build(actor=tjsl, agreement=screened["mou"], program=None, **PERIOD))
    first = _funnel(joint.build(actor=tjsl, agreement=None, program=screened["first"], **PERIOD))
    second = _funnel(joint.build(actor=tjsl, agreement=None, program=screened["second"], **PERIOD))
    for stage in ("Screened", "Eligible"):
        assert whole[stage] == first[stage] == second[stage], stage
    assert whole["Eligible"] == 11 and whole["Screened"] == 17
    section = next(
        s
        for s in joint.build(actor=tjsl, agreement=None, program=screened["second"], **PERIOD).sections
        if s.key == "participants"
    )
    assert any("screening steps (screened, eligible)" in text for text in section.text)


def test_kanwil_officers_keep_the_programs_screening_figures(
    screened: dict[str, Any],
    impact: dict[str, Any],  # noqa: F811
) -> None:
    kanwil = impact["kanwil_user"]
    first = _funnel(joint.build(actor=kanwil, agreement=None, program=screened["first"], **PERIOD))
    second = _funnel(joint.build(actor=kanwil, agreement=None, program=screened["second"], **PERIOD))
    assert (first["Eligible"], second["Eligible"]) == (8, 3)
    assert (first["Screened"], second["Screened"]) == (10, 7)
