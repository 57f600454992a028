"""Value maps' live figures count only the programs whose every cohort the viewer reaches (issue 13), as the
impact pages do (`impact.selectors.programs_reached`, tests/impact/test_grandparent_reach.py). Before, a
Kanwil officer party only to an MoU read, on a value map of the MoU or of a program under an addendum of a
PKS of it, live figures over every cohort of that program, the other region's included."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.impact import services
from tests.authz import World
from tests.impact.test_grandparent_reach import addendum as addendum  # noqa: F401  (the fixture)
from tests.impact.test_live import BASE

pytestmark = pytest.mark.django_db


def _map(**owner: Any) -> tuple[Any, Any]:
    value_map = services.value_map_create(
        actor=None, data={"title": "Peta", "inputs_source": "manual", "inputs_manual": 10_000_000}, **owner
    )
    outcome = services.outcome_add(
        actor=None, value_map=value_map, data=BASE | {"name": "Lulus", "quantity": 99, "binding": "completed"}
    )
    return value_map, outcome


def _live(user: Any, value_map: Any, outcome: Any) -> Any:
    client = Client()
    client.force_login(user)
    response = client.get(f"/dampak/peta-nilai/{value_map.pk}/")
    assert response.status_code == 200
    return response.context["numbers"].live[outcome.pk], response.content.decode()


def test_an_agreements_map_counts_only_the_programs_the_kanwil_reaches(
    world: World,
    addendum: dict[str, Any],  # noqa: F811
) -> None:
    value_map, outcome = _map(agreement=addendum["mou"])
    live, html = _live(world.users[Role.KANWIL_OFFICER], value_map, outcome)
    # The MoU program's six, not the addendum program's seven (six of them at the other region's unit).
    assert live.quantity == Decimal(6)
    assert "1 dari 2 program peta nilai ini tidak dihitung" in html
    admin, _html = _live(world.users[Role.ADMIN], value_map, outcome)
    assert admin.quantity == Decimal(13)


def test_a_program_map_the_kanwil_does_not_reach_whole_shows_no_live_figure(
    world: World,
    addendum: dict[str, Any],  # noqa: F811
) -> None:
    value_map, outcome = _map(program=addendum["program"])
    live, html = _live(world.users[Role.KANWIL_OFFICER], value_map, outcome)
    assert live.quantity is None
    assert "angkatan di luar cakupan Anda" in html
    admin, _html = _live(world.users[Role.ADMIN], value_map, outcome)
    assert admin.quantity == Decimal(7)


def test_a_map_with_no_programs_counts_zero_not_out_of_scope(world: World) -> None:
    """An agreement with no program yet: nothing is left out, so the live figure is 0, as before, not "outside
    your scope" with the hand-entered quantity in its place (review of 4 December, night)."""
    from tests.impact.test_grandparent_reach import make_agreement

    parties = [world.organisation(Role.KANWIL_OFFICER, "own"), world.organisation(Role.CSR_OFFICER, "own")]
    value_map, outcome = _map(agreement=make_agreement(None, parties, number="MOU-KOSONG"))
    for role in (Role.ADMIN, Role.KANWIL_OFFICER):
        live, html = _live(world.users[role], value_map, outcome)
        assert live.quantity == Decimal(0), role
        assert "angkatan di luar cakupan Anda" not in html
