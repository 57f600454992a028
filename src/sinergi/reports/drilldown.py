"""The people behind the dashboard's independence-index and recidivism figures, and who may list them.

- Independence index: each aftercare case's latest score (`aftercare.selectors.latest_scores`) for the
  participants in scope, by band, read through the aftercare app's own scope (TJSL officers: consenting
  participants only). Only the roles that read scores in aggregate see it (`aftercare.access.
  INDEX_READERS`); the cases behind a band are listed for the roles that open the aftercare case list
  (`LIST_READERS`: administrators, Kanwil and Bapas officers), through `case_list`, so a listed case is
  always one the viewer may open and the count is the number shown.
- Recidivism: the participants and matched comparison people behind each count (`impact.selectors.
  recidivism_groups`, the same input and rules as the figures). Re-offences are offence data: only the
  corrections roles that read impact (administrators, Kanwil officers) list them, and a number links only
  when every person it counts is in the viewer's registry scope (`beneficiaries.selectors.person_list`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sinergi.accounts.choices import Role
from sinergi.aftercare import access as aftercare_access
from sinergi.aftercare import domain as aftercare_domain
from sinergi.aftercare.models import AftercareCase, IndexScore
from sinergi.aftercare.selectors import band_counts, case_list, latest_scores
from sinergi.beneficiaries.models import Person
from sinergi.beneficiaries.selectors import person_list
from sinergi.impact import domain as impact_domain
from sinergi.impact import selectors as impact_selectors
from sinergi.programs.choices import SessionStatus
from sinergi.programs.models import Session
from sinergi.reports import access, selectors

NOT_CONTACTED = "not_contacted"
BANDS = tuple(f"{low}-{high}" for low, high in aftercare_domain.SCORE_BANDS)
INDEPENDENCE_KEYS = (*BANDS, NOT_CONTACTED)
RECIDIVISM_LISTERS = (Role.ADMIN, Role.KANWIL_OFFICER)


# --- Independence index ---------------------------------------------------------------------------------


def may_read_index(actor: Any) -> bool:
    return actor is None or access.role_of(actor) in aftercare_access.INDEX_READERS


def may_list_index(actor: Any) -> bool:
    return actor is None or access.role_of(actor) in aftercare_access.LIST_READERS


def index_scores(scope: selectors.Scope, *, as_of: dt.date | None = None) -> QuerySet[IndexScore]:
    """The latest score of each case of the participants in scope that the viewer's aftercare scope reaches
    (monitors: every case, as aggregates); with `as_of`, the latest scored by that day. Bapas officers see
    no cohorts: theirs are the participants they guide (their aftercare scope), in the cohorts the filters
    select."""
    role = access.role_of(scope.actor)
    scores = latest_scores(actor=None if role == Role.MONITOR else scope.actor, as_of=as_of)
    if role == Role.BAPAS_OFFICER:
        cohorts = selectors.scope_of(None, scope.filters, today=scope.today).cohorts
        return scores.filter(case__enrollment__cohort__in=cohorts.values("pk"))
    return scores.filter(case__enrollment__in=scope.enrollments.values("pk"))


def _band_q(key: str) -> Q:
    if key == NOT_CONTACTED:
        return Q(score__isnull=True)
    for low, high in aftercare_domain.SCORE_BANDS:
        if key == f"{low}-{high}":
            return Q(score__gte=low, score__lte=high)
    return Q(pk__in=[])


def independence_rows(
    scope: selectors.Scope, *, as_of: dt.date | None = None
) -> list[tuple[str, str, int]] | None:
    """(key, label, cases) per band and not contacted, in one query; None for roles that read no scores.
    `as_of`: the latest score by that day (the joint report's whole-scope sections, `joint.wide_as_of`)."""
    if not may_read_index(scope.actor):
        return None
    counts = band_counts(index_scores(scope, as_of=as_of))
    return [(key, _("not contacted") if key == NOT_CONTACTED else key, n) for key, n in counts.items()]


def independence_cases(scope: selectors.Scope, key: str) -> QuerySet[AftercareCase]:
    """The cases behind one band of `independence_rows` (the viewer's `case_list`, newest first)."""
    if key not in INDEPENDENCE_KEYS:
        return AftercareCase.objects.none()
    scores = index_scores(scope).filter(_band_q(key))
    return case_list(actor=scope.actor).filter(pk__in=scores.values("case_id"))


# --- Sessions held ---------------------------------------------------------------------------------------


def sessions_held(scope: selectors.Scope, month: dt.date | None = None) -> QuerySet[Session]:
    """The sessions `selectors.delivery` counts as held (not cancelled, up to today, in the period), in one
    month when given: the list behind each month's number, by date."""
    sessions = Session.objects.filter(
        cohort__in=scope.cohorts.values("pk"), status=SessionStatus.SCHEDULED, date__lte=scope.today
    )
    if scope.filters.start:
        sessions = sessions.filter(date__gte=scope.filters.start)
    if scope.filters.end:
        sessions = sessions.filter(date__lte=scope.filters.end)
    if month is not None:
        sessions = sessions.filter(date__year=month.year, date__month=month.month)
    return sessions.select_related("cohort__program", "cohort__unit", "module").order_by(
        "date", "start_time", "pk"
    )


def may_list_sessions(actor: Any) -> bool:
    """The roles that see cohorts (monitors read every cohort, as aggregates only: not their sessions)."""
    return actor is None or (access.may_list_people(actor) and access.role_of(actor) != Role.MONITOR)


# --- Recidivism -----------------------------------------------------------------------------------------


def may_list_recidivism(actor: Any) -> bool:
    return actor is None or access.role_of(actor) in RECIDIVISM_LISTERS


def recidivism_groups(scope: selectors.Scope, *, months: int) -> impact_domain.RecidivismGroups | None:
    """The people behind the dashboard's recidivism figures (`selectors.recidivism`, the same arguments);
    None where that shows nothing. Read from the scope when `selectors.recidivism(with_groups=True)` has
    worked them out already for the same page."""
    if scope.actor is not None and access.role_of(scope.actor) not in access.FINANCE_ROLES:
        return None
    kept = scope.kept.get(("recidivism_groups", months))
    if kept is not None:
        return kept
    programs = selectors.recidivism_programs(scope)
    if not programs.exists():
        return None
    return impact_selectors.recidivism_groups(
        programs=programs, months=months, as_of=scope.today, start=scope.filters.start, end=scope.filters.end
    )


def recidivism_people(actor: Any, ids: frozenset[Any]) -> QuerySet[Person]:
    """The people of one group that the actor's registry scope reaches, by name."""
    return (
        person_list(actor=actor)
        .filter(pk__in=list(ids))
        .select_related("domicile_district")
        .order_by("full_name", "pk")
    )


def visible_groups(actor: Any, groups: impact_domain.RecidivismGroups) -> set[str]:
    """The groups whose every person the actor's registry scope reaches (one query): only those link."""
    everyone = set().union(*(groups.of(name) for name in impact_domain.RECIDIVISM_GROUP_NAMES))
    if not everyone:
        return set()
    people = person_list(actor=actor).prefetch_related(None).filter(pk__in=list(everyone))
    seen = set(people.values_list("pk", flat=True))
    return {name for name in impact_domain.RECIDIVISM_GROUP_NAMES if groups.of(name) <= seen}
