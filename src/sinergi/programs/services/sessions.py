"""Writes for sessions and attendance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.audit.services import audit_record, model_update
from sinergi.programs import access, domain, selectors, tallies
from sinergi.programs.choices import Mark, SessionStatus, Stage
from sinergi.programs.models import (
    Attendance,
    Cohort,
    Enrollment,
    Schedule,
    Session,
)
from sinergi.programs.services._common import (
    DELIVERY_NOT_ALLOWED,
    MARK_UNKNOWN,
    NOT_ENROLLED,
    SESSION_CANCELLED,
    SESSION_IN_FUTURE,
    SESSION_OUTSIDE_COHORT,
    STALE_SESSION,
    TIME_ORDER,
    _d,
    _invalid,
    forbidden,
    stale,
)

# --- Sessions and attendance -------------------------------------------------------------------------


def sessions_generate(
    *,
    actor: Any,
    cohort: Cohort,
    weekdays: Sequence[int],
    start_time: dt.time,
    end_time: dt.time,
    from_date: dt.date,
    to_date: dt.date,
) -> list[Session]:
    """Create a weekly schedule's sessions; every date must fall inside the cohort's dates. Refuses (403)
    an actor who does not deliver this cohort (access.may_deliver)."""
    if not access.may_deliver(actor, cohort):
        raise forbidden(DELIVERY_NOT_ALLOWED)
    if end_time <= start_time:
        raise _invalid(TIME_ORDER, "end_time")
    for day in (from_date, to_date):
        if day < cohort.start_date or day > cohort.end_date:
            raise _invalid(
                SESSION_OUTSIDE_COHORT.format(
                    date=_d(day), start=_d(cohort.start_date), end=_d(cohort.end_date)
                ),
                "from_date",
            )
    existing = set(Session.objects.filter(cohort=cohort).values_list("date", flat=True))
    try:
        dates = domain.session_dates(weekdays=weekdays, start=from_date, end=to_date, skip=existing)
    except ValueError as exc:
        raise _invalid(str(exc), "weekdays") from exc
    with transaction.atomic():
        Schedule.objects.create(
            cohort=cohort,
            weekdays=list(weekdays),
            start_time=start_time,
            end_time=end_time,
            from_date=from_date,
            to_date=to_date,
        )
        sessions = Session.objects.bulk_create(
            [Session(cohort=cohort, date=d, start_time=start_time, end_time=end_time) for d in dates]
        )
        tallies.sessions_refresh(Session.objects.filter(cohort=cohort).values_list("pk", flat=True))
        audit_record(
            actor=actor, action="session.generate", target=cohort, changes={"sessions": len(sessions)}
        )
    return sessions


def session_cancel(*, actor: Any, session: Session, note: str = "", version: int | None = None) -> Session:
    """Cancel a session. `version` is the session's version the user saw: a stale one is a 409. Refuses
    (403) an actor who does not deliver this cohort."""
    if not access.may_deliver(actor, session.cohort):
        raise forbidden(DELIVERY_NOT_ALLOWED)
    _check_session_version(session, version)
    model_update(
        instance=session,
        data={"status": SessionStatus.CANCELLED, "note": note[:300]},
        actor=actor,
        action="session.cancel",
        expected_version=session.version if version is None else version,
    )
    return session


def _check_session_version(session: Session, version: int | None) -> None:
    if version is not None and version != session.version:
        raise stale(STALE_SESSION % {"date": _d(session.date), "status": session.get_status_display()})


def session_reschedule(*, actor: Any, session: Session, to: dt.date, version: int) -> Session:
    """Move a session to another date inside the cohort's dates (403 for an actor who does not deliver it)."""
    if not access.may_deliver(actor, session.cohort):
        raise forbidden(DELIVERY_NOT_ALLOWED)
    _check_session_version(session, version)
    cohort = session.cohort
    if to < cohort.start_date or to > cohort.end_date:
        raise _invalid(
            SESSION_OUTSIDE_COHORT.format(date=_d(to), start=_d(cohort.start_date), end=_d(cohort.end_date)),
            "date",
        )
    model_update(
        instance=session,
        data={"date": to, "rescheduled_from": session.rescheduled_from or session.date},
        actor=actor,
        action="session.reschedule",
        expected_version=version,
    )
    return session


@dataclass
class AttendanceOutcome:
    """What happened to each mark in a save: saved, unchanged, or a conflict with someone else's mark."""

    saved: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)


def attendance_record(
    *, actor: Any, session: Session, marks: Mapping[int, tuple[str, int]]
) -> AttendanceOutcome:
    """Save marks {enrollment_id: (mark, version seen)} one person at a time.

    A mark is saved when nobody changed that person's mark since the version the facilitator saw. When
    someone else saved a different mark meanwhile, that person is reported as a conflict and their mark
    kept; everyone else's marks are still saved. Marks for people not enrolled are refused, and so is (403)
    an actor who may not take this cohort's attendance (access.may_take_attendance).
    """
    if not access.may_take_attendance(actor, session.cohort):
        raise forbidden(DELIVERY_NOT_ALLOWED)
    closed = attendance_closed_reason(session)
    if closed:
        raise _invalid(closed)
    valid = set(Mark.values)
    enrolled = set(
        Enrollment.objects.filter(
            cohort=session.cohort, stage__in=(*selectors.OPEN_STAGES, Stage.COMPLETED), pk__in=list(marks)
        ).values_list("pk", flat=True)
    )
    strangers = [pk for pk in marks if pk not in enrolled]
    if strangers:
        raise _invalid(NOT_ENROLLED.format(who=", ".join(str(s) for s in strangers)))
    outcome = AttendanceOutcome()
    user = actor if isinstance(actor, User) else None
    with transaction.atomic(), tallies.batch():
        # The session's tally is refreshed once, when the marks are in (a changed mark is an UPDATE).
        tallies.session_touched(session.pk)
        for enrollment_id, (mark, seen) in marks.items():
            if mark not in valid:
                raise _invalid(MARK_UNKNOWN.format(mark=mark))
            current = Attendance.objects.filter(session=session, enrollment_id=enrollment_id).first()
            if current is None:
                try:
                    with transaction.atomic():
                        Attendance.objects.create(
                            session=session, enrollment_id=enrollment_id, mark=mark, recorded_by=user
                        )
                    outcome.saved.append(enrollment_id)
                    continue
                except IntegrityError:
                    current = Attendance.objects.get(session=session, enrollment_id=enrollment_id)
            if current.mark == mark:
                outcome.unchanged.append(enrollment_id)
            elif Attendance.objects.filter(pk=current.pk, version=seen).update(
                mark=mark, version=F("version") + 1, recorded_by=user, recorded_at=timezone.now()
            ):
                outcome.saved.append(enrollment_id)
            else:
                outcome.conflicts.append({"enrollment": enrollment_id, "yours": mark, "theirs": current.mark})
        audit_record(
            actor=actor,
            action="attendance.record",
            target=session,
            changes={"saved": len(outcome.saved), "conflicts": len(outcome.conflicts)},
        )
    return outcome


def attendance_closed_reason(session: Session, *, today: dt.date | None = None) -> str:
    """Why no attendance can be recorded for this session ("" when it can): it was cancelled, or it has
    not taken place yet (attendance is taken on the day of the session or later)."""
    if session.status == SessionStatus.CANCELLED:
        return str(SESSION_CANCELLED)
    if session.date > (today or timezone.localdate()):
        return str(SESSION_IN_FUTURE) % {"date": _d(session.date)}
    return ""


def can_take_attendance(actor: Any, session: Session) -> bool:
    """Facilitators of the cohort, officers of its unit, and administrators."""
    return actor is not None and access.may_take_attendance(actor, session.cohort)
