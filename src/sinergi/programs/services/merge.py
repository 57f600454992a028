"""A merge of two registry records of one person, for programs: the enrolments and screening results of the
record dropped move to the record kept (registered with `beneficiaries.mergers.register` in
ProgramsConfig.ready, called inside `person_merge`'s transaction).

Both records enrolled in the same cohort (one enrolment per person and cohort): the more advanced enrolment
is kept (`STAGE_RANK`; on a tie, the kept record's), and the other one is folded into it before it is
deleted: its attendance marks for sessions the kept enrolment has no mark for, its assessments of a kind the
kept one has none of (voided ones always), its certificates and any aftercare case that names it move over;
its other marks and assessments, which the kept enrolment already has, are deleted. The audit event of the
merge lists each such cohort with the enrolment kept and the one folded into it.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy

from sinergi.beneficiaries.models import CustodyEpisode, Person
from sinergi.core.errors import ForbiddenError
from sinergi.notifications.services import notifications_rekey
from sinergi.programs import access, tallies
from sinergi.programs.choices import Stage
from sinergi.programs.models import Assessment, Attendance, Certificate, Enrollment, ScreeningResult

# How far an enrolment got: completed, active, enrolled, then withdrawn (it had started), the waiting list and
# a candidate.
STAGE_RANK = {
    Stage.COMPLETED: 5,
    Stage.ACTIVE: 4,
    Stage.ENROLLED: 3,
    Stage.WITHDRAWN: 2,
    Stage.WAITLISTED: 1,
    Stage.CANDIDATE: 0,
}


def _advanced(enrollment: Enrollment) -> tuple[int, int, int]:
    """Sort key: stage, then certificates, then attendance marks."""
    return (
        STAGE_RANK.get(Stage(enrollment.stage), 0),
        enrollment.certificates.filter(revoked_on__isnull=True).count(),
        enrollment.attendance.count(),
    )


def _fold(kept: Enrollment, folded: Enrollment) -> dict[str, Any]:
    """Move what `folded` holds to `kept` where `kept` has nothing of the kind, delete the rest and `folded`.
    Returns what happened, for the audit event; the sessions whose marks changed are refreshed by the
    caller (`sessions`)."""
    marked = Attendance.objects.filter(enrollment=kept).values("session_id")
    sessions = set(Attendance.objects.filter(enrollment=folded).values_list("session_id", flat=True))
    marks = (
        Attendance.objects.filter(enrollment=folded).exclude(session_id__in=marked).update(enrollment=kept)
    )
    marks_dropped, _ = Attendance.objects.filter(enrollment=folded).delete()
    kinds = Assessment.objects.filter(enrollment=kept, voided_on__isnull=True).values("kind")
    assessments = (
        Assessment.objects.filter(enrollment=folded)
        .filter(Q(voided_on__isnull=False) | ~Q(kind__in=kinds))
        .update(enrollment=kept)
    )
    assessments_dropped, _ = Assessment.objects.filter(enrollment=folded).delete()
    certificates = Certificate.objects.filter(enrollment=folded).update(enrollment=kept)
    cases = (
        apps.get_model("aftercare", "AftercareCase").objects.filter(enrollment=folded).update(enrollment=kept)
    )
    row = {
        "cohort": kept.cohort_id,
        "kept": kept.pk,
        "kept_stage": str(kept.stage),
        "folded": folded.pk,
        "folded_stage": str(folded.stage),
        "attendance_moved": marks,
        "attendance_dropped": marks_dropped,
        "assessments_moved": assessments,
        "assessments_dropped": assessments_dropped,
        "certificates_moved": certificates,
        "aftercare_cases_moved": cases,
        "sessions": sorted(sessions),
    }
    Enrollment.objects.filter(pk=folded.pk).delete()
    return row


MERGE_COHORTS_REFUSED = gettext_lazy(
    "The record dropped is enrolled in a cohort where you may not enrol participants, so the records were "
    "not merged. Ask the Kanwil officer or an administrator."
)
MERGE_SCREENING_REFUSED = gettext_lazy(
    "The record dropped has screening results of people held outside your work area, so the records were "
    "not merged. Ask the Kanwil officer or an administrator."
)


def _check_actor(actor: Any, drop: Person) -> None:
    """A user's merge moves (and, in a cohort both records are in, deletes) enrolments with their marks,
    assessments and certificates: only someone who may enrol in each of those cohorts (`access.may_enrol`),
    and who may screen the units of the screening results moved (`access.may_approve`). The system moves
    everything. Raised before anything is moved."""
    if actor is None:
        return
    from sinergi.programs.models import Cohort

    cohorts = Cohort.objects.filter(enrollments__person=drop).distinct().order_by("pk")
    for cohort in cohorts:
        if not access.may_enrol(actor, cohort):
            # The cohort is not named: it may lie outside what the user may read.
            raise ForbiddenError(MERGE_COHORTS_REFUSED)
    episodes = ScreeningResult.objects.filter(person=drop).values("episode_id")
    units = set(CustodyEpisode.objects.filter(pk__in=episodes).values_list("unit_id", flat=True))
    if units and not access.may_approve(actor, units):
        raise ForbiddenError(MERGE_SCREENING_REFUSED)


def person_merge_programs(*, actor: Any, keep: Person, drop: Person) -> dict[str, Any]:
    """Move the enrolments and screening results of `drop` to `keep` (see the module notes); keep the
    cohort and session tallies right. Returns what moved, for the merge's audit event. Refuses (403) a
    user who may not change all of it (`_check_actor`): the whole merge is then undone."""
    _check_actor(actor, drop)
    with tallies.batch():
        return _move(keep=keep, drop=drop)


def _move(*, keep: Person, drop: Person) -> dict[str, Any]:
    conflicts: list[dict[str, Any]] = []
    sessions: set[int] = set()
    cohorts: set[int] = set()
    theirs = {e.cohort_id: e for e in Enrollment.objects.filter(person=keep)}
    for enrollment in Enrollment.objects.filter(person=drop, cohort_id__in=list(theirs)).order_by("pk"):
        other = theirs[enrollment.cohort_id]
        kept, folded = (
            (enrollment, other) if _advanced(enrollment) > _advanced(other) else (other, enrollment)
        )
        row = _fold(kept, folded)
        if kept.pk == enrollment.pk:
            Enrollment.objects.filter(pk=kept.pk).update(person=keep)
        row["kept_from"] = "merged" if kept.pk == enrollment.pk else "kept"
        sessions |= set(row.pop("sessions"))
        cohorts.add(kept.cohort_id)
        conflicts.append(row)
    moved = Enrollment.objects.filter(person=drop).update(person=keep)
    results = ScreeningResult.objects.filter(person=drop).update(person=keep)
    # The company's release notice is sent once per person and episode: it stays sent once.
    notices = notifications_rekey(prefix=f"released:{drop.pk}:", to=f"released:{keep.pk}:")
    for session in sessions:
        tallies.session_touched(session)
    for cohort in cohorts:
        tallies.cohort_touched(cohort)
    return {
        "enrollments": moved + sum(1 for row in conflicts if row["kept_from"] == "merged"),
        "enrollments_in_both": conflicts,
        "screening_results": results,
        "release_notices": notices,
    }
