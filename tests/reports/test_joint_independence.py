"""The joint report's independence index counts through the same rule as the dashboard, for its requester:
a TJSL officer's report counts only participants who agreed to share (and says so), a Kanwil officer's
counts the region's cases, and the system (`actor=None`) counts every case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.aftercare import selectors as aftercare_selectors
from sinergi.reports import joint, selectors
from sinergi.reports.dashboards import figures_context
from tests.aftercare.conftest import handover  # noqa: F401  (fixture)
from tests.aftercare.test_program_panel import _three
from tests.authz import World
from tests.programs.conftest import setting  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

START, END = dt.date(2020, 1, 1), dt.date(2030, 12, 31)
ONLY_SHARED = "only the participants who agreed to share"


def _outcomes(actor: Any, agreement: Any, language: str = "en") -> joint.Section:
    content = joint.build(
        actor=actor, agreement=agreement, program=None, start=START, end=END, language=language
    )
    return next(s for s in content.sections if s.key == "outcomes")


def _dashboard(actor: Any, agreement: Any, *, filtered: bool = True) -> list[Any]:
    filters = (
        selectors.Filters(start=START, end=END, agreement=agreement.pk) if filtered else selectors.Filters()
    )
    return [f.value for f in figures_context(actor=actor, filters=filters)["independence"]]


def test_tjsl_reports_count_only_participants_who_agreed_to_share_and_say_so(
    handover: dict[str, Any],  # noqa: F811
    world: World,
) -> None:
    _three(handover)
    agreement = handover["program"].agreement
    tjsl = world.users[Role.CSR_OFFICER]
    section = _outcomes(tjsl, agreement)
    index = section.tables[-1]
    # Nobody agreed to share with the company here: every band is 0 for TJSL, as on its dashboard.
    assert sum(aftercare_selectors.index_distribution(program=handover["program"], actor=tjsl).values()) == 0
    # Under filters a TJSL officer's dashboard does not show the bands (tests/reports/test_cross_view.py);
    # their whole scope is this agreement.
    assert (
        figures_context(actor=tjsl, filters=selectors.Filters(agreement=agreement.pk))["independence"] is None
    )
    assert [row[1] for row in index.rows] == _dashboard(tjsl, agreement, filtered=False)
    assert {row[1] for row in index.rows} == {0}
    assert any(ONLY_SHARED in text for text in section.text)
    indonesian = _outcomes(tjsl, agreement, language="id")
    assert any("hanya menghitung peserta yang menyetujui" in text for text in indonesian.text)


def test_kanwil_and_system_reports_count_every_case_they_reach_without_the_notice(
    handover: dict[str, Any],  # noqa: F811
    world: World,
) -> None:
    _three(handover)
    agreement = handover["program"].agreement
    kanwil = world.users[Role.KANWIL_OFFICER]
    expected = list(aftercare_selectors.index_distribution(program=handover["program"]).values())
    assert sum(expected) == 3
    for actor in (kanwil, None):
        section = _outcomes(actor, agreement)
        assert [row[1] for row in section.tables[-1].rows] == expected
        assert not any(ONLY_SHARED in text for text in section.text)
    assert _dashboard(kanwil, agreement) == expected
