"""The program page's panel with the distribution of participants' latest independence index: contributed
by aftercare through programs.panels, scoped per role, small cells suppressed for TJSL and monitors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.aftercare import panels, selectors, services
from tests.aftercare.conftest import release_and_open
from tests.authz import World
from tests.factories import UserFactory
from tests.people import shares_with_company


def _scored(handover: dict[str, Any], index: int, **data: Any) -> Any:
    """Release participant `index`, open the case and record its 3-month follow-up (scored)."""
    case = release_and_open(handover, index)
    followup = {
        "done_on": dt.date(2022, 8, 3),
        "contacted": True,
        "work_status": "employed",
        "monthly_income": 3_500_000,
        "housing": "family",
        "family_support": True,
        "health_blocks_work": False,
    } | data
    services.followup_record(actor=None, case=case, milestone=3, data=followup)
    return case


def _three(handover: dict[str, Any]) -> list[Any]:
    """Three participants scored: two contacted (one with no work and no support), one not contacted."""
    return [
        _scored(handover, 0),
        _scored(handover, 1, work_status="not_working", monthly_income=None, family_support=False),
        _scored(handover, 2, contacted=False),
    ]


def _page(user: Any, program: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/program/{program.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _cell(page: str, band: str) -> str:
    start = page.index(f'data-band="{band}">') + len(f'data-band="{band}">')
    return page[start : page.index("<", start)]


def test_guides_see_the_distribution_with_a_chart_and_a_table(handover: dict[str, Any], world: World) -> None:
    _three(handover)
    program = handover["program"]
    expected = selectors.index_distribution(program=program)
    assert sum(expected.values()) == 3 and expected["not_contacted"] == 1
    for user in (world.users[Role.ADMIN], world.users[Role.KANWIL_OFFICER]):
        page = _page(user, program)
        assert 'data-testid="index-distribution-table"' in page
        assert _cell(page, "total") == "3"
        assert _cell(page, "not_contacted") == "1"
        for band, count in expected.items():
            assert _cell(page, band) == str(count)
        assert "<svg" in page and 'role="img"' in page  # the chart, next to its table
        assert 'data-testid="suppressed-note"' not in page
    # The Bapas officers of the guiding Bapas count the same cases; another Bapas counts none.
    assert sum(selectors.index_distribution(program=program, actor=handover["pk_officer"]).values()) == 3
    stranger = UserFactory(role=Role.BAPAS_OFFICER, organisation=world.region("other").bapas)
    assert sum(selectors.index_distribution(program=program, actor=stranger).values()) == 0


def test_unit_officers_and_mentors_do_not_see_the_distribution(
    handover: dict[str, Any], world: World
) -> None:
    _three(handover)
    program = handover["program"]
    page = _page(world.users[Role.UNIT_OFFICER], program)  # the unit that released them reads the program
    assert 'data-testid="index-distribution"' not in page
    assert panels.program_panel(actor=world.users[Role.UNIT_OFFICER], program=program) is None
    assert panels.program_panel(actor=world.users[Role.FACILITATOR], program=program) is None


@pytest.mark.parametrize("role", [Role.CSR_OFFICER, Role.MONITOR])
def test_aggregate_only_roles_read_the_bands_only_on_the_unfiltered_dashboard(
    handover: dict[str, Any], world: World, role: str
) -> None:
    """Finding (xfix2): the program page is a view filtered to one program; its bands, even masked, could be
    subtracted from the dashboard's (whole 0-24 minus the other program's 0-24 gives this program's hidden
    one). TJSL officers and monitors get the "whole scope only" notice with a link to the dashboard."""
    cases = _three(handover)
    for case in cases:
        shares_with_company(case.person)
    program = handover["program"]
    panel = panels.program_panel(actor=world.users[role], program=program)
    assert panel is not None
    assert "rows" not in panel.context and "total" not in panel.context
    assert panel.context["withheld"] and panel.context["dashboard"] == "/"
    if role == Role.MONITOR:
        return  # monitors do not open the program page; the panel is what any page would show them
    page = _page(world.users[role], program)
    assert 'data-testid="withheld-notice"' in page and "tanpa filter" in page
    assert "index-distribution-table" not in page and "<svg" not in page


def test_an_empty_distribution_says_so_without_a_chart(handover: dict[str, Any], world: World) -> None:
    page = _page(world.users[Role.ADMIN], handover["program"])
    assert 'data-testid="index-distribution"' in page
    assert "index-distribution-table" not in page and "<svg" not in page


def test_the_page_runs_the_same_queries_for_1_and_for_3_scored_participants(
    handover: dict[str, Any], world: World, django_assert_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    program = handover["program"]
    client = Client()
    client.force_login(world.users[Role.KANWIL_OFFICER])
    _scored(handover, 0)
    client.get(f"/program/{program.pk}/")  # warm per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(f"/program/{program.pk}/")
    _scored(handover, 1)
    _scored(handover, 2, contacted=False)
    with CaptureQueriesContext(connection) as three:
        page = client.get(f"/program/{program.pk}/").content.decode()
    assert _cell(page, "total") == "3"
    assert len(one.captured_queries) == len(three.captured_queries)
