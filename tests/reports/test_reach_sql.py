"""People reached and the ring table, each one statement written by hand (`selectors.reached`,
`ring.reached_by_ring`), against a straightforward reading of every enrolment in Python, on varied data:
people in several cohorts, units and programs; agreements with ring areas of their own, inherited from
the parent MoU or the grandparent (an addendum under a PKS), and without any; unknown domiciles; stages
that do not count; several scopes, filters and as-of dates."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.utils.translation import gettext as _

from sinergi.accounts.choices import Role
from sinergi.beneficiaries.choices import Sex
from sinergi.impact import domain as impact_domain
from sinergi.partnerships.choices import AgreementKind
from sinergi.partnerships.selectors import agreement_effective_districts
from sinergi.programs.models import Enrollment
from sinergi.regions.models import District
from sinergi.reports import ring, selectors
from tests.authz import World
from tests.beneficiaries.conftest import register
from tests.partnerships.conftest import make_agreement
from tests.reports.test_ring import _cohort, _program

pytestmark = pytest.mark.django_db

PLAJU, RING_TWO, OUTSIDE, FAR = "16.71.14", "16.07.01", "16.71.01", "16.71.02"


@pytest.fixture
def country(setting: dict[str, Any]) -> dict[str, Any]:
    unit, other_unit = setting["unit"], setting["other_unit"]
    parties = [setting["kanwil"], setting["company"]]
    mou = setting["mou"]  # ring areas Plaju and 16.07.01
    pks = make_agreement(None, parties, number="PKS-A", kind=AgreementKind.PKS, parent=mou, districts=[])
    own = make_agreement(
        None, parties, number="PKS-B", kind=AgreementKind.PKS, parent=mou, districts=[OUTSIDE]
    )
    addendum = make_agreement(
        None, parties, number="ADD-A", kind=AgreementKind.ADDENDUM, parent=pks, districts=[]
    )
    plain = make_agreement(None, parties, number="MOU-PLAIN")
    cohorts = {
        "mou": _cohort(setting["program"], unit, "MoU unit"),
        "mou_other": _cohort(setting["program"], other_unit, "MoU other unit"),
        "pks": _cohort(_program(pks, "Program PKS"), unit, "PKS"),
        "own": _cohort(_program(own, "Program PKS sendiri"), other_unit, "PKS sendiri"),
        "addendum": _cohort(_program(addendum, "Program adendum"), unit, "Adendum"),
        "plain": _cohort(_program(plain, "Program tanpa ring"), other_unit, "Tanpa ring"),
    }
    plain.focus_districts.clear()  # after the program (its default rule needs ring areas)
    district = {code: District.objects.get(code=code) for code in (PLAJU, RING_TWO, OUTSIDE, FAR)}
    # name, domicile, sex, birth date, [(cohort, stage)]
    people: list[tuple[str, str | None, str, dt.date, list[tuple[str, str]]]] = [
        ("Satu", PLAJU, "L", dt.date(1990, 5, 17), [("mou", "enrolled"), ("mou_other", "completed")]),
        ("Dua", PLAJU, "P", dt.date(2004, 2, 29), [("plain", "active"), ("mou", "withdrawn")]),
        ("Tiga", RING_TWO, "L", dt.date(2005, 3, 1), [("pks", "enrolled"), ("plain", "completed")]),
        ("Empat", RING_TWO, "P", dt.date(1960, 1, 1), [("addendum", "active")]),
        ("Lima", OUTSIDE, "L", dt.date(1980, 12, 31), [("own", "enrolled"), ("mou", "completed")]),
        ("Enam", OUTSIDE, "P", dt.date(1999, 7, 7), [("mou", "enrolled")]),
        ("Tujuh", None, "L", dt.date(1975, 6, 1), [("pks", "enrolled"), ("plain", "enrolled")]),
        ("Delapan", None, "P", dt.date(2001, 1, 1), [("plain", "completed")]),
        ("Sembilan", FAR, "L", dt.date(1985, 4, 4), [("plain", "withdrawn"), ("own", "active")]),
        ("Sepuluh", FAR, "L", dt.date(1970, 8, 8), [("plain", "enrolled")]),
        ("Sebelas", PLAJU, "P", dt.date(1995, 9, 9), [("mou", "waitlisted")]),  # not reached
        ("Dua belas", PLAJU, "L", dt.date(1992, 2, 2), [("addendum", "withdrawn"), ("mou_other", "active")]),
        ("Tiga belas", OUTSIDE, "L", dt.date(2007, 3, 1), [("addendum", "enrolled"), ("own", "enrolled")]),
    ]
    for index, (name, domicile, sex, born, joined) in enumerate(people):
        person = register(
            None,
            unit,
            name,
            f"R-{index}",
            domicile_district=district[domicile] if domicile else None,
            sex=sex,
            birth_date=born,
        )
        for key, stage in joined:
            Enrollment.objects.create(
                cohort=cohorts[key], person=person, episode=person.episodes.first(), stage=stage
            )
    return {**setting, "agreements": {"mou": mou, "pks": pks, "own": own, "plain": plain}, "cohorts": cohorts}


def _enrolments(scope: selectors.Scope) -> list[Enrollment]:
    return list(
        scope.enrollments.filter(stage__in=selectors.PARTICIPANT_STAGES).select_related(
            "person__domicile_district", "cohort__unit", "cohort__program__agreement"
        )
    )


def _reference_reached(scope: selectors.Scope) -> dict[str, Counter[tuple[str, str]]]:
    rows = _enrolments(scope)
    people = {e.person_id: e.person for e in rows}
    unknown = str(_("Unknown"))
    figures: dict[str, Counter[tuple[str, str]]] = {
        "total": Counter({("", str(_("People reached"))): len(people)}),
        "district": Counter(
            (p.domicile_district_id or "", p.domicile_district.name if p.domicile_district else unknown)
            for p in people.values()
        ),
    }
    units = Counter(str(unit) for _person, unit in {(e.person_id, e.cohort.unit_id) for e in rows})
    names = {str(e.cohort.unit_id): e.cohort.unit.name for e in rows}
    figures["unit"] = Counter({(unit, names[unit]): n for unit, n in units.items()})
    sexes = Counter(p.sex for p in people.values())
    figures["sex"] = Counter({(value, str(label)): sexes.get(value, 0) for value, label in Sex.choices})
    ages = Counter(impact_domain.age_band(p.birth_date, scope.as_of) for p in people.values())
    figures["age"] = Counter(
        {(band.label, band.label): ages.get(band.label, 0) for band in impact_domain.AGE_BANDS}
    )
    return figures


def _reference_ring(scope: selectors.Scope) -> Counter[str]:
    """Each person reached, classified by reading their agreements' ring areas one by one."""
    by_person: dict[int, list[Enrollment]] = {}
    for e in _enrolments(scope):
        by_person.setdefault(e.person_id, []).append(e)
    counts: Counter[str] = Counter()
    for rows in by_person.values():
        domicile = rows[0].person.domicile_district_id
        areas = [agreement_effective_districts(e.cohort.program.agreement) for e in rows]
        if domicile and any(domicile in codes for codes in areas):
            counts[domicile] += 1
            counts[ring.IN_RING] += 1
        elif not any(areas):
            counts[ring.NO_RING] += 1
        elif domicile:
            counts[ring.OUTSIDE] += 1
        else:
            counts[ring.UNKNOWN] += 1
    return counts


def _scopes(country: dict[str, Any], world: World) -> list[selectors.Scope]:
    agreements, cohorts = country["agreements"], country["cohorts"]
    today = dt.date(2022, 3, 1)
    filters = [
        selectors.Filters(),
        selectors.Filters(end=dt.date(2024, 2, 29)),  # as of a 29 February: the age bands move
        selectors.Filters(end=dt.date(2023, 2, 28)),
        selectors.Filters(agreement=agreements["mou"].pk),  # the MoU, its PKS and the addendum
        selectors.Filters(agreement=agreements["pks"].pk),
        selectors.Filters(agreement=agreements["plain"].pk),
        selectors.Filters(unit=country["other_unit"].pk),
        selectors.Filters(program=cohorts["own"].program_id),
        selectors.Filters(start=dt.date(2030, 1, 1)),  # nobody
    ]
    actors = [None, world.user(Role.MONITOR, "own"), world.user(Role.KANWIL_OFFICER, "own")]
    actors += [world.user(Role.CSR_OFFICER, "own"), world.user(Role.UNIT_OFFICER, "own")]
    return [selectors.scope_of(actor, f, today=today) for actor in actors for f in filters]


def test_people_reached_match_a_reading_of_every_enrolment(country: dict[str, Any], world: World) -> None:
    seen_totals = set()
    for scope in _scopes(country, world):
        found = selectors.reached(scope)
        expected = _reference_reached(scope)
        assert set(found) == set(expected)
        for breakdown, rows in found.items():
            assert Counter({(key, str(label)): n for key, label, n in rows}) == expected[breakdown], (
                breakdown,
                scope.actor,
                scope.filters,
            )
        for breakdown in ("district", "unit"):  # the most people first
            counts = [n for _key, _label, n in found[breakdown]]
            assert counts == sorted(counts, reverse=True)
        # Each cell counts the people of the list behind it.
        for breakdown in ("district", "unit", "sex", "age"):
            for key, _label, n in found[breakdown]:
                listed = selectors.reached_queryset(scope, breakdown, key).values("person_id").distinct()
                assert listed.count() == n, (breakdown, key)
        seen_totals.add(found["total"][0][2])
    assert {0, 12} <= seen_totals  # the data reaches every case above, and the empty scope


def test_the_ring_table_matches_a_reading_of_every_enrolment(country: dict[str, Any], world: World) -> None:
    seen: set[str] = set()
    for scope in _scopes(country, world):
        rows = ring.reached_by_ring(scope)
        found = Counter({key: n for key, _label, n in rows if n})
        assert found == _reference_ring(scope), (scope.actor, scope.filters)
        assert (
            sum(n for key, _label, n in rows if key in ring.parts(rows))
            == selectors.reached(scope)["total"][0][2]
        )
        for key, _label, n in rows:
            assert ring.ring_queryset(scope, key).values("person_id").distinct().count() == n, key
        seen |= set(found)
    assert {ring.IN_RING, ring.OUTSIDE, ring.UNKNOWN, ring.NO_RING, PLAJU, RING_TWO, OUTSIDE} <= seen


def test_people_reached_is_one_statement(country: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    """One statement (and, on PostgreSQL, the `SET LOCAL` before it), where there were four queries."""
    scope = selectors.scope_of(None, selectors.Filters(), today=dt.date(2022, 3, 1))
    with django_assert_max_num_queries(2):
        selectors.reached(scope)
    with django_assert_max_num_queries(3):  # and the ring districts' names
        ring.reached_by_ring(scope)
