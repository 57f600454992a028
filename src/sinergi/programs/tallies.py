"""Summaries kept as data is recorded: attendance marks per session and the enrolment funnel per cohort.

The dashboards and program pages add up `SessionTally` (one row per session: its cohort, date and status,
and its attended, unexcused and excused marks) and `CohortTally` (one row per cohort: how many of its
enrolments are participants, completed, withdrawn, waitlisted, certified, released, followed up, in work)
instead of reading six million attendance rows and testing every enrolment with correlated subqueries.

How they stay right:

- Every save or delete of a session, a mark, an enrolment, a certificate, an aftercare case or a
  follow-up refreshes the rows it touches in the same transaction (`signals`, connected in the apps'
  `ready`). A refresh recomputes the whole row from the recorded data (never `+1`/`-1`), so a refresh
  run twice, or after an edit or a deletion, gives the same row.
- Inside `batch()` the refreshes are gathered and run once when the block ends (still inside the
  transaction): `attendance_record` marks a whole session with one refresh, not one per mark.
- Writers that bypass `save()` (`bulk_create`, `core.bulk`, the national generator's COPY) call
  `sessions_refresh` / `cohorts_refresh` / `rebuild` themselves.
- `sinergi tallies` rebuilds both tables from the recorded data (`--check` compares them first and
  says which rows differ); migration `programs.0004` fills them once.

The definitions are those of the direct queries (`reports.selectors.ENROLLMENT_METRICS`, `delivery` and
`programs.selectors.program_counts` before this module); tests compare them after sequences of writes.
The aftercare tables are read by name (`apps.get_model`), because aftercare sits above programs.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet

from sinergi.programs.choices import Mark, Stage, WithdrawalReason
from sinergi.programs.models import (
    Attendance,
    Certificate,
    Cohort,
    CohortTally,
    Enrollment,
    Session,
    SessionTally,
)

PARTICIPANT_STAGES = (Stage.ENROLLED, Stage.ACTIVE, Stage.COMPLETED, Stage.WITHDRAWN)
WORKING = ("employed", "self_employed")
CHUNK = 2000

SESSION_COLUMNS = ("session_id", "cohort_id", "date", "status", "attended", "unexcused", "excused")
COHORT_COLUMNS = (
    "cohort_id",
    "participants",
    "completed",
    "withdrawn",
    "waitlisted",
    "certified",
    "released",
    "followed_up",
    "in_work",
)

_pending: contextvars.ContextVar[tuple[set[int], set[int]] | None] = contextvars.ContextVar(
    "sinergi_tallies_pending", default=None
)


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Gather the refreshes of the writes inside the block and run each once at its end."""
    if _pending.get() is not None:
        yield
        return
    pending: tuple[set[int], set[int]] = (set(), set())
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    sessions_refresh(pending[0])
    cohorts_refresh(pending[1])


def session_touched(session_id: int | None) -> None:
    pending = _pending.get()
    if session_id is None:
        return
    if pending is not None:
        pending[0].add(session_id)
    else:
        sessions_refresh([session_id])


def cohort_touched(cohort_id: int | None) -> None:
    pending = _pending.get()
    if cohort_id is None:
        return
    if pending is not None:
        pending[1].add(cohort_id)
    else:
        cohorts_refresh([cohort_id])


def enrollment_touched(enrollment_id: int | None) -> None:
    if enrollment_id is None:
        return
    cohort_touched(Enrollment.objects.filter(pk=enrollment_id).values_list("cohort_id", flat=True).first())


# --- The definitions ----------------------------------------------------------------------------------


def session_rows(session_ids: Iterable[int] | None = None) -> QuerySet[Any]:
    """Per session: cohort, date, status and its marks (the columns of SESSION_COLUMNS, in that order)."""
    sessions = Session.objects.all()
    if session_ids is not None:
        sessions = sessions.filter(pk__in=list(session_ids))
    return (
        sessions.order_by()
        .values("pk", "cohort_id", "date", "status")
        .annotate(
            attended=Count("attendance", filter=Q(attendance__mark__in=(Mark.PRESENT, Mark.LATE))),
            unexcused=Count("attendance", filter=Q(attendance__mark=Mark.UNEXCUSED)),
            excused=Count("attendance", filter=Q(attendance__mark=Mark.EXCUSED)),
        )
    )


def cohort_rows(cohort_ids: Iterable[int] | None = None) -> tuple[str, list[Any]]:
    """Per cohort: the funnel counts of its enrolments (the columns of COHORT_COLUMNS, in that order), as
    SQL and parameters.

    Each "has a certificate / case / contacted follow-up" test is a join with the set of enrolments that
    have one (read once, grouped by enrolment), never a subquery per enrolment: at national scale a
    subquery per enrolment over 600,000 follow-ups does not finish."""
    q = connection.ops.quote_name
    enrollment, cohort = q(Enrollment._meta.db_table), q(Cohort._meta.db_table)
    certificate = q(Certificate._meta.db_table)
    case, followup = q(_aftercare("AftercareCase")._meta.db_table), q(_aftercare("FollowUp")._meta.db_table)
    params: list[Any] = []
    where_cohort = where_enrollment = ""
    ids: list[int] = list(cohort_ids) if cohort_ids is not None else []
    if cohort_ids is not None:
        marks = ", ".join(["%s"] * len(ids))
        where_cohort = f"WHERE c.id IN ({marks})"
        where_enrollment = f"AND x.cohort_id IN ({marks})"
    participant = "e.stage IN (%s, %s, %s, %s)"

    def stages(condition: str, *values: Any) -> str:
        params.extend(values)
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    columns = [
        stages(participant, *PARTICIPANT_STAGES),
        stages("e.stage = %s", Stage.COMPLETED),
        stages("e.stage = %s", Stage.WITHDRAWN),
        stages("e.stage = %s", Stage.WAITLISTED),
        stages("e.stage = %s AND cert.enrollment_id IS NOT NULL", Stage.COMPLETED),
        stages(
            f"{participant} AND (e.withdrawal_reason = %s OR ac.enrollment_id IS NOT NULL)",
            *PARTICIPANT_STAGES,
            WithdrawalReason.RELEASED,
        ),
        stages(f"{participant} AND fu.enrollment_id IS NOT NULL", *PARTICIPANT_STAGES),
        stages(f"{participant} AND fu.working = 1", *PARTICIPANT_STAGES),
    ]
    # The parameters of the joined sets come after those of the columns, in the order they appear.
    params.extend([*ids, *WORKING, *ids, *ids, *ids])
    counts = ", ".join(f"COALESCE({c}, 0)" for c in columns)
    sql = (
        f"SELECT c.id, {counts} FROM {cohort} c "  # noqa: S608 (table names from the models, values as parameters)
        f"LEFT JOIN {enrollment} e ON e.cohort_id = c.id "
        f"LEFT JOIN (SELECT DISTINCT v.enrollment_id FROM {certificate} v JOIN {enrollment} x "
        f"ON x.id = v.enrollment_id WHERE v.revoked_on IS NULL {where_enrollment}) cert "
        "ON cert.enrollment_id = e.id "
        f"LEFT JOIN (SELECT v.enrollment_id, MAX(CASE WHEN f.work_status IN (%s, %s) THEN 1 ELSE 0 END) "
        f"AS working FROM {followup} f JOIN {case} v ON v.id = f.case_id JOIN {enrollment} x "
        f"ON x.id = v.enrollment_id WHERE f.contacted {where_enrollment} GROUP BY v.enrollment_id) fu "
        "ON fu.enrollment_id = e.id "
        f"LEFT JOIN (SELECT DISTINCT v.enrollment_id FROM {case} v JOIN {enrollment} x "
        f"ON x.id = v.enrollment_id WHERE 1 = 1 {where_enrollment}) ac ON ac.enrollment_id = e.id "
        f"{where_cohort} GROUP BY c.id"
    )
    return sql, params


def _aftercare(name: str) -> Any:
    return apps.get_model("aftercare", name)


# --- Writing them -------------------------------------------------------------------------------------


def _replace(
    model: Any,
    columns: tuple[str, ...],
    key: str,
    rows: QuerySet[Any] | tuple[str, list[Any]],
    ids: list[int] | None,
) -> int:
    """Delete the summary rows of `ids` (all when None) and insert `rows` (an aggregate query, or its SQL
    and parameters, whose columns are `columns` in order) with one INSERT … SELECT. Returns the rows
    inserted."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    select, params = rows if isinstance(rows, tuple) else rows.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if ids is None:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (names from the model)
        else:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {table} WHERE {key} IN ({marks})", ids)  # noqa: S608
        cursor.execute(f"INSERT INTO {table} ({names}) {select}", params)  # noqa: S608
        return cursor.rowcount


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted({int(i) for i in ids if i is not None})
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def sessions_refresh(session_ids: Iterable[int]) -> None:
    """Recompute the tallies of these sessions (locking the sessions, so two writers take turns)."""
    for ids in _chunks(session_ids):
        with transaction.atomic():
            list(Session.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
            _replace(SessionTally, SESSION_COLUMNS, "session_id", session_rows(ids), ids)


def cohorts_refresh(cohort_ids: Iterable[int]) -> None:
    """Recompute the tallies of these cohorts (locking the cohorts, so two writers take turns)."""
    for ids in _chunks(cohort_ids):
        with transaction.atomic():
            list(Cohort.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
            _replace(CohortTally, COHORT_COLUMNS, "cohort_id", cohort_rows(ids), ids)


def rebuild() -> dict[str, int]:
    """Both tables again from the recorded data, each with one INSERT … SELECT."""
    with transaction.atomic():
        sessions = _replace(SessionTally, SESSION_COLUMNS, "session_id", session_rows(), None)
        cohorts = _replace(CohortTally, COHORT_COLUMNS, "cohort_id", cohort_rows(), None)
    return {"sessions": sessions, "cohorts": cohorts}


def differences() -> dict[str, list[int]]:
    """The sessions and cohorts whose kept tally differs from the recorded data (empty lists: all agree)."""
    kept_sessions = {r[0]: r for r in SessionTally.objects.values_list(*SESSION_COLUMNS)}
    kept_cohorts = {r[0]: r for r in CohortTally.objects.values_list(*COHORT_COLUMNS)}
    sessions = {r[0]: r for r in session_rows().values_list(*("pk", *SESSION_COLUMNS[1:]))}
    with connection.cursor() as cursor:
        cursor.execute(*cohort_rows())
        cohorts = {r[0]: tuple(r) for r in cursor.fetchall()}
    return {
        "sessions": sorted(
            k for k in kept_sessions.keys() | sessions.keys() if kept_sessions.get(k) != sessions.get(k)
        ),
        "cohorts": sorted(
            k for k in kept_cohorts.keys() | cohorts.keys() if kept_cohorts.get(k) != cohorts.get(k)
        ),
    }


# --- Signals --------------------------------------------------------------------------------------------


def _on_session(sender: Any, instance: Session, **kwargs: Any) -> None:
    session_touched(instance.pk)


def _on_attendance(sender: Any, instance: Attendance, **kwargs: Any) -> None:
    session_touched(instance.session_id)


def _on_enrollment(sender: Any, instance: Enrollment, **kwargs: Any) -> None:
    cohort_touched(instance.cohort_id)


def _on_certificate(sender: Any, instance: Certificate, **kwargs: Any) -> None:
    enrollment_touched(instance.enrollment_id)


def _on_case(sender: Any, instance: Any, **kwargs: Any) -> None:
    enrollment_touched(instance.enrollment_id)


def _on_followup(sender: Any, instance: Any, **kwargs: Any) -> None:
    case = _aftercare("AftercareCase")
    enrollment_touched(
        case.objects.filter(pk=instance.case_id).values_list("enrollment_id", flat=True).first()
    )


def connect() -> None:
    """Keep the tallies on every save and delete of the rows they count (ProgramsConfig.ready). The
    aftercare models are named as strings (aftercare sits above programs)."""
    from django.db.models.signals import post_delete, post_save

    for model, handler in (
        (Session, _on_session),
        (Attendance, _on_attendance),
        (Enrollment, _on_enrollment),
        (Certificate, _on_certificate),
        ("aftercare.AftercareCase", _on_case),
        ("aftercare.FollowUp", _on_followup),
    ):
        name = model if isinstance(model, str) else model.__name__
        post_save.connect(handler, sender=model, dispatch_uid=f"tallies.{name}.save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"tallies.{name}.delete")
