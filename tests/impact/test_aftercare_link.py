"""What impact reads from aftercare once that app records it: follow-ups (in work at 6 and 12 months, income
at or above the UMK) for live quantities and cost per outcome, convictions for recidivism, and aid as
realisation of the "equipment and aid" line. Skipped while aftercare has no follow-ups on this branch."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps

from sinergi.impact import selectors
from sinergi.programs.models import Enrollment, Program
from tests.impact.conftest import line
from tests.impact.test_recidivism import AS_OF, registry  # noqa: F401  (the fixture)


def _model(name: str) -> Any:
    try:
        return apps.get_model("aftercare", name)
    except LookupError:
        return None


pytestmark = pytest.mark.skipif(
    _model("FollowUp") is None, reason="aftercare has no follow-ups, re-offences or aid on this branch yet"
)


def _case(name: str) -> Any:
    enrollment = Enrollment.objects.select_related("episode").get(person__full_name=f"Uji {name}")
    return _model("AftercareCase").objects.create(
        person=enrollment.person,
        episode=enrollment.episode,
        enrollment=enrollment,
        release_kind="bebas",
        released_on=enrollment.episode.release_date,
        opened_on=enrollment.episode.release_date,
    )


def test_follow_ups_fill_in_work_and_cost_per_outcome(registry) -> None:  # noqa: F811
    programs = Program.objects.filter(pk=registry["program"].pk)
    period = {"start": dt.date(2021, 7, 1), "end": dt.date(2023, 6, 1), "as_of": AS_OF}
    assert selectors.follow_up_count(programs=programs, binding="in_work_6m", **period) == 0
    case = _case("p2")
    follow_up = _model("FollowUp")
    follow_up.objects.create(
        case=case, milestone=6, done_on=dt.date(2022, 8, 1), contacted=True, work_status="employed"
    )
    follow_up.objects.create(
        case=_case("p4"), milestone=6, done_on=dt.date(2022, 10, 1), contacted=False
    )  # could not be contacted: not counted
    assert selectors.follow_up_count(programs=programs, binding="in_work_6m", **period) == 1
    assert selectors.follow_up_count(programs=programs, binding="in_work_12m", **period) == 0
    assert selectors.outcome_counts(programs=programs)["in_work_6m"] == 1
    live = selectors.live_quantity(programs=programs, binding="in_work_6m", **period)
    assert live.quantity == 1


def test_a_conviction_recorded_in_aftercare_counts_as_a_re_offence(registry) -> None:  # noqa: F811
    programs = Program.objects.filter(pk=registry["program"].pk)
    before = selectors.recidivism(programs=programs, months=24, as_of=AS_OF).participants
    _model("Reoffence").objects.create(
        case=_case("p2"), kind="conviction", occurred_on=dt.date(2023, 1, 1), source="officer"
    )
    _model("Reoffence").objects.create(
        case=_case("p4"), kind="rearrest", occurred_on=dt.date(2023, 1, 1), source="officer"
    )  # a re-arrest alone does not count
    after = selectors.recidivism(programs=programs, months=24, as_of=AS_OF).participants
    assert (before.reoffended, after.reoffended) == (1, 2)


def test_aid_is_realisation_of_the_equipment_and_aid_line(registry) -> None:  # noqa: F811
    budget = line(registry, amount=1_000_000, year=2022, category="equipment_aid")
    _model("Aid").objects.create(
        case=_case("p2"),
        kind="tools",
        value=600_000,
        given_on=dt.date(2022, 3, 1),
        funder=registry["company"],
    )
    rows = {r.line.pk: r for r in selectors.budget_realisation(program=registry["program"])}
    assert rows[budget.pk].spent == 600_000
    inputs = selectors.inputs_for(
        programs=Program.objects.filter(pk=registry["program"].pk),
        start=dt.date(2022, 1, 1),
        end=dt.date(2022, 12, 31),
    )
    assert (inputs["realisation"], inputs["aid"]) == (600_000, 600_000)
    from sinergi.impact.services import line_spent

    assert line_spent(budget) == 600_000


def test_the_daily_check_announces_thresholds_reached_through_aid(registry) -> None:  # noqa: F811
    from sinergi.impact.models import BudgetAlert
    from sinergi.impact.services import budget_thresholds_check

    budget = line(registry, amount=1_000_000, year=2022, category="equipment_aid")
    _model("Aid").objects.create(
        case=_case("p2"),
        kind="capital",
        value=950_000,
        given_on=dt.date(2022, 5, 1),
        funder=registry["company"],
    )
    assert budget_thresholds_check()["announced"] == 1
    assert list(BudgetAlert.objects.filter(budget_line=budget).values_list("threshold", flat=True)) == [90]
    assert budget_thresholds_check()["announced"] == 0


def test_the_program_list_counts_aid_as_realisation(registry) -> None:  # noqa: F811
    _model("Aid").objects.create(
        case=_case("p2"),
        kind="tools",
        value=250_000,
        given_on=dt.date(2022, 3, 1),
        funder=registry["company"],
    )
    program = selectors.program_list(actor=None).get(pk=registry["program"].pk)
    assert program.spent_total == 250_000
