"""Small cells across views, third review: recidivism windows (docs/security.md, "Small cells across
dashboard filters").

The dashboard's recidivism panel lets a TJSL officer or a monitor choose the follow-up window (12, 24 or 60
months). Each window was masked on its own, so two windows could be subtracted: with the same participants
in both, the re-offended at 24 months minus the re-offended at 12 months is how many re-offended in their
second year; the counted at 12 minus the counted at 24 months is how many were released in between. Each
test reads two windows as the role and subtracts. The windows are now masked together
(`reports.recidivism`).

And the joint report's outcomes and independence index: a TJSL officer's whole-scope sections count as of
a quarter end, but these two counted what was recorded up to the day the report was made, so two reports
of one quarter made on different days differed by what was recorded in between."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.programs.models import Cohort, Enrollment
from sinergi.reports import joint, selectors
from sinergi.reports.dashboards import figures_context
from tests.authz import World
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)
from tests.impact.test_recidivism import A, released

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 1, 1)  # the day the dashboard is read (its as-of date)
LONG_AGO = dt.date(2022, 6, 1)  # more than 24 months before AS_OF: counted at 12 and 24 months
BETWEEN = dt.date(2023, 6, 1)  # 12 to 24 months before AS_OF: counted at 12 months, waiting at 24
RECENT = dt.date(2024, 6, 1)  # under 12 months: waiting in every window


def _cohort(impact: dict[str, Any], world: World) -> Cohort:
    return Cohort.objects.create(
        program=impact["program"],
        unit=world.organisation(Role.UNIT_OFFICER, "own"),
        name="Angkatan Jendela",
        start_date=dt.date(2021, 8, 1),
        end_date=dt.date(2021, 12, 1),
        capacity=40,
    )


def _join(cohort: Cohort, tag: str, on: dt.date, again: dt.date | None = None) -> None:
    person = released(cohort.unit, tag, on, A, again)
    Enrollment.objects.create(cohort=cohort, person=person, episode=person.release_episode, stage="completed")


@pytest.fixture
def second_year(world: World, impact: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Twenty participants released on 1 June 2022: six re-offended within 12 months, two more in their
    second year. At 12 months: 6 of 20; at 24 months: 8 of 20; 8 − 6 = the 2 of the second year."""
    cohort = _cohort(impact, world)
    for i in range(20):
        again = dt.date(2022, 10, 1) if i < 6 else dt.date(2023, 10, 1) if i < 8 else None
        _join(cohort, f"SY-{i}", LONG_AGO, again)
    return impact


@pytest.fixture
def released_between(world: World, impact: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Twenty participants released on 1 June 2022, two on 1 June 2023 and six on 1 June 2024, nobody
    re-offended. At 12 months: 22 counted, 6 waiting; at 24 months: 20 counted, 8 waiting: 22 − 20 (or
    8 − 6) = the 2 released between 12 and 24 months ago."""
    cohort = _cohort(impact, world)
    for i, on in enumerate([LONG_AGO] * 20 + [BETWEEN] * 2 + [RECENT] * 6):
        _join(cohort, f"RB-{i}", on)
    return impact


def _rec(user: Any, window: int) -> Any:
    return figures_context(actor=user, filters=selectors.Filters(), today=AS_OF, window=window)["rec"]


@pytest.mark.parametrize("role", [Role.CSR_OFFICER, Role.MONITOR])
def test_the_second_years_reoffenders_cannot_be_had_by_subtracting_two_windows(
    second_year: dict[str, Any], world: World, role: str
) -> None:
    user = world.users[role]
    twelve, twenty_four = _rec(user, 12).participants, _rec(user, 24).participants
    assert twelve.n == twenty_four.n == 20  # the same people in both windows
    both = (twelve.reoffended, twenty_four.reoffended)
    # The attack: 8 − 6 gives the 2 who re-offended in their second year.
    assert not (all(isinstance(k, int) for k in both) and both[1] - both[0] == 2), both
    # The hidden one carries its mark (and no rate), the other stays shown.
    assert [k for k in both if isinstance(k, int)] and (twelve.reoffended_mark or twenty_four.reoffended_mark)
    hidden = twelve if twelve.reoffended is None else twenty_four
    assert hidden.rate is None and hidden.interval is None


@pytest.mark.parametrize("role", [Role.CSR_OFFICER, Role.MONITOR])
def test_people_released_between_two_windows_cannot_be_had_by_subtracting_them(
    released_between: dict[str, Any], world: World, role: str
) -> None:
    user = world.users[role]
    twelve, twenty_four = _rec(user, 12), _rec(user, 24)
    counted = (twelve.participants.n, twenty_four.participants.n)
    waiting = (twelve.waiting, twenty_four.waiting)
    assert not (all(isinstance(n, int) for n in counted) and counted[0] - counted[1] == 2), counted
    assert not (all(isinstance(n, int) for n in waiting) and waiting[1] - waiting[0] == 2), waiting


def test_a_kanwil_officer_reads_every_window_exactly(second_year: dict[str, Any], world: World) -> None:
    kanwil = world.users[Role.KANWIL_OFFICER]
    assert (_rec(kanwil, 12).participants.reoffended, _rec(kanwil, 24).participants.reoffended) == (6, 8)


def test_the_joint_report_shows_the_dashboards_masked_12_month_window(
    second_year: dict[str, Any], world: World
) -> None:
    """A TJSL officer's report as of a quarter end shows the 12-month window as the dashboard masks it on
    that day (every window together), so the report's 12 months and the dashboard's 24 cannot be
    subtracted either."""
    tjsl = second_year["tjsl"]
    quarter_end = dt.date(2024, 12, 31)
    dashboard = figures_context(actor=tjsl, filters=selectors.Filters(), today=quarter_end, window=12)["rec"]
    report = joint.build(
        actor=tjsl,
        agreement=second_year["mou"],
        program=None,
        start=dt.date(2021, 1, 1),
        end=quarter_end,
        language="en",
    )
    section = next(s for s in report.sections if s.key == "recidivism")
    row = next(r for r in section.tables[0].rows if r[0] == "Participants")
    assert row[1] == dashboard.participants.n == 20
    assert row[2] == (dashboard.participants.reoffended or dashboard.participants.reoffended_mark)
    assert row[2] != 6, "the report's 6 at 12 months and the dashboard's 8 at 24 months give the 2 back"


# --- The joint report's outcomes and independence index as of the quarter end ----------------------------


@pytest.fixture
def quarter(world: World, impact: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Consenting participants of a 2021 cohort: eight released on 1 January 2022, completed, in work and
    scored at their 6-month follow-up (July 2022); three released on 1 August 2022 with no follow-up yet and
    three still active on 31 December 2022."""
    from tests import people
    from tests.factories import UnitFactory

    unit = world.organisation(Role.UNIT_OFFICER, "own")
    bapas = UnitFactory(unit_kind="bapas", name="Bapas Kuartal")
    group = people.cohort(
        impact["program"], unit, "Angkatan Kuartal", dt.date(2021, 8, 1), dt.date(2021, 12, 1)
    )
    for i in range(8):
        people.participant(
            group,
            f"KQ-{i}",
            shares=True,
            bapas=bapas,
            released_on=dt.date(2022, 1, 1),
            work_status="employed",
            score=80,
        )
    late = [
        people.participant(group, f"KL-{i}", shares=True, bapas=bapas, released_on=dt.date(2022, 8, 1))
        for i in range(3)
    ]
    active = [people.participant(group, f"KA-{i}", stage="active", shares=True) for i in range(3)]
    return impact | {"late": late, "active": active}


def _next_quarter_happens(quarter: dict[str, Any]) -> None:
    """What is recorded in January and February 2023, after the quarter: the three released in August are
    followed up at 6 months (in work) and scored low; the three active complete, one is certified."""
    from sinergi.aftercare.models import AftercareCase, FollowUp, IndexScore
    from sinergi.programs.models import Certificate

    for enrollment in quarter["late"]:
        case = AftercareCase.objects.get(enrollment=enrollment)
        followup = FollowUp.objects.create(
            case=case, milestone=6, done_on=dt.date(2023, 1, 30), contacted=True, work_status="employed"
        )
        IndexScore.objects.create(
            case=case,
            followup=followup,
            milestone=6,
            scored_on=dt.date(2023, 1, 30),
            score=20,
            ruleset_version="uji",
        )
    for enrollment in quarter["active"]:
        Enrollment.objects.filter(pk=enrollment.pk).update(
            stage="completed", completed_on=dt.date(2023, 2, 1)
        )
    Certificate.objects.create(
        enrollment=quarter["active"][0],
        issuer="LPK Contoh",
        number="C-KA-LATE",
        competency="Las",
        issued_on=dt.date(2023, 2, 1),
    )


def _outcomes(content: Any) -> list[Any]:
    return [t.rows for t in next(s for s in content.sections if s.key == "outcomes").tables]


def test_two_reports_of_one_quarter_made_on_different_days_count_the_same_outcomes(
    quarter: dict[str, Any],
) -> None:
    """The attack: a TJSL officer makes the report for the last quarter of 2022, and again after February
    2023. Counted up to the day it is made, the second report's outcomes and independence bands differed by
    what was recorded since: 3 more in work at 6 months, 3 fewer in the high band, 3 more completions."""
    tjsl = quarter["tjsl"]
    period = {"start": dt.date(2022, 10, 1), "end": dt.date(2022, 12, 31), "agreement": quarter["mou"]}
    from tests.reports.test_report_cross_view import _report, _table

    before = _report(tjsl, **period)
    _next_quarter_happens(quarter)
    after = _report(tjsl, **period)
    assert _outcomes(before) == _outcomes(after)
    outcomes = _table(after, "outcomes", "Outcome")
    funnel = _table(after, "participants", "Stage")
    # In work at 6 months (8) is masked with the funnel's in work, its superset: their gap is small.
    assert outcomes["Completions"] == 11
    assert outcomes["In work or business at 6 months"] == "×" and funnel["In work or business"] == "×"
