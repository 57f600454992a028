"""The dashboards' due and overdue follow-ups are counted in SQL (`selectors.followup_counts_by`); the rule
is `domain.followup_due_counts` (each milestone's date from `domain.add_months`, its status from
`domain.followup_status`). Both are compared here on varied cases, on SQLite and on PostgreSQL: month-end
releases (31 January, 29 February, 30 and 31 August, 31 December), days on either side of every bound,
cases with no officer, closed cases, persons back in custody before, on and after a follow-up's date,
follow-ups done early, late or for a milestone that does not exist."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.choices import Role
from sinergi.aftercare import domain, selectors
from sinergi.aftercare.models import AftercareCase, FollowUp
from sinergi.core.sqldates import AddMonths
from tests.authz import World
from tests.factories import UserFactory

MONTH_ENDS = [
    dt.date(2023, 1, 31),
    dt.date(2024, 1, 31),
    dt.date(2024, 2, 29),
    dt.date(2023, 2, 28),
    dt.date(2023, 8, 30),
    dt.date(2024, 8, 31),
    dt.date(2023, 11, 30),
    dt.date(2023, 12, 31),
    dt.date(2024, 5, 31),
    dt.date(2022, 10, 31),
    dt.date(2024, 3, 30),
    dt.date(2023, 12, 29),
]


def _today_choices() -> list[dt.date]:
    """Days on both sides of each bound of the month-end releases' follow-ups (two weeks before the date,
    the date, 30 and 31 days after it), where a date off by one to three days (SQLite's overflow into the
    next month) changes a status."""
    days: set[dt.date] = set()
    for released in MONTH_ENDS[:6]:
        for due in domain.followup_due_dates(released).values():
            for shift in (-15, -14, 0, 30, 31):
                days.add(due + dt.timedelta(days=shift))
    return sorted(days)


@pytest.fixture
def varied(world: World) -> dict[str, Any]:
    from tests.beneficiaries.conftest import register

    rng = random.Random(14)
    own, other = world.regions["own"], world.regions["other"]
    people = [
        register(None, unit, f"Klien Uji {i}", f"UJI-{i}")
        for i, unit in enumerate((own.lapas, own.rutan, other.lapas, other.lapas))
    ]
    officers = [
        UserFactory(role=Role.BAPAS_OFFICER, organisation=own.bapas, full_name="PK Satu"),
        UserFactory(role=Role.BAPAS_OFFICER, organisation=own.bapas, full_name="PK Dua"),
        UserFactory(role=Role.BAPAS_OFFICER, organisation=other.bapas, full_name="PK Tiga"),
        world.users[Role.BAPAS_OFFICER],
    ]
    mentors = [world.users[Role.FACILITATOR], None]
    releases = MONTH_ENDS + [dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(1400)) for _ in range(60)]
    cases = []
    for i, released_on in enumerate(releases):
        person = people[i % len(people)]
        closed_on = readmitted_on = None
        roll = rng.random()
        if roll < 0.15:
            closed_on = released_on + dt.timedelta(days=rng.randrange(900))
        elif roll < 0.35:
            # Back in custody: before, on or after one of the follow-ups' dates.
            due = domain.add_months(released_on, rng.choice(domain.MILESTONES))
            readmitted_on = due + dt.timedelta(days=rng.choice((-20, -1, 0, 1, 45)))
        cases.append(
            AftercareCase(
                person=person,
                episode=person.episodes.get() if rng.random() < 0.8 else None,
                bapas=rng.choice((own.bapas, own.bapas, other.bapas, None)),
                release_kind=rng.choice(("pb", "cb", "bebas")),
                released_on=released_on,
                opened_on=released_on,
                pk_officer=rng.choice([*officers, None]),
                mentor=rng.choice(mentors),
                closed_on=closed_on,
                close_reason="completed" if closed_on else "",
                readmitted_on=readmitted_on,
            )
        )
    cases = AftercareCase.objects.bulk_create(cases)
    followups = []
    for case in cases:
        for months in domain.MILESTONES:
            if rng.random() < 0.4:
                due = domain.add_months(case.released_on, months)
                # Done early (before the date) or late (long after it): the date done does not matter.
                done_on = due + dt.timedelta(days=rng.choice((-40, -3, 0, 10, 200)))
                followups.append(FollowUp(case=case, milestone=months, done_on=done_on, contacted=True))
        if rng.random() < 0.1:
            # A milestone that is not one (older data): counts for nothing, as in the rule.
            followups.append(FollowUp(case=case, milestone=9, done_on=case.released_on, contacted=False))
    FollowUp.objects.bulk_create(followups)
    return {"officers": officers, "actors": [*world.users.values(), *world.others.values(), *officers]}


def _expected(cases: Any, today: dt.date, *, by: str = "pk_officer_id") -> dict[Any, dict[str, int]]:
    """The Python rule over every case (the definition the SQL must give)."""
    done: dict[int, set[int]] = defaultdict(set)
    for case_id, milestone in FollowUp.objects.values_list("case_id", "milestone"):
        done[case_id].add(milestone)
    totals: dict[Any, dict[str, int]] = {}
    for case in cases:
        counts = domain.followup_due_counts(
            released_on=case.released_on,
            done=done[case.pk],
            closed_from=min((d for d in (case.closed_on, case.readmitted_on) if d), default=None),
            today=today,
        )
        total = totals.setdefault(getattr(case, by), {domain.DUE: 0, domain.OVERDUE: 0})
        for status in counts:
            total[status] += counts[status]
    return totals


def test_add_months_in_sql_clamps_month_ends_as_relativedelta(varied: dict[str, Any]) -> None:
    for months in (1, 2, 3, 6, 12, 13, 24, 25):
        rows = AftercareCase.objects.annotate(due=AddMonths(F("released_on"), months)).values_list(
            "released_on", "due"
        )
        for released_on, due in rows:
            assert due == domain.add_months(released_on, months), (connection.vendor, released_on, months)
    # From a column too (the follow-up's milestone).
    rows = FollowUp.objects.annotate(due=AddMonths(F("case__released_on"), F("milestone"))).values_list(
        "case__released_on", "milestone", "due"
    )
    assert rows
    for released_on, months, due in rows:
        assert due == domain.add_months(released_on, months)
    assert domain.add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert domain.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


def test_counts_in_sql_equal_the_rule_for_every_case_open_or_closed(varied: dict[str, Any]) -> None:
    """Over all cases (closed ones and those without an officer included), per officer and per mentor."""
    cases = list(AftercareCase.objects.all())
    for today in _today_choices():
        for by in ("pk_officer_id", "mentor_id"):
            want = _expected(cases, today, by=by)
            got = selectors.followup_counts_by(AftercareCase.objects.all(), today=today, by=by)
            assert got == want, (connection.vendor, today, by)


def test_followups_due_by_officer_equals_the_rule_for_every_actor(varied: dict[str, Any]) -> None:
    for today in _today_choices()[::4] + [dt.date(2026, 12, 3)]:
        for actor in varied["actors"]:
            cases = selectors.case_list(actor=actor, open_only=True).filter(pk_officer__isnull=False)
            want = {
                officer: counts
                for officer, counts in _expected(list(cases), today).items()
                if any(counts.values())
            }
            rows = selectors.followups_due_by_officer(actor=actor, today=today)
            got = {
                row["officer"].pk: {domain.DUE: row["due"], domain.OVERDUE: row["overdue"]} for row in rows
            }
            assert got == want, (connection.vendor, today, actor.role)
            assert [(-r["overdue"], -r["due"]) for r in rows] == sorted(
                (-r["overdue"], -r["due"]) for r in rows
            )
            for status in (domain.DUE, domain.OVERDUE):
                listed = set(
                    AftercareCase.objects.filter(
                        pk__in=selectors.cases_with_followups(actor=actor, status=status, today=today)
                    ).values_list("pk", flat=True)
                )
                expected = {case.pk for case in cases if _expected([case], today)[case.pk_officer_id][status]}
                assert listed == expected, (connection.vendor, today, actor.role, status)


def test_an_officers_own_counts_equal_the_rule(varied: dict[str, Any], world: World) -> None:
    """`followups_due_count`: the open cases the officer guides as PK officer or as mentor."""
    for today in _today_choices()[::3]:
        for actor in [*varied["officers"], world.users[Role.FACILITATOR]]:
            mine = [
                case
                for case in selectors.case_list(actor=actor, open_only=True)
                if actor.pk in (case.pk_officer_id, case.mentor_id)
            ]
            want = {domain.DUE: 0, domain.OVERDUE: 0}
            for counts in _expected(mine, today).values():
                want[domain.DUE] += counts[domain.DUE]
                want[domain.OVERDUE] += counts[domain.OVERDUE]
            assert selectors.followups_due_count(actor=actor, today=today) == want, (today, actor.pk)
            # The caseload page shows the same follow-ups.
            shown = {domain.DUE: 0, domain.OVERDUE: 0}
            for status in selectors.caseload(actor=actor, today=today):
                for item in status.followups:
                    if item["status"] in shown:
                        shown[item["status"]] += 1
            assert shown == want


def test_counts_are_one_query_whose_text_does_not_grow_with_the_cases(
    varied: dict[str, Any], world: World
) -> None:
    """No case is loaded and no list of case ids is sent back: the same SQL for more cases."""
    admin = world.users[Role.ADMIN]
    today = dt.date(2024, 6, 1)

    def captured() -> tuple[list[dict[str, Any]], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            rows = selectors.followups_due_by_officer(actor=admin, today=today)
        return rows, [query["sql"] for query in queries.captured_queries]

    rows, before = captured()
    assert rows and len(before) == 2  # the counts per officer, then those officers
    officer = rows[0]["officer"]
    overdue_before = rows[0]["overdue"]
    case = AftercareCase.objects.filter(pk_officer=officer).first()
    assert case is not None
    for days in range(1, 4):
        AftercareCase.objects.create(
            person=case.person,
            bapas=case.bapas,
            release_kind="bebas",
            released_on=dt.date(2021, 1, days),
            opened_on=dt.date(2021, 1, days),
            pk_officer=officer,
        )
    rows, after = captured()
    assert after == before
    # Three more cases of 2021: all four follow-ups of each are overdue.
    assert {row["officer"].pk: row["overdue"] for row in rows}[officer.pk] == overdue_before + 12
    with CaptureQueriesContext(connection) as own:
        selectors.followups_due_count(actor=varied["officers"][0], today=today)
    assert len(own.captured_queries) == 1
