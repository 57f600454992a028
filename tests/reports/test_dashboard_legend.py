"""The dashboard's legend and reasons (issue 13): "×" explained beside "<5", the TJSL officer's consent rule
named next to the aftercare figures."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from tests.authz import World

pytestmark = pytest.mark.django_db


def _page(user: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_legend_explains_the_cross_for_aggregate_only_roles(
    delivered: dict[str, Any], world: World
) -> None:
    page = _page(world.users[Role.CSR_OFFICER])
    assert 'data-testid="legend-cross"' in page and "pengurangan" in page
    assert 'data-testid="legend-cross"' not in _page(world.users[Role.KANWIL_OFFICER])


def test_a_tjsl_officer_is_told_the_aftercare_figures_count_consenting_participants(
    delivered: dict[str, Any], world: World
) -> None:
    page = _page(world.users[Role.CSR_OFFICER])
    assert 'data-testid="consent-only"' in page and "setuju membagikan" in page
    assert 'data-testid="consent-only"' not in _page(world.users[Role.KANWIL_OFFICER])
