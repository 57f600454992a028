"""A cohort at a Kanwil's unit does not open the other regions' cohorts of the same program to the Kanwil
officer (review finding F3 of issue 13).

The Kanwil's scope is the units under it and the agreements it is party to (docs/security.md). A program
of another region's agreement with one cohort (even an empty one) at a unit of the Kanwil used to put
every cohort of that program in the Kanwil's cohort scope: the participants list, the other region's
cohort page and the named participant export then showed people the Kanwil does not reach. Now the
Kanwil reads the program (through its own cohort), its own cohort, and nothing of the other region's."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.programs.selectors import cohort_scope, program_scope
from tests import people
from tests.authz import World

pytestmark = pytest.mark.django_db

START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 1)


@pytest.fixture
def other_program(world: World) -> dict[str, Any]:
    """A program of the other region's MoU (the own Kanwil is no party) with six participants at a unit of
    the other region, and one participant in a cohort of it at the own region's unit."""
    program = people.other_region_program(world)
    there = people.cohort(
        program, world.organisation(Role.UNIT_OFFICER, "other"), "Angkatan Sana", START, END
    )
    for i in range(6):
        people.participant(there, f"THERE{i}")
    here = people.cohort(program, world.organisation(Role.UNIT_OFFICER, "own"), "Angkatan Sini", START, END)
    people.participant(here, "HERE0")
    return {"program": program, "there": there, "here": here}


@pytest.mark.parametrize("role", [Role.KANWIL_OFFICER, Role.UNIT_OFFICER])
def test_a_cohort_at_the_own_unit_does_not_open_the_programs_other_cohorts(
    other_program: dict[str, Any], world: World, role: str
) -> None:
    user = world.users[role]
    program, here, there = other_program["program"], other_program["here"], other_program["there"]
    assert program_scope(actor=user).filter(pk=program.pk).exists()  # the program, through the own cohort
    assert set(cohort_scope(actor=user, program=program)) == {here}
    client = people.logged_in(user)
    assert client.get(f"/program/{program.pk}/").status_code == 200
    assert client.get(f"/program/angkatan/{here.pk}/").status_code == 200
    assert client.get(f"/program/angkatan/{there.pk}/").status_code == 404
    listing = client.get("/laporan/daftar/participants/")
    html = listing.content.decode()
    assert "Contoh HERE0" in html and "THERE" not in html
    assert listing.context["page"].paginator.count == 1


def test_the_named_export_of_a_kanwil_officer_leaves_out_the_other_region(
    other_program: dict[str, Any], world: World
) -> None:
    response = people.logged_in(world.users[Role.KANWIL_OFFICER]).post(
        "/laporan/ekspor/peserta.csv",
        {"metric": "participants", "identities": "1", "reason": "Laporan triwulan", "purpose": "monitoring"},
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";" if ";" in body.splitlines()[0] else ","))
    text = "\n".join(";".join(row) for row in rows)
    assert "Contoh HERE0" in text and "THERE" not in text


def test_the_parties_and_administrators_still_read_every_cohort(
    other_program: dict[str, Any], world: World
) -> None:
    """The other region's Kanwil is party to the agreement: it reads both cohorts, the one at the own
    region's unit too (agreements the Kanwil is party to); so do administrators."""
    everything = {other_program["here"], other_program["there"]}
    for user in (world.others[Role.KANWIL_OFFICER], world.users[Role.ADMIN]):
        assert set(cohort_scope(actor=user, program=other_program["program"])) == everything
        assert people.logged_in(user).get(f"/program/angkatan/{other_program['here'].pk}/").status_code == 200
