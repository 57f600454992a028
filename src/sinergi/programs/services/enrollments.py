"""Writes for enrolment: enrol approved candidates, move stages, the waiting list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sinergi.audit.services import audit_record, model_update
from sinergi.beneficiaries.choices import ConsentPurpose
from sinergi.beneficiaries.selectors import has_active_consent
from sinergi.programs import access, domain, selectors
from sinergi.programs.choices import Stage
from sinergi.programs.models import (
    Cohort,
    Enrollment,
    ScreeningResult,
)
from sinergi.programs.services._common import (
    ALREADY_ENROLLED,
    COHORT_FULL,
    ENROL_NOT_ALLOWED,
    NO_CONSENT,
    NOT_APPROVED,
    STAGE_NOT_ALLOWED,
    STALE_ENROLMENT,
    WRONG_UNIT,
    _invalid,
    forbidden,
    stale,
)


def enroll(*, actor: Any, cohort: Cohort, result: ScreeningResult, on: dt.date | None = None) -> Enrollment:
    """Enrol an approved candidate who has consent; put them on the waiting list when the cohort is full.
    Refuses (403) an actor whose units do not include the cohort's unit and the candidate's unit."""
    on = on or timezone.localdate()
    person, episode = result.person, result.episode
    if not access.may_enrol(actor, cohort) or not access.unit_in_scope(actor, episode.unit_id):
        raise forbidden(ENROL_NOT_ALLOWED)
    name = person.full_name
    if not hasattr(result, "approval") or result.run.program_id != cohort.program_id:
        raise _invalid(NOT_APPROVED.format(name=name))
    if not has_active_consent(person=person, purpose=ConsentPurpose.PARTICIPATION):
        raise _invalid(NO_CONSENT.format(name=name))
    if episode.unit_id != cohort.unit_id:
        raise _invalid(WRONG_UNIT.format(name=name, unit=episode.unit.name, cohort_unit=cohort.unit.name))
    with transaction.atomic():
        locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if Enrollment.objects.filter(cohort=locked, person=person).exists():
            raise _invalid(ALREADY_ENROLLED.format(name=name))
        taken = Enrollment.objects.filter(cohort=locked, stage__in=selectors.OPEN_STAGES).count()
        values: dict[str, Any] = {"stage": Stage.ENROLLED, "enrolled_on": on}
        if taken >= locked.capacity:
            last = Enrollment.objects.filter(cohort=locked, stage=Stage.WAITLISTED).aggregate(
                m=Max("waitlist_position")
            )
            values = {"stage": Stage.WAITLISTED, "waitlist_position": (last["m"] or 0) + 1}
        enrollment = Enrollment.objects.create(
            cohort=locked, person=person, episode=episode, approval=result.approval, **values
        )
        audit_record(
            actor=actor,
            action="enrollment.create",
            target=person,
            changes={"cohort": cohort.name, "stage": enrollment.stage},
        )
    return enrollment


def enrollment_move(
    *,
    actor: Any,
    enrollment: Enrollment,
    to: str,
    on: dt.date | None = None,
    reason: str = "",
    version: int | None = None,
) -> Enrollment:
    """Move an enrolment to another stage: activate, complete, withdraw (with a reason), or enrol from the
    waiting list when a place is free. `version` is the enrolment's version the user saw (a stale one is a
    409); refuses (403) an actor who may not move this cohort's participants (access.may_move_stage)."""
    if not access.may_move_stage(actor, enrollment.cohort):
        raise forbidden(STAGE_NOT_ALLOWED)
    if version is not None and version != enrollment.version:
        raise stale(
            STALE_ENROLMENT % {"name": enrollment.person.full_name, "stage": enrollment.get_stage_display()}
        )
    on = on or timezone.localdate()
    try:
        domain.check_transition(enrollment.stage, to)
        if to == Stage.WITHDRAWN:
            domain.check_withdrawal(reason)
    except domain.TransitionError as exc:
        raise _invalid(str(exc), "stage") from exc
    data: dict[str, Any] = {"stage": to}
    if to == Stage.COMPLETED:
        problems = completion_problems(enrollment)
        if problems:
            raise _invalid(" ".join(problems), "stage")
        data["completed_on"] = on
    if to == Stage.WITHDRAWN:
        data |= {"withdrawn_on": on, "withdrawal_reason": reason, "waitlist_position": None}
    if to == Stage.ENROLLED:
        if enrollment.stage == Stage.WAITLISTED:
            taken = Enrollment.objects.filter(
                cohort=enrollment.cohort, stage__in=selectors.OPEN_STAGES
            ).count()
            if taken >= enrollment.cohort.capacity:
                raise _invalid(COHORT_FULL.format(capacity=enrollment.cohort.capacity), "stage")
        data |= {"enrolled_on": on, "waitlist_position": None}
    with transaction.atomic():
        was_open = enrollment.stage in selectors.OPEN_STAGES
        model_update(
            instance=enrollment,
            data=data,
            actor=actor,
            action="enrollment.move",
            expected_version=enrollment.version if version is None else version,
        )
        if was_open and to == Stage.WITHDRAWN:
            _promote_waitlist(actor=actor, cohort=enrollment.cohort, on=on)
        enrollment_event_record(enrollment)
    return enrollment


def completion_problems(enrollment: Enrollment) -> list[str]:
    """Why this enrolment may not be completed yet (domain.completion_problems with its facts)."""
    program = enrollment.cohort.program
    return domain.completion_problems(
        stage=enrollment.stage,
        stage_label=str(enrollment.get_stage_display()),
        assessed=program.assessed,
        has_post=enrollment.assessments.filter(kind="post", voided_on__isnull=True).exists(),
        attendance=selectors.enrollment_attendance_rate(enrollment=enrollment),
        min_attendance=program.min_attendance_rate,
    )


def enrollment_event_record(enrollment: Enrollment) -> None:
    """Tell the other apps that an enrolment was completed or withdrawn (a domain event; subject: the
    person). Other stages record nothing."""
    from sinergi.events import kinds
    from sinergi.events.services import event_record

    if enrollment.stage == Stage.COMPLETED:
        kind, on, reason = kinds.ENROLLMENT_COMPLETED, enrollment.completed_on, ""
    elif enrollment.stage == Stage.WITHDRAWN:
        kind, on, reason = kinds.ENROLLMENT_WITHDRAWN, enrollment.withdrawn_on, enrollment.withdrawal_reason
    else:
        return
    event_record(
        kind=kind,
        subject=enrollment.person,
        payload={
            "enrollment": enrollment.pk,
            "cohort": enrollment.cohort_id,
            "on": on.isoformat() if on else None,
            "reason": reason,
        },
    )


def _promote_waitlist(*, actor: Any, cohort: Cohort, on: dt.date) -> None:
    """A place came free: the first person on the waiting list who still has consent takes it."""
    for waiting in (
        Enrollment.objects.filter(cohort=cohort, stage=Stage.WAITLISTED)
        .select_related("person")
        .order_by("waitlist_position")
    ):
        if has_active_consent(person=waiting.person, purpose=ConsentPurpose.PARTICIPATION):
            model_update(
                instance=waiting,
                data={"stage": Stage.ENROLLED, "enrolled_on": on, "waitlist_position": None},
                actor=actor,
                action="enrollment.move",
                expected_version=waiting.version,
            )
            return
