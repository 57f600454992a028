"""A TJSL officer's joint reports give no small count back across tables or across reports (review findings):

- a table masked on its own (certificates by competency, cases per guiding Bapas) is masked together with
  the totals it adds up to that the report shows elsewhere (the funnel's certified and released, the
  outcomes' certificates, the participants released), so no hidden cell comes back by subtraction;
- the sections about what they may not list person by person (participants by sex and age, releases and
  aftercare, outcomes and the independence index, recidivism) count their whole scope as of the last quarter
  end on or before the report's end, so two reports over other periods, or a program's and its agreement's,
  are the same there and cannot be subtracted; each such section says so (tests/reports/
  test_cross_view_review.py for other agreements and end dates).

Kanwil officers keep the exact figures of the report's program and period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.reports import joint
from tests import people
from tests.authz import World
from tests.factories import UnitFactory
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)
from tests.impact.conftest import make_program

pytestmark = pytest.mark.django_db

SENSITIVE = ("releases", "outcomes", "recidivism")


def _report(actor: Any, *, start: dt.date, end: dt.date, language: str = "en", **subject: Any) -> Any:
    return joint.build(
        actor=actor,
        agreement=subject.get("agreement"),
        program=subject.get("program"),
        start=start,
        end=end,
        language=language,
    )


def _section(content: Any, key: str) -> Any:
    return next(s for s in content.sections if s.key == key)


def _table(content: Any, key: str, first_header: str) -> dict[Any, Any]:
    table = next(t for t in _section(content, key).tables if t.header[0] == first_header)
    if first_header == "Stage":  # the stage, its count, and in a whole-scope report what it counts over
        return {row[0]: row[1] for row in table.rows}
    return {row[0] if len(row) == 2 else (row[0], row[1]): row[-1] for row in table.rows}


@pytest.fixture
def certified(world: World, impact: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Eight completed and certified, released on 1 January 2022: six in sewing under Bapas A, two in
    welding under Bapas B; all agreed to share with the company (a TJSL officer's cases per Bapas count only
    those who did, tests/reports/test_joint_review.py)."""
    group = people.own_cohort(world, impact["program"], "Angkatan Sertifikat")
    bapas_a, bapas_b = (
        UnitFactory(unit_kind="bapas", name="Bapas A"),
        UnitFactory(unit_kind="bapas", name="Bapas B"),
    )
    for i in range(8):
        people.participant(
            group,
            f"SX-{i}",
            competency="Menjahit" if i < 6 else "Las",
            certified_on=dt.date(2021, 12, 1),
            bapas=bapas_a if i < 6 else bapas_b,
            released_on=dt.date(2022, 1, 1),
            shares=True,
        )
    return impact


def test_a_hidden_certificate_or_case_count_does_not_come_back_from_the_totals(
    certified: dict[str, Any],
) -> None:
    period = {"start": dt.date(2021, 1, 1), "end": dt.date(2022, 12, 31), "program": certified["program"]}
    tjsl = _report(certified["tjsl"], **period)
    by_competency = _table(tjsl, "certificates", "Competency")
    funnel = _table(tjsl, "participants", "Stage")
    outcomes = _table(tjsl, "outcomes", "Outcome")
    assert by_competency[("Las", "LPK Contoh")] == "<5"
    # 8 − 6 would give the two welders back: the sewing row, or every total beside it, is hidden too.
    assert by_competency[("Menjahit", "LPK Contoh")] != 6 or (
        funnel["Certified"] != 8 and outcomes["Certificates"] != 8
    )
    by_bapas = _table(tjsl, "releases", "Guiding Bapas")
    releases = _table(tjsl, "releases", "Item")
    assert by_bapas["Bapas B"] == "<5"
    assert by_bapas["Bapas A"] != 6 or (
        releases["Participants released"] != 8 and funnel["Released (of everyone enrolled)"] != 8
    )

    kanwil = _report(certified["kanwil_user"], **period)
    assert _table(kanwil, "certificates", "Competency") == {
        ("Las", "LPK Contoh"): 2,
        ("Menjahit", "LPK Contoh"): 6,
    }
    assert _table(kanwil, "releases", "Guiding Bapas") == {"Bapas A": 6, "Bapas B": 2}
    assert _table(kanwil, "participants", "Stage")["Certified"] == 8


@pytest.fixture
def two_cohorts(world: World, impact: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Under one MoU: two men in a 2021 cohort of a second program; six men and five women in a 2022 cohort
    of the first. Everyone released and followed up, in work."""
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    bapas = UnitFactory(unit_kind="bapas", name="Bapas Kota")
    second = make_program(impact["mou"], "Program Kedua")
    early = people.cohort(second, unit, "Angkatan 2021", dt.date(2021, 8, 1), dt.date(2021, 12, 1))
    late = people.cohort(impact["program"], unit, "Angkatan 2022", dt.date(2022, 2, 1), dt.date(2022, 6, 1))
    for i, (group, sex, released) in enumerate(
        [(early, "L", dt.date(2021, 12, 15))] * 2
        + [(late, "L", dt.date(2022, 6, 15))] * 6
        + [(late, "P", dt.date(2022, 6, 15))] * 5
    ):
        people.participant(
            group, f"PR-{i}", sex=sex, shares=True, bapas=bapas, released_on=released, work_status="employed"
        )
    return impact | {"second": second}


def _sensitive(content: Any) -> list[Any]:
    """What the sensitive sections show: their tables, and the participants' tables by sex and age."""
    participants = [
        t.rows for t in _section(content, "participants").tables if t.header[0] in ("Sex", "Age band")
    ]
    return participants + [[t.rows for t in _section(content, key).tables] for key in SENSITIVE]


def test_two_reports_of_a_tjsl_officer_cannot_be_subtracted(two_cohorts: dict[str, Any]) -> None:
    end = dt.date(2022, 12, 31)
    tjsl = two_cohorts["tjsl"]
    whole = _report(tjsl, start=dt.date(2021, 1, 1), end=end, agreement=two_cohorts["mou"])
    later = _report(tjsl, start=dt.date(2022, 1, 1), end=end, agreement=two_cohorts["mou"])
    program = _report(tjsl, start=dt.date(2021, 1, 1), end=end, program=two_cohorts["program"])
    # Without the rule: 8 men over both periods, 6 in 2022 (or in the first program): 2 by subtraction.
    assert _table(whole, "participants", "Sex")["Male"] == 8
    assert _sensitive(whole) == _sensitive(later) == _sensitive(program)
    for content in (whole, later, program):
        for key in ("participants", *SENSITIVE):
            assert any("whole scope" in line for line in _section(content, key).text), key
    # The program and the period still govern the other sections.
    assert _table(later, "participants", "Stage")["Enrolled"] == 11
    assert _table(program, "participants", "Stage")["Enrolled"] == 11
    assert _table(whole, "participants", "Stage")["Enrolled"] == 13
    # In Bahasa Indonesia too.
    indonesian = _report(
        tjsl, start=dt.date(2022, 1, 1), end=end, agreement=two_cohorts["mou"], language="id"
    )
    lines = _section(indonesian, "releases").text
    assert any("seluruh cakupan" in line for line in lines), lines

    # A Kanwil officer's report follows the program and the period, exactly, with no such sentence.
    kanwil = two_cohorts["kanwil_user"]
    kanwil_later = _report(kanwil, start=dt.date(2022, 1, 1), end=end, agreement=two_cohorts["mou"])
    assert _table(kanwil_later, "participants", "Sex") == {"Male": 6, "Female": 5}
    kanwil_whole = _report(kanwil, start=dt.date(2021, 1, 1), end=end, agreement=two_cohorts["mou"])
    assert _table(kanwil_whole, "participants", "Sex") == {"Male": 8, "Female": 5}
    assert not any("whole scope" in line for s in kanwil_later.sections for line in s.text)
