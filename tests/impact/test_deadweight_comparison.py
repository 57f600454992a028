"""The deadweight from the comparison group (`services.outcome_deadweight_from_comparison`) is the rate of
people who did not take part in the value map's own programs: with a participant of the map's programs in
the comparison group, the deadweight would partly measure the programs themselves.

The comparison group leaves out everyone enrolled in the map's programs (`selectors._release_groups`,
`joined`). A map of an MoU owns the programs of its PKS and of their addenda (as the reports count them,
`reports.selectors.agreement_q`); the programs under an addendum of a PKS were not among the map's programs
(`selectors.programs_of_agreement` went one level down only), so their participants were counted as
non-participants in the MoU map's comparison group."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.impact import selectors, services
from sinergi.partnerships.choices import AgreementKind
from tests import people
from tests.authz import World
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)
from tests.impact.conftest import make_program
from tests.impact.test_value_map_cross_view import make_map
from tests.partnerships.conftest import make_agreement

pytestmark = pytest.mark.django_db

RELEASED = dt.date(2022, 1, 1)
AS_OF = dt.date(2025, 1, 1)  # every 24-month window has closed


def _readmitted(enrollment: Any, tag: str) -> None:
    """A later custody episode within 24 months of the release: a re-offence."""
    CustodyEpisode.objects.create(
        person=enrollment.person,
        unit=enrollment.cohort.unit,
        registration_number=f"R2-{tag}",
        status="narapidana",
        start_date=dt.date(2022, 6, 1),
        sentence_years=1,
    )


def _cohort(world: World, program: Any, name: str) -> Any:
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    return people.cohort(program, unit, name, dt.date(2021, 8, 1), dt.date(2021, 12, 1))


def test_the_deadweight_is_the_rate_of_people_outside_the_maps_own_programs(
    world: World,
    impact: dict[str, Any],  # noqa: F811
) -> None:
    """An MoU with a program of its own and, under a PKS, an addendum with another program. One participant
    of each (the addendum's re-offended); ten people released from the same unit who took part in another
    agreement's program, four of whom re-offended. The MoU's map counts both programs as its own: the
    comparison group is the ten, and the deadweight their 6 in 10 who did not re-offend."""
    mou, kanwil = impact["mou"], impact["kanwil_user"]
    parties = [impact["kanwil"], impact["company"]]
    pks = make_agreement(None, parties, number="PKS-DW", kind=AgreementKind.PKS, parent=mou, districts=[])
    addendum = make_agreement(
        None, parties, number="ADD-DW", kind=AgreementKind.ADDENDUM, parent=pks, districts=[]
    )
    beneath = make_program(addendum, "Program Adendum")
    people.participant(_cohort(world, impact["program"], "Angkatan MoU"), "mou", released_on=RELEASED)
    _readmitted(
        people.participant(_cohort(world, beneath, "Angkatan adendum"), "adendum", released_on=RELEASED),
        "adendum",
    )
    elsewhere = _cohort(world, impact["other_program"], "Angkatan lain")
    for i in range(10):
        outside = people.participant(elsewhere, f"luar{i}", released_on=RELEASED)
        if i < 4:
            _readmitted(outside, f"luar{i}")
    # One stratum and the programs' ring districts for everyone (the comparison group meets their rules).
    Person.objects.update(domicile_district_id="16.71.14", offence_category="Pencurian")

    value_map = make_map(kanwil, "no_reoffence_24m", agreement=mou)
    bound = value_map.outcomes.get()
    services.outcome_deadweight_from_comparison(
        actor=kanwil, outcome=bound, version=bound.version, as_of=AS_OF
    )
    bound.refresh_from_db()
    # On main the addendum's participant (re-offended) was the eleventh "non-participant": 6/11 = 0.54545.
    assert bound.deadweight == D("0.60000"), bound.deadweight_source
    assert "10 " in bound.deadweight_source
    assert set(selectors.value_map_programs(value_map)) == {impact["program"], beneath}
    result = selectors.recidivism(programs=selectors.value_map_programs(value_map), months=24, as_of=AS_OF)
    assert (result.participants.n, result.participants.reoffended) == (2, 1)
    assert (result.comparison.comparison_n, result.comparison.reoffended) == (10, 4)


def test_the_tjsl_officer_is_still_refused_a_small_comparison_group(
    world: World,
    impact: dict[str, Any],  # noqa: F811
) -> None:
    """Four people outside the map's programs: too few for an aggregate-only editor to read their rate."""
    tjsl = impact["tjsl"]
    people.participant(_cohort(world, impact["program"], "Angkatan"), "ikut", released_on=RELEASED)
    elsewhere = _cohort(world, impact["other_program"], "Angkatan lain")
    for i in range(4):
        people.participant(elsewhere, f"luar{i}", released_on=RELEASED)
    Person.objects.update(domicile_district_id="16.71.14", offence_category="Pencurian")
    value_map = make_map(tjsl, "no_reoffence_24m", program=impact["program"], period_end=dt.date(2023, 3, 31))
    bound = value_map.outcomes.get()
    from sinergi.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        services.outcome_deadweight_from_comparison(
            actor=tjsl, outcome=bound, version=bound.version, as_of=AS_OF
        )
    assert "deadweight" in refused.value.detail
