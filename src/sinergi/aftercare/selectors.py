"""Reads over aftercare, each narrowed to the actor's scope first (see access.py for who sees what)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.lookups import GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.accounts.models import User
from sinergi.accounts.selectors import actor_unit_ids
from sinergi.aftercare import domain
from sinergi.aftercare.access import CaseView, case_view
from sinergi.aftercare.models import (
    AftercareCase,
    Aid,
    FollowUp,
    Goal,
    IndexScore,
    MinimumWage,
    Reoffence,
    Report,
    Visit,
)
from sinergi.beneficiaries.choices import ConsentPurpose
from sinergi.beneficiaries.models import Consent, CustodyEpisode
from sinergi.core.errors import NotFoundError
from sinergi.core.sqldates import AddMonths
from sinergi.partnerships.models import AgreementParty


def partner_consent(*, as_of: dt.date | None = None) -> Exists:
    """The case's person has an active consent to share data with the company partner; with `as_of`, an
    active consent given by that day (a report as of a quarter end leaves out consents given later; a
    withdrawal takes effect at once, in every report made after it, whatever its as-of date)."""
    consents = Consent.objects.filter(
        person=OuterRef("person_id"), purpose=ConsentPurpose.PARTNER_SHARING, withdrawn_on__isnull=True
    )
    return Exists(consents if as_of is None else consents.filter(given_on__lte=as_of))


def _scope(actor: Any) -> Q | None:
    """The cases an actor reaches; None means all. A withdrawn partner consent hides a case from TJSL."""
    role = getattr(actor, "role", None)
    if actor is None or role == Role.ADMIN:
        return None
    if role == Role.BAPAS_OFFICER:
        return Q(bapas_id__in=actor_unit_ids(actor) or frozenset())
    if role == Role.KANWIL_OFFICER:
        # The region's cases: guided by one of its Bapas, or released from one of its units (the guiding
        # Bapas, chosen by domicile, may be in another region).
        # The episodes as a set of ids (one hashed subquery), not a join: an OR across the join made
        # PostgreSQL join every case to its episode before filtering.
        units = actor_unit_ids(actor) or frozenset()
        released = CustodyEpisode.objects.filter(unit_id__in=units).values("pk")
        return Q(bapas_id__in=units) | Q(episode_id__in=released)
    if role == Role.UNIT_OFFICER:
        return Q(episode__unit_id__in=actor_unit_ids(actor) or frozenset())
    if role == Role.FACILITATOR:
        return Q(mentor_id=actor.pk)
    if role == Role.CSR_OFFICER and actor.organisation_id:
        parties = AgreementParty.objects.filter(organisation_id=actor.organisation_id).values("agreement_id")
        return (
            Q(enrollment__cohort__program__agreement_id__in=parties)
            | Q(enrollment__cohort__program__agreement__parent_id__in=parties)
        ) & Q(partner_consent=True)
    return Q(pk__in=[])


def case_list(
    *, actor: Any, q: str = "", officer: int | None = None, open_only: bool = False
) -> QuerySet[AftercareCase]:
    """Aftercare cases in the actor's scope, newest first (index `case_opened_order`).

    `partner_consent` is annotated for TJSL officers only: it is their scope and decides what they see of a
    case (`access.case_view`); no other role reads it, and at national scale it cost every page a scan of
    the consents."""
    cases = AftercareCase.objects.select_related(
        "person",
        "bapas",
        "pk_officer",
        "mentor",
        "episode",
        "enrollment__cohort__program",
        "person__domicile_district__regency",
    ).order_by("-opened_on", "-pk")
    if getattr(actor, "role", None) == Role.CSR_OFFICER:
        cases = cases.annotate(partner_consent=partner_consent())
    scope = _scope(actor)
    if scope is not None:
        cases = cases.filter(scope)
    if q.strip():
        cases = cases.filter(person__full_name__icontains=q.strip())
    if officer:
        cases = cases.filter(pk_officer_id=officer)
    if open_only:
        cases = cases.filter(closed_on__isnull=True)
    return cases


def case_get(*, actor: Any, pk: int) -> AftercareCase:
    """One case in the actor's scope, or NotFoundError (never a 403 that reveals it exists)."""
    case = case_list(actor=actor).filter(pk=pk).first()
    if case is None:
        raise NotFoundError()
    return case


def view_of(actor: Any, case: AftercareCase) -> CaseView:
    return case_view(actor, case, partner_consent=bool(getattr(case, "partner_consent", False)))


# --- What is due -------------------------------------------------------------------------------------


def _report_slots(case: AftercareCase, reports: list[dt.date], today: dt.date) -> list[domain.ReportSlot]:
    until = reporting_until(case)
    schedule = domain.reporting_schedule(
        released_on=case.released_on, until=until, every_months=case.report_every_months
    )
    return domain.report_slots(schedule=schedule, until=until, reports=reports, today=today)


def reporting_until(case: AftercareCase) -> dt.date | None:
    """Wajib lapor runs until the sentence's expiry for PB, CB and CMB (bebas has none), or the closing."""
    if case.release_kind not in ("pb", "cb", "cmb") or case.episode is None:
        return None
    until = case.episode.expiry_date
    if until is not None and case.closed_on is not None:
        until = min(until, case.closed_on)
    return until


def _closed_from(case: AftercareCase) -> dt.date | None:
    dates = [d for d in (case.closed_on, case.readmitted_on) if d is not None]
    return min(dates) if dates else None


@dataclass
class CaseStatus:
    """A case with what is open on it, for the caseload and the case page."""

    case: AftercareCase
    agenda: list[domain.AgendaItem] = field(default_factory=list)
    slots: list[domain.ReportSlot] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)

    @property
    def urgency(self) -> tuple[int, dt.date]:
        return domain.urgency_key(self.agenda)

    @property
    def missed_reports(self) -> int:
        return sum(1 for s in self.slots if s.status == domain.MISSED)

    @property
    def open_items(self) -> list[domain.AgendaItem]:
        return [i for i in self.agenda if i.status != domain.UPCOMING]


def case_status(case: AftercareCase, *, today: dt.date | None = None) -> CaseStatus:
    """What is due on a case whose reports, visits and follow-ups are prefetched (see `with_activity`)."""
    today = today or timezone.localdate()
    reports = [r.reported_on for r in case.reports.all()]
    slots = _report_slots(case, reports, today)
    visits = [v.visited_on for v in case.visits.all()]
    done = {f.milestone: f for f in case.followups.all()}
    closed_from = _closed_from(case)
    agenda = domain.case_agenda(
        released_on=case.released_on,
        today=today,
        report_slots=slots,
        last_visit=max(visits) if visits else None,
        followups_done=list(done),
        closed_from=closed_from,
    )
    followups = [
        {
            "milestone": months,
            "due": due,
            "status": domain.followup_status(
                due=due, today=today, done=months in done, closed_from=closed_from
            ),
            "followup": done.get(months),
        }
        for months, due in domain.followup_due_dates(case.released_on).items()
    ]
    return CaseStatus(case=case, agenda=agenda, slots=slots, followups=followups)


def with_activity(cases: QuerySet[AftercareCase]) -> QuerySet[AftercareCase]:
    """Prefetch what `case_status` reads: a constant number of queries for any number of cases."""
    return cases.prefetch_related(
        Prefetch("reports", queryset=Report.objects.only("pk", "case_id", "reported_on")),
        Prefetch("visits", queryset=Visit.objects.only("pk", "case_id", "visited_on")),
        Prefetch("followups", queryset=FollowUp.objects.all()),
    )


def caseload(*, actor: Any, today: dt.date | None = None) -> list[CaseStatus]:
    """ "Klien saya": the open cases assigned to the actor (as PK or as mentor), most urgent first."""
    today = today or timezone.localdate()
    mine = Q(pk_officer_id=actor.pk) | Q(mentor_id=actor.pk)
    cases = with_activity(case_list(actor=actor, open_only=True).filter(mine))
    statuses = [case_status(case, today=today) for case in cases]
    return sorted(statuses, key=lambda s: (s.urgency, s.case.person.full_name))


def unassigned_cases(*, actor: Any) -> QuerySet[AftercareCase]:
    """Open cases of the actor's scope without a PK officer (for the head of Bapas to assign)."""
    return case_list(actor=actor, open_only=True).filter(pk_officer__isnull=True)


def users_with_permission(permission: str) -> QuerySet[User]:
    """The active users `user.has_perm(permission)` is true for (directly, through a group, or as
    superusers), in one query instead of one `has_perm` per user."""
    app_label, codename = permission.split(".")
    direct = Q(user_permissions__content_type__app_label=app_label, user_permissions__codename=codename)
    via_group = Q(
        groups__permissions__content_type__app_label=app_label, groups__permissions__codename=codename
    )
    return User.objects.filter(Q(is_superuser=True) | direct | via_group, is_active=True).distinct()


def officers_of(bapas_id: int | None) -> QuerySet[User]:
    """The active PK officers of a Bapas, for assignment."""
    if bapas_id is None:
        return User.objects.none()
    return User.objects.filter(is_active=True, role=Role.BAPAS_OFFICER, organisation_id=bapas_id).order_by(
        "full_name", "username"
    )


def mentors() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, role=Role.FACILITATOR)
        .select_related("organisation")
        .order_by("full_name", "username")
    )


def case_detail(*, actor: Any, case: AftercareCase, today: dt.date | None = None) -> dict[str, Any]:
    """Everything of a case the actor may see (other parts are never loaded, not hidden in a template)."""
    view = view_of(actor, case)
    status = case_status(with_activity(AftercareCase.objects.filter(pk=case.pk)).get(), today=today)
    context: dict[str, Any] = {"case": case, "view": view, "status": status}
    if view.plan:
        goals = list(Goal.objects.filter(case=case).order_by("target_date", "pk"))
        context["goals"] = goals
        context["goal_progress"] = _progress(goals)
    if view.reports:
        context["reports"] = list(Report.objects.filter(case=case).select_related("officer"))
    if view.visits:
        visits = list(Visit.objects.filter(case=case).select_related("recorded_by"))
        if not view.visit_notes:
            for visit in visits:  # that a visit happened, never what was said
                visit.notes = visit.next_steps = visit.met_with = ""
        context["visits"] = visits
    if view.aid:
        context["aid"] = list(Aid.objects.filter(case=case).select_related("funder"))
        context["aid_total"] = sum(a.value for a in context["aid"])
    if view.followups:
        context["followups"] = status.followups
    if view.scores:
        context["scores"] = list(IndexScore.objects.filter(case=case).order_by("scored_on", "pk"))
    if view.reoffence_detail:
        context["reoffences"] = list(Reoffence.objects.filter(case=case))
    return context


def aid_get(*, actor: Any, pk: int) -> Aid:
    """Aid on a case in the actor's scope whose view includes aid, or NotFoundError (never a 403 that would
    reveal the aid exists)."""
    aid = Aid.objects.filter(pk=pk).first()
    if aid is None:
        raise NotFoundError()
    case = case_get(actor=actor, pk=aid.case_id)
    if not view_of(actor, case).aid:
        raise NotFoundError()
    aid.case = case
    return aid


def aid_evidence_get(*, actor: Any, pk: int) -> Aid:
    """As `aid_get`, for downloading its evidence: NotFoundError when it has none."""
    aid = aid_get(actor=actor, pk=pk)
    if not aid.evidence:
        raise NotFoundError()
    return aid


def _progress(goals: list[Goal]) -> dict[str, int]:
    counted = [g for g in goals if g.status != "dropped"]
    done = sum(1 for g in counted if g.status == "done")
    return {
        "done": done,
        "total": len(counted),
        "percent": round(100 * done / len(counted)) if counted else 0,
    }


# --- Figures for other apps (impact, reports) ---------------------------------------------------------


def aid_totals(*, program: Any = None, funder: Any = None) -> dict[str, int]:
    """Aid given, in whole rupiah, for a program's participants and/or from one funder: total and count.
    The impact app counts it as an input of the program's SROI."""
    aid = Aid.objects.all()
    if program is not None:
        aid = aid.filter(case__enrollment__cohort__program=program)
    if funder is not None:
        aid = aid.filter(funder=funder)
    totals = aid.aggregate(total=Sum("value"), count=Count("pk"))
    return {"total": int(totals["total"] or 0), "count": int(totals["count"] or 0)}


def latest_scores(
    *, program: Any = None, actor: Any = None, as_of: dt.date | None = None
) -> QuerySet[IndexScore]:
    """Each case's latest independence score (by follow-up date), optionally for one program, and only for
    the cases in the actor's scope (`actor=None`: every case); with `as_of`, the latest scored by that day
    (scores recorded later left out) and, for TJSL officers, the partner consent as it stood that day, as a
    report as of a quarter end counts them."""
    dated = IndexScore.objects.all() if as_of is None else IndexScore.objects.filter(scored_on__lte=as_of)
    newer = dated.filter(case_id=OuterRef("case_id")).filter(
        Q(scored_on__gt=OuterRef("scored_on")) | Q(scored_on=OuterRef("scored_on"), pk__gt=OuterRef("pk"))
    )
    scores = dated.exclude(Exists(newer))
    if program is not None:
        scores = scores.filter(case__enrollment__cohort__program=program)
    scope = _scope(actor)
    if scope is not None:
        reachable = AftercareCase.objects.annotate(partner_consent=partner_consent(as_of=as_of)).filter(scope)
        scores = scores.filter(case_id__in=reachable.values("pk"))
    return scores


def index_distribution(*, program: Any = None, actor: Any = None) -> dict[str, int]:
    """How many participants' latest scores fall in each band, and how many could not be contacted at their
    latest follow-up (an outcome of its own), over the cases in the actor's scope (`actor=None`: all). One
    query. Callers showing it to TJSL or monitors suppress small cells (panels.program_panel)."""
    return band_counts(latest_scores(program=program, actor=actor))


def band_counts(scores: QuerySet[IndexScore]) -> dict[str, int]:
    """{band: scores in it, "not_contacted": scores without one} of `scores`, counted in the database (one
    aggregate row, not a row per score: 67,769 latest scores at national scope), by the bands of
    `domain.score_band`."""
    bands = {f"{low}-{high}": Q(score__gte=low, score__lte=high) for low, high in domain.SCORE_BANDS}
    counts = scores.order_by().aggregate(
        **{f"band_{index}": Count("pk", filter=q) for index, q in enumerate(bands.values())},
        not_contacted=Count("pk", filter=Q(score__isnull=True)),
    )
    result = {key: counts[f"band_{index}"] or 0 for index, key in enumerate(bands)}
    return result | {"not_contacted": counts["not_contacted"] or 0}


def minimum_wage_for(*, regency_id: str | None, year: int) -> MinimumWage | None:
    """The UMK of a regency for a year, else its latest earlier year; None when the table has none."""
    if not regency_id:
        return None
    return MinimumWage.objects.filter(regency_id=regency_id, year__lte=year).order_by("-year").first()


def wage_list(*, actor: Any) -> QuerySet[MinimumWage]:
    return MinimumWage.objects.select_related("regency").order_by("regency__name", "-year")


def followups_due_count(*, actor: Any, today: dt.date | None = None) -> dict[str, int]:
    """Due and overdue follow-ups among the actor's open cases as PK officer or as mentor (the caseload, for
    the dashboard), counted in the database: one query."""
    today = today or timezone.localdate()
    mine = Q(pk_officer_id=actor.pk) | Q(mentor_id=actor.pk)
    counts = {domain.DUE: 0, domain.OVERDUE: 0}
    for row in followup_counts_by(case_list(actor=actor, open_only=True).filter(mine), today=today).values():
        counts[domain.DUE] += row[domain.DUE]
        counts[domain.OVERDUE] += row[domain.OVERDUE]
    return counts


def followup_counts(case: AftercareCase, *, today: dt.date) -> dict[str, int]:
    """Due and overdue follow-ups of one case whose follow-ups are prefetched."""
    return domain.followup_due_counts(
        released_on=case.released_on,
        done={f.milestone for f in case.followups.all()},
        closed_from=_closed_from(case),
        today=today,
    )


# The follow-ups' status in SQL. `domain.followup_status` of a follow-up not done whose date is `due`:
# closed when the case was closed or its person back in custody on or before that date; otherwise due from
# two weeks before the date to 30 days after it, overdue after that. The dates are compared with today's
# bounds computed here, so the only per-row work is the date itself (`AddMonths`, which clamps month ends
# as `domain.add_months` does).


def _milestone_date(months: int | Any, prefix: str = "") -> AddMonths:
    """The date of a follow-up: the release plus the milestone's months (`domain.followup_due_dates`)."""
    return AddMonths(F(f"{prefix}released_on"), F(months) if isinstance(months, str) else months)


def _followup_is(status: str, due: Any, *, today: dt.date, prefix: str = "") -> Q:
    """A follow-up not done, dated `due`, of the case at `prefix`, has `status` (due or overdue) today."""
    still_open = (Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": due})) & (
        Q(**{f"{prefix}readmitted_on__isnull": True}) | Q(**{f"{prefix}readmitted_on__gt": due})
    )
    overdue_before = Value(today - dt.timedelta(days=domain.FOLLOWUP_GRACE_DAYS))
    if status == domain.DUE:
        opens_by = Value(today + dt.timedelta(days=domain.FOLLOWUP_OPENS_DAYS))
        return still_open & Q(GreaterThanOrEqual(due, overdue_before)) & Q(LessThanOrEqual(due, opens_by))
    if status == domain.OVERDUE:
        return still_open & Q(LessThan(due, overdue_before))
    raise ValueError(status)


def _tally(condition: Q, sign: int) -> Case:
    return Case(When(condition, then=Value(sign)), default=Value(0), output_field=IntegerField())


def followup_counts_by(
    cases: QuerySet[AftercareCase], *, today: dt.date, by: str = "pk_officer_id"
) -> dict[Any, dict[str, int]]:
    """Due and overdue follow-ups of `cases`, added up per value of the case field `by` (the PK officer by
    default; None for the cases without one). One query, two aggregates joined by UNION ALL:

    - every milestone of every case as if none were done (the release date plus the milestone's months,
      its status from today), per `by`;
    - minus the same for the follow-ups recorded on those cases (at most one per case and milestone: the
      constraint `followup_once_per_milestone`), whose milestone is then not due.

    No case is loaded and no case id leaves the database. `domain.followup_due_counts` is the rule; the
    tests compare both on varied cases."""
    cases = cases.order_by()
    plain = cases.values(key=F(by)).annotate(
        **{
            status: Sum(
                sum(
                    (
                        _tally(_followup_is(status, _milestone_date(m), today=today), 1)
                        for m in domain.MILESTONES
                    ),
                    start=Value(0),
                )
            )
            for status in (domain.DUE, domain.OVERDUE)
        }
    )
    recorded_due = _milestone_date("milestone", prefix="case__")
    done = (
        FollowUp.objects.filter(case__in=cases.values("pk"), milestone__in=domain.MILESTONES)
        .order_by()
        .values(key=F(f"case__{by}"))
        .annotate(
            **{
                status: Sum(_tally(_followup_is(status, recorded_due, today=today, prefix="case__"), -1))
                for status in (domain.DUE, domain.OVERDUE)
            }
        )
    )
    counts: dict[Any, dict[str, int]] = {}
    for row in plain.union(done, all=True):
        total = counts.setdefault(row["key"], {domain.DUE: 0, domain.OVERDUE: 0})
        total[domain.DUE] += row[domain.DUE] or 0
        total[domain.OVERDUE] += row[domain.OVERDUE] or 0
    return counts


def _assigned_open(actor: Any) -> QuerySet[AftercareCase]:
    """The open cases in the actor's scope that have a PK officer."""
    return case_list(actor=actor, open_only=True).filter(pk_officer__isnull=False)


def with_followups(cases: QuerySet[AftercareCase]) -> QuerySet[AftercareCase]:
    """Prefetch what `followup_counts` reads (one query for any number of cases)."""
    return cases.prefetch_related(
        Prefetch("followups", queryset=FollowUp.objects.only("pk", "case_id", "milestone"))
    )


def cases_with_followups(*, actor: Any, status: str, today: dt.date | None = None) -> QuerySet[Any]:
    """The open, assigned cases in the actor's scope with at least one follow-up `status` (due or overdue):
    the cases `followups_due_by_officer` adds up, for the case list behind those numbers. Their ids as a
    subquery (`pk__in=`), never a list."""
    today = today or timezone.localdate()
    if status not in (domain.DUE, domain.OVERDUE):
        return AftercareCase.objects.none().values("pk")
    any_milestone = Q(pk__in=[])
    for months in domain.MILESTONES:
        recorded = FollowUp.objects.filter(case_id=OuterRef("pk"), milestone=months)
        any_milestone |= _followup_is(status, _milestone_date(months), today=today) & ~Q(Exists(recorded))
    return _assigned_open(actor).filter(any_milestone).order_by().values("pk")


def followups_due_by_officer(*, actor: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Due and overdue follow-ups per PK officer among the open, assigned cases in the actor's scope (for
    the dashboards of heads of Bapas, Kanwil officers and administrators), most overdue first. Officers
    with nothing due are left out. Two queries whatever the number of cases: the counts per officer in SQL
    (`followup_counts_by`), then those officers."""
    today = today or timezone.localdate()
    counts = {
        officer_id: row
        for officer_id, row in followup_counts_by(_assigned_open(actor), today=today).items()
        if officer_id is not None and any(row.values())
    }
    officers = User.objects.in_bulk(list(counts))
    rows = [
        {"officer": officers[officer_id], "due": row[domain.DUE], "overdue": row[domain.OVERDUE]}
        for officer_id, row in counts.items()
    ]
    return sorted(rows, key=lambda r: (-r["overdue"], -r["due"], r["officer"].display_name, r["officer"].pk))
