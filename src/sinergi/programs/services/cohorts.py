"""Writes for cohorts: open one at a unit and edit it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sinergi.accounts.choices import OrganisationKind, UnitKind
from sinergi.accounts.models import User
from sinergi.audit.services import audit_record, model_update
from sinergi.programs import access, selectors
from sinergi.programs.choices import SessionStatus, Stage
from sinergi.programs.models import (
    Cohort,
    Enrollment,
    Program,
)
from sinergi.programs.services._common import (
    CAPACITY_POSITIVE,
    COHORT_EDIT_NOT_ALLOWED,
    COHORT_NEEDS_UNIT,
    COHORT_OPEN_NOT_ALLOWED,
    COHORT_OUTSIDE_PROGRAM,
    END_BEFORE_START,
    STALE_COHORT,
    _d,
    _invalid,
    forbidden,
    stale,
)
from sinergi.programs.services.enrollments import _promote_waitlist

# --- Cohorts and enrolment ---------------------------------------------------------------------------


def cohort_create(
    *, actor: Any, program: Program, data: dict[str, Any], facilitators: Sequence[User] = ()
) -> Cohort:
    """Open a cohort at a unit, inside the program's period. Refuses (403) a unit outside the actor's scope
    (access.may_open_cohort)."""
    unit, start, end = data["unit"], data["start_date"], data["end_date"]
    if not access.may_open_cohort(actor, program=program, unit=unit):
        raise forbidden(COHORT_OPEN_NOT_ALLOWED)
    if unit.kind != OrganisationKind.UNIT or unit.unit_kind == UnitKind.BAPAS:
        raise _invalid(COHORT_NEEDS_UNIT, "unit")
    if end < start:
        raise _invalid(END_BEFORE_START, "end_date")
    if start < program.start_date or end > program.end_date:
        raise _invalid(
            COHORT_OUTSIDE_PROGRAM.format(
                start=_d(start), end=_d(end), pstart=_d(program.start_date), pend=_d(program.end_date)
            ),
            "start_date",
        )
    if data["capacity"] <= 0:
        raise _invalid(CAPACITY_POSITIVE, "capacity")
    with transaction.atomic():
        cohort = Cohort.objects.create(
            program=program,
            unit=unit,
            name=data["name"],
            start_date=start,
            end_date=end,
            capacity=data["capacity"],
        )
        cohort.facilitators.set(facilitators)
        audit_record(
            actor=actor,
            action="cohort.create",
            target=cohort,
            changes={"program": program.name, "unit": unit.name, "capacity": cohort.capacity},
        )
    return cohort


CAPACITY_BELOW_ENROLLED = gettext_lazy(
    "The capacity cannot be less than the number of participants already enrolled ({n})."
)
SESSIONS_OUTSIDE_NEW_DATES = gettext_lazy(
    "{n} sessions fall outside the new period; move or cancel them first."
)


def cohort_update(
    *, actor: Any, cohort: Cohort, data: dict[str, Any], facilitators: Sequence[User], version: int
) -> Cohort:
    """Edit a cohort's name, dates, capacity and facilitators (its unit stays). Raising the capacity moves
    people up from the waiting list. Refuses (403) an actor who may not edit it (access.may_edit_cohort)."""
    if not access.may_edit_cohort(actor, cohort):
        raise forbidden(COHORT_EDIT_NOT_ALLOWED)
    if version != cohort.version:
        raise stale(
            STALE_COHORT
            % {
                "name": cohort.name,
                "start": _d(cohort.start_date),
                "end": _d(cohort.end_date),
                "capacity": cohort.capacity,
                "facilitators": cohort.facilitators.count(),
            }
        )
    start, end = data["start_date"], data["end_date"]
    program = cohort.program
    if end < start:
        raise _invalid(END_BEFORE_START, "end_date")
    if start < program.start_date or end > program.end_date:
        raise _invalid(
            COHORT_OUTSIDE_PROGRAM.format(
                start=_d(start), end=_d(end), pstart=_d(program.start_date), pend=_d(program.end_date)
            ),
            "start_date",
        )
    taken = Enrollment.objects.filter(cohort=cohort, stage__in=selectors.OPEN_STAGES).count()
    if data["capacity"] < taken:
        raise _invalid(CAPACITY_BELOW_ENROLLED.format(n=taken), "capacity")
    outside = (
        cohort.sessions.exclude(status=SessionStatus.CANCELLED).exclude(date__range=(start, end)).count()
    )
    if outside:
        raise _invalid(SESSIONS_OUTSIDE_NEW_DATES.format(n=outside), "start_date")
    with transaction.atomic():
        model_update(
            instance=cohort,
            actor=actor,
            action="cohort.update",
            expected_version=version,
            data={"name": data["name"], "start_date": start, "end_date": end, "capacity": data["capacity"]},
        )
        before = set(cohort.facilitators.values_list("pk", flat=True))
        if before != {f.pk for f in facilitators}:
            if cohort.version == version:  # only the facilitators changed: stale forms must still conflict
                Cohort.objects.filter(pk=cohort.pk, version=version).update(version=version + 1)
                cohort.version = version + 1
            cohort.facilitators.set(facilitators)
            audit_record(
                actor=actor,
                action="cohort.update",
                target=cohort,
                changes={"facilitators": [sorted(before), sorted(f.pk for f in facilitators)]},
            )
        for _ in range(max(data["capacity"] - taken, 0)):
            if not Enrollment.objects.filter(cohort=cohort, stage=Stage.WAITLISTED).exists():
                break
            _promote_waitlist(actor=actor, cohort=cohort, on=timezone.localdate())
    return cohort
