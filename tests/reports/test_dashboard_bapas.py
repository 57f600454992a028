"""A Bapas officer sees no cohorts, so the program figures (funnel, people reached, delivery, budget,
recidivism) would all be zero on their dashboard: they are not shown. What is theirs is: their clients'
overdue follow-ups and the independence index of the participants they guide (their aftercare scope),
each band linking to exactly the cases it counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sinergi.aftercare import selectors as aftercare_selectors
from tests.aftercare.conftest import handover  # noqa: F401  (fixture)
from tests.aftercare.test_program_panel import _three
from tests.programs.conftest import setting  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_a_bapas_officer_gets_their_clients_figures_and_no_empty_program_figures(
    handover: dict[str, Any],  # noqa: F811
) -> None:
    _three(handover)
    officer = handover["pk_officer"]
    expected = aftercare_selectors.index_distribution(actor=officer)
    assert sum(expected.values()) == 3  # the three participants handed over to this Bapas
    client = Client()
    client.force_login(officer)
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    for testid in ("funnel", "reached-total", "releases-soon", "delivery", "budget"):
        assert f'data-testid="{testid}"' not in html, testid
    assert 'data-testid="program-figures-not-shown"' in html
    assert 'data-testid="followups-overdue"' in html
    figures = page.context["independence"]
    assert {f.label if f.label in expected else "not_contacted": f.value for f in figures} == expected
    for f in figures:
        if not f.value:
            continue
        assert f.url, f.label
        listing = client.get(f.url)
        assert listing.status_code == 200
        assert listing.context["page"].paginator.count == f.value


def test_another_bapas_sees_none_of_those_clients(handover: dict[str, Any]) -> None:  # noqa: F811
    from sinergi.accounts.choices import Role, UnitKind
    from tests.factories import UnitFactory, UserFactory

    _three(handover)
    elsewhere = UserFactory(role=Role.BAPAS_OFFICER, organisation=UnitFactory(unit_kind=UnitKind.BAPAS))
    client = Client()
    client.force_login(elsewhere)
    figures = client.get("/").context["independence"]
    assert sum(f.value for f in figures) == 0
