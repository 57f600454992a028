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

A count and the list behind it come from the same queryset (`ring_queryset`); the rows are one aggregate
query and the ring districts' names a second.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

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
    people = _people(scope)
    inside = dict(
        people.filter(in_ring())
        .values_list("person__domicile_district_id")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    rest = _rest(scope).aggregate(
        total=Count("person", distinct=True),
        with_rings=Count("person", distinct=True, filter=has_rings()),
        outside=Count(
            "person", distinct=True, filter=has_rings() & Q(person__domicile_district_id__isnull=False)
        ),
    )
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
