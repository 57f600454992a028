"""Reads over the registry. A person is visible through a custody episode at a unit in the actor's scope."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Organisation
from sinergi.accounts.selectors import actor_unit_ids
from sinergi.beneficiaries import domain
from sinergi.beneficiaries.access import REGISTRY
from sinergi.beneficiaries.choices import NOT_HELD
from sinergi.beneficiaries.models import (
    BirthKey,
    Consent,
    CustodyEpisode,
    ImportBatch,
    NikKey,
    Person,
    SentenceRuleset,
)
from sinergi.core.crypto import blind_index
from sinergi.core.errors import NotFoundError
from sinergi.core.sqlfunc import VendorFunc


def ruleset_list() -> list[domain.Ruleset]:
    """Every sentence ruleset, oldest first, in the pure form `domain.episode_dates` takes (one query)."""
    return [ruleset.as_domain() for ruleset in SentenceRuleset.objects.order_by("effective_from", "version")]


def may_see_sensitive(actor: Any) -> bool:
    """Whether the actor may see NIK, offence and sentence details: the registry's roles (access.REGISTRY)."""
    return getattr(actor, "role", None) in REGISTRY


class _AmongIds(VendorFunc):
    """`pk = ANY(ARRAY(subquery))` on PostgreSQL (`pk IN (subquery)` elsewhere): the subquery runs once, and
    the people are looked up by id. As `EXISTS` or `IN`, PostgreSQL would rather walk the name index and
    probe every person's episodes (a Bapas sees 1% of the registry: 100,000 probes for page 40), or join
    every person of the country to the scope's episodes; as an array it reads the scope's episodes from an
    index and fetches only their people (see docs/performance.md, "What the lists do now")."""

    output_field = BooleanField()

    def __init__(self, ids: QuerySet[Any]) -> None:
        super().__init__(F("pk"), Subquery(ids))

    def vendor_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column, column_params = compiler.compile(self.source_expressions[0])
        ids, ids_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "postgresql":
            return f"{column} = ANY(ARRAY{ids})", [*column_params, *ids_params]
        return f"{column} IN {ids}", [*column_params, *ids_params]


def _scope_person_ids(actor: Any, units: frozenset[int]) -> QuerySet[Any]:
    """The ids of the people with an episode at one of `units` (or, for a Bapas, guided by one of them);
    each part an index-only read (`episode_unit_status` covers the person, so does `episode_guidance`)."""
    at_units = CustodyEpisode.objects.filter(unit_id__in=units).order_by().values("person_id")
    if getattr(actor, "role", None) == Role.BAPAS_OFFICER:
        # A Bapas also guides the people whose episodes name it as the guiding Bapas (set at handover).
        guided = CustodyEpisode.objects.filter(guidance_unit_id__in=units).order_by().values("person_id")
        return at_units.union(guided, all=True)
    return at_units


def _scoped_people(actor: Any, *, few: bool = False) -> QuerySet[Person]:
    """The people (not merged away) in the actor's scope. `few`: the query picks a few people by an index of
    their own (a search, the duplicates' keys), so the scope is checked per person (EXISTS over the person's
    episodes, from the index episode_person) instead of reading the whole scope's ids first."""
    units = actor_unit_ids(actor)
    people = Person.objects.filter(merged_into__isnull=True)
    if units is None:
        return people
    if not units:
        return people.none()
    if not few:
        return people.filter(_AmongIds(_scope_person_ids(actor, units)))
    in_scope = Q(unit_id__in=units)
    if getattr(actor, "role", None) == Role.BAPAS_OFFICER:
        in_scope |= Q(guidance_unit_id__in=units)
    return people.filter(Exists(CustodyEpisode.objects.filter(in_scope, person=OuterRef("pk"))))


def people_in_scope(actor: Any, *, few: bool = False) -> QuerySet[Person]:
    """The people (not merged away) the actor may see: a person with an episode at one of the actor's
    units (or, for a Bapas, guided by it). The system and administrators see everyone. `few`: the caller
    picks a few people by id (`_scoped_people`)."""
    return _scoped_people(actor, few=few)


def _episodes_prefetch(actor: Any) -> Prefetch:
    units = actor_unit_ids(actor)
    episodes = CustodyEpisode.objects.select_related("unit", "guidance_unit").order_by("-start_date", "-pk")
    # A Bapas guides the people it can see (its clients and those handed over): it sees all their episodes.
    if units is not None and getattr(actor, "role", None) != Role.BAPAS_OFFICER:
        episodes = episodes.filter(unit_id__in=units)
    return Prefetch("episodes", queryset=episodes)


# A name holding a digit, as the partial index person_name_digits (migration beneficiaries.0017) holds it.
NAME_DIGIT = "[0123456789]"
_HAS_DIGIT = re.compile(NAME_DIGIT)


def _name_words(words: list[str]) -> Q:
    """People whose normalised name contains every word (a trigram index on PostgreSQL).

    A word with a digit (`NAS-0`, the start of a registration number, is the words "nas" and "0") adds the
    condition that the name holds a digit, which every such match meets anyway: the people it keeps are the
    same. Trigrams cannot find a word of one or two characters, so "nas 0" rechecked in the table every
    person whose name holds "nas" (10,000 of the national data's 300,000, 130 to 600 ms) to find nobody;
    with the condition PostgreSQL reads the few names with a digit from the partial index
    person_name_digits (none in the national data) and stops.
    """
    condition = Q(*(Q(name_key__contains=word) for word in words))
    if any(_HAS_DIGIT.search(word) for word in words):
        condition &= Q(name_key__regex=NAME_DIGIT)
    return condition


def _search_parts(q: str) -> list[Q]:
    """What a search matches, as conditions on the person, each answered by an index.

    A full NIK (16 digits once the spaces and dashes are gone) is matched only by its blind index: an exact,
    indexed comparison, never OR-ed into a text scan. Anything else matches every name word (in any order,
    as parts of the normalised name; a trigram index on PostgreSQL) or part of a registration number
    (case-insensitive; a trigram index on PostgreSQL): two parts, never OR-ed together in one scan.
    """
    digits = domain.normalize_nik(q)
    if len(digits) == 16 and digits.isdigit():
        return [Q(nik_hash=blind_index(digits))]
    by_registration = Q(
        Exists(
            CustodyEpisode.objects.filter(person=OuterRef("pk"), registration_number__icontains=q).order_by()
        )
    )
    words = domain.name_key(q).split()
    if not words:
        return [by_registration]
    return [_name_words(words), by_registration]


def _search_ids(q: str) -> QuerySet[Any]:
    """The ids of the people a search matches (`_search_parts`): a UNION of ids, so each part keeps its
    index."""
    digits = domain.normalize_nik(q)
    if len(digits) == 16 and digits.isdigit():
        return Person.objects.filter(nik_hash=blind_index(digits)).values("pk")
    by_registration = (
        CustodyEpisode.objects.filter(registration_number__icontains=q).order_by().values("person_id")
    )
    words = domain.name_key(q).split()
    if not words:
        return by_registration
    return Person.objects.order_by().filter(_name_words(words)).values("pk").union(by_registration)


def _filtered(people: QuerySet[Person], *, unit: int | None, status: str) -> QuerySet[Person]:
    if unit:
        people = people.filter(
            _AmongIds(CustodyEpisode.objects.filter(unit_id=unit).order_by().values("person_id"))
        )
    if status:
        people = people.filter(Exists(CustodyEpisode.objects.filter(person=OuterRef("pk"), status=status)))
    return people


def person_search(*, actor: Any, q: str = "", unit: int | None = None, status: str = "") -> QuerySet[Person]:
    """People in the actor's scope, searchable by name, registration number or full NIK, by name and id,
    without their related rows (page it with `person_page`, which reads only the page's rows; a list page
    counts and pages it with `PersonSearch`).

    No joins that multiply rows (so no DISTINCT over the whole registry): the search is a set of ids and the
    unit and status filters are sets of ids or EXISTS. The order (name, id) is an index (person_name_order
    for everyone, person_scope_name for the people of a scope), so a page of ids is read from an index.
    """
    q = q.strip()
    # A search picks its people by its own indexes (trigram, blind index): check the scope per person found
    # rather than reading the whole scope's ids first (which PostgreSQL then joins in full).
    people = _scoped_people(actor, few=bool(q))
    if q:
        people = people.filter(pk__in=_search_ids(q))
    return _filtered(people, unit=unit, status=status).order_by("full_name", "pk")


@dataclass(frozen=True)
class PersonSearch:
    """`person_search` as a list page counts and pages it: the same people in the same order.

    A text search is two parts (name words, registration number; `_search_parts`). As one set of ids (the
    UNION in `person_search`) PostgreSQL must gather every match before it can count or sort: a search that
    matches most of the registry (the start of a registration number, which every number shares) read,
    deduplicated and sorted all 300,000 ids, 4 to 5 s a request. Here, on PostgreSQL, each part is its own
    query over the people and the parts' rows are then united. For the capped count each part is cut at
    `cap + 1` (the count is the same up to `cap`). For a page the registration part is cut at the page's
    end in the order of the page, so PostgreSQL chooses whether to find its few matches by the trigram
    index and sort them, or to walk the name order and test each person's episodes until the page is full
    (25 probes for the start of a number). The name part is not cut: names are not spread evenly over the
    name order (the people called Budi sit together), so walking the order to the first 25 of them read
    42,000 people where the trigram index and a sort of its 6,500 matches takes a third of the time. The
    rows are the same: the first `stop` people of the union are among the first `stop` of each part.
    SQLite (and a search without text, or by NIK) reads `person_search` as it is.
    """

    actor: Any
    q: str = ""
    unit: int | None = None
    status: str = ""

    def people(self) -> QuerySet[Person]:
        return person_search(actor=self.actor, q=self.q, unit=self.unit, status=self.status)

    def _parts(self) -> list[QuerySet[Person]]:
        q = self.q.strip()
        if not q or connection.vendor != "postgresql":
            return []
        parts = _search_parts(q)
        if len(parts) < 2:
            return []
        people = _filtered(_scoped_people(self.actor, few=True), unit=self.unit, status=self.status)
        return [people.filter(part) for part in parts]

    def _united(self, parts: list[QuerySet[Any, Any]], after: str = "", *more: Any) -> QuerySet[Person]:
        """The people of the UNION of `parts` (each compiled by Django, values as parameters), `after` (an
        ORDER BY and LIMIT with parameters `more`) applied to the union."""
        compiled = [part.query.sql_with_params() for part in parts]
        params: list[Any] = [p for _, part_params in compiled for p in part_params]
        union = " UNION ".join(f"({part_sql})" for part_sql, _ in compiled)
        sql = f"SELECT s.id FROM ({union}) s{after}"  # noqa: S608 (the parts' SQL from Django, values as parameters)
        return Person.objects.filter(pk__in=RawSQL(sql, [*params, *more]))  # noqa: S611 (as above)

    def counted(self, cap: int) -> QuerySet[Any]:
        """What a capped count (`CappedPaginator`, at most `cap` rows) counts: the same number up to `cap`
        (the ids of the parts, each cut at `cap + 1`, united)."""
        parts = self._parts()
        if not parts:
            return self.people()
        first, *others = (part.order_by().values_list("id")[: cap + 1] for part in parts)
        # Ordered only so that the paginator does not warn: its count clears the order.
        return first.union(*others).order_by("id")

    def page(self, start: int, stop: int) -> QuerySet[Person]:
        """Rows `start` to `stop`, with district and episodes (as `person_page`)."""
        parts = self._parts()
        if not parts or stop <= start:
            return person_page(actor=self.actor, people=self.people(), start=start, stop=stop)
        *names, registration = parts
        ids = self._united(
            [
                *(part.order_by().values_list("id", "full_name") for part in names),
                registration.order_by("full_name", "pk").values_list("id", "full_name")[:stop],
            ],
            " ORDER BY s.full_name, s.id LIMIT %s OFFSET %s",
            stop - start,
            start,
        )
        return _person_rows(self.actor).filter(pk__in=ids.values("pk"))


def _person_rows(actor: Any) -> QuerySet[Person]:
    return (
        Person.objects.select_related("domicile_district", "domicile_district__regency")
        .prefetch_related(_episodes_prefetch(actor))
        .order_by("full_name", "pk")
    )


def person_page(*, actor: Any, people: QuerySet[Person], start: int, stop: int) -> QuerySet[Person]:
    """Rows `start` to `stop` of a `person_search`, with district and episodes, in one query (and the
    episodes' prefetch): the page's ids are chosen by the search alone, in its order (from an index), and
    only those rows are then read. Reading whole rows for the scope before sorting and cutting the page
    (what one query over the full rows did for an officer) fetched every person of the scope from the table
    and joined each with its district."""
    return _person_rows(actor).filter(pk__in=people.values("pk")[start:stop])


def person_list(*, actor: Any, q: str = "", unit: int | None = None, status: str = "") -> QuerySet[Person]:
    """`person_search` with each person's district and episodes (for exports and reports that read it all;
    a page reads `person_page`)."""
    return (
        person_search(actor=actor, q=q, unit=unit, status=status)
        .select_related("domicile_district", "domicile_district__regency")
        .prefetch_related(_episodes_prefetch(actor))
    )


def person_get(*, actor: Any, pk: int) -> Person:
    """One person in scope, with episodes, integration events and consents; NotFoundError otherwise."""
    person = (
        _scoped_people(actor)
        .select_related("domicile_district__regency__province", "domicile_village")
        .prefetch_related(_episodes_prefetch(actor), "episodes__integration_events", "consents")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise NotFoundError()
    return person


def person_timeline(*, person: Person) -> list[dict[str, Any]]:
    """Custody, integration, release and consent events in date order (programs join later)."""
    events: list[dict[str, Any]] = []
    for episode in person.episodes.all():
        if episode.start_date:
            events.append(
                {
                    "date": episode.start_date,
                    "kind": "custody",
                    "label": f"{episode.get_status_display()} · {episode.unit.name} "
                    f"({episode.registration_number})",
                }
            )
        for event in episode.integration_events.all():
            events.append({"date": event.date, "kind": "integration", "label": event.get_kind_display()})
        if episode.release_date:
            events.append({"date": episode.release_date, "kind": "release", "label": episode.unit.name})
    for consent in person.consents.all():
        events.append({"date": consent.given_on, "kind": "consent", "label": consent.get_purpose_display()})
        if consent.withdrawn_on:
            events.append(
                {
                    "date": consent.withdrawn_on,
                    "kind": "consent_withdrawn",
                    "label": consent.get_purpose_display(),
                }
            )
    return sorted(events, key=lambda e: e["date"], reverse=True)


def custody_start(*, person: Person) -> dt.date | None:
    """The day the person's custody first began (the earliest start of any of their episodes, whatever the
    unit: it is a rule input, never shown), or None when no episode has a start."""
    return CustodyEpisode.objects.filter(person=person).aggregate(first=Min("start_date"))["first"]


def person_history(*, actor: Any, person: Person, limit: int = 50) -> list[Any]:
    """The person's change history as the actor may see it.

    Administrators see everything. Others do not see events about custody episodes or units outside their
    scope at all, and see events recorded by users of other organisations (outside their units) without
    who recorded them or what changed: "another unit", the date and the kind of change only.
    """
    from django.utils.translation import gettext

    from sinergi.audit.selectors import audit_history

    events = audit_history(target_type="beneficiaries.person", target_id=str(person.pk), limit=limit)
    units = actor_unit_ids(actor)
    if units is None:
        return events
    own_org = getattr(actor, "organisation_id", None)
    visible_episodes = set(
        CustodyEpisode.objects.filter(person=person, unit_id__in=units).values_list("pk", flat=True)
    )
    if getattr(actor, "role", None) == Role.BAPAS_OFFICER:
        visible_episodes |= set(
            CustodyEpisode.objects.filter(person=person, guidance_unit_id__in=units).values_list(
                "pk", flat=True
            )
        )
    unit_names = set(
        CustodyEpisode.objects.filter(pk__in=visible_episodes).values_list("unit__name", flat=True)
    ) | set(Organisation.objects.filter(pk__in=units).values_list("name", flat=True))
    shown = []
    for event in events:
        changes = event.changes if isinstance(event.changes, dict) else {}
        episode = changes.get("episode")
        if isinstance(episode, int) and episode not in visible_episodes:
            continue
        unit = changes.get("unit")
        if isinstance(unit, str) and unit not in unit_names:
            continue
        author = event.actor
        outside = (
            author is not None
            and author.role != Role.ADMIN
            and author.organisation_id not in units
            and author.organisation_id != own_org
        )
        if outside:
            event.actor_label = gettext("another unit")
            event.changes = {}
        shown.append(event)
    return shown


def has_active_consent(*, person: Person, purpose: str) -> bool:
    """Whether the person has consent for `purpose` that has not been withdrawn."""
    return Consent.objects.filter(person=person, purpose=purpose, withdrawn_on__isnull=True).exists()


def with_active_consent(*, person_ids: Any, purpose: str) -> set[int]:
    """Which of the people (`person_ids`) have consent for `purpose` that has not been withdrawn (one query;
    the rule of `has_active_consent`)."""
    return set(
        Consent.objects.filter(
            person_id__in=list(person_ids), purpose=purpose, withdrawn_on__isnull=True
        ).values_list("person_id", flat=True)
    )


def _releases_due(*, actor: Any, months: int, today: dt.date | None) -> QuerySet[CustodyEpisode]:
    today = today or timezone.localdate()
    until = today + relativedelta(months=min(max(months, 1), 3))
    # The release date, or the expiry when no release date is set: COALESCE is the same condition, and the
    # partial index episode_due holds it for the episodes still held, with their unit and person. A person
    # merged away is excluded by an anti-join with the (few) merged people, not by reading every person.
    episodes = (
        CustodyEpisode.objects.exclude(status__in=NOT_HELD)
        .alias(due=Coalesce("release_date", "expiry_date"))
        .filter(due__range=(today, until))
        .exclude(Exists(Person.objects.filter(pk=OuterRef("person_id"), merged_into__isnull=False)))
    )
    units = actor_unit_ids(actor)
    return episodes if units is None else episodes.filter(unit_id__in=units)


RELEASES_ORDER = ("unit__name", "unit_id", "expiry_date", "pk")


def releases_due_search(
    *, actor: Any, months: int = 3, today: dt.date | None = None
) -> QuerySet[CustodyEpisode]:
    """Episodes at the actor's units whose release (or, failing that, expiry) falls in the next 1–3 months,
    by unit, then date, without their related rows: count and cut pages over it, then read a page's rows
    with `releases_due_page`. Its order and count come from the index episode_due alone."""
    return _releases_due(actor=actor, months=months, today=today).order_by(*RELEASES_ORDER)


def releases_due_page(
    *, episodes: QuerySet[CustodyEpisode], start: int, stop: int
) -> QuerySet[CustodyEpisode]:
    """Rows `start` to `stop` of a `releases_due_search`, with their unit and person (one query)."""
    return (
        CustodyEpisode.objects.select_related("unit", "person")
        .filter(pk__in=episodes.values("pk")[start:stop])
        .order_by(*RELEASES_ORDER)
    )


def releases_due_list(
    *, actor: Any, months: int = 3, today: dt.date | None = None
) -> QuerySet[CustodyEpisode]:
    """Episodes at the actor's units whose release (or, failing that, expiry) falls in the next 1–3 months,
    by unit, then date, with unit and person (for exports; a page reads `releases_due_page`)."""
    return releases_due_search(actor=actor, months=months, today=today).select_related("unit", "person")


def releases_due_per_unit(
    *, actor: Any, months: int = 3, today: dt.date | None = None, units: list[int] | None = None
) -> dict[int, int]:
    """How many releases are due at each of the actor's units, or at those of `units` the actor may see
    (one GROUP BY query, from the index)."""
    episodes = _releases_due(actor=actor, months=months, today=today)
    if units is not None:
        episodes = episodes.filter(unit_id__in=units)
    return dict(episodes.values_list("unit_id").annotate(n=Count("*")).order_by())


def upcoming_releases(
    *, actor: Any, months: int = 3, today: dt.date | None = None
) -> dict[Any, list[CustodyEpisode]]:
    """Episodes at the actor's units whose release (or, failing that, expiry) falls in the next 1–3 months."""
    grouped: dict[Any, list[CustodyEpisode]] = defaultdict(list)
    for episode in releases_due_list(actor=actor, months=months, today=today):
        grouped[episode.unit].append(episode)
    return dict(grouped)


def upcoming_release_count(*, actor: Any, months: int = 3) -> int:
    """How many releases are due in the next 1–3 months (one count query, for dashboards)."""
    return _releases_due(actor=actor, months=months, today=None).count()


@dataclass
class DuplicatePage:
    """One page of likely duplicates: the pairs found in one slice of the candidate groups."""

    pairs: list[tuple[Person, Person, str]]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _birth_pairs(keys: set[tuple[Any, Any]]) -> RawSQL:
    """The people whose (birth date, district) is one of `keys`: a row-value IN over a VALUES list (one
    index probe per pair on PostgreSQL; SQLite reads row values too), values as parameters."""
    pairs = sorted(keys)
    table = Person._meta.db_table
    column = connection.ops.quote_name
    sql = (
        f"({column(table)}.{column('birth_date')}, {column(table)}.{column('domicile_district_id')}) "
        f"IN (VALUES {', '.join(['(%s, %s)'] * len(pairs))})"
    )
    params = [v for date, district in pairs for v in (connection.ops.adapt_datefield_value(date), district)]
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 (names quoted, values as parameters)


def duplicate_page(*, actor: Any, page: int = 1, per_page: int = 50) -> DuplicatePage:
    """Likely duplicates in scope: the same NIK, or a similar name with the same birth date and district.

    The keys shared by more than one person (not merged away) are kept by database triggers (`NikKey`,
    `BirthKey`), so no request groups the registry: an administrator's groups are those keys, in key order;
    an officer's are the people of the scope holding one of those keys, grouped (a key shared in the country
    may have one person only in the scope). A page takes the next `per_page` NIK groups and
    `4 × per_page` birth groups, and only those small groups are compared in Python.
    """
    page = max(1, page)
    scoped = _scoped_people(actor, few=True)
    pairs: list[tuple[Person, Person, str]] = []
    nik_start = (page - 1) * per_page
    birth_start = (page - 1) * per_page * 4
    shared_niks = NikKey.objects.filter(people__gt=1)
    shared_births = BirthKey.objects.filter(people__gt=1)
    if actor_unit_ids(actor) is None:
        same_nik = list(
            shared_niks.order_by("nik_hash").values_list("nik_hash", flat=True)[
                nik_start : nik_start + per_page + 1
            ]
        )
        same_birth = [
            {"birth_date": row["birth_date"], "domicile_district": row["district"]}
            for row in shared_births.order_by("birth_date", "district").values("birth_date", "district")[
                birth_start : birth_start + per_page * 4 + 1
            ]
        ]
    else:
        same_nik = list(
            scoped.filter(nik_hash__in=shared_niks.values("nik_hash"))
            .values("nik_hash")
            .annotate(n=Count("*"))
            .filter(n__gt=1)
            .order_by("nik_hash")
            .values_list("nik_hash", flat=True)[nik_start : nik_start + per_page + 1]
        )
        same_birth = list(
            scoped.filter(
                Exists(
                    shared_births.filter(
                        birth_date=OuterRef("birth_date"), district=OuterRef("domicile_district_id")
                    )
                )
            )
            .values("birth_date", "domicile_district")
            .annotate(n=Count("*"))
            .filter(n__gt=1)
            .order_by("birth_date", "domicile_district")
            .values("birth_date", "domicile_district")[birth_start : birth_start + per_page * 4 + 1]
        )
    more = len(same_nik) > per_page or len(same_birth) > per_page * 4
    groups: dict[Any, list[Person]] = defaultdict(list)
    for person in (
        scoped.filter(nik_hash__in=same_nik[:per_page]).select_related("domicile_district").order_by("pk")
    ):
        groups[person.nik_hash].append(person)
    for members in groups.values():
        pairs += [(members[0], other, "nik") for other in members[1:]]
    # The page's groups' people: those whose (birth date, district) is one of the page's pairs, one probe of
    # the index person_duplicate_birth per pair. (A Q with one (date AND district) per group cost Django
    # more to build than the query took; "date IN (…) AND district IN (…)" made PostgreSQL 15 search the
    # index once per date and district combination, about 37,000 searches for 200 groups, 55 to 200 ms.)
    keys = {(row["birth_date"], row["domicile_district"]) for row in same_birth[: per_page * 4]}
    birth_groups: dict[Any, list[Person]] = defaultdict(list)
    candidates = scoped.filter(_birth_pairs(keys)) if keys else scoped.none()
    for person in candidates.select_related("domicile_district").order_by("pk"):
        if (person.birth_date, person.domicile_district_id) in keys:
            birth_groups[(person.birth_date, person.domicile_district_id)].append(person)
    seen = {(a.pk, b.pk) for a, b, _ in pairs}
    for members in birth_groups.values():
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                if (first.pk, second.pk) not in seen and domain.names_similar(
                    first.full_name, second.full_name
                ):
                    pairs.append((first, second, "name"))
                    seen.add((first.pk, second.pk))
    return DuplicatePage(pairs=pairs, number=page, has_next=more)


def duplicate_keys_differ() -> list[tuple[str, Any, int, int]]:
    """The kept duplicate keys (`NikKey`, `BirthKey`) that disagree with the people: (kind, key, kept,
    counted) for every key whose kept count is not the number of people (not merged away) holding it.
    Empty when the triggers kept them right (tests; after repairs by hand)."""
    live = Person.objects.filter(merged_into__isnull=True)
    counted: dict[tuple[str, Any], int] = {}
    for nik_hash, n in live.exclude(nik_hash="").values_list("nik_hash").annotate(n=Count("*")).order_by():
        counted["nik", nik_hash] = n
    births = live.exclude(domicile_district=None).values_list("birth_date", "domicile_district")
    for birth_date, district, n in births.annotate(n=Count("*")).order_by():
        counted["birth", (birth_date, district)] = n
    kept: dict[tuple[str, Any], int] = {}
    for nik_hash, n in NikKey.objects.exclude(people=0).values_list("nik_hash", "people"):
        kept["nik", nik_hash] = n
    for birth_date, district, n in BirthKey.objects.exclude(people=0).values_list(
        "birth_date", "district", "people"
    ):
        kept["birth", (birth_date, district)] = n
    return sorted(
        (
            (kind, key, kept.get((kind, key), 0), counted.get((kind, key), 0))
            for kind, key in kept.keys() | counted.keys()
            if kept.get((kind, key), 0) != counted.get((kind, key), 0)
        ),
        key=str,
    )


def duplicate_candidates(*, actor: Any, limit: int = 50) -> list[tuple[Person, Person, str]]:
    """The first page of likely duplicates (see `duplicate_page`), at most `limit` pairs."""
    return duplicate_page(actor=actor, per_page=limit).pairs[:limit]


def import_batch_get(*, actor: Any, pk: int) -> ImportBatch:
    """An import batch started by the actor (administrators see all); NotFoundError otherwise."""
    batches = ImportBatch.objects.select_related("check_job", "import_job", "created_by")
    if getattr(actor, "role", None) != Role.ADMIN:
        batches = batches.filter(created_by_id=actor.pk)
    batch = batches.filter(pk=pk).first()
    if batch is None:
        raise NotFoundError()
    return batch


def import_batch_list(*, actor: Any) -> QuerySet[ImportBatch]:
    """The actor's recent import batches."""
    batches = ImportBatch.objects.select_related("created_by").order_by("-created_at")
    if getattr(actor, "role", None) != Role.ADMIN:
        batches = batches.filter(created_by_id=actor.pk)
    return batches
