"""The kept counts (programs.tallies) equal the direct queries after a sequence of writes: marks recorded and
changed, a mark deleted, a session cancelled and moved, enrolments moved, a certificate revoked, an
aftercare case and follow-ups recorded, edited and deleted, rows written past save() and rebuilt."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q

from sinergi.aftercare.models import AftercareCase, FollowUp
from sinergi.programs import services, tallies
from sinergi.programs.models import (
    Attendance,
    Certificate,
    CohortTally,
    Enrollment,
    Program,
    Session,
    SessionTally,
)
from sinergi.programs.selectors import program_counts
from sinergi.reports import selectors

pytestmark = pytest.mark.django_db


def _direct_program(program: Program) -> dict[str, int]:
    enrolments = Enrollment.objects.filter(cohort__program=program)
    marks = Attendance.objects.filter(enrollment__cohort__program=program).exclude(
        session__status="cancelled"
    )
    return {
        "n_participants": enrolments.filter(stage__in=selectors.PARTICIPANT_STAGES).count(),
        "n_completed": enrolments.filter(stage="completed").count(),
        "n_ended": enrolments.filter(stage__in=("completed", "withdrawn")).count(),
        "n_waitlisted": enrolments.filter(stage="waitlisted").count(),
        "n_certified": Certificate.objects.counted()
        .filter(enrollment__in=enrolments, enrollment__stage="completed")
        .values("enrollment")
        .distinct()
        .count(),
        "n_attended": marks.filter(mark__in=("present", "late")).count(),
        "n_unexcused": marks.filter(mark="unexcused").count(),
    }


def _direct_delivery(scope: selectors.Scope) -> list[tuple[dt.date, int, int, int]]:
    """Per month: sessions held, attended and unexcused marks, straight from sessions and attendance."""
    held = Session.objects.filter(
        cohort__in=scope.cohorts.values("pk"), status="scheduled", date__lte=scope.today
    )
    months: dict[dt.date, list[int]] = {}
    for session in held:
        month = months.setdefault(session.date.replace(day=1), [0, 0, 0])
        month[0] += 1
        month[1] += session.attendance.filter(mark__in=("present", "late")).count()
        month[2] += session.attendance.filter(mark="unexcused").count()
    return [(m, *v) for m, v in sorted(months.items())]  # type: ignore[misc]


def _assert_agree(program: Program) -> None:
    assert tallies.differences() == {"sessions": [], "cohorts": []}
    scope = selectors.scope_of(None, selectors.Filters())
    funnel = {s.key: s.count for s in selectors.funnel(scope)}
    for key in ("enrolled", "completed", "certified", "released", "followed_up", "in_work"):
        assert funnel[key] == selectors.metric_queryset(scope, key).count(), key
    delivery = [(m.month, m.sessions, m.attended, m.unexcused) for m in selectors.delivery(scope)]
    assert delivery == _direct_delivery(scope)
    row = program_counts(Program.objects.filter(pk=program.pk)).values(*_direct_program(program)).get()
    assert row == _direct_program(program)


def test_the_kept_counts_follow_every_write(delivered: dict[str, Any]) -> None:
    program, cohort = delivered["program"], delivered["cohort"]
    enrollments = [Enrollment.objects.get(pk=e.pk) for e in delivered["enrollments"]]
    sessions = list(Session.objects.filter(cohort=cohort).order_by("date"))
    assert CohortTally.objects.get(cohort=cohort).participants == 3
    assert SessionTally.objects.filter(cohort=cohort).count() == len(sessions)
    _assert_agree(program)

    # A changed mark (an UPDATE, not a save) and a deleted one.
    first = Attendance.objects.filter(session=sessions[0]).exclude(mark="unexcused").first()
    assert first is not None
    services.attendance_record(actor=None, session=sessions[0], marks={first.enrollment_id: ("unexcused", 1)})
    Attendance.objects.filter(session=sessions[1]).first().delete()  # type: ignore[union-attr]
    _assert_agree(program)

    # A session cancelled, another moved.
    services.session_cancel(actor=None, session=sessions[2], note="Libur")
    services.session_reschedule(
        actor=None,
        session=sessions[3],
        to=sessions[3].date + dt.timedelta(days=1),
        version=sessions[3].version,
    )
    _assert_agree(program)

    # Enrolments: one withdrawn as released, one moved on; the certificate revoked.
    services.enrollment_move(
        actor=None, enrollment=enrollments[1], to="withdrawn", reason="released", on=dt.date(2022, 5, 2)
    )
    services.enrollment_move(actor=None, enrollment=enrollments[2], to="active", on=dt.date(2022, 5, 2))
    services.certificate_revoke(
        actor=None, certificate=Certificate.objects.get(), on=dt.date(2022, 8, 1), reason="Salah cetak"
    )
    _assert_agree(program)

    # Aftercare: a case for the completed participant, follow-ups recorded, edited and deleted.
    done = Enrollment.objects.get(stage="completed")
    case = AftercareCase.objects.create(
        person=done.person,
        episode=done.episode,
        enrollment=done,
        release_kind="pb",
        released_on=dt.date(2022, 7, 4),
        opened_on=dt.date(2022, 7, 4),
    )
    _assert_agree(program)
    assert CohortTally.objects.get(cohort=cohort).released == 2
    followup = FollowUp.objects.create(case=case, milestone=3, done_on=dt.date(2022, 10, 4), contacted=True)
    _assert_agree(program)
    followup.work_status = "employed"
    followup.save()
    _assert_agree(program)
    assert CohortTally.objects.get(cohort=cohort).in_work == 1
    FollowUp.objects.create(case=case, milestone=6, done_on=dt.date(2023, 1, 4), contacted=False)
    followup.delete()
    _assert_agree(program)
    assert CohortTally.objects.get(cohort=cohort).followed_up == 0
    case.delete()
    _assert_agree(program)


def test_writes_past_save_are_rebuilt_and_the_check_says_so(delivered: dict[str, Any]) -> None:
    # A queryset update bypasses the signals, as SQL by hand or a restore would.
    Attendance.objects.filter(Q(mark="excused")).update(mark="present")
    Enrollment.objects.filter(stage="enrolled").update(stage="withdrawn")
    found = tallies.differences()
    assert found["sessions"] and found["cohorts"] == [delivered["cohort"].pk]
    with pytest.raises(CommandError):
        call_command("tallies", "--check", stdout=StringIO())
    call_command("tallies", stdout=StringIO())
    call_command("tallies", "--check", stdout=StringIO())
    _assert_agree(delivered["program"])


def test_a_cohort_refresh_touches_only_that_cohort(delivered: dict[str, Any]) -> None:
    cohort = delivered["cohort"]
    CohortTally.objects.filter(cohort=cohort).update(participants=99)
    tallies.cohorts_refresh([])
    assert CohortTally.objects.get(cohort=cohort).participants == 99
    tallies.cohorts_refresh([cohort.pk, cohort.pk])
    assert CohortTally.objects.get(cohort=cohort).participants == 3
