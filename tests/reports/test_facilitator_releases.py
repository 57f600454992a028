"""A facilitator reads no release, neither the count nor the people (attacker review of 4 December, evening).

The dashboard's funnel showed a facilitator "Released", and `/laporan/daftar/released/` and its export named
the participants released: people the cohort page shows as completed (the release came after the cohort),
not necessarily their mentees, and a count that, read day by day, tells the day of a release. The releases
due were already closed to them (`reports.access.RELEASE_LIST_METRICS`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from tests import people
from tests.authz import World
from tests.factories import UnitFactory
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_a_facilitator_reads_no_release(world: World, impact: dict[str, Any]) -> None:
    facilitator = world.users[Role.FACILITATOR]
    group = people.own_cohort(world, impact["program"], "Angkatan Fasilitator")
    group.facilitators.add(facilitator)
    bapas = UnitFactory(unit_kind="bapas", name="Bapas A")
    people.participant(group, "REL", bapas=bapas, released_on=dt.date(2022, 1, 1))
    people.participant(group, "STAY")
    client = people.logged_in(facilitator)
    funnel = {step.key for step in client.get("/").context["funnel"]}
    assert "released" not in funnel and "enrolled" in funnel
    assert client.get("/laporan/daftar/released/").status_code == 404
    exported = client.post("/laporan/ekspor/peserta.csv", {"metric": "released", "purpose": "monitoring"})
    assert exported.status_code in (403, 404)
    # The unit officer of the same unit still reads them.
    unit = people.logged_in(world.users[Role.UNIT_OFFICER])
    listing = unit.get("/laporan/daftar/released/")
    assert listing.status_code == 200
    assert [e.person.full_name for e in listing.context["page"]] == ["Contoh REL"]
