"""People reached by the agreement's ring areas: in each ring district, and outside the ring areas.

An agreement's ring areas are its focus districts (`partnerships.Agreement.focus_districts`); an agreement
that names none inherits its parent's, then its grandparent's (`partnerships.selectors.
agreement_effective_districts`: a PKS or addendum under an MoU). The model has one ring ("ring I" in the
programs' eligibility reasons), so there are no ring levels to break down by.

Each person reached (`selectors.reached`) falls in exactly one row, so the rows add up to the total:

- `<district code>`: an enrolment in scope under an agreement whose ring areas include the person's
  domicile district (`in_ring` adds these up);
- `outside`: none of that, the person's domicile is recorded, and one of their agreements names ring areas;
- `unknown`: the same, but no domicile district is recorded;
- `none`: every agreement of the person's enrolments in scope names no ring areas (nothing to be outside of).

The list behind a count is `ring_queryset`; the counts are one statement over the same people
(`_ring_groups`: each agreement's ring areas resolved once, then each person reached once, where the
querysets test ring areas with `EXISTS` per enrolment) and the ring districts' names a second query.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from sinergi.beneficiaries.models import Person
from sinergi.partnerships.models import Agreement
from sinergi.programs.models import Enrollment
from sinergi.regions.models import District
from sinergi.reports import selectors

IN_RING = "in_ring"
OUTSIDE = "outside"
UNKNOWN = "unknown"
NO_RING = "none"
KEYS = (IN_RING, OUTSIDE, UNKNOWN, NO_RING)

# The agreement of an enrolment's program, its parent and its grandparent (as `selectors.agreement_q`).
_CHAIN = (
    "cohort__program__agreement_id",
    "cohort__program__agreement__parent_id",
    "cohort__program__agreement__parent__parent_id",
)


def _through() -> Any:
    return Agreement.focus_districts.through


def _names_rings(path: str) -> Q:
    """The agreement at `path` names ring areas of its own."""
    return Q(Exists(_through().objects.filter(agreement_id=OuterRef(path))))


def _rings_include_domicile(path: str) -> Q:
    return Q(
        Exists(
            _through().objects.filter(
                agreement_id=OuterRef(path), district_id=OuterRef("person__domicile_district_id")
            )
        )
    )


def has_rings() -> Q:
    """The enrolment's agreement, or the nearest ancestor, names ring areas."""
    own, parent, grand = (_names_rings(path) for path in _CHAIN)
    return own | parent | grand


def in_ring() -> Q:
    """The person's domicile is in the ring areas that apply to the enrolment's agreement (its own, or
    else its parent's, or else its grandparent's)."""
    own, parent, grand = (_names_rings(path) for path in _CHAIN)
    own_in, parent_in, grand_in = (_rings_include_domicile(path) for path in _CHAIN)
    return own_in | (~own & parent_in) | (~own & ~parent & grand_in)


def _people(scope: selectors.Scope) -> QuerySet[Enrollment]:
    return scope.enrollments.filter(stage__in=selectors.PARTICIPANT_STAGES)


def _rest(scope: selectors.Scope) -> QuerySet[Enrollment]:
    """Enrolments in scope of the people reached who are in no ring area."""
    people = _people(scope)
    return people.exclude(person_id__in=people.filter(in_ring()).values("person_id"))


def ring_districts(scope: selectors.Scope) -> list[District]:
    """The ring districts that apply to the programs in scope (their agreements' own or inherited)."""
    programs = scope.programs.filter(agreement__isnull=False)
    own, parent, grand = (_names_rings(path.removeprefix("cohort__program__")) for path in _CHAIN)
    chain = programs.annotate(
        ring_agreement=_case_first(
            (own, "agreement_id"), (parent, "agreement__parent_id"), (grand, "agreement__parent__parent_id")
        )
    ).values("ring_agreement")
    codes = _through().objects.filter(agreement_id__in=chain).values("district_id")
    return list(District.objects.filter(code__in=codes).select_related("regency").order_by("name", "code"))


def _case_first(*pairs: tuple[Q, str]) -> Any:
    from django.db.models import Case, F, IntegerField, When

    return Case(*(When(condition, then=F(field)) for condition, field in pairs), output_field=IntegerField())


def district_label(district: District) -> str:
    return _("Kec. %(name)s, %(regency)s") % {"name": district.name, "regency": district.regency.name}


def reached_by_ring(scope: selectors.Scope) -> list[tuple[str, str, int]]:
    """(key, label, people) rows: in the ring areas (all), each ring district, outside, unknown, none.

    The ring districts are listed even with nobody (a ring district nobody came from says something);
    `unknown` and `none` only when someone is in them. Every row but `in_ring` is a part of the total.
    """
    inside: dict[str, int] = {}
    rest = {"total": 0, "with_rings": 0, "outside": 0}
    for in_ring_, has_rings_, district, n in _ring_groups(scope):
        if in_ring_:
            inside[district] = inside.get(district, 0) + n
            continue
        rest["total"] += n
        if has_rings_:
            rest["with_rings"] += n
            if district is not None:
                rest["outside"] += n
    districts = ring_districts(scope)
    known = {d.code for d in districts}
    # A domicile in the ring areas of an agreement that is not in scope any more cannot happen (the
    # districts come from the same programs), but keep any such row rather than lose people.
    rows = [(d.code, district_label(d), inside.get(d.code, 0)) for d in districts]
    rows += [(code, code, n) for code, n in inside.items() if code not in known]
    rows.sort(key=lambda row: (-row[2], row[1]))
    result = [(IN_RING, _("In the ring areas"), sum(inside.values())), *rows]
    result.append((OUTSIDE, _("Outside the ring areas"), rest["outside"]))
    unknown = rest["with_rings"] - rest["outside"]
    if unknown:
        result.append((UNKNOWN, _("Domicile not recorded"), unknown))
    none = rest["total"] - rest["with_rings"]
    if none:
        result.append((NO_RING, _("Agreement names no ring areas"), none))
    return result


def _ring_groups(scope: selectors.Scope) -> list[tuple[Any, ...]]:
    """(in the ring areas, under ring areas, domicile district, people) for the people reached in scope,
    in one statement.

    `ra`: the agreements of the programs in scope (a few hundred at most) and the agreement whose ring
    areas apply to each, its own, else its parent's, else its grandparent's (NULL: none names any), as
    `in_ring` and `has_rings` read them. `pr`: each person reached and the ring agreements of their
    enrolments in scope (distinct pairs). Each person is then one row: under ring areas if any enrolment
    is, in the ring areas if their domicile is among the districts of one of those agreements. The domicile
    is kept for the people in the ring areas and reduced to known or not for the others, so the result is a
    few rows per ring district. The same people as `ring_queryset` (tests/reports/test_reach_sql.py).
    """
    people = _people(scope).order_by()
    try:
        agreements, agreement_params = selectors.sql_of(
            scope.programs.order_by().values(ring_of=F("agreement_id")).distinct()
        )
        pairs, pair_params = selectors.sql_of(
            people.values(ring_person=F("person_id"), ring_agreement=F("cohort__program__agreement_id"))
        )
    except EmptyResultSet:  # a scope that can hold nothing
        return []
    quote = connection.ops.quote_name
    agreement, person = quote(Agreement._meta.db_table), quote(Person._meta.db_table)
    areas = quote(_through()._meta.db_table)

    named = f"(SELECT DISTINCT agreement_id FROM {areas})"  # noqa: S608
    sql = (
        # The first of the agreement, its parent and its grandparent that names ring areas.
        "WITH ra AS (SELECT a.id AS agreement_id, "  # noqa: S608
        "COALESCE(own.agreement_id, parent.agreement_id, grand.agreement_id) AS ring_id "
        f"FROM {agreement} a LEFT JOIN {agreement} g ON g.id = a.parent_id "
        f"LEFT JOIN {named} own ON own.agreement_id = a.id "
        f"LEFT JOIN {named} parent ON parent.agreement_id = a.parent_id "
        f"LEFT JOIN {named} grand ON grand.agreement_id = g.parent_id "
        f"WHERE a.id IN ({agreements})), "
        "pr AS (SELECT e.ring_person AS person_id, ra.ring_id "
        f"FROM ({pairs}) e JOIN ra ON ra.agreement_id = e.ring_agreement "
        "GROUP BY e.ring_person, ra.ring_id), "
        "pf AS (SELECT pr.person_id, p.domicile_district_id AS district, "
        "MAX(CASE WHEN pr.ring_id IS NULL THEN 0 ELSE 1 END) AS has_rings, "
        "MAX(CASE WHEN f.district_id IS NULL THEN 0 ELSE 1 END) AS in_ring "
        f"FROM pr JOIN {person} p ON p.id = pr.person_id LEFT JOIN {areas} f "
        "ON f.agreement_id = pr.ring_id AND f.district_id = p.domicile_district_id "
        "GROUP BY pr.person_id, p.domicile_district_id) "
        "SELECT in_ring, has_rings, CASE WHEN in_ring = 1 OR district IS NULL THEN district ELSE '' END, "
        "COUNT(*) FROM pf GROUP BY in_ring, has_rings, "
        "CASE WHEN in_ring = 1 OR district IS NULL THEN district ELSE '' END"
    )
    return selectors.fetch_all(sql, [*agreement_params, *pair_params])


def ring_queryset(scope: selectors.Scope, key: str) -> QuerySet[Enrollment]:
    """The enrolments behind one row of `reached_by_ring` (the row counts their people)."""
    if key == IN_RING:
        return _people(scope).filter(in_ring())
    if key == OUTSIDE:
        return _rest(scope).filter(has_rings(), person__domicile_district_id__isnull=False)
    if key == UNKNOWN:
        return _rest(scope).filter(has_rings(), person__domicile_district_id__isnull=True)
    if key == NO_RING:
        rest = _rest(scope)
        return rest.exclude(person_id__in=rest.filter(has_rings()).values("person_id"))
    if key:
        return _people(scope).filter(in_ring(), person__domicile_district_id=key)
    return _people(scope).none()


def parts(rows: list[tuple[str, str, int]]) -> list[str]:
    """The keys of the rows that add up to the total (all but the `in_ring` subtotal)."""
    return [key for key, _label, _n in rows if key != IN_RING]


def ring_parts(rows: list[tuple[str, str, int]]) -> list[str]:
    """The keys of the ring districts (they add up to `in_ring`)."""
    return [key for key, _label, _n in rows if key not in KEYS]
