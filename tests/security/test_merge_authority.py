"""Who may merge two registry records, and which two (security review of 4 December 2026, finding 1).

The attack: a Bapas officer posted `keep=A&pair=A,B` to the merge page for two different people among its
clients (not a pair on the duplicates list). The merge went through: B's completed enrolment moved to A,
A's own enrolment in the same cohort was deleted with its attendance marks. Now the service refuses a pair
that is not a likely duplicate, a role that records no custody, episodes outside the actor's units, and each
app's merger refuses what the user may not change (enrol in the cohort, guide the aftercare case), the
merge as a whole, nothing half-written. The system (`actor=None`) still merges any two records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinergi.accounts.choices import Role
from sinergi.aftercare.models import AftercareCase
from sinergi.beneficiaries import services
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.core.errors import ApplicationError, ForbiddenError
from sinergi.programs.models import Attendance, Enrollment, Session
from tests import people
from tests.authz import World
from tests.impact.conftest import impact as impact  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

DISTRICT = "16.71.14"


def _person(name: str, born: dt.date) -> Person:
    return Person.objects.create(
        full_name=name, sex="L", birth_date=born, domicile_district_id=DISTRICT, is_synthetic=True
    )


def _episode(person: Person, unit: Any, number: str, bapas: Any = None) -> CustodyEpisode:
    return CustodyEpisode.objects.create(
        person=person,
        unit=unit,
        guidance_unit=bapas,
        registration_number=number,
        status="ditahan",
        start_date=dt.date(2020, 1, 1),
        sentence_years=2,
        release_date=dt.date(2030, 1, 1),
    )


def _enrol(cohort: Any, person: Person, episode: CustodyEpisode, stage: str) -> Enrollment:
    return Enrollment.objects.create(cohort=cohort, person=person, episode=episode, stage=stage)


def _untouched(keep: Person, drop: Person, enrolments: list[Enrollment], marks: int) -> None:
    """Nothing of the refused merge was kept: the records, their episodes, enrolments and marks."""
    assert Person.objects.get(pk=drop.pk).merged_into_id is None
    assert set(CustodyEpisode.objects.filter(person=drop).values_list("pk", flat=True))
    assert [Enrollment.objects.get(pk=e.pk).person_id for e in enrolments] == [
        e.person_id for e in enrolments
    ]
    assert Attendance.objects.count() == marks


@pytest.fixture
def clients(world: World, impact: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Two different people held at the own unit and guided by the own Bapas, both in one cohort: Candra
    Hakim (born 1982, enrolled, with a mark) and Candra Setiawan (born 2000, completed, with a mark)."""
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    bapas = world.organisation(Role.BAPAS_OFFICER, "own")
    group = people.cohort(impact["program"], unit, "Angkatan Uji", dt.date(2021, 8, 1), dt.date(2021, 12, 1))
    session = Session.objects.create(
        cohort=group, date=dt.date(2021, 9, 1), start_time=dt.time(9), end_time=dt.time(11)
    )
    keep = _person("Candra Hakim", dt.date(1982, 3, 4))
    drop = _person("Candra Setiawan", dt.date(2000, 7, 8))
    kept = _enrol(group, keep, _episode(keep, unit, "GB-1", bapas), "enrolled")
    dropped = _enrol(group, drop, _episode(drop, unit, "GB-2", bapas), "completed")
    for enrolment in (kept, dropped):
        Attendance.objects.create(session=session, enrollment=enrolment, mark="present")
    return {
        "unit": unit,
        "bapas": bapas,
        "cohort": group,
        "keep": keep,
        "drop": drop,
        "enrolments": [kept, dropped],
    }


def test_a_bapas_officer_cannot_merge_two_different_clients_and_delete_an_enrolment(
    world: World, clients: dict[str, Any]
) -> None:
    keep, drop = clients["keep"], clients["drop"]
    client = people.logged_in(world.users[Role.BAPAS_OFFICER])
    response = client.post("/wbp/duplikat/gabung/", {"keep": keep.pk, "pair": f"{keep.pk},{drop.pk}"})
    assert response.status_code == 302
    assert response.url == "/wbp/duplikat/"
    _untouched(keep, drop, clients["enrolments"], marks=2)


@pytest.mark.parametrize("role", [Role.UNIT_OFFICER, Role.KANWIL_OFFICER, Role.ADMIN])
def test_two_people_who_are_not_a_likely_duplicate_are_not_merged(
    world: World, clients: dict[str, Any], role: str
) -> None:
    keep, drop = clients["keep"], clients["drop"]
    with pytest.raises(ApplicationError) as refused:
        services.person_merge(actor=world.users[role], keep=keep, drop=drop)
    assert refused.value.code == "invalid"
    with world_language("id"):
        assert "bukan kemungkinan data ganda" in str(refused.value.message)
    _untouched(keep, drop, clients["enrolments"], marks=2)


def test_a_bapas_officer_does_not_merge_even_a_real_duplicate(world: World, clients: dict[str, Any]) -> None:
    keep, unit, bapas = clients["keep"], clients["unit"], clients["bapas"]
    twin = _person("Candra  Hakim", keep.birth_date)
    _episode(twin, unit, "GB-3", bapas)
    with pytest.raises(ForbiddenError):
        services.person_merge(actor=world.users[Role.BAPAS_OFFICER], keep=keep, drop=twin)
    assert Person.objects.get(pk=twin.pk).merged_into_id is None


def test_the_duplicates_page_offers_the_merge_only_to_roles_that_may_merge(
    world: World, clients: dict[str, Any]
) -> None:
    keep = clients["keep"]
    twin = _person("Candra  Hakim", keep.birth_date)
    _episode(twin, clients["unit"], "GB-8", clients["bapas"])
    bapas_page = people.logged_in(world.users[Role.BAPAS_OFFICER]).get("/wbp/duplikat/").content.decode()
    unit_page = people.logged_in(world.users[Role.UNIT_OFFICER]).get("/wbp/duplikat/").content.decode()
    assert "Candra  Hakim" in bapas_page and "Candra  Hakim" in unit_page
    assert "Gabungkan ke data yang dipilih" not in bapas_page
    assert "Hanya administrator, petugas Kanwil atau petugas UPT" in bapas_page
    assert "Gabungkan ke data yang dipilih" in unit_page


def test_a_unit_officer_cannot_merge_a_duplicate_with_custody_at_another_unit(
    world: World, clients: dict[str, Any]
) -> None:
    keep = clients["keep"]
    twin = _person("Candra Hakim", keep.birth_date)
    _episode(twin, clients["unit"], "GB-4")
    _episode(twin, world.region("own").rutan, "GB-5")
    with pytest.raises(ForbiddenError):
        services.person_merge(actor=world.users[Role.UNIT_OFFICER], keep=keep, drop=twin)
    assert Person.objects.get(pk=twin.pk).merged_into_id is None
    # The Kanwil officer over both units merges them.
    services.person_merge(actor=world.users[Role.KANWIL_OFFICER], keep=keep, drop=twin)
    assert Person.objects.get(pk=twin.pk).merged_into_id == keep.pk


def test_the_programs_merger_refuses_an_enrolment_in_a_cohort_the_officer_may_not_enrol_in(
    world: World,
    clients: dict[str, Any],
    impact: dict[str, Any],  # noqa: F811
) -> None:
    """Real duplicates held at the unit officer's own unit, the dropped one enrolled in a cohort at another
    unit (the Rutan): the whole merge is refused, the episodes already moved inside it come back."""
    keep = clients["keep"]
    twin = _person("Candra Hakim", keep.birth_date)
    episode = _episode(twin, clients["unit"], "GB-6")
    rutan = world.region("own").rutan
    elsewhere = people.cohort(
        impact["program"], rutan, "Angkatan Rutan", dt.date(2021, 8, 1), dt.date(2021, 12, 1)
    )
    enrolment = _enrol(elsewhere, twin, episode, "completed")
    with pytest.raises(ForbiddenError) as refused, world_language("id"):
        services.person_merge(actor=world.users[Role.UNIT_OFFICER], keep=keep, drop=twin)
    assert "tidak berwenang mendaftarkan peserta" in str(refused.value.message)
    assert "Angkatan Rutan" not in str(refused.value.message)
    _untouched(keep, twin, [*clients["enrolments"], enrolment], marks=2)
    assert CustodyEpisode.objects.get(pk=episode.pk).person_id == twin.pk


def test_the_aftercare_merger_refuses_a_case_the_officer_does_not_guide(
    world: World, clients: dict[str, Any]
) -> None:
    keep, bapas = clients["keep"], clients["bapas"]
    twin = _person("Candra Hakim", keep.birth_date)
    episode = _episode(twin, clients["unit"], "GB-7", bapas)
    case = AftercareCase.objects.create(
        person=twin,
        episode=episode,
        bapas=bapas,
        release_kind="bebas",
        released_on=dt.date(2023, 3, 1),
        opened_on=dt.date(2023, 3, 1),
    )
    with pytest.raises(ForbiddenError):
        services.person_merge(actor=world.users[Role.UNIT_OFFICER], keep=keep, drop=twin)
    assert AftercareCase.objects.get(pk=case.pk).person_id == twin.pk
    assert Person.objects.get(pk=twin.pk).merged_into_id is None
    # The Kanwil officer guides the own Bapas's cases: the merge goes through, the case moves.
    services.person_merge(actor=world.users[Role.KANWIL_OFFICER], keep=keep, drop=twin)
    assert AftercareCase.objects.get(pk=case.pk).person_id == keep.pk


def test_the_system_still_merges_any_two_records(clients: dict[str, Any]) -> None:
    keep, drop = clients["keep"], clients["drop"]
    services.person_merge(actor=None, keep=keep, drop=drop)
    assert Person.objects.get(pk=drop.pk).merged_into_id == keep.pk


def test_the_duplicate_keys_are_those_of_the_duplicates_list() -> None:
    from sinergi.beneficiaries.domain import duplicate_key

    born = dt.date(1990, 1, 2)
    a = Person(full_name="Ahmad Fauzi", birth_date=born, domicile_district_id=DISTRICT, nik_hash="")
    assert (
        duplicate_key(a, Person(full_name="Ahmad Fauzy", birth_date=born, domicile_district_id=DISTRICT))
        == "name"
    )
    assert (
        duplicate_key(a, Person(full_name="Ahmad Fauzi", birth_date=born, domicile_district_id=None)) is None
    )
    assert duplicate_key(a, Person(full_name="Budi", birth_date=born, domicile_district_id=DISTRICT)) is None
    assert (
        duplicate_key(
            Person(full_name="Ahmad", birth_date=born, nik_hash="h1"),
            Person(full_name="Siti", birth_date=dt.date(2001, 1, 1), nik_hash="h1"),
        )
        == "nik"
    )


def world_language(code: str) -> Any:
    from django.utils import translation

    return translation.override(code)
