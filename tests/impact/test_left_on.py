"""The day a custody episode left its unit, kept on the episode (`beneficiaries.leave`): it follows every
write of an integration event and of a release date, and recidivism read from it gives what the definition
from the integration events gives (tests/impact/recidivism_reference.py): transfers, re-arrests, a release
then a re-offence, parole then release. Also: the comparison group's rule check by district gives what
checking every rule gives."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.accounts.choices import Role
from sinergi.beneficiaries import leave
from sinergi.beneficiaries.models import CustodyEpisode, IntegrationEvent, Person
from sinergi.impact import selectors
from sinergi.programs import domain as program_domain
from sinergi.programs.models import Cohort, Enrollment, Program
from tests.impact.recidivism_reference import recidivism_by_rows, recidivism_groups_by_rows

pytestmark = pytest.mark.django_db

KINDS = ("asimilasi", "pb", "cb", "cmb")


def _expected(episode: CustodyEpisode) -> dt.date | None:
    """The definition, in Python: the first PB, CB or CMB, otherwise the release date."""
    leaves = [e.date for e in IntegrationEvent.objects.filter(episode=episode) if e.kind in leave.LEAVE_KINDS]
    return min(leaves) if leaves else episode.release_date


def _stored(episode: CustodyEpisode) -> dt.date | None:
    return CustodyEpisode.objects.values_list("left_on", flat=True).get(pk=episode.pk)


def _person(key: str) -> Person:
    return Person.objects.create(
        full_name=f"Uji {key}",
        sex="L",
        birth_date=dt.date(1990, 5, 17),
        offence_category="Pencurian",
        domicile_district_id="16.71.14",
        is_synthetic=True,
    )


_EXAMPLES = itertools.count()


def _episode(person: Person, unit: Any, key: str, **values: Any) -> CustodyEpisode:
    values = {"status": "narapidana", "start_date": dt.date(2020, 1, 1), "sentence_years": 2} | values
    return CustodyEpisode.objects.create(person=person, unit=unit, registration_number=f"R-{key}", **values)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(("add", "delete", "move_date", "release", "unrelease", "refresh")),
            st.sampled_from(KINDS),
            st.integers(min_value=0, max_value=400),
            st.integers(min_value=0, max_value=1),
        ),
        max_size=12,
    )
)
def test_the_kept_day_follows_every_write(world, steps: list[tuple[str, str, int, int]]) -> None:
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    person = _person("h")
    # Hypothesis's examples share the test's database: each example's registration numbers are new (an id()
    # of the steps list was reused by a later example once, and the unit's unique number refused it).
    example = next(_EXAMPLES)
    episodes = [_episode(person, unit, f"h{n}-{example}") for n in range(2)]
    base = dt.date(2021, 1, 1)
    for action, kind, days, which in steps:
        episode = episodes[which]
        events = list(IntegrationEvent.objects.filter(episode=episode).order_by("pk"))
        if action == "add":
            IntegrationEvent.objects.create(
                episode=episode, kind=kind, date=base + dt.timedelta(days=days), approved_by_board=True
            )
        elif action == "delete" and events:
            events[days % len(events)].delete()
        elif action == "move_date" and events:
            event = events[days % len(events)]
            event.date = base + dt.timedelta(days=days)
            event.kind = kind
            event.save()
        elif action == "release":  # a correction past save(), as the bulk import writes
            CustodyEpisode.objects.filter(pk=episode.pk).update(
                status="bebas", release_date=base + dt.timedelta(days=days)
            )
        elif action == "unrelease":
            CustodyEpisode.objects.filter(pk=episode.pk).update(status="narapidana", release_date=None)
        elif action == "refresh":
            assert leave.refresh() == 0  # nothing stale to put right
        for e in episodes:
            e.refresh_from_db()
            assert _stored(e) == _expected(e)
    assert not leave.stale().exists()


def test_an_event_moved_to_another_episode_refreshes_both(world) -> None:
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    person = _person("m")
    first, second = _episode(person, unit, "m1"), _episode(person, unit, "m2")
    event = IntegrationEvent.objects.create(episode=first, kind="pb", date=dt.date(2021, 5, 1))
    assert (_stored(first), _stored(second)) == (dt.date(2021, 5, 1), None)
    event.episode = second
    event.save()
    assert (_stored(first), _stored(second)) == (None, dt.date(2021, 5, 1))


def test_refresh_puts_right_what_a_writer_past_save_left(world) -> None:
    """Writers past `save()` (the national generator's COPY) fill the column or call `refresh`."""
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    episode = _episode(_person("r"), unit, "r1", release_date=dt.date(2022, 3, 1), status="bebas")
    IntegrationEvent.objects.bulk_create(
        [IntegrationEvent(episode=episode, kind="cb", date=dt.date(2022, 1, 10), approved_by_board=True)]
    )
    assert list(leave.stale()) == [episode]
    assert _stored(episode) == dt.date(2022, 3, 1)
    assert leave.refresh() == 1
    assert _stored(episode) == dt.date(2022, 1, 10)
    assert not leave.stale().exists()


def test_the_services_keep_it(world) -> None:
    """A release (bebas) sets it from the release date; a PB through `episode_release` from the PB."""
    from sinergi.beneficiaries.services import episode_release

    unit = world.organisation(Role.UNIT_OFFICER, "own")
    admin = world.users[Role.ADMIN]
    free = _episode(_person("s1"), unit, "s1", start_date=dt.date(2020, 1, 1), sentence_years=1)
    episode_release(actor=admin, episode=free, kind="bebas", on=dt.date(2021, 1, 1), version=free.version)
    assert _stored(free) == dt.date(2021, 1, 1)
    parole = _episode(_person("s2"), unit, "s2", start_date=dt.date(2018, 1, 1), sentence_years=9)
    episode_release(
        actor=admin,
        episode=parole,
        kind="pb",
        on=dt.date(2024, 2, 1),
        reference="TPP/UJI/1",
        version=parole.version,
        override_reason="uji",
    )
    parole.refresh_from_db()
    assert parole.status == "klien" and parole.release_date is None
    assert _stored(parole) == dt.date(2024, 2, 1)


# --- Recidivism read from the kept day, against the definition from the events -------------------------


@pytest.fixture
def cases(world, impact) -> dict[str, Any]:
    """Participants (and a comparison group) in the cases the kept day must get right."""
    from sinergi.aftercare.models import AftercareCase, Reoffence
    from tests.factories import UnitFactory

    unit = world.organisation(Role.UNIT_OFFICER, "own")
    other = UnitFactory()
    cohort = Cohort.objects.create(
        program=impact["program"],
        unit=unit,
        name="Angkatan Uji",
        start_date=dt.date(2021, 8, 1),
        end_date=dt.date(2021, 12, 1),
        capacity=50,
    )

    def join(person: Person, episode: CustodyEpisode) -> None:
        Enrollment.objects.create(cohort=cohort, person=person, episode=episode, stage="completed")

    # Released, then readmitted within the window (a re-offence) ...
    p = _person("p1")
    e = _episode(p, unit, "p1", status="bebas", release_date=dt.date(2022, 1, 10))
    _episode(p, unit, "p1b", start_date=dt.date(2022, 9, 1))
    join(p, e)
    # ... and after it (not within 12 months).
    p = _person("p2")
    e = _episode(p, unit, "p2", status="bebas", release_date=dt.date(2022, 1, 10))
    _episode(p, unit, "p2b", start_date=dt.date(2023, 6, 1))
    join(p, e)
    # Parole before the release date: counted from the PB; readmitted 13 months after the PB, 11 after the
    # release date.
    p = _person("p3")
    e = _episode(p, unit, "p3", status="bebas", release_date=dt.date(2022, 3, 1))
    IntegrationEvent.objects.create(episode=e, kind="pb", date=dt.date(2022, 1, 1), approved_by_board=True)
    IntegrationEvent.objects.create(episode=e, kind="asimilasi", date=dt.date(2021, 9, 1))
    _episode(p, unit, "p3b", start_date=dt.date(2023, 2, 2))
    join(p, e)
    # Transferred to another unit (pindah: no release date, so not a release), released from there.
    p = _person("p4")
    e = _episode(p, unit, "p4", status="pindah", start_date=dt.date(2020, 6, 1))
    moved = _episode(
        p, other, "p4b", status="bebas", start_date=dt.date(2021, 3, 1), release_date=dt.date(2022, 2, 1)
    )
    join(p, e)
    # Re-arrested (does not count) after the release; a conviction recorded in aftercare (counts).
    for key, kind in (("p5", "rearrest"), ("p6", "conviction")):
        p = _person(key)
        e = _episode(p, unit, key, status="bebas", release_date=dt.date(2022, 2, 15))
        join(p, e)
        case = AftercareCase.objects.create(
            person=p,
            episode=e,
            release_kind="bebas",
            released_on=dt.date(2022, 2, 15),
            opened_on=dt.date(2022, 2, 15),
        )
        Reoffence.objects.create(case=case, kind=kind, occurred_on=dt.date(2022, 8, 1), source="officer")
    # A comparison group at the same unit, and one person whose PB is later deleted.
    for n in range(4):
        c = _person(f"c{n}")
        e = _episode(c, unit, f"c{n}", status="bebas", release_date=dt.date(2022, 1, 20 + n))
        if n % 2:
            _episode(c, unit, f"c{n}b", start_date=dt.date(2022, 10, 1))
    c = _person("c9")
    e = _episode(c, unit, "c9", status="klien")
    IntegrationEvent.objects.create(episode=e, kind="cb", date=dt.date(2022, 4, 1)).delete()
    return impact | {"moved": moved}


@pytest.mark.parametrize("months", (12, 24))
def test_recidivism_from_the_kept_day_equals_the_definition_from_the_events(cases, months: int) -> None:
    programs = Program.objects.filter(pk=cases["program"].pk)
    args = dict(programs=programs, months=months, as_of=dt.date(2025, 1, 1))
    result = selectors.recidivism(**args)
    assert result == recidivism_by_rows(**args)
    assert selectors.recidivism_groups(**args) == recidivism_groups_by_rows(**args)
    groups = selectors.recidivism_groups(**args)
    names = dict(Person.objects.values_list("pk", "full_name"))
    reoffended = {names[pk] for pk in groups.participants_reoffended}
    if months == 12:
        # p1 readmitted within 12 months, p6 convicted; p2 too late, p3 13 months after the PB, p5 only
        # re-arrested.
        assert reoffended == {"Uji p1", "Uji p6"}
    # The transferred person counts from the release at the unit they moved to.
    assert "Uji p4" in {names[pk] for pk in groups.participants}
    assert _stored(cases["moved"]) == dt.date(2022, 2, 1)


# --- The comparison group's rules, checked by district ----------------------------------------------------

DISTRICT_CODES = ("16.71.14", "16.71.01", "16.07.01", "")
rule_strategy = st.builds(
    program_domain.Rule,
    districts=st.lists(st.sampled_from(DISTRICT_CODES[:3]), max_size=3).map(tuple),
    statuses=st.sampled_from((("narapidana",), ("bebas", "klien"), ())),
    sexes=st.sampled_from((("L",), ("P",), ("L", "P"))),
    exclude_offences=st.lists(st.sampled_from(("Narkotika", " pencurian")), max_size=2).map(tuple),
    max_risk=st.sampled_from((None, "rendah", "sedang")),
)
row_strategy = st.fixed_dictionaries(
    {
        "person__domicile_district_id": st.sampled_from((*DISTRICT_CODES, None)),
        "person__sex": st.sampled_from(("L", "P", "", None)),
        "person__offence_category": st.sampled_from(("Pencurian", "Narkotika", "", None)),
        "person__risk_level": st.sampled_from(("rendah", "tinggi", "", "aneh", None)),
        "person__birth_date": st.none(),
        "left_on": st.just(dt.date(2024, 1, 1)),
    }
)


@settings(max_examples=200)
@given(rules=st.lists(rule_strategy, max_size=6), rows=st.lists(row_strategy, min_size=1, max_size=10))
def test_checking_rules_by_district_equals_checking_every_rule(rules: list[Any], rows: list[Any]) -> None:
    may_join = selectors._eligibility_of(rules)
    for row in rows:
        assert may_join(row) == selectors._eligible(rules, row), (rules, row)
