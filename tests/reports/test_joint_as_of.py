"""A TJSL officer's joint report counts its whole-scope sections as recorded by the quarter end (issue 13).

The sections counted over the officer's whole scope (the funnel's steps from screening and from release on,
the participants released and due for release, the cases per guiding Bapas, the outcomes, the independence
index, the people reached by sex and age band) count only what was recorded by the quarter end
(`joint.wide_as_of`): releases, follow-ups, enrolments and consent dated after it are left out, and ages are
taken on that day. So two reports as of the same quarter end, made on different days, show the same numbers
and cannot be subtracted. Before, the funnel's steps from release on, the participants released and due
for release, the people reached and the consent rule were read as they stood on the day the report was made.

Each test makes the report, records something dated after the quarter end, makes it again and compares.
A Kanwil officer's report stays exact: it counts the records as they stand today.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook

from sinergi.aftercare.models import AftercareCase, FollowUp
from sinergi.beneficiaries.models import Consent, CustodyEpisode
from sinergi.programs.choices import Stage, WithdrawalReason
from sinergi.programs.models import Enrollment
from sinergi.reports import joint
from tests import people
from tests.authz import World
from tests.factories import UnitFactory
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

START, END = dt.date(2021, 1, 1), dt.date(2022, 11, 15)
AS_OF = dt.date(2022, 9, 30)  # the last quarter end on or before END
LATER = dt.date(2022, 11, 1)  # after the quarter end, before today
RELEASED = dt.date(2022, 1, 1)
SOON = dt.date(2022, 11, 15)  # within 90 days of the quarter end
WHOLE_CELLS = ("release", "bapas", "outcome")


@pytest.fixture
def recorded(world: World, impact: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """One cohort of the MoU's program (August to December 2021): six participants who agreed to share,
    released on 1 January 2022 under Bapas A and followed up at 6 months (2 July 2022) in work with an
    independence score of 60; six more, who agreed to share too, still inside and due for release on
    15 November 2022."""
    bapas = UnitFactory(unit_kind="bapas", name="Bapas A")
    group = people.own_cohort(world, impact["program"], "Angkatan Tanggal")
    out = [
        people.participant(
            group,
            f"AO-R{i}",
            shares=True,
            bapas=bapas,
            released_on=RELEASED,
            work_status="employed",
            score=60,
        )
        for i in range(6)
    ]
    inside = [people.participant(group, f"AO-I{i}", stage=Stage.ACTIVE, shares=True) for i in range(6)]
    CustodyEpisode.objects.filter(enrollments__in=inside).update(release_date=SOON)
    return impact | {"group": group, "bapas": bapas, "out": out, "inside": inside}


def _made(actor: Any, monkeypatch: pytest.MonkeyPatch, agreement: Any) -> tuple[Any, joint._Figures]:
    """The report (content) and the figures it gathered, the counts before masking among them."""
    kept: list[joint._Figures] = []
    real = joint._Figures.gather
    with monkeypatch.context() as patch:
        patch.setattr(joint._Figures, "gather", lambda *args: kept.append(real(*args)) or kept[-1])
        content = _build(actor, agreement, END, "en")
    return content, kept[0]


def _build(actor: Any, agreement: Any, end: dt.date, language: str) -> Any:
    """The joint report of `agreement` from START to `end`, as `actor` reads it."""
    return joint.build(
        actor=actor, agreement=agreement, program=None, start=START, end=end, language=language
    )


def _section(content: Any, key: str) -> Any:
    return next(s for s in content.sections if s.key == key)


def _whole(content: Any, figures: joint._Figures) -> dict[str, Any]:
    """Everything the report counts over the whole scope: the counts before masking and as shown."""
    stages = [("funnel", key) for key in joint.WIDE_STAGES]
    return {
        "funnel": {st.key: st.count for st in figures.funnel if st.key in joint.WIDE_STAGES},
        "cases": figures.cases,
        "outcomes": figures.outcomes,
        "shown": {k: v for k, v in figures.cells.items() if k[0] in WHOLE_CELLS or k in stages},
        "reached": {name: figures.reached[name] for name in ("sex", "age")},
        "sections": {
            key: (_section(content, key).text, [t.rows for t in _section(content, key).tables])
            for key in ("releases", "outcomes", "recidivism")
        },
    }


def _tjsl(recorded: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    return _whole(*_made(recorded["tjsl"], monkeypatch, recorded["mou"]))


def _kanwil(recorded: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> joint._Figures:
    return _made(recorded["kanwil_user"], monkeypatch, recorded["mou"])[1]


def _funnel(figures: joint._Figures) -> dict[str, int | None]:
    return {st.key: st.count for st in figures.funnel}


def _release(enrollment: Enrollment, on: dt.date) -> None:
    """Release an inside participant on `on`: the enrolment withdrawn for release, an aftercare case."""
    enrollment.stage, enrollment.withdrawal_reason, enrollment.withdrawn_on = (
        Stage.WITHDRAWN,
        WithdrawalReason.RELEASED,
        on,
    )
    enrollment.save()
    AftercareCase.objects.create(
        person=enrollment.person,
        episode=enrollment.episode,
        enrollment=enrollment,
        bapas=UnitFactory(unit_kind="bapas", name="Bapas A2"),
        release_kind="pb",
        released_on=on,
        opened_on=on,
    )


def test_the_fixture_reads_as_expected(recorded: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _tjsl(recorded, monkeypatch)
    assert whole["funnel"] == {"screened": 0, "eligible": 0, "released": 6, "followed_up": 6, "in_work": 6}
    assert whole["shown"][("release", "released")] == 6
    assert whole["shown"][("release", "soon")] == 6
    assert whole["cases"] == [("Bapas A", 6)]
    assert whole["outcomes"]["in_work_6m"] == 6 and whole["outcomes"]["participant"] == 12
    assert dict((k, n) for k, _label, n in whole["reached"]["sex"]) == {"L": 12, "P": 0}
    assert any("30 September 2022" in line for line in whole["sections"]["releases"][0])


def test_a_release_after_the_quarter_end_changes_no_whole_scope_figure(
    recorded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _tjsl(recorded, monkeypatch)
    kanwil_before = _funnel(_kanwil(recorded, monkeypatch))
    _release(recorded["inside"][0], LATER)
    # Before the fix: released 7 (funnel and table), and due for release 5.
    assert _tjsl(recorded, monkeypatch) == before
    # The Kanwil report counts the records as they stand today, as before.
    kanwil = _kanwil(recorded, monkeypatch)
    assert _funnel(kanwil)["released"] == kanwil_before["released"] + 1
    assert kanwil.cells[("release", "released")] == 7


def test_a_follow_up_after_the_quarter_end_changes_no_whole_scope_figure(
    recorded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Released before the quarter end, followed up (in work) only after it.
    late = people.participant(
        recorded["group"], "AO-L", shares=True, bapas=recorded["bapas"], released_on=dt.date(2022, 3, 1)
    )
    # And one followed up before the quarter end, not working then, in work at the next milestone.
    idle = people.participant(
        recorded["group"],
        "AO-N",
        shares=True,
        bapas=recorded["bapas"],
        released_on=dt.date(2021, 12, 1),
        work_status="not_working",
    )
    before = _tjsl(recorded, monkeypatch)
    assert before["funnel"]["released"] == 8
    assert before["funnel"]["followed_up"] == 7 and before["funnel"]["in_work"] == 6
    kanwil_before = _funnel(_kanwil(recorded, monkeypatch))
    FollowUp.objects.create(
        case=_case(late),
        milestone=6,
        done_on=LATER,
        contacted=True,
        work_status="self_employed",
    )
    FollowUp.objects.create(
        case=_case(idle), milestone=12, done_on=LATER, contacted=True, work_status="employed"
    )
    # Before the fix: followed up 8 and in work 8 (an "in work" outcome recorded after the quarter end).
    assert _tjsl(recorded, monkeypatch) == before
    kanwil = _funnel(_kanwil(recorded, monkeypatch))
    assert kanwil["followed_up"] == kanwil_before["followed_up"] + 1
    assert kanwil["in_work"] == kanwil_before["in_work"] + 2


def _case(enrollment: Enrollment) -> AftercareCase:
    return AftercareCase.objects.get(enrollment=enrollment)


def test_consent_given_or_withdrawn_after_the_quarter_end_changes_no_whole_scope_figure(
    recorded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Released and in work, scored, who agreed to share only after the quarter end.
    late = [
        people.participant(
            recorded["group"],
            f"AO-C{i}",
            bapas=recorded["bapas"],
            released_on=RELEASED,
            work_status="employed",
            score=60,
        )
        for i in range(2)
    ]
    before = _tjsl(recorded, monkeypatch)
    assert before["funnel"]["followed_up"] == 6 and before["outcomes"]["in_work_6m"] == 6
    kanwil_before = _kanwil(recorded, monkeypatch)
    for enrollment in late:
        people.shares_with_company(enrollment.person, given_on=LATER)
    # Before the fix: followed up, in work (funnel and outcomes) and the index counted today's consents.
    assert _tjsl(recorded, monkeypatch) == before
    # One of the six who shared withdrew after the quarter end: the withdrawal takes effect at once, in a
    # report as of the earlier quarter end too (docs/security.md).
    Consent.objects.filter(person=recorded["out"][0].person).update(withdrawn_on=LATER)
    after = _tjsl(recorded, monkeypatch)
    assert after["funnel"]["followed_up"] == 5 and after["outcomes"]["in_work_6m"] == 5
    # The Kanwil report does not turn on consent: unchanged.
    assert _funnel(_kanwil(recorded, monkeypatch)) == _funnel(kanwil_before)


def test_consent_given_by_the_quarter_end_counts(
    recorded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    late = people.participant(
        recorded["group"], "AO-E", bapas=recorded["bapas"], released_on=RELEASED, work_status="employed"
    )
    people.shares_with_company(late.person, given_on=AS_OF)
    whole = _tjsl(recorded, monkeypatch)
    assert whole["funnel"]["in_work"] == 7 and whole["outcomes"]["in_work_6m"] == 7


def test_an_enrolment_after_the_quarter_end_changes_no_whole_scope_figure(
    recorded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _tjsl(recorded, monkeypatch)
    for i in range(2):
        new = people.participant(recorded["group"], f"AO-B{i}", stage=Stage.ACTIVE, sex="P")
        Enrollment.objects.filter(pk=new.pk).update(enrolled_on=LATER)
    # Before the fix: 2 women reached (the cohort had started by the quarter end).
    assert _tjsl(recorded, monkeypatch) == before


def test_people_reached_are_aged_on_the_quarter_end_whatever_day_the_report_is_made(
    recorded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Born 1 November 1997: 24 on the quarter end, 25 from 1 November 2022.
    for i in range(5):
        people.participant(recorded["group"], f"AO-U{i}", birth_date=dt.date(1997, 11, 1))
    end = dt.date(2022, 10, 14)  # the quarter end on or before it: 30 September 2022
    made = []
    for day in (dt.date(2022, 10, 15), dt.date(2022, 12, 15)):
        with freeze_time(day):
            content = _build(recorded["tjsl"], recorded["mou"], end, "en")
        table = next(t for t in _section(content, "participants").tables if t.header[0] == "Age band")
        made.append(dict(table.rows))
    assert made[0] == made[1]
    assert made[0]["18-24"] == 5


def test_the_xlsx_as_of_a_quarter_end_reads_the_same_after_later_records(
    recorded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def sheets() -> dict[str, list[tuple[Any, ...]]]:
        content = _build(recorded["tjsl"], recorded["mou"], END, "id")
        book = load_workbook(io.BytesIO(joint.render_xlsx(content)), read_only=True)
        # The whole-scope sections (the participants' sheet has the period's funnel steps too: left out).
        return {
            name: [tuple(row) for row in book[name].iter_rows(values_only=True)]
            for name in book.sheetnames
            if name.startswith(("6.", "7."))
        }

    before = sheets()
    assert len(before) == 2, before.keys()
    _release(recorded["inside"][1], LATER)
    FollowUp.objects.create(
        case=_case(recorded["out"][0]), milestone=12, done_on=LATER, contacted=True, work_status="employed"
    )
    joined = people.participant(
        recorded["group"], "AO-X", bapas=recorded["bapas"], released_on=LATER, shares=True
    )
    Enrollment.objects.filter(pk=joined.pk).update(enrolled_on=LATER, completed_on=LATER)
    assert sheets() == before
