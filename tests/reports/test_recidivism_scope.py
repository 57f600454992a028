"""The dashboard's recidivism counts only programs the viewer reads impact for, and only their own
participants (review finding F2 of issue 13).

A Kanwil officer who saw a program of another region's agreement through one cohort at a unit of their own
region read its recidivism over every region's participants (six released elsewhere, two back in custody),
with or without a unit filter, while the program's impact page was 404 for them; the recidivism list then
said how many of those people were outside their registry scope. Now recidivism counts the programs
`impact.access.program_scope` opens to the viewer (for a Kanwil, under agreements it is party to), is
withheld under a unit filter for a Kanwil officer (it counts whole programs), and the list's count of people
outside the viewer's scope is for administrators only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.models import CustodyEpisode
from tests import people
from tests.authz import World
from tests.partnerships.conftest import make_agreement
from tests.programs.conftest import make_program

pytestmark = pytest.mark.django_db

START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 1)


def _released(group: Any, tag: str, n: int, reoffended: int) -> None:
    """`n` participants of `group` released on 1 January 2022, the first `reoffended` back in custody in
    June 2022."""
    for i in range(n):
        enrollment = people.participant(group, f"{tag}{i}", released_on=dt.date(2022, 1, 1))
        if i < reoffended:
            CustodyEpisode.objects.create(
                person=enrollment.person,
                unit=group.unit,
                registration_number=f"RR-{tag}{i}",
                status="ditahan",
                start_date=dt.date(2022, 6, 1),
                sentence_years=1,
                release_date=dt.date(2030, 1, 1),
            )


@pytest.fixture
def other_program(world: World) -> dict[str, Any]:
    """A program of the other region's MoU: one active participant at the own region's unit, six released
    at a unit of the other region, two of whom re-offended."""
    program = people.other_region_program(world)
    here = people.cohort(program, world.organisation(Role.UNIT_OFFICER, "own"), "Angkatan Sini", START, END)
    people.participant(here, "HERE0", stage="active")
    there = people.cohort(
        program, world.organisation(Role.UNIT_OFFICER, "other"), "Angkatan Sana", START, END
    )
    _released(there, "THERE", 6, 2)
    return {"program": program, "unit": world.organisation(Role.UNIT_OFFICER, "own")}


def test_a_kanwil_officer_reads_no_recidivism_of_another_regions_program(
    other_program: dict[str, Any], world: World
) -> None:
    client = people.logged_in(world.users[Role.KANWIL_OFFICER])
    program, unit = other_program["program"], other_program["unit"]
    assert client.get(f"/dampak/program/{program.pk}/").status_code == 404
    for query in ("", f"?unit={unit.pk}", f"?unit={unit.pk}&program={program.pk}"):
        response = client.get("/" + query)
        assert response.status_code == 200
        assert response.context["rec"] is None, query
        assert response.context["rec_links"] == {}, query
    listing = client.get(f"/laporan/residivisme/?group=participants_reoffended&window=12&unit={unit.pk}")
    assert listing.status_code == 200
    assert listing.context["page"].paginator.count == 0
    assert not listing.context["outside_scope"]
    assert 'data-testid="outside-scope"' not in listing.content.decode()


def test_the_parties_and_administrators_still_read_it(other_program: dict[str, Any], world: World) -> None:
    for user in (world.others[Role.KANWIL_OFFICER], world.users[Role.ADMIN]):
        rec = people.logged_in(user).get("/").context["rec"]
        assert (rec.participants.n, rec.participants.reoffended) == (6, 2), user.role


def test_a_kanwil_officers_recidivism_is_withheld_under_a_unit_filter(world: World) -> None:
    """The own Kanwil's program, released at two of its units: whole, the figure counts both; under a
    unit filter it would still count both (recidivism is per program), so it is not shown, and its list
    is empty."""
    kanwil = world.users[Role.KANWIL_OFFICER]
    program = make_program(world.region("own").agreement, "Program Sendiri")
    lapas = world.organisation(Role.UNIT_OFFICER, "own")
    rutan = world.region("own").rutan
    _released(people.cohort(program, lapas, "Angkatan Lapas", START, END), "LP", 3, 1)
    _released(people.cohort(program, rutan, "Angkatan Rutan", START, END), "RT", 2, 1)
    client = people.logged_in(kanwil)
    rec = client.get("/").context["rec"]
    assert (rec.participants.n, rec.participants.reoffended) == (5, 2)
    response = client.get(f"/?unit={lapas.pk}")
    assert response.context["rec"] is None
    assert response.context["recidivism_withheld_by_unit"]
    assert 'data-testid="recidivism-withheld-unit"' in response.content.decode()
    listing = client.get(f"/laporan/residivisme/?group=participants&window=12&unit={lapas.pk}")
    assert listing.context["page"].paginator.count == 0
    # An administrator's figure is the program's, as before.
    admin = people.logged_in(world.users[Role.ADMIN]).get(f"/?unit={lapas.pk}").context["rec"]
    assert admin.participants.n == 5


def test_a_program_under_an_addendum_with_cohorts_elsewhere_is_not_counted_for_a_kanwil_officer(
    world: World,
) -> None:
    """Final review: impact counts an MoU's grandchild (an addendum of its PKS) as the Kanwil's, while the
    Kanwil's cohorts stop at the parent; such a program, with a cohort in the Kanwil's region and six people
    in another region's, gave the Kanwil officer exact recidivism over those six. Recidivism counts every
    cohort of a program, so it is read only for programs whose every cohort the viewer reaches."""
    from sinergi.partnerships.choices import AgreementKind
    from sinergi.reports import selectors as report_selectors
    from tests.programs.conftest import make_program

    parties = [world.organisation(Role.KANWIL_OFFICER, "own"), world.organisation(Role.CSR_OFFICER, "own")]
    mou = make_agreement(None, parties, number="MOU-GP")
    # The PKS and its addendum are signed by the company and the other region's Kanwil, under the MoU.
    signers = [world.organisation(Role.KANWIL_OFFICER, "other"), parties[1]]
    pks = make_agreement(None, signers, number="PKS-GP", kind=AgreementKind.PKS, parent=mou, districts=[])
    addendum = make_agreement(
        None, signers, number="ADD-GP", kind=AgreementKind.ADDENDUM, parent=pks, districts=[]
    )
    program = make_program(addendum, "Program Adendum")
    start, end = dt.date(2021, 8, 1), dt.date(2021, 12, 1)
    here = people.cohort(
        program, world.organisation(Role.UNIT_OFFICER, "own"), "Angkatan Sini GP", start, end
    )
    people.participant(here, "GP-HERE")
    there = people.cohort(
        program, world.organisation(Role.UNIT_OFFICER, "other"), "Angkatan Sana GP", start, end
    )
    for i in range(6):
        people.participant(there, f"GP-THERE{i}")

    def read(user: Any) -> set[int]:
        scope = report_selectors.scope_of(user, report_selectors.Filters())
        return set(report_selectors.recidivism_programs(scope).values_list("pk", flat=True))

    assert program.pk not in read(world.users[Role.KANWIL_OFFICER])
    assert program.pk in read(world.users[Role.ADMIN])
