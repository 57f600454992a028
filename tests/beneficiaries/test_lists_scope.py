"""The registry's lists as rewritten for national scale give the same rows as the plain definitions.

The registry page, the releases due and the duplicates read the scope as an id array, cut pages on ids and
read kept duplicate keys (`NikKey`, `BirthKey`, kept by database triggers). These tests compare each with
its definition written the simple way (EXISTS over the episodes, grouping every person), for every
registry role, and pin the query counts of the Kanwil and Bapas officers' pages (the shared matrix in
tests/test_query_counts.py covers the unit officer and the administrator).
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import defaultdict
from typing import Any

import pytest
from django.db.models import Exists, OuterRef, Q
from django.test import Client
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.accounts.selectors import actor_unit_ids
from sinergi.accounts.services import token_create
from sinergi.beneficiaries import domain, selectors
from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.beneficiaries.services import person_merge, person_update
from tests.beneficiaries.conftest import register
from tests.test_query_counts import Case, Context, _count, _static

REGISTRY_ROLES = (Role.ADMIN, Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)


def _reference_scope(actor: Any) -> Any:
    """The scope rule as it reads: a person not merged away with an episode at (or, for a Bapas, guided by)
    one of the actor's units."""
    units = actor_unit_ids(actor)
    people = Person.objects.filter(merged_into__isnull=True)
    if units is None:
        return people
    rule = Q(unit_id__in=units)
    if actor.role == Role.BAPAS_OFFICER:
        rule |= Q(guidance_unit_id__in=units)
    return people.filter(Exists(CustodyEpisode.objects.filter(rule, person=OuterRef("pk"))))


def _reference_pairs(actor: Any) -> set[tuple[int, int, str]]:
    """Every duplicate pair in scope by its definition: the same NIK, or a similar name with the same birth
    date and district, among the people in scope."""
    people = list(_reference_scope(actor).order_by("pk"))
    by_nik: dict[str, list[Person]] = defaultdict(list)
    by_birth: dict[Any, list[Person]] = defaultdict(list)
    for person in people:
        if person.nik_hash:
            by_nik[person.nik_hash].append(person)
        if person.domicile_district_id:
            by_birth[(person.birth_date, person.domicile_district_id)].append(person)
    pairs = {(m[0].pk, other.pk, "nik") for m in by_nik.values() for other in m[1:]}
    seen = {(a, b) for a, b, _ in pairs}
    for members in by_birth.values():
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                if (first.pk, second.pk) not in seen and domain.names_similar(
                    first.full_name, second.full_name
                ):
                    pairs.add((first.pk, second.pk, "name"))
    return pairs


def _all_pages(actor: Any, per_page: int) -> set[tuple[int, int, str]]:
    found: set[tuple[int, int, str]] = set()
    number = 1
    while True:
        page = selectors.duplicate_page(actor=actor, page=number, per_page=per_page)
        found |= {(a.pk, b.pk, reason) for a, b, reason in page.pairs}
        if not page.has_next:
            return found
        number += 1


@pytest.fixture
def registry(world: Any) -> dict[str, Any]:
    """People at the own and other units, some guided by the own Bapas, some sharing a NIK or a birth date
    and district (within a unit, across units, across regions), one merged away, one without district."""
    own = world.organisation(Role.UNIT_OFFICER, "own")
    other = world.organisation(Role.UNIT_OFFICER, "other")
    bapas = world.organisation(Role.BAPAS_OFFICER, "own")
    born = dt.date(1988, 3, 9)
    made = {
        "a": register(None, own, "Budi Santoso", "L-1", nik="1671140903880001", birth_date=born),
        "b": register(None, own, "Budi Santosa", "L-2", birth_date=born),
        "c": register(None, other, "Budi Santoso", "L-3", birth_date=born),
        "d": register(None, own, "Siti Aminah", "L-4"),
        "e": register(None, other, "Siti Aminah", "L-5"),
        "f": register(None, own, "Andi Wijaya", "L-6", nik="1671140903880002"),
        "g": register(None, own, "Andi Wijaya", "L-7"),
        "h": register(None, own, "Tanpa Kecamatan", "L-8", domicile_district=None),
        "i": register(None, other, "Joko Susilo", "L-9"),
    }
    # The same NIK as someone else (the services refuse it within a scope; an import or a transfer brings it).
    for copy, of in (("c", "a"), ("g", "f")):
        Person.objects.filter(pk=made[copy].pk).update(
            nik_hash=made[of].nik_hash, nik_last4=made[of].nik_last4
        )
        made[copy].refresh_from_db()
    for key in ("c", "e", "i"):
        CustodyEpisode.objects.filter(person=made[key]).update(guidance_unit=bapas)
    person_merge(actor=None, keep=made["f"], drop=made["g"])
    today = timezone.localdate()
    CustodyEpisode.objects.filter(person=made["d"]).update(release_date=today + dt.timedelta(days=20))
    CustodyEpisode.objects.filter(person=made["e"]).update(
        release_date=None, expiry_date=today + dt.timedelta(days=40)
    )
    return made


@pytest.mark.parametrize("role", REGISTRY_ROLES)
def test_the_registry_search_and_pages_are_the_scope_rule(role: str, world: Any, registry: Any) -> None:
    actor = world.users[role]
    reference = _reference_scope(actor).order_by("full_name", "pk")
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    for q, unit_id in (("", None), ("budi", None), ("L-", None), ("", unit.pk), ("siti", unit.pk)):
        expected = list(
            reference.filter(pk__in=selectors.person_list(actor=None, q=q, unit=unit_id).values("pk"))
        )
        found = selectors.person_search(actor=actor, q=q, unit=unit_id)
        assert [p.pk for p in found] == [p.pk for p in expected], (role, q, unit_id)
        pages = [
            [p.pk for p in selectors.person_page(actor=actor, people=found, start=start, stop=start + 2)]
            for start in range(0, len(expected), 2)
        ]
        assert [pk for page in pages for pk in page] == [p.pk for p in expected]


@pytest.mark.parametrize("role", REGISTRY_ROLES)
def test_a_list_page_counts_and_pages_a_search_as_the_search_reads(
    role: str, world: Any, registry: Any
) -> None:
    """`PersonSearch` (what the registry page and the API page with; part by part on PostgreSQL) gives the
    rows of `person_search` in its order, and the same capped counts: the start of a registration number
    in any case and with spaces around it, a whole number, name words, a word found both in names and in
    numbers, and with the unit and status filters."""
    actor = world.users[role]
    unit = world.organisation(Role.UNIT_OFFICER, "own")
    searches = [
        ("L-", None, ""),
        ("l-", None, ""),
        ("  L-  ", None, ""),
        ("L-1", None, ""),
        (" l-1", None, ""),
        ("l", None, ""),
        ("o", None, ""),
        ("budi", None, ""),
        ("Budi Santoso", None, ""),
        ("siti l-4", None, ""),
        ("L-", unit.pk, ""),
        ("l", None, "narapidana"),
        ("1671140903880001", None, ""),
        ("", None, ""),
    ]
    for q, unit_id, status in searches:
        expected = [p.pk for p in selectors.person_search(actor=actor, q=q, unit=unit_id, status=status)]
        search = selectors.PersonSearch(actor=actor, q=q, unit=unit_id, status=status)
        assert [p.pk for p in search.people()] == expected
        for cap in (1, 2, 3, 100):
            counted = search.counted(cap).order_by()[: cap + 1].count()
            assert counted == min(len(expected), cap + 1), (role, q, cap)
        for size in (1, 2, 3, 25):
            pages = [
                [p.pk for p in search.page(start, start + size)]
                for start in range(0, len(expected) + 1, size)
            ]
            assert [pk for page in pages for pk in page] == expected, (role, q, size)
    # What the searches find, so that the comparisons above are not between empty lists.
    admin = selectors.PersonSearch(actor=world.users[Role.ADMIN], q=" l-")
    assert len(admin.people()) == 8  # every registration number (g is merged away)
    assert [p.full_name for p in admin.page(0, 3)] == ["Andi Wijaya", "Budi Santosa", "Budi Santoso"]
    # The page and the API use it (and the paginator has nothing to warn about).
    client = Client()
    client.force_login(actor)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        page = client.get("/wbp/", {"q": " l-", "page": "2"})
        api = client.get(
            "/api/v1/persons",
            {"q": " l-", "offset": "1", "limit": "2"},
            headers={"Authorization": f"Bearer {token_create(actor=None, user=actor)}"},
        )
    assert page.status_code == 200 and api.status_code == 200
    expected = [p.pk for p in selectors.person_search(actor=actor, q="l-")]
    assert [row["id"] for row in api.json()] == expected[1:3]


@pytest.mark.parametrize("role", REGISTRY_ROLES)
def test_a_search_with_a_digit_still_finds_the_names_that_hold_it(
    role: str, world: Any, registry: Any
) -> None:
    """A search whose text has a digit is also a search by name words: the condition that the name holds a
    digit (`selectors._name_words`, the partial index person_name_digits) keeps every name that matches,
    on SQLite and on PostgreSQL."""
    actor = world.users[role]
    own = world.organisation(Role.UNIT_OFFICER, "own")
    other = world.organisation(Role.UNIT_OFFICER, "other")
    named = [
        register(None, own, "Hamengku 2 Lestari", "X-50"),
        register(None, other, "Lestari 10 Hamengku", "X-51"),
        register(None, own, "Rahmat Hidayat", "X-52"),
    ]
    scope = set(_reference_scope(actor).values_list("pk", flat=True))
    people = Person.objects.filter(pk__in=scope).order_by("full_name", "pk")
    for q in ("2", "L-1", "l 1", "lestari 2", "hamengku 10", "X-5", "x-52", "5", "Rahmat 2", "hidayat"):
        words = domain.name_key(q).split()
        by_name = {p.pk for p in people if all(word in p.name_key for word in words)}
        by_number = set(
            CustodyEpisode.objects.filter(
                person__in=scope, registration_number__icontains=q.strip()
            ).values_list("person_id", flat=True)
        )
        expected = [p.pk for p in people if p.pk in by_name | by_number]
        assert [p.pk for p in selectors.person_search(actor=actor, q=q)] == expected, (role, q)
        search = selectors.PersonSearch(actor=actor, q=q)
        assert [p.pk for p in search.page(0, 25)] == expected, (role, q)
        assert search.counted(100).count() == len(expected), (role, q)
    found = [p.pk for p in selectors.person_search(actor=world.users[Role.ADMIN], q="lestari 2")]
    assert found == [named[0].pk]


def test_the_name_digit_index_holds_the_searchs_condition(db: Any) -> None:
    """On PostgreSQL the partial index of migration beneficiaries.0016 has the condition the search adds."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the index exists on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'person_name_digits'")
        (definition,) = cursor.fetchone()
    assert f"~ '{selectors.NAME_DIGIT}'" in definition


@pytest.mark.parametrize("role", REGISTRY_ROLES)
def test_releases_due_are_the_release_or_else_expiry_in_scope(role: str, world: Any, registry: Any) -> None:
    actor = world.users[role]
    today = timezone.localdate()
    until = today + dt.timedelta(days=92)
    reference = CustodyEpisode.objects.exclude(status__in=("bebas", "pindah")).filter(
        Q(release_date__range=(today, until))
        | Q(release_date__isnull=True, expiry_date__range=(today, until)),
        person__merged_into__isnull=True,
    )
    units = actor_unit_ids(actor)
    if units is not None:
        reference = reference.filter(unit_id__in=units)
    found = selectors.releases_due_search(actor=actor, months=3, today=today)
    assert sorted(found.values_list("pk", flat=True)) == sorted(reference.values_list("pk", flat=True))
    rows = selectors.releases_due_page(episodes=found, start=0, stop=50)
    assert [e.pk for e in rows] == list(found.values_list("pk", flat=True))


@pytest.mark.parametrize("role", REGISTRY_ROLES)
def test_duplicates_are_every_pair_in_scope_page_after_page(role: str, world: Any, registry: Any) -> None:
    actor = world.users[role]
    assert _all_pages(actor, per_page=1) == _reference_pairs(actor)
    assert _all_pages(actor, per_page=50) == _reference_pairs(actor)


def test_the_kept_duplicate_keys_follow_every_kind_of_write(world: Any, registry: Any) -> None:
    assert selectors.duplicate_keys_differ() == []
    a, b = registry["a"], registry["b"]
    person_update(
        actor=None,
        person=a,
        data={"full_name": "Budi S.", "birth_date": dt.date(1970, 1, 2)},
        version=a.version,
    )
    assert selectors.duplicate_keys_differ() == []
    Person.objects.filter(pk=b.pk).update(nik_hash="", birth_date=dt.date(1970, 1, 2))  # past save()
    assert selectors.duplicate_keys_differ() == []
    Person.objects.filter(pk__in=[a.pk, b.pk]).update(domicile_district=None)
    assert selectors.duplicate_keys_differ() == []
    Person.objects.bulk_create(
        [
            Person(
                full_name=f"Massal {i}",
                name_key=f"massal {i}",
                sex="L",
                birth_date=dt.date(1999, 1, 1),
                domicile_district_id="16.71.14",
                nik_hash=f"h{i % 2}",
            )
            for i in range(5)
        ]
    )
    assert selectors.duplicate_keys_differ() == []
    person_merge(actor=None, keep=registry["d"], drop=registry["e"])
    assert selectors.duplicate_keys_differ() == []
    Person.objects.filter(full_name__startswith="Massal").delete()
    assert selectors.duplicate_keys_differ() == []
    Person.objects.filter(pk=registry["g"].pk).update(merged_into=None)  # a merge undone by hand
    assert selectors.duplicate_keys_differ() == []


def _guided(world: Any, i: int, prefix: str) -> Any:
    person = register(
        None, world.organisation(Role.UNIT_OFFICER, "own"), f"{prefix} QC {i:02d}", f"QC-{prefix}-{i}"
    )
    CustodyEpisode.objects.filter(person=person).update(
        guidance_unit=world.organisation(Role.BAPAS_OFFICER, "own")
    )
    return person


def _add_guided(world: Any, ctx: Context, i: int) -> str:
    return str(_guided(world, i, "Dibimbing").full_name)


def _add_guided_release(world: Any, ctx: Context, i: int) -> str:
    person = _guided(world, i, "Bebas")
    CustodyEpisode.objects.filter(person=person).update(
        release_date=timezone.localdate() + dt.timedelta(days=10 + i)
    )
    return str(person.full_name)


def _add_guided_pair(world: Any, ctx: Context, i: int) -> str:
    born = dt.date(1980, 1, 1) + dt.timedelta(days=i)
    first = _guided(world, i, "Kembar")
    Person.objects.filter(pk=first.pk).update(birth_date=born)
    second = _guided(world, i + 100, "Kembar")
    Person.objects.filter(pk=second.pk).update(birth_date=born, full_name=first.full_name)
    return str(first.full_name)


def _add_person(world: Any, ctx: Context, i: int) -> str:
    from tests.test_query_counts import add_person

    return add_person(world, ctx, i)


def _add_release(world: Any, ctx: Context, i: int) -> str:
    from tests.test_query_counts import add_release_due

    return add_release_due(world, ctx, i)


def _add_pair(world: Any, ctx: Context, i: int) -> str:
    from tests.test_query_counts import add_duplicate_pair

    return add_duplicate_pair(world, ctx, i)


CASES = [
    Case("registry as Kanwil", Role.KANWIL_OFFICER, _static("/wbp/"), _add_person, 10),
    Case("registry as Bapas", Role.BAPAS_OFFICER, _static("/wbp/"), _add_guided, 9),
    Case("releases due as Kanwil", Role.KANWIL_OFFICER, _static("/wbp/bebas-segera/"), _add_release, 9),
    Case("releases due as admin", Role.ADMIN, _static("/wbp/bebas-segera/"), _add_release, 7),
    Case("duplicates as Kanwil", Role.KANWIL_OFFICER, _static("/wbp/duplikat/"), _add_pair, 9),
    Case("duplicates as Bapas", Role.BAPAS_OFFICER, _static("/wbp/duplikat/"), _add_guided_pair, 8),
    Case("duplicates as admin", Role.ADMIN, _static("/wbp/duplikat/"), _add_pair, 7),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_officers_lists_run_the_same_number_of_queries_for_1_and_20_rows(case: Case, world: Any) -> None:
    ctx: Context = {}
    client = Client()
    client.force_login(world.users[case.role])
    first = case.add(world, ctx, 0)
    url = case.url(world, ctx)
    client.get(url)
    one, page = _count(client, url, {})
    assert first in page
    labels = [case.add(world, ctx, i) for i in range(1, 20)]
    twenty, page = _count(client, url, {})
    assert all(label in page for label in labels[:10])
    assert (one, twenty) == (case.queries, case.queries), (
        f"{case.id}: {one} queries with 1 row, {twenty} with 20"
    )
