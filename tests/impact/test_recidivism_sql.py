"""Recidivism counted in the database gives the same result as the definition that loaded every episode into
Python (tests/impact/recidivism_reference.py), on a varied registry: several releases per person, parole
before release, readmissions on the window's last day and the day after, releases on the 29th of February,
convictions from aftercare, merged duplicates, other units, people too young for an age band or without a
sentence, and every window and several as-of dates and periods."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.models import CustodyEpisode, IntegrationEvent, Person
from sinergi.impact import domain, selectors
from sinergi.programs.models import Cohort, Enrollment, Program
from tests.impact.recidivism_reference import recidivism_by_rows, recidivism_groups_by_rows

pytestmark = pytest.mark.django_db

OFFENCES = ("Pencurian", "Narkotika", " pencurian ", "Penipuan", "")
SEXES = ("L", "P", "")
DISTRICTS = ("16.71.14", "16.71.01")


@pytest.fixture
def varied(world, impact) -> dict[str, Any]:
    from tests.factories import UnitFactory

    rng = random.Random(7)  # noqa: S311 (test data)
    units = [world.organisation(Role.UNIT_OFFICER, "own"), UnitFactory(), UnitFactory()]
    cohort = Cohort.objects.create(
        program=impact["program"],
        unit=units[0],
        name="Angkatan Uji",
        start_date=dt.date(2021, 8, 1),
        end_date=dt.date(2021, 12, 1),
        capacity=200,
    )
    days = [dt.date(2020, 2, 29), dt.date(2021, 2, 28), dt.date(2022, 2, 28), dt.date(2024, 2, 29)]
    for n in range(90):
        person = Person.objects.create(
            full_name=f"Uji {n}",
            sex=rng.choice(SEXES),
            birth_date=dt.date(rng.randint(1955, 2012), rng.randint(1, 12), rng.choice((1, 28))),
            offence_category=rng.choice(OFFENCES),
            domicile_district_id=rng.choice(DISTRICTS),
            risk_level=rng.choice(("rendah", "tinggi", "")),
            is_synthetic=True,
        )
        on = rng.choice(days) if n % 5 == 0 else dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 1700))
        first = None
        for k in range(rng.choice((1, 1, 2, 3))):
            start = on - relativedelta(months=rng.randint(3, 40))
            episode = CustodyEpisode.objects.create(
                person=person,
                unit=rng.choice(units),
                registration_number=f"R-{n}-{k}",
                status="bebas",
                start_date=start,
                sentence_years=rng.choice((0, 0, 1, 3, 6, 12)),
                sentence_months=rng.choice((0, 5)),
                sentence_days=rng.choice((0, 10)),
                release_date=on if rng.random() > 0.1 else None,
            )
            first = first or episode
            if rng.random() < 0.25:
                IntegrationEvent.objects.create(
                    episode=episode,
                    kind=rng.choice(("pb", "cb", "cmb")),
                    date=on - dt.timedelta(days=rng.randint(0, 90)),
                    approved_by_board=True,
                )
            window = rng.choice((12, 24, 60))
            # The next episode starts on the window's last day, the day after, or anywhere.
            on = rng.choice(
                (
                    on + relativedelta(months=window),
                    on + relativedelta(months=window) + dt.timedelta(days=1),
                    on + dt.timedelta(days=rng.randint(1, 900)),
                )
            )
        if n % 3 == 0:
            Enrollment.objects.create(
                cohort=cohort,
                person=person,
                episode=first,
                stage=rng.choice(("completed", "withdrawn", "active")),
            )
        elif n % 11 == 0:
            Enrollment.objects.create(cohort=cohort, person=person, episode=first, stage="candidate")
    # A merged duplicate is left out.
    merged = Person.objects.filter(enrollments__isnull=True).first()
    assert merged is not None
    Person.objects.filter(pk=merged.pk).update(merged_into=Person.objects.exclude(pk=merged.pk).first())
    _convictions(rng)
    return impact


def _convictions(rng: random.Random) -> None:
    from sinergi.aftercare.models import AftercareCase, Reoffence

    for person in Person.objects.filter(episodes__isnull=False).distinct()[:40:3]:
        episode = person.episodes.order_by("pk").first()
        released_on = episode.release_date or dt.date(2022, 1, 1)
        case = AftercareCase.objects.create(
            person=person,
            episode=episode,
            release_kind="bebas",
            released_on=released_on,
            opened_on=released_on,
        )
        Reoffence.objects.create(
            case=case,
            kind=rng.choice(("conviction", "readmission", "rearrest")),
            occurred_on=released_on + dt.timedelta(days=rng.randint(0, 800)),
            source="officer",
        )


@pytest.mark.parametrize("months", domain.WINDOW_MONTHS)
def test_sql_recidivism_equals_the_definition_that_loaded_every_episode(varied, months: int) -> None:
    programs = Program.objects.filter(pk=varied["program"].pk)
    for as_of, start, end in (
        (dt.date(2025, 1, 1), None, None),
        (dt.date(2025, 2, 28), None, None),
        (dt.date(2026, 3, 1), dt.date(2020, 1, 1), dt.date(2023, 6, 30)),
        (dt.date(2023, 2, 28), dt.date(2021, 2, 28), None),
    ):
        args = dict(programs=programs, months=months, as_of=as_of, start=start, end=end)
        assert selectors.recidivism(**args) == recidivism_by_rows(**args), (as_of, start, end)


def test_the_comparison_applies_the_programs_rules(varied) -> None:
    program = varied["program"]
    Program.objects.filter(pk=program.pk).update(
        rule={
            "districts": ["16.71.14"],
            "statuses": ["narapidana"],
            "sexes": ["L"],
            "exclude_offences": ["Narkotika"],
            "max_risk": "sedang",
        }
    )
    programs = Program.objects.filter(pk=program.pk)
    args = dict(programs=programs, months=24, as_of=dt.date(2025, 1, 1))
    assert selectors.recidivism(**args) == recidivism_by_rows(**args)


def test_the_varied_registry_gives_figures_to_compare(varied) -> None:
    """The comparison above is not between two empty results."""
    result = selectors.recidivism(
        programs=Program.objects.filter(pk=varied["program"].pk), months=12, as_of=dt.date(2025, 1, 1)
    )
    assert result.participants.n >= 5 and result.participants.reoffended >= 1 and result.participants.waiting
    assert result.comparison.comparison_n >= 2 and result.comparison.comparison_unused >= 5


@pytest.mark.parametrize("months", domain.WINDOW_MONTHS)
def test_sql_groups_equal_the_people_the_old_definition_listed(varied, months: int) -> None:
    """`recidivism_groups` reads the same query as the figures, grouped by person: the same people as the
    definition that gathered every episode in Python, and as many as the figures count."""
    programs = Program.objects.filter(pk=varied["program"].pk)
    for as_of, start, end in (
        (dt.date(2025, 1, 1), None, None),
        (dt.date(2026, 3, 1), dt.date(2020, 1, 1), dt.date(2023, 6, 30)),
        (dt.date(2023, 2, 28), dt.date(2021, 2, 28), None),
    ):
        args = dict(programs=programs, months=months, as_of=as_of, start=start, end=end)
        groups = selectors.recidivism_groups(**args)
        assert groups == recidivism_groups_by_rows(**args), (as_of, start, end)
        result = selectors.recidivism(**args)
        assert len(groups.participants) == result.participants.n
        assert len(groups.participants_reoffended) == result.participants.reoffended
        assert len(groups.waiting) == result.participants.waiting
        assert len(groups.unmatched) == result.comparison.unmatched_participants
        assert len(groups.comparison) == result.comparison.comparison_n
        assert len(groups.comparison_reoffended) == result.comparison.reoffended


def test_sql_groups_apply_the_programs_rules(varied) -> None:
    Program.objects.filter(pk=varied["program"].pk).update(
        rule={
            "districts": ["16.71.14"],
            "sexes": ["L"],
            "exclude_offences": ["Narkotika"],
            "max_risk": "sedang",
        }
    )
    args = dict(
        programs=Program.objects.filter(pk=varied["program"].pk), months=12, as_of=dt.date(2025, 1, 1)
    )
    groups = selectors.recidivism_groups(**args)
    assert groups == recidivism_groups_by_rows(**args)
    assert groups.comparison


def test_the_stored_day_of_leaving_agrees_with_the_integration_events(varied) -> None:
    """The fixture writes episodes and events with the ORM: the kept column followed every write."""
    from sinergi.beneficiaries import leave

    assert IntegrationEvent.objects.filter(kind__in=leave.LEAVE_KINDS).exists()
    assert not leave.stale().exists()


@pytest.mark.parametrize("months", domain.WINDOW_MONTHS)
@pytest.mark.parametrize("ruled", [False, True])
def test_figures_and_groups_from_one_query_equal_both_definitions(varied, months: int, ruled: bool) -> None:
    """`recidivism_with_groups` (the dashboard's figures and the people behind them from one query grouped by
    person) gives the figures and the groups of the old definition, with and without the programs' rules."""
    if ruled:
        Program.objects.filter(pk=varied["program"].pk).update(
            rule={
                "districts": ["16.71.14"],
                "sexes": ["L"],
                "exclude_offences": ["Narkotika"],
                "max_risk": "sedang",
            }
        )
    programs = Program.objects.filter(pk=varied["program"].pk)
    for as_of, start, end in (
        (dt.date(2025, 1, 1), None, None),
        (dt.date(2026, 3, 1), dt.date(2020, 1, 1), dt.date(2023, 6, 30)),
        (dt.date(2023, 2, 28), dt.date(2021, 2, 28), None),
    ):
        args = dict(programs=programs, months=months, as_of=as_of, start=start, end=end)
        result, groups = selectors.recidivism_with_groups(**args)
        assert result == recidivism_by_rows(**args), (as_of, start, end)
        assert groups == recidivism_groups_by_rows(**args), (as_of, start, end)


@pytest.mark.parametrize("ruled", [False, True])
def test_every_window_from_one_query_equals_the_definition(varied, ruled: bool) -> None:
    """`recidivism_windows` (the aggregate-only dashboards' figures of every window, from one query) gives
    each window's figures of the old definition, with and without the programs' rules."""
    if ruled:
        Program.objects.filter(pk=varied["program"].pk).update(
            rule={
                "districts": ["16.71.14"],
                "sexes": ["L"],
                "exclude_offences": ["Narkotika"],
                "max_risk": "sedang",
            }
        )
    programs = Program.objects.filter(pk=varied["program"].pk)
    for as_of, start, end in (
        (dt.date(2025, 1, 1), None, None),
        (dt.date(2025, 2, 28), None, None),
        (dt.date(2026, 3, 1), dt.date(2020, 1, 1), dt.date(2023, 6, 30)),
        (dt.date(2023, 2, 28), dt.date(2021, 2, 28), None),
    ):
        results = selectors.recidivism_windows(
            programs=programs, windows=domain.WINDOW_MONTHS, as_of=as_of, start=start, end=end
        )
        assert list(results) == list(domain.WINDOW_MONTHS)
        for months in domain.WINDOW_MONTHS:
            args = dict(programs=programs, months=months, as_of=as_of, start=start, end=end)
            assert results[months] == recidivism_by_rows(**args), (months, as_of, start, end)


def test_a_rule_is_parsed_once_per_process(varied, monkeypatch) -> None:
    """The programs' rules are parsed once per distinct rule and process (`_rule_check_of`), not on every
    request; a rule edited is parsed again (another text), and one that does not parse is left out."""
    from sinergi.programs import domain as program_domain

    selectors._rule_check_of.cache_clear()
    rule = {"districts": ["16.71.14"], "statuses": ["narapidana"], "sexes": ["L"]}
    Program.objects.filter(pk=varied["program"].pk).update(rule=rule)
    programs = Program.objects.filter(pk=varied["program"].pk)
    parsed: list[Any] = []
    real = program_domain.parse_rule
    monkeypatch.setattr(program_domain, "parse_rule", lambda raw: parsed.append(raw) or real(raw))
    first = selectors._rule_checks(programs)
    assert selectors._rule_checks(programs) == first and len(parsed) == 1
    assert first[0].sexes == ("L",) and first[0].age is None
    Program.objects.filter(pk=varied["program"].pk).update(rule=rule | {"sexes": ["P"]})
    assert selectors._rule_checks(programs)[0].sexes == ("P",) and len(parsed) == 2
    Program.objects.filter(pk=varied["program"].pk).update(rule={"districts": []})
    assert selectors._rule_checks(programs) == []
