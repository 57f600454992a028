"""A screener limited to some units reads a run's counts at those units only (issue 13). A run frozen by
the system or by a Kanwil officer counts people at other units too; its saved totals (eligible of
evaluated) on the program page and in the API gave a unit officer, or the Kanwil officer of another
region, figures about people outside their scope, which the run's own page already left out."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.selectors import actor_unit_ids
from sinergi.programs import services
from tests.authz import World
from tests.programs.conftest import TODAY
from tests.programs.test_scope import far as far  # noqa: F401  (the fixture)
from tests.programs.test_screening_sql import _bearer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.UNIT_OFFICER, Role.KANWIL_OFFICER, Role.ADMIN])
def test_a_runs_counts_are_those_at_the_readers_units(
    setting: dict[str, Any],
    far: dict[str, Any],  # noqa: F811
    world: World,
    client: Client,
    role: str,
) -> None:
    run = services.screening_run_create(actor=None, program=setting["program"], as_of=TODAY)
    reader = world.users[role]
    units = actor_unit_ids(reader)
    shown = run.results.all() if units is None else run.results.filter(episode__unit_id__in=units)
    expected = (shown.filter(eligible=True).count(), shown.count())
    if role != Role.ADMIN:  # the run counts the far unit's person, outside these readers' scope
        assert expected[1] < run.evaluated and expected[0] < run.eligible_count
    else:
        assert expected == (run.eligible_count, run.evaluated)
    client.force_login(reader)
    page = client.get(f"/program/{setting['program'].pk}/")
    assert page.status_code == 200
    assert f": {expected[0]} dari {expected[1]} orang memenuhi syarat" in page.content.decode()
    body = client.get(f"/api/v1/screening-runs/{run.pk}", headers=_bearer(reader)).json()
    assert (body["eligible_count"], body["evaluated"]) == expected
    listed = client.get(f"/program/penyaringan/{run.pk}/").context
    assert (listed["eligible_total"], listed["shown"]) == expected
