"""Recidivism from the registry: the window rules, exact matching with reweighting, Wilson intervals, the
waiting and unmatched counts, suppression for aggregate-only roles, and `sinergi recidivism`."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal as D
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.cli import main
from sinergi.impact import domain, selectors
from sinergi.impact.domain import ReleasedPerson
from sinergi.programs.models import Cohort, Enrollment, Program

AS_OF = dt.date(2025, 1, 1)
A = {"sex": "L", "birth": dt.date(1990, 5, 17), "offence": "Pencurian"}
B = {"sex": "L", "birth": dt.date(1990, 5, 17), "offence": "Narkotika"}
C = {"sex": "P", "birth": dt.date(1990, 5, 17), "offence": "Pencurian"}
D55 = {"sex": "L", "birth": dt.date(1960, 1, 1), "offence": "Pencurian"}


def wilson(k: float, n: float, z: float = 1.959964) -> tuple[float, float]:
    """Wilson's score interval written out independently, in floats, for checking."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


# --- The pure rules ---------------------------------------------------------------------------------


def test_recidivism_by_hand() -> None:
    """Hand-computed: participants 1 of 5 re-offended (1 waiting); comparison strata A 1/2 and B 2/3,
    participants' matched mix A 3 : B 1, so the reweighted rate is 3/4 × 1/2 + 1/4 × 2/3 = 13/24."""

    def person(key: str, released: dt.date, stratum: dict[str, Any], again: dt.date | None = None) -> Any:
        return ReleasedPerson(
            key, released, again, stratum["sex"], stratum["birth"], stratum["offence"], sentence_months=24
        )

    participants = [
        person("p1", dt.date(2022, 1, 10), A, dt.date(2023, 1, 1)),
        person("p2", dt.date(2022, 2, 1), A),
        person("p3", dt.date(2022, 3, 1), A, dt.date(2024, 6, 1)),  # after the 24-month window
        person("p4", dt.date(2022, 4, 1), B),
        person("p5", dt.date(2023, 6, 1), A),  # waiting
        person("p7", dt.date(2022, 5, 1), C),  # nobody to match
    ]
    comparison = [
        person("c1", dt.date(2022, 1, 20), A, dt.date(2022, 6, 1)),
        person("c2", dt.date(2022, 6, 1), A),
        person("c3", dt.date(2022, 2, 1), B, dt.date(2023, 1, 1)),
        person("c4", dt.date(2022, 7, 1), B),
        person("c5", dt.date(2022, 8, 1), B, dt.date(2022, 12, 1)),
        person("c8", dt.date(2022, 8, 1), D55, dt.date(2022, 9, 1)),  # a stratum without participants
        person("c9", dt.date(2024, 1, 1), A),  # waiting
    ]
    result = domain.recidivism(
        participants, comparison, start=dt.date(2021, 7, 1), end=AS_OF, as_of=AS_OF, months=24
    )
    p, c = result.participants, result.comparison
    assert (p.n, p.reoffended, p.waiting, p.rate) == (5, 1, 1, D("0.2"))
    assert (c.comparison_n, c.reoffended, c.unmatched_participants, c.comparison_unused) == (5, 3, 1, 1)
    assert result.comparison_waiting == 1
    assert abs(c.rate - D(13) / D(24)) < D("1e-25")
    # Weights A (3/4)/(2/5) = 15/8 and B (1/4)/(3/5) = 5/12; Kish n = 5² / (2 × (15/8)² + 3 × (5/12)²).
    effective = 25 / (2 * (15 / 8) ** 2 + 3 * (5 / 12) ** 2)
    assert float(c.effective_n) == pytest.approx(effective, rel=1e-12)
    low, high = wilson(13 / 24 * effective, effective)
    assert (float(c.interval.low), float(c.interval.high)) == pytest.approx((low, high), rel=1e-9)
    # Wilson for 1 of 5 (published: 0.0362 to 0.6245).
    assert float(p.interval.low) == pytest.approx(0.036224, abs=5e-7)
    assert float(p.interval.high) == pytest.approx(0.624465, abs=5e-7)
    assert result.matched_rate == D("0.25")
    assert abs(result.difference - (D("0.25") - D(13) / D(24))) < D("1e-25")
    assert result.difference_interval.low < result.difference < result.difference_interval.high

    summary = json.loads(domain.to_json(domain.recidivism_summary(result)))
    assert summary == {
        "window_months": 24,
        "as_of": "2025-01-01",
        "participants": {
            "n": 5,
            "reoffended": 1,
            "rate": 0.2,
            "ci_low": 0.036224,
            "ci_high": 0.624465,
            "waiting": 1,
        },
        "comparison": {
            "n": 5,
            "reoffended": 3,
            "rate": 0.541667,
            "ci_low": round(low, 6),
            "ci_high": round(high, 6),
            "unmatched_participants": 1,
        },
    }


def test_a_window_of_twelve_months_counts_more_people_and_fewer_re_offences() -> None:
    people = [
        ReleasedPerson(1, dt.date(2023, 6, 1), dt.date(2024, 7, 1), **{"sex": "L"}),
        ReleasedPerson(2, dt.date(2023, 12, 1), None),
    ]
    twelve = domain.recidivism(people, [], start=dt.date(2023, 1, 1), end=AS_OF, as_of=AS_OF, months=12)
    assert (twelve.participants.n, twelve.participants.reoffended, twelve.participants.waiting) == (2, 0, 0)
    assert twelve.comparison.unmatched_participants == 2  # unknown strata and no comparison group
    assert twelve.difference is None
    sixty = domain.recidivism(people, [], start=dt.date(2023, 1, 1), end=AS_OF, as_of=AS_OF, months=60)
    assert (sixty.participants.n, sixty.participants.waiting) == (0, 2)
    assert domain.recidivism_summary(sixty)["participants"]["rate"] is None


# --- From the registry ------------------------------------------------------------------------------


def released(
    unit: Any,
    key: str,
    on: dt.date,
    stratum: dict[str, Any],
    again: dt.date | None = None,
    district: str = "16.71.14",
) -> Any:
    person = Person.objects.create(
        full_name=f"Uji {key}",
        sex=stratum["sex"],
        birth_date=stratum["birth"],
        offence_category=stratum["offence"],
        domicile_district_id=district,
        is_synthetic=True,
    )
    episode = CustodyEpisode.objects.create(
        person=person,
        unit=unit,
        registration_number=f"R-{key}",
        status="bebas",
        start_date=on - relativedelta(years=2),
        sentence_years=2,
        release_date=on,
    )
    if again:
        CustodyEpisode.objects.create(
            person=person,
            unit=unit,
            registration_number=f"R2-{key}",
            status="narapidana",
            start_date=again,
            sentence_years=1,
        )
    person.release_episode = episode
    return person


@pytest.fixture
def registry(world, impact) -> dict[str, Any]:
    from tests.factories import UnitFactory

    unit = world.organisation(Role.UNIT_OFFICER, "own")
    elsewhere = UnitFactory()
    cohort = Cohort.objects.create(
        program=impact["program"],
        unit=unit,
        name="Angkatan Uji",
        start_date=dt.date(2021, 8, 1),
        end_date=dt.date(2021, 12, 1),
        capacity=20,
    )

    def join(person: Any, stage: str = "completed") -> None:
        Enrollment.objects.create(cohort=cohort, person=person, episode=person.release_episode, stage=stage)

    join(released(unit, "p1", dt.date(2022, 1, 10), A, dt.date(2023, 1, 1)))
    join(released(unit, "p2", dt.date(2022, 2, 1), A), "withdrawn")
    join(released(unit, "p3", dt.date(2022, 3, 1), A, dt.date(2024, 6, 1)))
    join(released(unit, "p4", dt.date(2022, 4, 1), B))
    join(released(unit, "p5", dt.date(2023, 6, 1), A))
    join(released(unit, "p6", dt.date(2021, 7, 15), A))  # released before the cohort started
    join(released(unit, "p7", dt.date(2022, 5, 1), C))
    released(unit, "c1", dt.date(2022, 1, 20), A, dt.date(2022, 6, 1))
    join(released(unit, "c2", dt.date(2022, 6, 1), A), "candidate")  # never took part
    released(unit, "c3", dt.date(2022, 2, 1), B, dt.date(2023, 1, 1))
    released(unit, "c4", dt.date(2022, 7, 1), B)
    released(unit, "c5", dt.date(2022, 8, 1), B, dt.date(2022, 12, 1))
    released(elsewhere, "c6", dt.date(2022, 1, 5), A, dt.date(2022, 3, 1))  # another unit
    released(unit, "c7", dt.date(2022, 1, 5), A, dt.date(2022, 3, 1), district="16.71.01")  # not eligible
    released(unit, "c8", dt.date(2022, 8, 1), D55, dt.date(2022, 9, 1))
    released(unit, "c9", dt.date(2024, 1, 1), A)
    return impact


def test_recidivism_from_custody_episodes(registry, django_assert_max_num_queries) -> None:
    programs = Program.objects.filter(pk=registry["program"].pk)
    # Programs' start, participants, their departures, the comparison group, readmissions, and aftercare's
    # convictions once that app records them.
    with django_assert_max_num_queries(7):
        result = selectors.recidivism(programs=programs, months=24, as_of=AS_OF)
    p, c = result.participants, result.comparison
    assert result.start == dt.date(2021, 7, 1)
    assert (p.n, p.reoffended, p.waiting) == (5, 1, 1)
    assert (c.comparison_n, c.reoffended, c.unmatched_participants, c.comparison_unused) == (5, 3, 1, 1)
    assert abs(c.rate - D(13) / D(24)) < D("1e-25")
    assert result.comparison_waiting == 1


def test_too_few_to_report_for_tjsl_and_monitors(world, registry) -> None:
    programs = selectors.programs_of_agreement(registry["mou"])
    result = selectors.recidivism(programs=programs, months=24, as_of=dt.date(2024, 3, 1))
    # By then only p1, p2 and p3 (released before March 2022) have had 24 months.
    assert result.participants.n == 3
    for role in (Role.CSR_OFFICER, Role.MONITOR):
        figures = selectors.recidivism_figures(actor=world.users[role], result=result)
        assert figures.participants.suppressed and figures.participants.rate is None
        assert figures.participants.n is None and figures.difference is None
        assert figures.waiting == "<5"  # p4, p5 and p7 wait: a small cell too
    figures = selectors.recidivism_figures(actor=world.users[Role.KANWIL_OFFICER], result=result)
    assert not figures.participants.suppressed and figures.participants.n == 3


# --- The command --------------------------------------------------------------------------------------


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(["sinergi", "recidivism", *args])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_command_prints_the_json_shape(registry, capsys) -> None:
    code, out, err = run(
        capsys,
        "--program",
        str(registry["program"].pk),
        "--window",
        "24",
        "--as-of",
        "2025-01-01",
        "--format",
        "json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["window_months", "as_of", "participants", "comparison"]
    assert list(data["participants"]) == ["n", "reoffended", "rate", "ci_low", "ci_high", "waiting"]
    assert list(data["comparison"]) == [
        "n",
        "reoffended",
        "rate",
        "ci_low",
        "ci_high",
        "unmatched_participants",
    ]
    assert data["participants"] == {
        "n": 5,
        "reoffended": 1,
        "rate": 0.2,
        "ci_low": 0.036224,
        "ci_high": 0.624465,
        "waiting": 1,
    }
    assert data["comparison"]["rate"] == 0.541667


def test_command_text_for_an_agreement(registry, capsys) -> None:
    code, out, err = run(
        capsys, "--agreement", str(registry["mou"].pk), "--window", "24", "--as-of", "2025-01-01"
    )
    assert code == 0, err
    assert "1 dari 5" in out and "3 dari 5" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--window", "24", "--as-of", "2025-01-01"],
        ["--program", "1", "--agreement", "1", "--window", "24", "--as-of", "2025-01-01"],
        ["--program", "1", "--window", "18", "--as-of", "2025-01-01"],
        ["--program", "1", "--window", "x", "--as-of", "2025-01-01"],
        ["--program", "1", "--window", "24", "--as-of", "1/1/2025"],
        ["--program", "999999", "--window", "24", "--as-of", "2025-01-01"],
        ["--agreement", "999999", "--window", "24", "--as-of", "2025-01-01"],
        ["--program", "1", "--window", "24", "--as-of", "2999-01-01"],
    ],
)
def test_bad_arguments_exit_non_zero_with_one_line(db, capsys, args) -> None:
    code, out, err = run(capsys, *args)
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


# --- Pages --------------------------------------------------------------------------------------------


def test_pages_show_both_groups_the_waiting_and_the_stock_figure_labelled(world, registry) -> None:
    from django.test import Client

    client = Client()
    client.force_login(world.users[Role.KANWIL_OFFICER])
    page = client.get(f"/dampak/program/{registry['program'].pk}/?window=24")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="recidivism"' in text and "18,12%" in text
    agreement = client.get(f"/dampak/perjanjian/{registry['mou'].pk}/?window=12")
    assert agreement.status_code == 200 and 'data-testid="recidivism"' in agreement.content.decode()
    outsider = Client()
    outsider.force_login(world.others[Role.CSR_OFFICER])
    assert outsider.get(f"/dampak/perjanjian/{registry['mou'].pk}/").status_code == 404


def test_parole_counts_as_leaving_the_unit(world, registry) -> None:
    from sinergi.beneficiaries.models import IntegrationEvent

    unit = world.organisation(Role.UNIT_OFFICER, "own")
    cohort = Cohort.objects.get(program=registry["program"])
    person = released(unit, "p8", dt.date(2022, 6, 1), A)
    episode = person.release_episode
    CustodyEpisode.objects.filter(pk=episode.pk).update(status="klien", release_date=None)
    IntegrationEvent.objects.create(
        episode=episode, kind="pb", date=dt.date(2022, 6, 1), approved_by_board=True
    )
    Enrollment.objects.create(cohort=cohort, person=person, episode=episode, stage="completed")
    programs = Program.objects.filter(pk=registry["program"].pk)
    result = selectors.recidivism(programs=programs, months=24, as_of=AS_OF)
    assert (result.participants.n, result.participants.reoffended) == (6, 1)


def test_the_demo_builds_a_matched_comparison_group_for_released_participants(world, registry) -> None:
    import random

    from django.utils import timezone

    from sinergi.impact.demo import _comparison_people, _released_before

    programs = list(Program.objects.filter(pk=registry["program"].pk))
    released_people = _released_before(programs)
    # p1, p2, p3, p4 and p7 (p5 left after the MoU's period, p6 before the cohort began).
    assert sorted(p.full_name for p, _e, _on in released_people) == [f"Uji p{i}" for i in (1, 2, 3, 4, 7)]
    made = _comparison_people(
        world.users[Role.ADMIN], released_people, random.Random(1), timezone.localdate()
    )
    assert len(made) == 10 and all(p.is_synthetic for p, _on in made)
    result = selectors.recidivism(
        programs=Program.objects.filter(pk=registry["program"].pk), months=24, as_of=AS_OF
    )
    # Every participant now has two look-alikes (plus the hand-made comparison people of the fixture).
    assert result.comparison.unmatched_participants == 0
    assert result.comparison.comparison_n >= 10


def test_the_api_suppresses_small_groups_for_tjsl_but_not_for_the_kanwil(world, registry) -> None:
    from django.test import Client

    from tests.impact.test_views_api import api

    url = f"/api/v1/impact/programs/{registry['program'].pk}/recidivism?window=24&as_of=2024-03-31"
    tjsl = Client().get(url, headers=api(world.users[Role.CSR_OFFICER])).json()
    assert tjsl["participants"] == {
        "n": None,
        "reoffended": None,
        "rate": None,
        "ci_low": None,
        "ci_high": None,
        "suppressed": True,
        "reoffended_suppressed": False,
    }
    assert "different measure" in tjsl["ministry_stock_note"] or "berbeda" in tjsl["ministry_stock_note"]
    kanwil = Client().get(url, headers=api(world.users[Role.KANWIL_OFFICER])).json()
    assert kanwil["participants"]["n"] == 3 and not kanwil["participants"]["suppressed"]
    bad = Client().get(url.replace("window=24", "window=18"), headers=api(world.users[Role.KANWIL_OFFICER]))
    assert bad.status_code == 400


def test_a_re_offended_count_under_5_is_hidden_from_tjsl_and_monitors_in_a_larger_group(
    world, registry
) -> None:
    """Five participants of whom one re-offended: n may be shown, the 1 (and the rate and interval that give
    it back) may not; on the dashboard and in the joint report too. Officers still see everything."""
    from django.test import Client

    from sinergi.reports import joint
    from sinergi.reports import selectors as report_selectors
    from sinergi.reports.dashboards import figures_context

    programs = Program.objects.filter(pk=registry["program"].pk)
    result = selectors.recidivism(programs=programs, months=24, as_of=AS_OF)
    assert (result.participants.n, result.participants.reoffended) == (5, 1)
    # p5 still waits then: n, waiting and their total hide each other, so all of it is hidden.
    assert result.participants.waiting == 1
    for role in (Role.CSR_OFFICER, Role.MONITOR):
        figures = selectors.recidivism_figures(actor=world.users[role], result=result)
        assert figures.participants.suppressed and figures.participants.n is None
        assert figures.waiting == "<5" and figures.difference is None
    # Once p5's window closed nobody waits: n (6) is shown, the one re-offence is not.
    result = selectors.recidivism(programs=programs, months=24, as_of=dt.date(2025, 6, 30))
    assert (result.participants.n, result.participants.reoffended, result.participants.waiting) == (6, 1, 0)
    for role in (Role.CSR_OFFICER, Role.MONITOR):
        figures = selectors.recidivism_figures(actor=world.users[role], result=result)
        p, c = figures.participants, figures.comparison
        assert (p.n, p.reoffended, p.rate, p.interval, p.reoffended_mark) == (6, None, None, None, "<5")
        assert (c.n, c.reoffended, c.rate, c.reoffended_mark) == (5, None, None, "<5")  # 3 of 5
        assert figures.difference is None and figures.difference_interval is None
    officer = selectors.recidivism_figures(actor=world.users[Role.KANWIL_OFFICER], result=result)
    assert officer.participants.reoffended == 1 and officer.participants.reoffended_mark == ""
    # The dashboard (its own period and today) and the page it renders.
    tjsl = world.users[Role.CSR_OFFICER]
    context = figures_context(actor=tjsl, filters=report_selectors.Filters(), window=24)
    rec = context["rec"]
    assert rec.participants.n is not None and rec.participants.n >= 5
    assert rec.participants.reoffended is None and rec.participants.reoffended_mark == "<5"
    client = Client()
    client.force_login(tjsl)
    html = client.get("/?window=24").content.decode()
    assert f"&lt;5 of {rec.participants.n}" in html or f"&lt;5 dari {rec.participants.n}" in html
    # The joint report's recidivism rows.
    content = joint.build(
        actor=tjsl,
        agreement=registry["mou"],
        program=None,
        start=dt.date(2021, 1, 1),
        end=dt.date(2025, 12, 31),
        language="en",
    )
    section = next(s for s in content.sections if s.key == "recidivism")
    rows = section.tables[0].rows
    assert rows[0][2] == "<5" and rows[0][1] not in (None, "too few to report")
    assert rows[1][2] == "<5"
    kanwil = joint.build(
        actor=world.users[Role.KANWIL_OFFICER],
        agreement=registry["mou"],
        program=None,
        start=dt.date(2021, 1, 1),
        end=dt.date(2025, 12, 31),
        language="en",
    )
    assert next(s for s in kanwil.sections if s.key == "recidivism").tables[0].rows[0][2] == 1


def test_a_future_as_of_is_refused_with_the_reason(registry, capsys) -> None:
    """A future day would count planned release dates as releases (`access.as_of_problems`)."""
    code, out, err = run(
        capsys, "--program", str(registry["program"].pk), "--window", "24", "--as-of", "2999-01-01"
    )
    assert code != 0 and out == ""
    assert "2999" in err and len(err.strip().splitlines()) == 1
