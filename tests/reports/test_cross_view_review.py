"""Small cells across views, second review (each finding written as the attack; docs/security.md):

A. a TJSL officer's joint report counted its sensitive sections over one agreement chain up to the report's
   free end date: two reports ending a day apart differed by a new cohort, and the unfiltered dashboard minus
   one agreement's report gave the other agreement's hidden count. They now count the whole scope (the
   unfiltered dashboard's) as of the last quarter end on or before the report's end;
B. the ring table's district rows followed the dashboard filters for a TJSL officer (whole scope minus one
   unit gave the other unit's people from a district); under filters they get the area rows only, and the
   joint report leaves the district rows out for them;
C. a masked snapshot ratio on the dashboard read "× : 1".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.models import Person
from sinergi.impact import services as impact_services
from sinergi.regions.models import District
from sinergi.reports import access, joint, ring
from tests import people
from tests.authz import World
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)
from tests.impact.conftest import make_program
from tests.impact.test_snapshot_privacy import _certified, _map
from tests.partnerships.conftest import make_agreement
from tests.reports.test_report_cross_view import SENSITIVE, _report, _section, _table

pytestmark = pytest.mark.django_db

PLAJU = "16.71.14"  # a ring district of the fixtures' agreements
OUTSIDE = "16.71.01"


def _sensitive(content: Any) -> list[Any]:
    participants = [
        t.rows for t in _section(content, "participants").tables if t.header[0] in ("Sex", "Age band")
    ]
    return participants + [[t.rows for t in _section(content, key).tables] for key in SENSITIVE]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _from(enrollments: list[Any], code: str) -> None:
    Person.objects.filter(pk__in=[e.person_id for e in enrollments]).update(
        domicile_district=District.objects.get(code=code)
    )


# --- A. The joint report's whole-scope sections ------------------------------------------------------------


@pytest.fixture
def two_agreements(world: World, impact: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """The own company's two MoUs. MOU-DAMPAK: five men and five women in a 2021 cohort; a new cohort
    starting 1 March 2022 with 2 women. MOU-KEDUA: six men and two women in a 2021 cohort."""
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    second_mou = make_agreement(None, [impact["kanwil"], impact["company"]], number="MOU-KEDUA")
    second = make_program(second_mou, "Program Kedua")
    first = people.cohort(impact["program"], unit, "Angkatan A", dt.date(2021, 8, 1), dt.date(2021, 12, 1))
    new = people.cohort(impact["program"], unit, "Angkatan Baru", dt.date(2022, 3, 1), dt.date(2022, 6, 1))
    other = people.cohort(second, unit, "Angkatan B", dt.date(2021, 8, 1), dt.date(2021, 12, 1))
    for i, (group, sex) in enumerate(
        [(first, "L")] * 5 + [(first, "P")] * 5 + [(new, "P")] * 2 + [(other, "L")] * 6 + [(other, "P")] * 2
    ):
        people.participant(group, f"XA-{i}", sex=sex)
    return impact | {"second_mou": second_mou, "second": second}


def test_two_reports_ending_a_day_apart_do_not_give_a_new_cohort_back(two_agreements: dict[str, Any]) -> None:
    tjsl = two_agreements["tjsl"]
    start = dt.date(2021, 1, 1)
    before = _report(tjsl, start=start, end=dt.date(2022, 2, 28), agreement=two_agreements["mou"])
    after = _report(tjsl, start=start, end=dt.date(2022, 3, 1), agreement=two_agreements["mou"])
    # Before the fix: 5 women, then 7: the new cohort's 2 women by subtraction.
    women = (
        _table(before, "participants", "Sex").get("Female"),
        _table(after, "participants", "Sex").get("Female"),
    )
    assert not (all(isinstance(n, int) for n in women) and women[1] - women[0] == 2)
    assert _sensitive(before) == _sensitive(after)
    for content in (before, after):
        for key in ("participants", *SENSITIVE):
            lines = _section(content, key).text
            assert any("whole scope" in line and "31 December 2021" in line for line in lines), (key, lines)
    # The program and period still govern the funnel's first steps.
    assert _table(after, "participants", "Stage")["Enrolled"] == 12
    assert _table(before, "participants", "Stage")["Enrolled"] == 10
    indonesian = _report(
        tjsl, start=start, end=dt.date(2022, 3, 1), agreement=two_agreements["mou"], language="id"
    )
    lines = _section(indonesian, "releases").text
    assert any("seluruh cakupan" in line and "31 Desember 2021" in line for line in lines), lines


def test_the_dashboard_minus_one_agreements_report_gives_nothing_back(two_agreements: dict[str, Any]) -> None:
    tjsl = two_agreements["tjsl"]
    dashboard = _client(tjsl).get("/").context
    whole = {f.label: f.value for f in dashboard["reached"]["sex"]}
    assert whole == {"Laki-laki": 11, "Perempuan": 9}
    report = _report(
        tjsl, start=dt.date(2021, 1, 1), end=dt.date(2022, 12, 31), agreement=two_agreements["mou"]
    )
    sex = _table(report, "participants", "Sex")
    # Before the fix the report counted MOU-DAMPAK only (7 women): 9 − 7 gave MOU-KEDUA's 2 women.
    assert not (isinstance(sex.get("Female"), int) and 9 - sex["Female"] == 2)
    assert sex == {"Male": 11, "Female": 9}  # the dashboard's whole scope


def test_a_kanwil_report_stays_exact_for_its_agreement_and_period(two_agreements: dict[str, Any]) -> None:
    kanwil = two_agreements["kanwil_user"]
    report = _report(
        kanwil, start=dt.date(2021, 1, 1), end=dt.date(2022, 2, 28), agreement=two_agreements["mou"]
    )
    assert _table(report, "participants", "Sex") == {"Male": 5, "Female": 5}
    assert not any("whole scope" in line for s in report.sections for line in s.text)


@pytest.mark.parametrize(
    ("end", "today", "expected"),
    [
        (dt.date(2022, 2, 28), dt.date(2026, 12, 3), dt.date(2021, 12, 31)),
        (dt.date(2022, 3, 31), dt.date(2026, 12, 3), dt.date(2022, 3, 31)),
        (dt.date(2022, 4, 1), dt.date(2026, 12, 3), dt.date(2022, 3, 31)),
        (dt.date(2026, 12, 3), dt.date(2026, 12, 3), dt.date(2026, 12, 3)),
        (dt.date(2027, 6, 30), dt.date(2026, 12, 3), dt.date(2026, 12, 3)),
    ],
)
def test_the_whole_scope_date_is_today_or_a_quarter_end(
    end: dt.date, today: dt.date, expected: dt.date
) -> None:
    from sinergi.impact import access as impact_access

    as_of = joint.wide_as_of(end, today=today)
    assert as_of == expected
    assert not impact_access.as_of_problems(
        type("Tjsl", (), {"role": Role.CSR_OFFICER})(), as_of, today=today
    )


# --- B. Ring-district rows under filters -------------------------------------------------------------------


@pytest.fixture
def ringed(setting: dict[str, Any], world: World) -> dict[str, Any]:
    """The setting's MoU (ring areas Plaju and 16.07.01): at unit A 3 from Plaju and 5 from outside the ring
    areas; at unit B 9 from Plaju and 6 from outside."""
    unit_a, unit_b = setting["unit"], setting["other_unit"]
    for unit, plaju, outside, tag in ((unit_a, 3, 5, "A"), (unit_b, 9, 6, "B")):
        group = people.cohort(
            setting["program"], unit, f"Angkatan {tag}", dt.date(2022, 3, 1), dt.date(2022, 6, 30)
        )
        made = [people.participant(group, f"RG-{tag}-{i}") for i in range(plaju + outside)]
        _from(made[:plaju], PLAJU)
        _from(made[plaju:], OUTSIDE)
    return setting | {"unit_a": unit_a, "unit_b": unit_b}


def _ring(context: Any) -> dict[str, Any]:
    return {f.key: f.value for f in context["reached_ring"]}


def test_a_ring_district_row_does_not_follow_the_filters_for_a_tjsl_officer(
    ringed: dict[str, Any], world: World
) -> None:
    tjsl = _client(world.users[Role.CSR_OFFICER])
    whole = _ring(tjsl.get("/").context)
    assert whole[PLAJU] == 12  # the unfiltered dashboard shows the district rows, as before
    filtered = _ring(tjsl.get(f"/?unit={ringed['unit_b'].pk}").context)
    plaju = filtered.get(PLAJU)
    assert not (isinstance(plaju, int) and 12 - plaju == 3), "whole − unit B gives unit A's 3 from Plaju"
    assert set(filtered) <= set(access.RING_AREA_KEYS)
    assert filtered[ring.IN_RING] == 9 and filtered[ring.OUTSIDE] == 6  # the area rows still follow
    html = tjsl.get(f"/?unit={ringed['unit_b'].pk}").content.decode()
    assert "Plaju" not in html.split('data-testid="reached-ring"', 1)[-1].split("</table>", 1)[0]
    # A Kanwil officer still reads every row under filters.
    kanwil = _ring(_client(world.users[Role.KANWIL_OFFICER]).get(f"/?unit={ringed['unit_b'].pk}").context)
    assert kanwil[PLAJU] == 9


def test_the_joint_report_leaves_ring_districts_out_for_a_tjsl_officer(
    ringed: dict[str, Any], world: World
) -> None:
    period = {"start": dt.date(2022, 1, 1), "end": dt.date(2022, 12, 31), "program": ringed["program"]}
    tjsl = _table(_report(world.users[Role.CSR_OFFICER], **period), "participants", "Ring area")
    assert not [label for label in tjsl if str(label).startswith("Kec.")], tjsl
    assert tjsl["In the ring areas"] == 12 and tjsl["Outside the ring areas"] == 11
    kanwil = _table(_report(world.users[Role.KANWIL_OFFICER], **period), "participants", "Ring area")
    assert any(str(label).startswith("Kec. Plaju") and n == 12 for label, n in kanwil.items()), kanwil


# --- C. A masked snapshot ratio on the dashboard -----------------------------------------------------------


def test_a_masked_snapshot_ratio_reads_sensibly_on_the_dashboard(
    world: World,
    impact: dict[str, Any],  # noqa: F811
) -> None:
    _certified(world, impact["program"], [dt.date(2022, 3, 1)] * 3)
    value_map = _map(impact["kanwil_user"], impact["program"], "Peta Kanwil")
    impact_services.snapshot_freeze(actor=impact["kanwil_user"], value_map=value_map, label="Semester")
    html = _client(impact["tjsl"]).get("/").content.decode()
    table = html.split('data-testid="sroi"', 1)[1].split("</table>", 1)[0]
    assert "× : 1" not in table
    assert 'data-testid="sroi-hidden"' in table and "kurang dari 5 orang" in table
    kanwil = _client(impact["kanwil_user"]).get("/").content.decode()
    shown = kanwil.split('data-testid="sroi"', 1)[1].split("</table>", 1)[0]
    # The ratio as the value-map page writes it: two decimals with the language's comma, not the stored text.
    assert re.search(r">\d+,\d{2} : 1<", shown), shown
