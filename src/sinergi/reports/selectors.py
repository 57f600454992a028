"""The figures behind the dashboards and the joint report, read through the other apps' scoped selectors.

Every figure starts from `scope_of(actor, filters)`: the cohorts the actor may see (`programs.selectors.
cohort_scope`; monitors read every cohort, as aggregates only), narrowed by the filters. A count and the
list it links to are built from the same queryset (`metric_queryset`), so the two always agree. The
number of queries does not grow with the data: each figure is one aggregate query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Organisation
from sinergi.accounts.selectors import actor_unit_ids
from sinergi.aftercare.choices import WorkStatus
from sinergi.aftercare.models import AftercareCase, FollowUp
from sinergi.aftercare.selectors import band_counts, latest_scores, partner_consent
from sinergi.beneficiaries.choices import Sex
from sinergi.beneficiaries.models import Person
from sinergi.impact import access as impact_access
from sinergi.impact import domain as impact_domain
from sinergi.impact import selectors as impact_selectors
from sinergi.impact.choices import LiveIndicator
from sinergi.impact.models import ValueMapSnapshot
from sinergi.partnerships.selectors import agreement_status_counts, expiring_agreements_counted
from sinergi.programs import domain as programs_domain
from sinergi.programs.choices import SessionStatus, Stage, WithdrawalReason
from sinergi.programs.models import (
    Certificate,
    Cohort,
    CohortTally,
    Enrollment,
    Program,
    ScreeningResult,
    SessionTally,
)
from sinergi.programs.selectors import SCREENERS, cohort_scope, program_list
from sinergi.regions.models import District
from sinergi.reports import access
from sinergi.reports import recidivism as recidivism_masking

PARTICIPANT_STAGES = (Stage.ENROLLED, Stage.ACTIVE, Stage.COMPLETED, Stage.WITHDRAWN)
OPEN_STAGES = (Stage.ENROLLED, Stage.ACTIVE)
RELEASE_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Filters:
    """What the viewer narrowed the figures to. Empty means everything in scope."""

    start: dt.date | None = None
    end: dt.date | None = None
    agreement: int | None = None
    program: int | None = None
    unit: int | None = None

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for links to lists and exports)."""
        values = {
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "agreement": str(self.agreement or ""),
            "program": str(self.program or ""),
            "unit": str(self.unit or ""),
        }
        return {k: v for k, v in values.items() if v}

    @property
    def is_set(self) -> bool:
        """Whether anything is narrowed (aggregate-only roles read fewer figures then: `access.
        withheld_under_filters`)."""
        return any((self.start, self.end, self.agreement, self.program, self.unit))

    @property
    def only_program(self) -> int | None:
        """The program, when it is the one filter set; None otherwise."""
        if self.program and not any((self.start, self.end, self.agreement, self.unit)):
            return self.program
        return None


@dataclass
class Scope:
    actor: Any
    filters: Filters
    cohorts: QuerySet[Cohort]
    today: dt.date = field(default_factory=timezone.localdate)
    # Set (the joint report's whole-scope sections for aggregate-only roles, `joint.wide_as_of`): every figure
    # counts only what was recorded by that day (`enrolled_by`, `completed_by`, `open_on`, the consents of
    # `partner_consent(as_of=...)` and the dated metrics below), so two reports as of the same day, made on
    # different days, count the same. None (the dashboards): the records as they stand today.
    recorded_by: dt.date | None = None
    # What one request worked out for a later part of the same page (`recidivism`'s groups).
    kept: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def enrollments(self) -> QuerySet[Enrollment]:
        enrollments = Enrollment.objects.filter(cohort__in=self.cohorts.values("pk"))
        if self.recorded_by is not None:
            enrollments = enrollments.filter(enrolled_by(self.recorded_by))
        return enrollments

    @property
    def programs(self) -> QuerySet[Program]:
        return Program.objects.filter(pk__in=self.cohorts.values("program_id"))

    @property
    def as_of(self) -> dt.date:
        return self.filters.end or self.today


def agreement_q(agreement_id: int, path: str) -> Q:
    """Programs (through `path` to their agreement) under an agreement, its PKS and their addenda."""
    return (
        Q(**{f"{path}_id": agreement_id})
        | Q(**{f"{path}__parent_id": agreement_id})
        | Q(**{f"{path}__parent__parent_id": agreement_id})
    )


def visible_cohorts(actor: Any) -> QuerySet[Cohort]:
    """Cohorts whose figures the actor reads: monitors every cohort (aggregates only), others their scope."""
    if actor is None or access.role_of(actor) == Role.MONITOR:
        return Cohort.objects.all()
    return cohort_scope(actor=actor)


def visible_programs(actor: Any) -> QuerySet[Program]:
    if actor is None or access.role_of(actor) == Role.MONITOR:
        return Program.objects.select_related("agreement").order_by("-start_date", "name")
    return program_list(actor=actor)


def scope_of(
    actor: Any, filters: Filters, *, today: dt.date | None = None, recorded_by: dt.date | None = None
) -> Scope:
    cohorts = Cohort.objects.filter(pk__in=visible_cohorts(actor).values("pk"))
    if filters.program:
        cohorts = cohorts.filter(program_id=filters.program)
    if filters.agreement:
        cohorts = cohorts.filter(agreement_q(filters.agreement, "program__agreement"))
    if filters.unit:
        cohorts = cohorts.filter(unit_id=filters.unit)
    if filters.start:
        cohorts = cohorts.filter(end_date__gte=filters.start)
    if filters.end:
        cohorts = cohorts.filter(start_date__lte=filters.end)
    return Scope(
        actor=actor,
        filters=filters,
        cohorts=cohorts,
        today=today or timezone.localdate(),
        recorded_by=recorded_by,
    )


# --- As recorded by a day (`Scope.recorded_by`), as `outcome_counts_as_of` counts -------------------------


def enrolled_by(on: dt.date) -> Q:
    """Enrolments made by `on`: by their enrolment date, else (none recorded) their cohort's start."""
    return Q(enrolled_on__lte=on) | Q(enrolled_on__isnull=True, cohort__start_date__lte=on)


def completed_by(on: dt.date) -> Q:
    """Completed by `on`: by the completion date, else (none recorded) the cohort's end."""
    return Q(stage=Stage.COMPLETED) & (
        Q(completed_on__lte=on) | Q(completed_on__isnull=True, cohort__end_date__lte=on)
    )


def open_on(on: dt.date) -> Q:
    """Enrolled and neither completed nor withdrawn on `on` (a withdrawal without a date counts as done)."""
    return (
        Q(stage__in=OPEN_STAGES)
        | (
            Q(stage=Stage.COMPLETED)
            & (Q(completed_on__gt=on) | Q(completed_on__isnull=True, cohort__end_date__gt=on))
        )
        | Q(stage=Stage.WITHDRAWN, withdrawn_on__gt=on)
    )


# --- Metrics: one queryset per number, shared by the count and the list ---------------------------------


def _released(on: dt.date | None = None) -> Q:
    """Released: withdrawn for release, or with an aftercare case; by `on` when given (the withdrawal's
    date, a withdrawal without a date counting; the case's release date)."""
    withdrawn = Q(withdrawal_reason=WithdrawalReason.RELEASED)
    cases = AftercareCase.objects.filter(enrollment=OuterRef("pk"))
    if on is not None:
        withdrawn &= Q(withdrawn_on__lte=on) | Q(withdrawn_on__isnull=True)
        cases = cases.filter(released_on__lte=on)
    return withdrawn | Q(Exists(cases))


def _releases_soon(scope: Scope) -> Q:
    until = scope.today + dt.timedelta(days=RELEASE_WINDOW_DAYS)
    still = Q(stage__in=OPEN_STAGES) if scope.recorded_by is None else open_on(scope.recorded_by)
    return still & (
        Q(episode__release_date__range=(scope.today, until))
        | Q(episode__release_date__isnull=True, episode__expiry_date__range=(scope.today, until))
    )


def _follow_ups(on: dt.date | None) -> QuerySet[FollowUp]:
    """Contacted follow-ups of the enrolment (done by `on` when given)."""
    follow_ups = FollowUp.objects.filter(case__enrollment=OuterRef("pk"), contacted=True)
    return follow_ups if on is None else follow_ups.filter(done_on__lte=on)


def _followed_up(on: dt.date | None = None) -> Q:
    return Q(Exists(_follow_ups(on)))


def _in_work(on: dt.date | None = None) -> Q:
    return Q(Exists(_follow_ups(on).filter(work_status__in=(WorkStatus.EMPLOYED, WorkStatus.SELF_EMPLOYED))))


def _certified(scope: Scope) -> Q:
    if scope.recorded_by is None:
        return Q(stage=Stage.COMPLETED) & Q(Exists(_certificates()))
    return completed_by(scope.recorded_by) & Q(Exists(_certificates(scope.recorded_by)))


ENROLLMENT_METRICS: dict[str, Callable[[Scope], Q]] = {
    "participants": lambda s: Q(stage__in=PARTICIPANT_STAGES),
    "enrolled": lambda s: Q(stage__in=PARTICIPANT_STAGES),
    "completed": lambda s: Q(stage=Stage.COMPLETED) if s.recorded_by is None else completed_by(s.recorded_by),
    "certified": _certified,
    "released": lambda s: Q(stage__in=PARTICIPANT_STAGES) & _released(s.recorded_by),
    "followed_up": lambda s: Q(stage__in=PARTICIPANT_STAGES) & _followed_up(s.recorded_by),
    "in_work": lambda s: Q(stage__in=PARTICIPANT_STAGES) & _in_work(s.recorded_by),
    "releases_soon": _releases_soon,
}
SCREENING_METRICS = ("screened", "eligible")
METRICS = (*SCREENING_METRICS, *ENROLLMENT_METRICS)


def _certificates(on: dt.date | None = None) -> QuerySet[Any]:
    """The enrolment's certificates that count; with `on`, those issued by then and not revoked by then."""
    if on is None:
        return Certificate.objects.counted().filter(enrollment=OuterRef("pk"))
    return Certificate.objects.filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=on), enrollment=OuterRef("pk"), issued_on__lte=on
    )


# The roles whose screening figures and lists are of the people held at their units, as the run page shows
# them (`programs.selectors.run_results`). Others read the runs of the programs in scope as a whole:
# administrators (every unit), and roles that get counts only (TJSL, monitors, facilitators).
UNIT_SCREENING_ROLES = (Role.KANWIL_OFFICER, Role.UNIT_OFFICER, Role.BAPAS_OFFICER)


def screening_results(scope: Scope) -> QuerySet[ScreeningResult]:
    """The latest result per person of the screening runs of the programs in scope, within the period; for
    unit and Kanwil officers only the people held at their units (`UNIT_SCREENING_ROLES`)."""
    results = ScreeningResult.objects.filter(run__program__in=scope.programs)
    if access.role_of(scope.actor) in UNIT_SCREENING_ROLES:
        results = results.filter(episode__unit_id__in=actor_unit_ids(scope.actor) or [])
    if scope.filters.unit:
        results = results.filter(episode__unit_id=scope.filters.unit)
    if scope.filters.start:
        results = results.filter(run__as_of__gte=scope.filters.start)
    if scope.filters.end:
        results = results.filter(run__as_of__lte=scope.filters.end)
    if scope.recorded_by is not None:
        results = results.filter(run__as_of__lte=scope.recorded_by)
    return results


def metric_queryset(scope: Scope, metric: str) -> QuerySet[Any]:
    """The rows a number counts: enrolments, or screening results for `screened` and `eligible`."""
    if metric in SCREENING_METRICS:
        results = screening_results(scope)
        return results.filter(eligible=True) if metric == "eligible" else results
    if metric not in ENROLLMENT_METRICS:
        raise KeyError(metric)
    return scope.enrollments.filter(ENROLLMENT_METRICS[metric](scope))


def may_list(actor: Any, metric: str, by: str = "", key: str = "") -> bool:
    """Whether the actor may open the list behind a metric, broken down `by` (screening results: screeners
    only; aggregate-only roles: `access.may_list_people`)."""
    if metric in SCREENING_METRICS:
        return actor is None or access.role_of(actor) in SCREENERS
    return access.may_list_people(actor, metric, by, key)


# --- The figures --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStage:
    """One step of the funnel. `count` None: not recorded yet (the app that records it is still to come)."""

    key: str
    label: str
    count: int | None
    listable: bool = True


def funnel(scope: Scope) -> list[FunnelStage]:
    """Screened → eligible → enrolled → completed → certified → released → followed up → in work.

    People (distinct persons) for the screening steps, enrolments after that. Stages from apps that are
    not there yet come with count None; a new stage is a `FunnelStage(key, label, count)` here with its
    metric in `ENROLLMENT_METRICS`. Followed up: a contacted aftercare follow-up; in work or business: a
    contacted follow-up that found the person employed or self-employed. With `scope.recorded_by`, every
    step as recorded by that day (`_funnel_recorded_by`; the screening steps follow the filters' end).
    """
    screening = screening_results(scope).aggregate(
        screened=Count("person", distinct=True),
        eligible=Count("person", distinct=True, filter=Q(eligible=True)),
    )
    if scope.recorded_by is not None:
        enrolment = _funnel_recorded_by(scope, scope.recorded_by)
    else:
        enrolment = _funnel_tallied(scope)
    return [
        FunnelStage("screened", _("Screened"), screening["screened"]),
        FunnelStage("eligible", _("Eligible"), screening["eligible"]),
        FunnelStage("enrolled", _("Enrolled"), enrolment["enrolled"]),
        FunnelStage("completed", _("Completed"), enrolment["completed"]),
        FunnelStage("certified", _("Certified"), enrolment["certified"]),
        FunnelStage("released", _("Released"), enrolment["released"]),
        FunnelStage("followed_up", _("Followed up"), enrolment["followed_up"]),
        FunnelStage("in_work", _("In work or business"), enrolment["in_work"]),
    ]


def _funnel_tallied(scope: Scope) -> dict[str, int]:
    """The funnel's enrolment steps as they stand today."""
    # The enrolment steps are added up from the cohorts' kept counts (programs.tallies: the same
    # definitions as ENROLLMENT_METRICS, which the lists behind the numbers use).
    enrolment = {
        key: value or 0
        for key, value in CohortTally.objects.filter(cohort__in=scope.cohorts.values("pk"))
        .aggregate(
            enrolled=Sum("participants"),
            completed=Sum("completed"),
            certified=Sum("certified"),
            released=Sum("released"),
            followed_up=Sum("followed_up"),
            in_work=Sum("in_work"),
        )
        .items()
    }
    if access.role_of(scope.actor) == Role.CSR_OFFICER:
        # Aftercare outcomes reach a TJSL officer only for participants who agreed to share them with the
        # company (aftercare's rule): their followed-up and in-work counts are of those participants only.
        shared = scope.enrollments.filter(stage__in=PARTICIPANT_STAGES).alias(shares=partner_consent())
        enrolment |= shared.filter(shares=True).aggregate(
            followed_up=Count("pk", filter=_followed_up()),
            in_work=Count("pk", filter=_in_work()),
        )
    return enrolment


def _funnel_recorded_by(scope: Scope, on: dt.date) -> dict[str, int]:
    """The funnel's enrolment steps as recorded by `on` (`scope.recorded_by`; one query over the enrolments,
    not the kept counts, which stand as of today): the definitions of ENROLLMENT_METRICS by that day, and for
    a TJSL officer followed up and in work only of participants who had agreed to share by then."""
    shared = Q(partner_consent(as_of=on)) if access.role_of(scope.actor) == Role.CSR_OFFICER else Q()
    steps = {key: ENROLLMENT_METRICS[key](scope) for key in ("enrolled", "completed", "certified")}
    steps["released"] = ENROLLMENT_METRICS["released"](scope)
    steps["followed_up"] = ENROLLMENT_METRICS["followed_up"](scope) & shared
    steps["in_work"] = ENROLLMENT_METRICS["in_work"](scope) & shared
    counts = scope.enrollments.aggregate(**{key: Count("pk", filter=q) for key, q in steps.items()})
    return {key: value or 0 for key, value in counts.items()}


def age_bounds(band: impact_domain.Band, on: dt.date) -> Q:
    """Birth dates of people whose age on `on` falls in the band (as `impact.domain.age_on` counts)."""
    condition = Q(person__birth_date__lte=on - relativedelta(years=band.low))
    if band.high is not None:
        condition &= Q(person__birth_date__gt=on - relativedelta(years=band.high + 1))
    return condition


def sql_of(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    """The SQL of `queryset` and its parameters, for a subquery of a statement written by hand."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, tuple(params)


def fetch_all(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """The rows of one aggregate statement written by hand (`reached`, `ring.reached_by_ring`).

    On PostgreSQL without just-in-time compilation: at national scale the planner's cost estimates pass
    its thresholds, and compiling the plan took 0.3 to 7 s of statements that run in under a second
    (EXPLAIN ANALYZE, docs/performance.md), as for the screening (`programs.selectors`)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    # No savepoint inside a caller's transaction: `SET LOCAL` then lasts until that one ends.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def reached(scope: Scope) -> dict[str, list[tuple[str, str, int]]]:
    """People reached (distinct persons with an enrolment), by domicile district, unit, sex and age band.

    Each breakdown is a list of (key, label, count); the key is what the list behind the number filters on.

    One statement (`_reached_rows`): the people reached are read once, as a semi-join of the person table
    (each person once, so no `COUNT(DISTINCT …)`), and grouped by district, by sex and in total with a
    sum per age band (the birth dates as `age_bounds` bounds them); the units, where one person can count
    in several, count the distinct people of each unit's enrolments. The same numbers as one
    `COUNT(DISTINCT person)` per cell over `reached_queryset` (tests/reports/test_reach_sql.py).
    """
    bands = impact_domain.AGE_BANDS
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for kind, *rest in _reached_rows(scope):
        rows.setdefault(kind, []).append(tuple(rest))
    _key, _label, total, *ages = rows.get("total", [(None, None, 0, *[0] * len(bands))])[0]
    sexes = {key: n for key, _label, n, *_ages in rows.get("sex", [])}
    return {
        "total": [("", _("People reached"), total)],
        "district": [
            (key or "", label or _("Unknown"), n) for key, label, n, *_ages in rows.get("district", [])
        ],
        "unit": [(key, label, n) for key, label, n, *_ages in rows.get("unit", [])],
        "sex": [(value, str(label), sexes.get(value, 0)) for value, label in Sex.choices],
        "age": [(band.label, band.label, ages[index] or 0) for index, band in enumerate(bands)],
    }


def _reached_rows(scope: Scope) -> list[tuple[Any, ...]]:
    """(breakdown, key, label, people, people in each age band…) rows of `reached`, ordered as shown:
    the units', the districts' and the sexes' rows, and one `total` row with the age bands."""
    people = scope.enrollments.filter(stage__in=PARTICIPANT_STAGES).order_by()
    try:
        persons, person_params = sql_of(people.values(reached_person=F("person_id")))
        pairs, pair_params = sql_of(
            people.values(reached_person=F("person_id"), reached_unit=F("cohort__unit_id"))
        )
    except EmptyResultSet:  # a scope that can hold nothing (the actor sees no cohorts)
        return []
    band_sums, band_params = [], []
    for band in impact_domain.AGE_BANDS:
        condition = "pp.birth_date <= %s"
        band_params.append(scope.as_of - relativedelta(years=band.low))
        if band.high is not None:
            condition += " AND pp.birth_date > %s"
            band_params.append(scope.as_of - relativedelta(years=band.high + 1))
        band_sums.append(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)")
    none = ", ".join(["CAST(NULL AS bigint)"] * len(band_sums))
    quote = connection.ops.quote_name
    person, district, unit = (quote(m._meta.db_table) for m in (Person, District, Organisation))
    sql = (
        f"WITH pp AS (SELECT p.domicile_district_id AS district, p.sex, p.birth_date FROM {person} p "  # noqa: S608
        f"WHERE p.id IN ({persons})) "
        "SELECT 'unit', CAST(u.reached_unit AS varchar(20)), o.name, COUNT(DISTINCT u.reached_person), "
        f"{none} FROM ({pairs}) u JOIN {unit} o ON o.id = u.reached_unit GROUP BY u.reached_unit, o.name "
        f"UNION ALL SELECT 'district', pp.district, d.name, COUNT(*), {none} "
        f"FROM pp LEFT JOIN {district} d ON d.code = pp.district GROUP BY pp.district, d.name "
        f"UNION ALL SELECT 'sex', pp.sex, NULL, COUNT(*), {none} FROM pp GROUP BY pp.sex "
        f"UNION ALL SELECT 'total', NULL, NULL, COUNT(*), {', '.join(band_sums)} FROM pp "
        "ORDER BY 1, 4 DESC, 3, 2"
    )
    return fetch_all(sql, [*person_params, *pair_params, *band_params])


def reached_queryset(scope: Scope, breakdown: str, key: str) -> QuerySet[Enrollment]:
    """The enrolments behind one cell of `reached` (the list shows them; the cell counts their people)."""
    people = scope.enrollments.filter(stage__in=PARTICIPANT_STAGES)
    if breakdown == "district":
        return people.filter(person__domicile_district_id=key or None)
    if breakdown == "unit":
        return (
            people.filter(cohort__unit_id=int(key))
            if key.isascii() and key.isdigit() and len(key) <= 12
            else people.none()
        )
    if breakdown == "sex":
        return people.filter(person__sex=key)
    if breakdown == "age":
        for band in impact_domain.AGE_BANDS:
            if band.label == key:
                return people.filter(age_bounds(band, scope.as_of))
        return people.none()
    return people


@dataclass(frozen=True)
class MonthDelivery:
    month: dt.date
    sessions: int
    attended: int
    unexcused: int

    @property
    def rate(self) -> float | None:
        """The attendance rate as a percentage with one decimal, by the one definition
        (programs.domain.attendance_rate_of, DEFINITIONS["attendance"]); None when nobody was marked."""
        share = programs_domain.attendance_rate_of(self.attended, self.unexcused)
        return None if share is None else round(100 * share, 1)


def delivery(scope: Scope) -> list[MonthDelivery]:
    """Sessions held (not cancelled, up to today) and the attendance rate, per month (one query)."""
    # One query over the sessions' kept marks (programs.tallies), not over every attendance row.
    sessions = SessionTally.objects.filter(
        cohort__in=scope.cohorts.values("pk"), status=SessionStatus.SCHEDULED, date__lte=scope.today
    )
    if scope.filters.start:
        sessions = sessions.filter(date__gte=scope.filters.start)
    if scope.filters.end:
        sessions = sessions.filter(date__lte=scope.filters.end)
    rows = (
        sessions.annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(held=Count("pk"), attended=Sum("attended"), unexcused=Sum("unexcused"))
        .order_by()
    )
    by_month = {_month(r["month"]): (r["held"], r["attended"] or 0, r["unexcused"] or 0) for r in rows}
    return [MonthDelivery(month, *by_month[month]) for month in sorted(by_month)]


def _month(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    return value.replace(day=1)


@dataclass(frozen=True)
class BudgetRow:
    program_id: int
    name: str
    budget: int
    spent: int

    @property
    def percent(self) -> Any:
        return impact_domain.realisation_percent(self.budget, self.spent)


def budget(scope: Scope) -> list[BudgetRow] | None:
    """Budget against realisation per program in scope (the impact app's totals); None for roles without
    impact pages."""
    if access.role_of(scope.actor) not in access.FINANCE_ROLES and scope.actor is not None:
        return None
    programs = impact_selectors.program_list(actor=scope.actor).filter(pk__in=scope.programs.values("pk"))
    # The four columns only, not a program instance (with its agreement) each: 2,000 at national scope.
    rows = [
        BudgetRow(pk, name, int(budget_total), int(spent_total))
        for pk, name, budget_total, spent_total in programs.values_list(  # type: ignore[misc]
            "pk", "name", "budget_total", "spent_total"
        )
    ]
    return [r for r in rows if r.budget or r.spent]


@dataclass(frozen=True)
class SroiRow:
    value_map_id: int
    title: str
    label: str
    ratio: str
    taken_at: dt.datetime
    hidden: bool = False  # masked for the reader (`impact.selectors.snapshot_shown`): no ratio to show


def sroi(scope: Scope) -> list[SroiRow] | None:
    """The SROI ratio of the latest frozen snapshot of each value map in scope (one query); None for roles
    that do not read value maps."""
    if access.role_of(scope.actor) not in access.FINANCE_ROLES and scope.actor is not None:
        return None
    maps = impact_selectors.value_map_list(actor=scope.actor).filter(
        Q(program__in=scope.programs)
        | Q(agreement__programs__in=scope.programs)
        | Q(agreement__children__programs__in=scope.programs)
    )
    snapshots = (
        ValueMapSnapshot.objects.filter(value_map__in=maps.values("pk"))
        .select_related("value_map")
        .order_by("value_map_id", "-taken_at", "-pk")
    )
    rows: dict[int, SroiRow] = {}
    for snap in snapshots:
        if snap.value_map_id not in rows:
            # "×" for aggregate-only roles when it would give back a masked count (`snapshot_shown`).
            ratio = impact_selectors.snapshot_shown(actor=scope.actor, snapshot=snap).results.get("ratio")
            rows[snap.value_map_id] = SroiRow(
                snap.value_map_id,
                snap.value_map.title,
                snap.label,
                "—" if ratio is None else str(ratio),
                snap.taken_at,
                hidden=ratio is not None and not _numeric(ratio),
            )
    return list(rows.values())


def _numeric(value: Any) -> bool:
    try:
        Decimal(str(value))
    except ArithmeticError:
        return False
    return True


def agreements_ending(scope: Scope) -> dict[str, Any]:
    """Agreements ending within 90 days: the list for those who see agreements, the count for monitors."""
    if access.role_of(scope.actor) == Role.MONITOR:
        return {"count": agreement_status_counts(actor=scope.actor).get("expiring", 0), "items": None}
    items, count = expiring_agreements_counted(actor=scope.actor, limit=10)
    return {"count": count, "items": items}


def releases_soon_count(scope: Scope) -> int:
    return metric_queryset(scope, "releases_soon").count()


def enrollment_rows(queryset: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """The columns of a participant list, in one query."""
    return (
        queryset.select_related("person", "cohort__program", "cohort__unit", "episode")
        .annotate(
            certificate_count=Count(
                "certificates", filter=Q(certificates__revoked_on__isnull=True), distinct=True
            ),
            release_on=Coalesce(F("episode__release_date"), F("episode__expiry_date")),
        )
        .order_by("person__full_name", "pk")
    )


NOT_YET = gettext_lazy("Not recorded yet: this figure needs the aftercare records that are still to come.")


def metric_labels() -> list[tuple[str, str]]:
    return [
        ("screened", _("Screened")),
        ("eligible", _("Eligible")),
        ("participants", _("People reached")),
        ("enrolled", _("Enrolled")),
        ("completed", _("Completed")),
        ("certified", _("Certified")),
        ("released", _("Released")),
        ("followed_up", _("Followed up")),
        ("in_work", _("In work or business")),
        ("releases_soon", _("Participants released within 90 days")),
    ]


def recidivism_programs(scope: Scope) -> QuerySet[Program]:
    """The programs whose recidivism the viewer reads: those in scope that the impact pages open to them
    (`impact.access.program_scope`). A Kanwil officer reads those under agreements the Kanwil is party to,
    every cohort of which is in their scope, not a program seen only through a cohort at one of their units
    (its other regions' participants are not theirs); none under a unit filter
    (`access.recidivism_withheld_by_unit`)."""
    programs = Program.objects.filter(pk__in=scope.programs.values("pk"))
    readable = impact_access.program_scope(scope.actor)
    if readable is not None:
        programs = programs.filter(readable)
        # The figure counts every cohort of a program: not one with a cohort the viewer does not reach (a
        # program under an addendum of a PKS of the Kanwil's MoU is readable on the impact pages, which count
        # the grandparent as a party, while its cohorts in other regions are not in the Kanwil's scope). The
        # impact pages read the same programs (`impact.selectors.programs_reached`).
        programs = impact_selectors.programs_reached(scope.actor, programs)
    if access.recidivism_withheld_by_unit(scope.actor, scope.filters):
        return programs.none()
    return programs


def recidivism(scope: Scope, *, months: int = 12, with_groups: bool = False) -> Any:
    """Recidivism of the participants in scope against the comparison group (the impact app's rule and its
    small-group rule), in the window of `months`; for aggregate-only roles masked over every window at once
    (`reports.recidivism`). None for roles without impact pages or without programs in scope.

    With `with_groups` (a page that also links the figures to their lists) the people behind the window's
    figures come from the same query (`impact.selectors.recidivism_with_groups`) and are kept on the scope
    for `drilldown.recidivism_groups`, which then does not run it again."""
    if scope.actor is not None and access.role_of(scope.actor) not in access.FINANCE_ROLES:
        return None
    programs = recidivism_programs(scope)
    if not programs.exists():
        return None
    start, end = scope.filters.start, scope.filters.end
    # Aggregate-only roles read every window (masked together): all of them from one query.
    windows: dict[int, Any] = {}
    if access.aggregates_only(scope.actor):
        windows = impact_selectors.recidivism_windows(
            programs=programs,
            windows=[*impact_domain.WINDOW_MONTHS, months],
            as_of=scope.today,
            start=start,
            end=end,
        )

    def result_of(window: int) -> Any:
        if window in windows:
            return windows[window]
        if with_groups and window == months:
            result, groups = impact_selectors.recidivism_with_groups(
                programs=programs, months=window, as_of=scope.today, start=start, end=end
            )
            scope.kept[("recidivism_groups", window)] = groups
            return result
        return impact_selectors.recidivism(
            programs=programs, months=window, as_of=scope.today, start=start, end=end
        )

    # Aggregate-only roles: every window masked together (`reports.recidivism`), so that the figures of two
    # windows cannot be subtracted.
    return recidivism_masking.figures_for(scope.actor, result_of, months=months)


def independence(scope: Scope) -> list[tuple[str, int]]:
    """The latest independence score of each participant in scope with an aftercare case, by band, and
    those not contacted at their latest follow-up (one query)."""
    counts = band_counts(latest_scores().filter(case__enrollment__in=scope.enrollments.values("pk")))
    return [(_("not contacted") if key == "not_contacted" else key, n) for key, n in counts.items()]


def outcome_counts_as_of(
    *, programs: QuerySet[Program], as_of: dt.date, consented_only: bool = False
) -> dict[str, int | None]:
    """`impact.selectors.outcome_counts` as recorded by `as_of` (the joint report's whole-scope sections for
    aggregate-only roles, `joint.wide_as_of`), so that two reports as of the same quarter end, made on
    different days, count the same: participants enrolled by then (their cohort's start when no enrolment
    date is recorded), completions by then (the cohort's end when no date is recorded), certificates issued
    by then and not revoked by then, and in work or business at 6 months from follow-ups done by then (with
    `consented_only`, of the participants whose consent to share stood on that day)."""
    enrolled = Q(enrolled_on__lte=as_of) | Q(enrolled_on__isnull=True, cohort__start_date__lte=as_of)
    completed = Q(completed_on__lte=as_of) | Q(completed_on__isnull=True, cohort__end_date__lte=as_of)
    counts = Enrollment.objects.filter(cohort__program__in=programs).aggregate(
        participant=Count("pk", filter=Q(stage__in=PARTICIPANT_STAGES) & enrolled),
        completion=Count("pk", filter=Q(stage=Stage.COMPLETED) & completed),
    )
    certificates = (
        Certificate.objects.filter(enrollment__cohort__program__in=programs, issued_on__lte=as_of)
        .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=as_of))
        .count()
    )
    return {
        "participant": counts["participant"],
        "completion": counts["completion"],
        "certificate": certificates,
        "in_work_6m": impact_selectors.follow_up_count(
            programs=programs,
            binding=LiveIndicator.IN_WORK_6M,
            start=dt.date.min,
            end=as_of,
            as_of=as_of,
            consented_only=consented_only,
            consented_by=as_of,
        ),
    }
