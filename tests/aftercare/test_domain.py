"""Aftercare's pure rules with hand-computed cases: schedules at month ends and leap years, what is due,
input checks, and the independence index with its weights."""

from __future__ import annotations

import datetime as dt

import pytest

from sinergi.aftercare import domain
from sinergi.aftercare.domain import IndexFacts, independence_index

D = dt.date


@pytest.mark.parametrize(
    ("released", "expected"),
    [
        (D(2023, 8, 31), {3: D(2023, 11, 30), 6: D(2024, 2, 29), 12: D(2024, 8, 31), 24: D(2025, 8, 31)}),
        (D(2022, 11, 30), {3: D(2023, 2, 28), 6: D(2023, 5, 30), 12: D(2023, 11, 30), 24: D(2024, 11, 30)}),
        (D(2024, 2, 29), {3: D(2024, 5, 29), 6: D(2024, 8, 29), 12: D(2025, 2, 28), 24: D(2026, 2, 28)}),
        (D(2023, 1, 1), {3: D(2023, 4, 1), 6: D(2023, 7, 1), 12: D(2024, 1, 1), 24: D(2025, 1, 1)}),
    ],
)
def test_followups_fall_3_6_12_and_24_months_after_release_clamped_to_month_end(released, expected) -> None:
    assert domain.followup_due_dates(released) == expected


def test_a_followup_is_upcoming_then_due_from_two_weeks_before_then_overdue_after_thirty_days() -> None:
    due = D(2024, 5, 29)

    def status(today: dt.date, **kw) -> str:
        return domain.followup_status(due=due, today=today, done=False, **kw)

    assert status(D(2024, 5, 14)) == "upcoming"
    assert status(D(2024, 5, 15)) == "due"
    assert status(D(2024, 6, 28)) == "due"
    assert status(D(2024, 6, 29)) == "overdue"
    assert domain.followup_status(due=due, today=D(2025, 1, 1), done=True) == "done"
    assert status(D(2024, 6, 29), closed_from=D(2024, 5, 29)) == "closed"
    assert status(D(2024, 6, 29), closed_from=D(2024, 5, 30)) == "overdue"


def test_the_reporting_schedule_runs_monthly_from_release_up_to_and_including_the_expiry() -> None:
    released = D(2024, 1, 31)
    assert domain.reporting_schedule(released_on=released, until=D(2024, 5, 15)) == [
        D(2024, 2, 29),
        D(2024, 3, 31),
        D(2024, 4, 30),
    ]
    assert domain.reporting_schedule(released_on=released, until=D(2024, 4, 30))[-1] == D(2024, 4, 30)
    assert domain.reporting_schedule(released_on=released, until=D(2024, 4, 29))[-1] == D(2024, 3, 31)
    assert domain.reporting_schedule(released_on=released, until=D(2024, 5, 15), every_months=2) == [
        D(2024, 3, 31)
    ]
    assert domain.reporting_schedule(released_on=released, until=None) == []
    assert domain.reporting_schedule(released_on=D(2023, 3, 31), until=D(2024, 3, 31))[-1] == D(2024, 3, 31)
    assert len(domain.reporting_schedule(released_on=D(2023, 3, 31), until=D(2024, 3, 31))) == 12


def test_reports_are_matched_to_their_period_and_a_period_without_one_is_missed() -> None:
    schedule = [D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30)]
    until = D(2024, 5, 15)

    def statuses(reports, today):
        slots = domain.report_slots(schedule=schedule, until=until, reports=reports, today=today)
        return [s.status for s in slots]

    assert statuses([D(2024, 3, 5), D(2024, 5, 2)], D(2024, 5, 20)) == ["done", "missed", "done"]
    assert statuses([D(2024, 3, 5)], D(2024, 4, 5)) == ["done", "due", "upcoming"]
    assert statuses([D(2024, 3, 5)], D(2024, 4, 8)) == ["done", "overdue", "upcoming"]
    assert statuses([], D(2024, 2, 1)) == ["upcoming", "upcoming", "upcoming"]
    # A report a few days early counts for the date it anticipates.
    assert statuses([D(2024, 2, 25)], D(2024, 3, 1)) == ["done", "upcoming", "upcoming"]


def test_the_agenda_puts_missed_reports_before_due_followups_and_nothing_after_readmission() -> None:
    released = D(2024, 1, 31)
    schedule = domain.reporting_schedule(released_on=released, until=D(2024, 12, 31))
    today = D(2024, 5, 10)
    slots = domain.report_slots(
        schedule=schedule, until=D(2024, 12, 31), reports=[D(2024, 2, 29)], today=today
    )
    items = domain.case_agenda(
        released_on=released,
        today=today,
        report_slots=slots,
        last_visit=None,
        followups_done=[],
        closed_from=None,
    )
    assert [(i.kind, i.status) for i in items][:3] == [
        ("report", "missed"),
        ("report", "overdue"),
        ("visit", "due"),
    ]
    assert ("followup", "due", 3) in [(i.kind, i.status, i.milestone) for i in items]
    closed = domain.case_agenda(
        released_on=released,
        today=today,
        report_slots=slots,
        last_visit=None,
        followups_done=[],
        closed_from=D(2024, 4, 15),
    )
    assert [(i.kind, i.status) for i in closed] == [("report", "missed")]
    assert domain.urgency_key(items) < domain.urgency_key(closed[1:])


def test_dates_before_release_or_in_the_future_are_refused_in_indonesian(settings) -> None:
    from django.utils import translation

    with translation.override("id"):
        before = domain.date_problems(on=D(2024, 1, 1), released_on=D(2024, 1, 2), today=D(2024, 2, 1))
        future = domain.date_problems(on=D(2024, 2, 2), released_on=D(2024, 1, 2), today=D(2024, 2, 1))
    assert before == "Tanggal tidak boleh sebelum pembebasan (2 Januari 2024)."
    assert future == "Tanggal tidak boleh di masa depan."
    assert domain.date_problems(on=D(2024, 1, 2), released_on=D(2024, 1, 2), today=D(2024, 1, 2)) is None


def test_followup_checks_report_every_problem_and_accept_not_contacted_with_only_a_date() -> None:
    base = {"milestone": 6, "done_on": D(2024, 8, 1), "contacted": True}
    problems = domain.followup_problems(
        base | {"work_status": "employed", "monthly_income": -1},
        released_on=D(2024, 1, 1),
        today=D(2024, 9, 1),
    )
    assert set(problems) == {"housing", "monthly_income"}
    absurd = domain.followup_problems(
        base | {"work_status": "employed", "housing": "own", "monthly_income": 1_000_000_001},
        released_on=D(2024, 1, 1),
        today=D(2024, 9, 1),
    )
    assert set(absurd) == {"monthly_income"}
    ok = base | {"work_status": "employed", "housing": "own", "monthly_income": 1_000_000_000}
    assert domain.followup_problems(ok, released_on=D(2024, 1, 1), today=D(2024, 9, 1)) == {}
    lost = {"milestone": 12, "done_on": D(2024, 8, 1), "contacted": False}
    assert domain.followup_problems(lost, released_on=D(2024, 1, 1), today=D(2024, 9, 1)) == {}
    assert set(
        domain.followup_problems(lost | {"milestone": 9}, released_on=D(2024, 1, 1), today=D(2024, 9, 1))
    ) == {"milestone"}


def test_aid_needs_a_funder_and_a_value_above_zero() -> None:
    problems = domain.aid_problems(
        value=0, funder=None, given_on=D(2024, 1, 1), released_on=D(2024, 1, 1), today=D(2024, 1, 1)
    )
    assert set(problems) == {"value", "funder"}


def test_the_index_of_an_employee_above_the_umk_with_family_is_85() -> None:
    facts = IndexFacts(
        contacted=True,
        on=D(2024, 7, 1),
        work_status="employed",
        monthly_income=4_000_000,
        housing="family",
        family_support=True,
        business_running=False,
        minimum_wage=3_677_000,
    )
    result = independence_index(facts)
    assert result.score == 25 + 20 + 15 + 10 + 15 == 85
    assert result.components["business_6_months"] == {"met": False, "points": 0}
    assert result.weights == domain.DEFAULT_WEIGHTS
    assert result.ruleset_version == "kemandirian-2026.1"


def test_a_business_counts_from_exactly_six_months_including_leap_day() -> None:
    def score(since: dt.date, on: dt.date) -> int | None:
        return independence_index(
            IndexFacts(
                contacted=True,
                on=on,
                work_status="self_employed",
                monthly_income=2_000_000,
                business_running=True,
                business_since=since,
                housing="unstable",
                family_support=False,
                reoffended=True,
                minimum_wage=3_000_000,
            )
        ).score

    assert score(D(2023, 1, 15), D(2023, 7, 15)) == 25 + 15 == 40
    assert score(D(2023, 1, 16), D(2023, 7, 15)) == 25
    assert score(D(2024, 2, 29), D(2024, 8, 29)) == 40
    assert score(D(2024, 2, 29), D(2024, 8, 28)) == 25


def test_not_working_without_income_but_housed_and_supported_scores_40() -> None:
    facts = IndexFacts(
        contacted=True,
        on=D(2024, 7, 1),
        work_status="not_working",
        monthly_income=0,
        housing="rented",
        family_support=True,
    )
    assert independence_index(facts).score == 15 + 10 + 15


def test_income_without_a_known_umk_earns_no_umk_points_and_says_why() -> None:
    facts = IndexFacts(
        contacted=True,
        on=D(2024, 7, 1),
        work_status="employed",
        monthly_income=9_000_000,
        housing="own",
        family_support=True,
        minimum_wage=None,
    )
    result = independence_index(facts)
    assert result.score == 65
    assert result.components["income_at_umk"] == {"met": False, "points": 0, "note": "umk_unknown"}


def test_a_person_not_contacted_has_no_score_never_zero() -> None:
    result = independence_index(IndexFacts(contacted=False, on=D(2024, 7, 1)))
    assert result.score is None
    assert result.components == {}


def test_other_weights_change_the_score_and_the_ruleset_version() -> None:
    weights = domain.DEFAULT_WEIGHTS | {"income": 35, "family_support": 0}
    facts = IndexFacts(
        contacted=True,
        on=D(2024, 7, 1),
        work_status="employed",
        monthly_income=1,
        housing="own",
        family_support=True,
    )
    result = independence_index(facts, weights)
    assert result.score == 35 + 15 + 15
    assert result.ruleset_version.startswith("kemandirian-2026.1+w")
    assert result.weights == weights
    with pytest.raises(ValueError, match="sum"):
        independence_index(facts, domain.DEFAULT_WEIGHTS | {"income": 30})


def test_scores_fall_in_four_bands() -> None:
    assert [domain.score_band(s) for s in (0, 24, 25, 74, 75, 100)] == [
        "0-24",
        "0-24",
        "25-49",
        "50-74",
        "75-100",
        "75-100",
    ]


def test_visits_are_expected_during_the_two_years_of_follow_up_only() -> None:
    def visits(today: dt.date, last: dt.date) -> list[str]:
        items = domain.case_agenda(
            released_on=D(2022, 1, 10),
            today=today,
            report_slots=[],
            last_visit=last,
            followups_done=[3, 6, 12, 24],
            closed_from=None,
        )
        return [i.status for i in items if i.kind == "visit"]

    assert visits(D(2023, 12, 1), D(2023, 10, 10)) == ["upcoming"]  # 10 January 2024, within the two years
    assert visits(D(2024, 6, 1), D(2023, 11, 10)) == []  # 10 February 2024 is past the two years
